-- Macros (canned replies): a body with {{variables}} plus field changes applied with the reply.
-- agent_id NULL = shared with the workspace; otherwise personal to that agent.
CREATE TABLE macros (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  agent_id bigint REFERENCES agents(id) ON DELETE CASCADE,
  created_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  name text NOT NULL,
  body text NOT NULL,
  actions jsonb NOT NULL DEFAULT '{}',
  usage_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX macros_workspace ON macros (workspace_id, lower(name));
