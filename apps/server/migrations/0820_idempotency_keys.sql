-- Idempotency-Key for creating API routes (docs/api.md): a retried request with the same key, from
-- the same caller in the same workspace, gets the first response instead of creating again.
CREATE TABLE idempotency_keys (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  -- 't<token id>' for API tokens, 'a<agent id>' for dashboard sessions.
  caller text NOT NULL,
  key text NOT NULL,
  -- sha256 of method, route and body: the same key with another request is refused.
  request_hash text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
  response_status integer,
  response_body jsonb,
  -- A pending claim older than its lease belongs to a request that died; it may be taken over.
  claimed_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, caller, key)
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
