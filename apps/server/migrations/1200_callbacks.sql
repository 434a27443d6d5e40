-- Callback tasks and click-to-call (issue #18, modules/callbacks, docs/sms-voice.md).

-- A promise to call a customer back: opened by a voicemail or a missed call (or by an agent), due by
-- the workspace's business-hours calendar, closed with an outcome.
CREATE TABLE callback_tasks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  -- The voicemail that asked for it: a replayed message.received event opens no second task.
  message_id bigint,
  account_id bigint,
  reason text NOT NULL CHECK (reason IN ('voicemail', 'missed-call', 'manual')),
  phone text,
  due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  outcome text,
  note text NOT NULL DEFAULT '',
  completed_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  completed_at timestamptz,
  created_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX callback_tasks_message ON callback_tasks (workspace_id, message_id) WHERE message_id IS NOT NULL;
CREATE INDEX callback_tasks_open_due ON callback_tasks (workspace_id, due_at) WHERE status = 'open';
CREATE INDEX callback_tasks_ticket ON callback_tasks (workspace_id, ticket_id);

-- One click-to-call: Twilio dials the agent's phone, then bridges to the customer. The outcome is the
-- customer leg's (from the <Dial> action), set once however often Twilio retries its callback.
CREATE TABLE callback_calls (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  task_id bigint REFERENCES callback_tasks(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  agent_id bigint REFERENCES agents(id) ON DELETE SET NULL,
  call_sid text,
  agent_phone text NOT NULL,
  customer_phone text NOT NULL,
  status text NOT NULL DEFAULT 'dialing',
  outcome text,
  duration_seconds integer,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz
);
CREATE UNIQUE INDEX callback_calls_sid ON callback_calls (workspace_id, call_sid) WHERE call_sid IS NOT NULL;
CREATE INDEX callback_calls_ticket ON callback_calls (workspace_id, ticket_id);

-- The phone an agent takes click-to-call calls on (their own settings; never shown to customers).
CREATE TABLE callback_agent_phones (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  agent_id bigint NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  phone text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, agent_id)
);
