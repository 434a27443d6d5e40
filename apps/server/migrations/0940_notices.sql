-- Customer notices (modules/notices, docs/shared-services.md): templated messages to a customer about a
-- ticket, order, return, survey or improvement. One row per notice asked for, unique per dedupe key, so
-- a retried or crashed caller never sends twice; the sent message itself is an outbound ticket message.
CREATE TABLE notices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  dedupe_key text NOT NULL,
  kind text NOT NULL,
  contact_id bigint,
  ticket_id bigint NOT NULL,
  subject_type text,
  subject_id bigint,
  channel text,
  locale text NOT NULL,
  -- sent: handed to the ticket's delivery (queued → deliver job); scheduled: waiting for quiet hours to end;
  -- skipped: not sent (reason: opted_out, capped, no_channel, …).
  status text NOT NULL CHECK (status IN ('sent', 'scheduled', 'skipped')),
  reason text,
  subject text NOT NULL DEFAULT '',
  body text NOT NULL,
  message_id bigint,
  send_after timestamptz,
  created_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (workspace_id, dedupe_key)
);
CREATE INDEX notices_contact_sent ON notices (workspace_id, contact_id, sent_at) WHERE status = 'sent';
CREATE INDEX notices_ticket ON notices (workspace_id, ticket_id, id);

-- A workspace's own wording of a kind's template in one language (else the built-in default).
CREATE TABLE notice_templates (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind text NOT NULL,
  locale text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, kind, locale)
);

CREATE TABLE notice_settings (
  workspace_id bigint PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  timezone text NOT NULL DEFAULT 'UTC',
  -- Local "HH:MM": no notice goes out from quiet_start to quiet_end (held until the end); equal = none.
  quiet_start text NOT NULL DEFAULT '21:00',
  quiet_end text NOT NULL DEFAULT '08:00',
  cap_count int NOT NULL DEFAULT 3 CHECK (cap_count >= 0),
  cap_hours int NOT NULL DEFAULT 24 CHECK (cap_hours > 0),
  default_locale text NOT NULL DEFAULT 'en',
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Per-kind opt-out of one customer ('*' = every kind that can be declined).
CREATE TABLE notice_opt_outs (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  contact_id bigint NOT NULL,
  kind text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, contact_id, kind)
);

-- Consent per channel and address is the intake's (channel_consents: SMS STOP/START and the like).
