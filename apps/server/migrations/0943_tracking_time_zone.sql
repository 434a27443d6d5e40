-- The time zone business days and holidays are counted in (IANA name).
ALTER TABLE tracking_settings ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
-- Business days are opt-in (a workspace turns them on with its carriers' week and holidays): the
-- calendar-day rules stay as they were for every workspace until then.
ALTER TABLE tracking_settings ALTER COLUMN business_days SET DEFAULT false;
UPDATE tracking_settings SET business_days = false;
