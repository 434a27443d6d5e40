-- Honest presence and per-inbox routing (issue 8 follow-up).

-- Set when the agent has had no live realtime socket on any node for the grace period (or signed out of
-- the socket's session): routing treats them as offline until a socket connects again. `status` keeps what
-- the agent chose, so reconnecting brings that back.
ALTER TABLE agent_presence ADD COLUMN lapsed_at timestamptz;

-- One row per node and agent: how many sockets that node holds for the agent, refreshed by the node's
-- heartbeat. A row whose seen_at is older than the grace period belongs to a node that died; a row with
-- sockets = 0 records when the agent's last socket on that node closed.
CREATE TABLE agent_connections (
  agent_id bigint NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  node_id text NOT NULL,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  sockets integer NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, node_id)
);

-- Tickets of a channel (and, for email, of one inbox) go to a team, whose routing mode then applies.
CREATE TABLE routing_rules (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  channel text NOT NULL,
  -- An email inbox id (email_inboxes.id, read from the first message's channel_meta.inboxId); null: the whole channel.
  inbox_id bigint,
  team_id bigint NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX routing_rules_scope ON routing_rules (workspace_id, channel, coalesce(inbox_id, 0));
