-- When a policy began to apply: its clocks tick from then on, so adding a policy does not find every old
-- ticket breached by weeks. NULL: it applies to open tickets from their start (asked for explicitly, and
-- what policies created before this column did).
ALTER TABLE sla_policies ADD COLUMN applies_from timestamptz;
ALTER TABLE sla_policies ALTER COLUMN applies_from SET DEFAULT now();
