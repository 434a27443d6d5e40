-- Follow-ups, satisfaction surveys and the feedback loop (issue #15, modules/feedback).

-- One row per workspace: follow-up, CSAT, NPS and widget rules (validated by FeedbackSettings in contracts).
CREATE TABLE feedback_settings (
  workspace_id bigint PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  settings jsonb NOT NULL DEFAULT '{}',
  updated_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per survey asked: CSAT once per resolution cycle of a ticket (identified by the solved_at
-- of that cycle, so a replayed event never asks twice), NPS once per delivered order. Rows that were
-- not sent (sampling, cooldown, a rule, a reopen) stay with their reason, so reports can say why.
CREATE TABLE feedback_surveys (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('csat', 'nps')),
  ticket_id bigint REFERENCES tickets(id) ON DELETE CASCADE,
  cycle_solved_at timestamptz,
  cycle integer NOT NULL DEFAULT 1,
  order_id bigint REFERENCES orders(id) ON DELETE SET NULL,
  order_key text,
  contact_id bigint REFERENCES contacts(id) ON DELETE SET NULL,
  channel text NOT NULL,
  status text NOT NULL CHECK (status IN ('scheduled', 'sent', 'answered', 'skipped', 'cancelled')),
  skip_reason text,
  locale text NOT NULL DEFAULT 'en',
  scale text NOT NULL CHECK (scale IN ('five', 'three', 'thumbs', 'nps')),
  -- Who and what the rating is about, taken when it was sent: reports stay right after a reassignment.
  snapshot jsonb NOT NULL DEFAULT '{}',
  send_at timestamptz NOT NULL,
  sent_at timestamptz,
  expires_at timestamptz,
  score smallint,
  comment text,
  reason text,
  answered_at timestamptz,
  answer_count integer NOT NULL DEFAULT 0,
  reacted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX feedback_surveys_cycle ON feedback_surveys (ticket_id, cycle_solved_at) WHERE kind = 'csat';
CREATE UNIQUE INDEX feedback_surveys_order ON feedback_surveys (workspace_id, order_key) WHERE kind = 'nps';
CREATE INDEX feedback_surveys_answers ON feedback_surveys (workspace_id, kind, answered_at DESC) WHERE answered_at IS NOT NULL;
CREATE INDEX feedback_surveys_contact ON feedback_surveys (workspace_id, contact_id, kind, sent_at DESC);
CREATE INDEX feedback_surveys_ticket ON feedback_surveys (workspace_id, ticket_id, id DESC);

-- "Did this fix it?" after a ticket is solved: one per resolution cycle.
CREATE TABLE feedback_followups (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  cycle_solved_at timestamptz NOT NULL,
  channel text NOT NULL,
  locale text NOT NULL DEFAULT 'en',
  status text NOT NULL CHECK (status IN ('scheduled', 'sent', 'fixed', 'not-fixed', 'closed', 'cancelled', 'skipped')),
  skip_reason text,
  send_at timestamptz NOT NULL,
  sent_at timestamptz,
  close_at timestamptz,
  answered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (ticket_id, cycle_solved_at)
);
CREATE INDEX feedback_followups_ws ON feedback_followups (workspace_id, id DESC);

-- Topics group feedback, survey comments and ticket reasons (keyword rules; agents merge and rename).
CREATE TABLE feedback_topics (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  keywords text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);

-- What shoppers said on the shop's site (the widget's Feedback tab), stored before the widget hears OK.
CREATE TABLE feedback_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  -- The intake event it came from (inbound_events provider id): processing it twice stores one row.
  source_key text NOT NULL,
  rating smallint NOT NULL CHECK (rating BETWEEN -1 AND 1),
  comment text NOT NULL DEFAULT '',
  page_url text,
  device text,
  email text,
  contact_id bigint REFERENCES contacts(id) ON DELETE SET NULL,
  order_id bigint REFERENCES orders(id) ON DELETE SET NULL,
  ticket_id bigint REFERENCES tickets(id) ON DELETE SET NULL,
  topic_id bigint REFERENCES feedback_topics(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_items_ws ON feedback_items (workspace_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX feedback_items_source ON feedback_items (workspace_id, source_key);

-- A change made because of feedback; when done, everyone who raised it hears back once.
CREATE TABLE feedback_improvements (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  topic_id bigint REFERENCES feedback_topics(id) ON DELETE SET NULL,
  title text NOT NULL,
  change_text text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in-progress', 'done')),
  created_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  done_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_improvements_ws ON feedback_improvements (workspace_id, id DESC);

CREATE TABLE feedback_improvement_links (
  improvement_id bigint NOT NULL REFERENCES feedback_improvements(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('feedback', 'survey', 'ticket')),
  source_id bigint NOT NULL,
  contact_id bigint REFERENCES contacts(id) ON DELETE SET NULL,
  said text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (improvement_id, source, source_id)
);

-- "You told us …; we changed …": at most once per person and improvement, whatever retries happen.
CREATE TABLE feedback_improvement_notices (
  improvement_id bigint NOT NULL REFERENCES feedback_improvements(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  contact_id bigint NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'skipped')),
  skip_reason text,
  sent_at timestamptz,
  PRIMARY KEY (improvement_id, contact_id)
);

-- Per-contact opt-out of "we changed it" messages and surveys (until the customer-notices module owns it).
CREATE TABLE feedback_optouts (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  contact_id bigint NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('surveys', 'improvements')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, contact_id, kind)
);
