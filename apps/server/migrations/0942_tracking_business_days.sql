-- Delivery rules in business days (docs/tracking.md): the days a carrier works (ISO weekdays, 1 = Monday),
-- public holidays (local dates, no parcels move), and per-carrier/service/destination thresholds that
-- override the workspace's ({ carrier?, service?, country?, noFirstScanDays?, inTransitDays? }[], the
-- most specific match wins). Counted in the workspace's time zone.
ALTER TABLE tracking_settings
  ADD COLUMN business_days boolean NOT NULL DEFAULT true,
  ADD COLUMN work_days int[] NOT NULL DEFAULT '{1,2,3,4,5}',
  ADD COLUMN holidays text[] NOT NULL DEFAULT '{}',
  ADD COLUMN rule_overrides jsonb NOT NULL DEFAULT '[]';

-- What happened to a problem, for its timeline: tickets linked (by an agent or a rule), updates sent
-- (with how many customers were told), solved.
CREATE TABLE problem_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  problem_id bigint NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('created', 'linked', 'update', 'solved')),
  count int NOT NULL DEFAULT 0,
  text text NOT NULL DEFAULT '',
  actor_agent_id bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX problem_events_problem ON problem_events (problem_id, id);
