-- Single-use links an agent opens from an e-mail: an invitation (sets the first password) or a
-- password reset. Only the sha256 of the token is kept; a link is used by a conditional UPDATE, so two
-- requests racing with the same link cannot both pass.
CREATE TABLE agent_account_links (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  agent_id bigint NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('invite', 'reset')),
  token_hash text NOT NULL UNIQUE,
  created_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX agent_account_links_open ON agent_account_links (agent_id) WHERE used_at IS NULL;
