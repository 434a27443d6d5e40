-- Automations (triggers and scheduled scans), their execution log, and urgency scores (issue 8).

CREATE TABLE automations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('trigger', 'scheduled')),
  events text[] NOT NULL DEFAULT '{}',
  conditions jsonb NOT NULL DEFAULT '{"all": [], "any": []}',
  actions jsonb NOT NULL DEFAULT '[]',
  position integer NOT NULL DEFAULT 0,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX automations_workspace ON automations (workspace_id, kind, position, id);

CREATE TABLE automation_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  automation_id bigint REFERENCES automations(id) ON DELETE SET NULL,
  automation_name text,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  trigger text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('applied', 'loop_stopped', 'failed')),
  reason text,
  actions jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX automation_runs_ticket ON automation_runs (ticket_id, id);
CREATE INDEX automation_runs_automation ON automation_runs (automation_id, ticket_id, created_at);

-- A scheduled automation acts once per ticket per "episode" (the time the ticket entered its status):
-- the insert that wins is the only one that acts, on any node.
CREATE TABLE automation_marks (
  automation_id bigint NOT NULL REFERENCES automations(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  episode text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (automation_id, ticket_id, episode)
);

CREATE TABLE ticket_urgency (
  message_id bigint PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  score integer NOT NULL,
  level text NOT NULL,
  reasons jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_urgency_ticket ON ticket_urgency (ticket_id, created_at DESC);
