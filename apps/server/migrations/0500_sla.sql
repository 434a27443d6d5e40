-- Service levels: business calendars, SLA policies and per-ticket clocks (issue 8).

-- One calendar per workspace (team_id NULL) and optionally one per team.
CREATE TABLE business_calendars (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  team_id bigint REFERENCES teams(id) ON DELETE CASCADE,
  name text NOT NULL,
  timezone text NOT NULL,
  weekly jsonb NOT NULL DEFAULT '{}',
  holidays jsonb NOT NULL DEFAULT '[]',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX business_calendars_scope ON business_calendars (workspace_id, coalesce(team_id, 0));

CREATE TABLE sla_policies (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  position integer NOT NULL DEFAULT 0,
  active boolean NOT NULL DEFAULT true,
  match jsonb NOT NULL DEFAULT '{}',
  targets jsonb NOT NULL DEFAULT '{}',
  pause_statuses text[] NOT NULL DEFAULT '{pending,on-hold}',
  warn_percent integer NOT NULL DEFAULT 75 CHECK (warn_percent BETWEEN 1 AND 99),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sla_policies_workspace ON sla_policies (workspace_id, position, id);

-- Every clock of every ticket, one row per metric and reply cycle: the live timers and, once completed,
-- the achievement record reports read.
CREATE TABLE sla_clocks (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  metric text NOT NULL CHECK (metric IN ('first_response', 'next_response', 'resolution')),
  cycle integer NOT NULL DEFAULT 0,
  policy_id bigint REFERENCES sla_policies(id) ON DELETE SET NULL,
  target_minutes integer NOT NULL,
  business boolean NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'paused', 'met', 'breached')),
  started_at timestamptz NOT NULL,
  due_at timestamptz,
  warn_at timestamptz,
  completed_at timestamptz,
  elapsed_minutes numeric NOT NULL DEFAULT 0,
  -- Set once (UPDATE … WHERE … IS NULL) so a warning or breach event is published exactly once.
  warned_at timestamptz,
  breach_notified_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ticket_id, metric, cycle)
);
CREATE INDEX sla_clocks_workspace_completed ON sla_clocks (workspace_id, completed_at);

-- One row per ticket with a policy: what the inbox sorts ("due soonest") and filters ("breached") by.
CREATE TABLE sla_ticket_status (
  ticket_id bigint PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  policy_id bigint REFERENCES sla_policies(id) ON DELETE SET NULL,
  next_due_at timestamptz,
  breached boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sla_ticket_status_due ON sla_ticket_status (workspace_id, next_due_at);
CREATE INDEX sla_ticket_status_breached ON sla_ticket_status (workspace_id) WHERE breached;
