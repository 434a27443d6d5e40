-- Core schema: workspaces, agents, contacts, tickets, messages, attachments, audit, inbound events, jobs.
-- Every business table carries workspace_id so data can later shard by workspace.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE workspaces (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  slug text NOT NULL UNIQUE,
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  email text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'lead', 'agent', 'read-only')),
  password_hash text,
  totp_secret text,
  totp_enabled boolean NOT NULL DEFAULT false,
  recovery_codes jsonb NOT NULL DEFAULT '[]',
  active boolean NOT NULL DEFAULT true,
  away boolean NOT NULL DEFAULT false,
  avatar_url text,
  skills text[] NOT NULL DEFAULT '{}',
  languages text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);
CREATE UNIQUE INDEX agents_workspace_email ON agents (workspace_id, lower(email));
CREATE INDEX agents_email ON agents (lower(email));

CREATE TABLE teams (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);

CREATE TABLE team_members (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  team_id bigint NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  agent_id bigint NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  PRIMARY KEY (team_id, agent_id)
);
CREATE INDEX team_members_agent ON team_members (agent_id);

CREATE TABLE sessions (
  id text PRIMARY KEY, -- sha256 of the cookie value; the cookie itself is never stored
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  agent_id bigint NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  mfa_pending boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_agent ON sessions (agent_id);

CREATE TABLE api_tokens (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  agent_id bigint NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_tokens_workspace ON api_tokens (workspace_id);

CREATE TABLE contacts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text,
  email text,
  phone text,
  notes text NOT NULL DEFAULT '',
  tags text[] NOT NULL DEFAULT '{}',
  custom_fields jsonb NOT NULL DEFAULT '{}',
  merged_into_id bigint REFERENCES contacts(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_workspace ON contacts (workspace_id, id DESC) WHERE merged_into_id IS NULL;
CREATE INDEX contacts_name_trgm ON contacts USING gin ((coalesce(name, '') || ' ' || coalesce(email, '')) gin_trgm_ops);

CREATE TABLE contact_identities (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  contact_id bigint NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('email', 'phone', 'chat', 'messenger', 'instagram', 'whatsapp', 'external')),
  value text NOT NULL,
  verified boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, kind, value)
);
CREATE INDEX contact_identities_contact ON contact_identities (contact_id);

CREATE TABLE tags (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  color text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, name)
);

CREATE TABLE custom_field_defs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  key text NOT NULL,
  label text NOT NULL,
  type text NOT NULL CHECK (type IN ('text', 'number', 'boolean', 'select', 'date')),
  options jsonb NOT NULL DEFAULT '[]',
  UNIQUE (workspace_id, key)
);

CREATE TABLE tickets (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  subject text NOT NULL,
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending', 'on-hold', 'solved', 'closed')),
  priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  channel text NOT NULL,
  contact_id bigint REFERENCES contacts(id),
  assignee_id bigint REFERENCES agents(id),
  team_id bigint REFERENCES teams(id),
  tags text[] NOT NULL DEFAULT '{}',
  custom_fields jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  message_count integer NOT NULL DEFAULT 0,
  last_message_preview text NOT NULL DEFAULT '',
  last_message_at timestamptz NOT NULL DEFAULT now(),
  last_inbound_at timestamptz,
  first_response_at timestamptz,
  solved_at timestamptz,
  closed_at timestamptz,
  merged_into_id bigint REFERENCES tickets(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', subject)) STORED
);
-- The inbox: filtered by status/assignee/team, newest activity first, keyset-paginated.
CREATE INDEX tickets_inbox ON tickets (workspace_id, status, last_message_at DESC, id DESC);
CREATE INDEX tickets_assignee ON tickets (workspace_id, assignee_id, status, last_message_at DESC, id DESC);
CREATE INDEX tickets_team ON tickets (workspace_id, team_id, status, last_message_at DESC, id DESC);
CREATE INDEX tickets_all ON tickets (workspace_id, last_message_at DESC, id DESC);
CREATE INDEX tickets_contact ON tickets (contact_id, created_at DESC);
CREATE INDEX tickets_tags ON tickets USING gin (tags);
CREATE INDEX tickets_search ON tickets USING gin (search);

CREATE TABLE messages (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('inbound', 'outbound', 'note')),
  channel text NOT NULL,
  author_agent_id bigint REFERENCES agents(id),
  author_contact_id bigint REFERENCES contacts(id),
  body_text text NOT NULL DEFAULT '',
  body_html text,
  channel_meta jsonb NOT NULL DEFAULT '{}',
  external_id text,
  delivery_status text NOT NULL DEFAULT 'received'
    CHECK (delivery_status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed', 'none')),
  delivery_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', left(body_text, 100000))) STORED
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);
CREATE INDEX messages_external ON messages (workspace_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX messages_search ON messages USING gin (search);

CREATE TABLE attachments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  message_id bigint REFERENCES messages(id) ON DELETE CASCADE,
  filename text NOT NULL,
  content_type text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  content_id text,
  inline boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE ticket_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  type text NOT NULL,
  actor_agent_id bigint REFERENCES agents(id),
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE ticket_links (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  linked_ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  kind text NOT NULL DEFAULT 'related' CHECK (kind IN ('related', 'follow-up', 'incident', 'split')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ticket_id, linked_ticket_id)
);
CREATE INDEX ticket_links_linked ON ticket_links (linked_ticket_id);

CREATE TABLE ticket_followers (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  email text NOT NULL,
  PRIMARY KEY (ticket_id, email)
);

CREATE TABLE views (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  agent_id bigint REFERENCES agents(id) ON DELETE CASCADE, -- NULL: shared with the workspace
  name text NOT NULL,
  filters jsonb NOT NULL DEFAULT '{}',
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX views_workspace ON views (workspace_id, position);

CREATE TABLE notifications (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  agent_id bigint NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  type text NOT NULL,
  ticket_id bigint REFERENCES tickets(id) ON DELETE CASCADE,
  message_id bigint REFERENCES messages(id) ON DELETE CASCADE,
  data jsonb NOT NULL DEFAULT '{}',
  read_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_agent ON notifications (agent_id, id DESC);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  actor_agent_id bigint REFERENCES agents(id) ON DELETE SET NULL,
  action text NOT NULL,
  target_type text,
  target_id text,
  data jsonb NOT NULL DEFAULT '{}',
  ip text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id DESC);

-- Raw inbound payloads, written before a channel acknowledges; processed by jobs.
CREATE TABLE inbound_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  channel text NOT NULL,
  provider_id text NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  payload bytea NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  error text,
  UNIQUE (workspace_id, channel, provider_id)
);
CREATE INDEX inbound_events_unprocessed ON inbound_events (received_at) WHERE processed_at IS NULL;

CREATE TABLE jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 8,
  run_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  locked_by text,
  last_error text,
  unique_key text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
-- Claiming scans only runnable rows.
CREATE INDEX jobs_runnable ON jobs (run_at) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_failed ON jobs (workspace_id, id DESC) WHERE status = 'failed';
