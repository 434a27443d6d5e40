-- Routing: per-team modes, agent presence and capacity, and the queue of tickets waiting for an agent (issue 8).

CREATE TABLE routing_configs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  team_id bigint REFERENCES teams(id) ON DELETE CASCADE,
  mode text NOT NULL DEFAULT 'manual' CHECK (mode IN ('manual', 'round_robin', 'least_loaded')),
  default_capacity jsonb NOT NULL DEFAULT '{"chat": 3, "email": 20, "*": 20}',
  skill_tags text[] NOT NULL DEFAULT '{}',
  match_language boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX routing_configs_scope ON routing_configs (workspace_id, coalesce(team_id, 0));

CREATE TABLE agent_presence (
  agent_id bigint PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'away', 'offline')),
  capacity jsonb NOT NULL DEFAULT '{}',
  -- Round-robin turn: the agent with the lowest number is next (a per-workspace counter, not a clock).
  last_assigned_seq bigint NOT NULL DEFAULT 0,
  status_changed_at timestamptz
);
CREATE INDEX agent_presence_workspace ON agent_presence (workspace_id, status);

CREATE TABLE routing_queue (
  ticket_id bigint PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  due_at timestamptz,
  enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- First in, first out by SLA due time; tickets without an SLA after, in arrival order.
CREATE INDEX routing_queue_order ON routing_queue (workspace_id, due_at NULLS LAST, enqueued_at, ticket_id);
