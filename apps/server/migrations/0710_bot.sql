-- The self-service bot: one row per conversation on any channel (chat ticket, help-center "ask" page,
-- messaging channels later). `state` is the dialogue state; `outcome` feeds containment reporting.
CREATE TABLE bot_conversations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  channel text NOT NULL,
  conversation_key text NOT NULL,
  ticket_id bigint REFERENCES tickets(id) ON DELETE SET NULL,
  state jsonb NOT NULL DEFAULT '{}',
  -- open: the bot is answering; resolved: the shopper said it helped (contained);
  -- handed_over: a human took over; abandoned is derived (open and idle).
  outcome text NOT NULL DEFAULT 'open' CHECK (outcome IN ('open', 'resolved', 'handed_over')),
  handover_reason text,
  turns integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, channel, conversation_key)
);
CREATE INDEX bot_conversations_workspace ON bot_conversations (workspace_id, created_at DESC);
CREATE INDEX bot_conversations_ticket ON bot_conversations (ticket_id) WHERE ticket_id IS NOT NULL;
