-- The SLA achievement record (issue 8): one row per ticket, target and cycle, written once when the target
-- is met or breached and never rewritten. `sla_clocks` are live timers replayed against the current policy;
-- a policy edit, a priority change or a policy that stops matching must not change what was achieved.
CREATE TABLE sla_outcomes (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  metric text NOT NULL CHECK (metric IN ('first_response', 'next_response', 'resolution')),
  -- next response: the reply cycle (from 1); resolution: 0, then one more per reopen.
  cycle integer NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('met', 'breached')),
  -- The policy as it was: its id goes if the policy is deleted, its name stays.
  policy_id bigint REFERENCES sla_policies(id) ON DELETE SET NULL,
  policy_name text NOT NULL,
  target_minutes integer NOT NULL,
  business boolean NOT NULL,
  started_at timestamptz NOT NULL,
  due_at timestamptz,
  -- met: when the target was reached; breached: when its due time passed.
  outcome_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ticket_id, metric, cycle)
);
CREATE INDEX sla_outcomes_report ON sla_outcomes (workspace_id, outcome_at);

-- What the clocks already recorded (completed ones, and running ones past due) becomes the first record.
INSERT INTO sla_outcomes (workspace_id, ticket_id, metric, cycle, outcome, policy_id, policy_name, target_minutes,
  business, started_at, due_at, outcome_at)
SELECT c.workspace_id, c.ticket_id, c.metric, c.cycle, c.state, c.policy_id, coalesce(p.name, ''), c.target_minutes,
  c.business, c.started_at, c.due_at, CASE WHEN c.state = 'met' THEN c.completed_at ELSE c.due_at END
FROM sla_clocks c LEFT JOIN sla_policies p ON p.id = c.policy_id
WHERE (c.state = 'met' AND c.completed_at IS NOT NULL) OR (c.state = 'breached' AND c.due_at IS NOT NULL)
ON CONFLICT DO NOTHING;
