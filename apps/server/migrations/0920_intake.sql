-- One inbound pipeline for every channel (issue #18, docs/channels.md). inbound_events (0001_core) stays the
-- raw log; these tables are the intake module's: connected provider accounts, the conversation a sender's
-- messages thread into, and what each address said about being written to (SMS STOP/START).

CREATE TABLE channel_accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  channel text NOT NULL,
  name text NOT NULL,
  -- Random, in the webhook URL: names the account without revealing ids.
  hook_key text NOT NULL UNIQUE,
  -- What customers write to (E.164 for SMS), from the settings.
  address text,
  settings jsonb NOT NULL DEFAULT '{}',
  -- KeyRing-encrypted JSON of the secret fields (auth tokens).
  secrets text,
  -- The public base URL the provider calls, when it differs from PUBLIC_URL (a proxy, a tunnel).
  public_url text,
  active boolean NOT NULL DEFAULT true,
  last_inbound_at timestamptz,
  last_error text,
  last_error_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channel_accounts_workspace ON channel_accounts (workspace_id, channel);

CREATE TABLE channel_threads (
  account_id bigint NOT NULL REFERENCES channel_accounts(id) ON DELETE CASCADE,
  thread_key text NOT NULL,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, thread_key)
);

CREATE TABLE channel_consents (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  channel text NOT NULL,
  address text NOT NULL,
  state text NOT NULL CHECK (state IN ('opted-in', 'opted-out')),
  keyword text,
  inbound_event_id bigint,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, channel, address)
);
