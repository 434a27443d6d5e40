-- One bot turn at a time per conversation, across nodes: a turn takes a short lease on the row
-- (token + expiry) and gives it back when it saves. A lease, not a row lock held in a transaction,
-- because a turn does other database work (help-center search, tickets) on other pooled connections;
-- holding one connection per running turn could starve the pool. A crashed node's lease expires.
ALTER TABLE bot_conversations ADD COLUMN lease_token text, ADD COLUMN lease_until timestamptz;

-- Failed order proofs typed to the bot, one row per limit key (order number, proof value,
-- conversation, contact, client address). Counted over sliding windows before every look-up, so the
-- limits hold across restarted flows, new conversations and nodes; rows older than a day are pruned.
CREATE TABLE bot_lookup_failures (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  limit_key text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bot_lookup_failures_key ON bot_lookup_failures (workspace_id, limit_key, failed_at);
