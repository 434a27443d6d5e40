-- Outgoing webhooks (modules/integrations, docs/integrations.md): a workspace subscribes URLs to domain
-- events. Each subscription signs with its own Standard Webhooks secret (`whsec_…`, encrypted under the
-- key ring's credentials key); a rotation keeps the previous secret signing until previous_valid_until.
CREATE TABLE webhook_subscriptions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  url text NOT NULL,
  description text NOT NULL DEFAULT '',
  events text[] NOT NULL,
  active boolean NOT NULL DEFAULT true,
  secret_enc text NOT NULL,
  previous_secret_enc text,
  previous_valid_until timestamptz,
  rotated_at timestamptz,
  -- Failure bookkeeping for the automatic switch-off: set by the first failed attempt after a success.
  failing_since timestamptz,
  -- Deliveries that used up their attempts since the last success.
  failed_deliveries int NOT NULL DEFAULT 0,
  last_success_at timestamptz,
  disabled_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_workspace ON webhook_subscriptions (workspace_id, id);

-- One event for one subscription. message_id is the `webhook-id` header: the same on every attempt and
-- on a manual redelivery, so receivers deduplicate by it. source_key makes the fan-out idempotent (an
-- outbox event replayed after a crash does not queue a second delivery).
CREATE TABLE webhook_deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  subscription_id bigint NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
  message_id text NOT NULL,
  event_type text NOT NULL,
  source_key text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts int NOT NULL DEFAULT 0,
  last_status int,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  UNIQUE (subscription_id, source_key)
);
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (workspace_id, subscription_id, id DESC);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (created_at);

-- Every HTTP attempt of a delivery: what was sent and what came back (the delivery log).
CREATE TABLE webhook_delivery_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  delivery_id bigint NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  manual boolean NOT NULL DEFAULT false,
  request_headers jsonb NOT NULL,
  response_status int,
  response_headers jsonb,
  response_body text,
  error text,
  duration_ms int NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_delivery_attempts_delivery ON webhook_delivery_attempts (delivery_id, id);
