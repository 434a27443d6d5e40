-- Returns and exchanges (modules/returns, docs/returns.md). A return belongs to one order and, once an
-- agent or the shopper's message touches it, one ticket; its money goes through money_grants (source
-- 'return') like every other grant, and its refund/credit/exchange runs as an order action.

CREATE TABLE return_policies (
  workspace_id bigint PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  policy jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE returns (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  rma text NOT NULL,
  order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  order_number text NOT NULL,
  contact_id bigint,
  email text,
  ticket_id bigint REFERENCES tickets(id) ON DELETE SET NULL,
  status text NOT NULL CHECK (status IN ('needs_review', 'approved', 'declined', 'received', 'refunded',
    'credited', 'exchanged', 'cancelled')),
  outcome text NOT NULL CHECK (outcome IN ('refund', 'store_credit', 'exchange', 'keep')),
  currency text NOT NULL,
  value_minor bigint NOT NULL DEFAULT 0,
  fee_minor bigint NOT NULL DEFAULT 0,
  bonus_minor bigint NOT NULL DEFAULT 0,
  decision_reasons jsonb NOT NULL DEFAULT '[]',
  decline_reason text,
  created_by text NOT NULL CHECK (created_by IN ('shopper', 'agent', 'store')),
  created_by_agent bigint REFERENCES agents(id) ON DELETE SET NULL,
  locale text NOT NULL DEFAULT 'en',
  exchange_variant text,
  -- The store's own return (Shopify) once synced: id and status, so webhooks map to this row.
  external_id text,
  order_action_id bigint,
  error text,
  idempotency_key text,
  approved_at timestamptz,
  received_at timestamptz,
  resolved_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, rma),
  UNIQUE (workspace_id, idempotency_key)
);
CREATE INDEX returns_list ON returns (workspace_id, id DESC);
CREATE INDEX returns_order ON returns (workspace_id, order_id);
CREATE INDEX returns_ticket ON returns (workspace_id, ticket_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX returns_contact ON returns (workspace_id, contact_id, created_at) WHERE contact_id IS NOT NULL;
CREATE INDEX returns_open ON returns (workspace_id, status) WHERE status IN ('needs_review', 'approved', 'received');
CREATE UNIQUE INDEX returns_external ON returns (workspace_id, order_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE return_lines (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  return_id bigint NOT NULL REFERENCES returns(id) ON DELETE CASCADE,
  line_item_id bigint NOT NULL,
  line_external_id text NOT NULL,
  title text NOT NULL,
  sku text,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_minor bigint NOT NULL,
  reason text NOT NULL,
  sub_reason text,
  note text CHECK (char_length(note) <= 300),
  -- File-store ids of the shopper's photos: [{id, contentType}].
  photos jsonb NOT NULL DEFAULT '[]',
  condition text,
  restock boolean
);
CREATE INDEX return_lines_return ON return_lines (return_id);
CREATE INDEX return_lines_reason ON return_lines (workspace_id, reason, sku);

CREATE TABLE return_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  return_id bigint NOT NULL REFERENCES returns(id) ON DELETE CASCADE,
  type text NOT NULL,
  actor_agent_id bigint REFERENCES agents(id) ON DELETE SET NULL,
  actor_name text,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX return_events_return ON return_events (return_id, id);
