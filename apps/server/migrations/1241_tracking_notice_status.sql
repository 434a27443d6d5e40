-- What became of the notice a detection asked for (sent, scheduled, skipped; null = none asked: no
-- order, no e-mail, or notify off), so tracking's analytics summaries count notices from its own table.
ALTER TABLE tracking_detections ADD COLUMN notice_status text;
