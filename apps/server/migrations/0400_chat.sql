-- Live chat: per-workspace widget settings, visitors, conversations (one per chat ticket), ratings and
-- the e-mail fallback ledger. Messages themselves live in the tickets module's `messages` table.

CREATE TABLE chat_settings (
  workspace_id bigint PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  settings jsonb NOT NULL DEFAULT '{}',
  -- Encrypted with the server secret: admins read it to configure their shop's backend.
  identity_secret text NOT NULL,
  -- Part of the visitor-token key; replacing it signs every visitor out.
  token_salt text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chat_visitors (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  -- The id in visitor tokens and in the contact's `chat` identity.
  visitor_key text NOT NULL,
  verified boolean NOT NULL DEFAULT false,
  name text,
  email text,
  prechat jsonb NOT NULL DEFAULT '{}',
  prechat_done boolean NOT NULL DEFAULT false,
  contact_id bigint REFERENCES contacts(id) ON DELETE SET NULL,
  page_url text,
  page_title text,
  user_agent text,
  ip text,
  locale text,
  -- Extended by socket heartbeats; in the past means nobody is looking at the widget.
  online_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz,
  UNIQUE (workspace_id, visitor_key)
);

CREATE TABLE chat_conversations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  visitor_id bigint NOT NULL REFERENCES chat_visitors(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  started_at timestamptz NOT NULL DEFAULT now(),
  first_response_at timestamptz,
  visitor_read_up_to bigint NOT NULL DEFAULT 0,
  agent_read_up_to bigint NOT NULL DEFAULT 0,
  rating_requested_at timestamptz,
  page_url text,
  user_agent text
);
CREATE INDEX chat_conversations_visitor ON chat_conversations (workspace_id, visitor_id, id DESC);
CREATE INDEX chat_conversations_ticket ON chat_conversations (workspace_id, ticket_id);
-- Typical reply time reads the last 7 days of first responses.
CREATE INDEX chat_conversations_started ON chat_conversations (workspace_id, started_at);

CREATE TABLE chat_ratings (
  conversation_id bigint PRIMARY KEY REFERENCES chat_conversations(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  contact_id bigint REFERENCES contacts(id) ON DELETE SET NULL,
  score smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_ratings_workspace ON chat_ratings (workspace_id, created_at DESC);

-- One row per agent reply that was (or is being) e-mailed because the visitor did not read it in the widget.
CREATE TABLE chat_email_fallbacks (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  message_id bigint PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  email text NOT NULL,
  status text NOT NULL CHECK (status IN ('sent', 'skipped', 'unavailable')),
  detail text,
  created_at timestamptz NOT NULL DEFAULT now()
);
