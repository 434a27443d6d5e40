-- Email channel: inboxes (addresses, relay/IMAP settings, auto-acknowledgement), the outcome of every
-- inbound email, and every outbound email as sent (the dev mailbox is the rows sent to 'dev').

CREATE TABLE email_inboxes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  address text NOT NULL,
  aliases text[] NOT NULL DEFAULT '{}',
  from_name text,
  signature text NOT NULL DEFAULT '',
  active boolean NOT NULL DEFAULT true,
  auto_ack_enabled boolean NOT NULL DEFAULT true,
  auto_ack_subject text NOT NULL DEFAULT 'Re: {{ticket.subject}} [#{{ticket.id}}]',
  auto_ack_body text NOT NULL DEFAULT '',
  expected_response_fallback text NOT NULL DEFAULT 'within one business day',
  -- sha256 of the per-inbox webhook secret; the secret itself is shown once when created or rotated.
  webhook_secret_hash text NOT NULL,
  -- Outbound relay for this inbox; NULL uses EMAIL_RELAY_URL, then the local dev mailbox.
  smtp jsonb,
  -- IMAP source; the password inside is encrypted with the server's secret key.
  imap jsonb,
  imap_uid_validity bigint,
  imap_last_uid bigint NOT NULL DEFAULT 0,
  imap_last_error text,
  imap_last_polled_at timestamptz,
  -- A node polls an inbox only while it holds this lease, so several nodes never fetch the same mailbox.
  imap_lease_by text,
  imap_lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The SMTP server routes a recipient to exactly one workspace, so addresses are unique install-wide.
CREATE UNIQUE INDEX email_inboxes_address ON email_inboxes (lower(address));
CREATE INDEX email_inboxes_workspace ON email_inboxes (workspace_id, id);

-- One row per processed inbound email: what became of it and why.
CREATE TABLE email_inbound (
  inbound_event_id bigint PRIMARY KEY REFERENCES inbound_events(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  inbox_id bigint REFERENCES email_inboxes(id) ON DELETE SET NULL,
  from_address text,
  subject text NOT NULL DEFAULT '',
  message_id_header text,
  outcome text NOT NULL CHECK (outcome IN ('ticket', 'threaded', 'duplicate', 'auto-reply', 'bounce', 'receipt', 'rejected')),
  reason text,
  ticket_id bigint REFERENCES tickets(id) ON DELETE SET NULL,
  message_id bigint REFERENCES messages(id) ON DELETE SET NULL,
  auto_submitted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_inbound_workspace ON email_inbound (workspace_id, inbound_event_id DESC);
-- Per-sender flood limit counts recent mail from one address.
CREATE INDEX email_inbound_sender ON email_inbound (workspace_id, lower(from_address), created_at);
CREATE INDEX email_inbound_message ON email_inbound (message_id) WHERE message_id IS NOT NULL;

CREATE TABLE email_outbound (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  inbox_id bigint REFERENCES email_inboxes(id) ON DELETE SET NULL,
  ticket_id bigint REFERENCES tickets(id) ON DELETE SET NULL,
  message_id bigint REFERENCES messages(id) ON DELETE SET NULL,
  kind text NOT NULL CHECK (kind IN ('reply', 'auto-ack')),
  message_id_header text NOT NULL,
  from_address text NOT NULL,
  to_addresses text[] NOT NULL,
  subject text NOT NULL,
  raw bytea NOT NULL,
  transport text NOT NULL CHECK (transport IN ('relay', 'dev')),
  relay_response text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_outbound_workspace ON email_outbound (workspace_id, transport, id DESC);
CREATE INDEX email_outbound_header ON email_outbound (workspace_id, message_id_header);
CREATE INDEX email_outbound_message ON email_outbound (message_id) WHERE message_id IS NOT NULL;
-- Auto-acknowledgements sent to one address recently (RFC 3834: do not answer the same sender twice).
CREATE INDEX email_outbound_ack ON email_outbound (workspace_id, (to_addresses[1]), created_at) WHERE kind = 'auto-ack';
