-- Commerce: store connections, the order read model fed by connectors, policies and order actions.
-- Every table carries workspace_id; rows from a store are keyed by (connection_id, external_id) so
-- every push, webhook and backfill is an idempotent upsert.

CREATE TABLE store_connections (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  platform text NOT NULL CHECK (platform IN ('builtin', 'shopify', 'woocommerce')),
  name text NOT NULL,
  -- Shopify: https://<shop>.myshopify.com; WooCommerce: the site URL; builtin: NULL.
  base_url text,
  -- AES-GCM blob (platform/security/crypto.ts) of {accessToken, webhookSecret, consumerKey, consumerSecret}.
  credentials text,
  -- Built-in store API: sha256 of the bearer token (the token itself is shown once).
  token_hash text UNIQUE,
  token_prefix text,
  currency text NOT NULL DEFAULT 'USD',
  active boolean NOT NULL DEFAULT true,
  sync_status text NOT NULL DEFAULT 'idle' CHECK (sync_status IN ('idle', 'backfilling', 'error')),
  backfill_cursor text,
  backfilled_orders integer NOT NULL DEFAULT 0,
  last_sync_at timestamptz,
  last_webhook_at timestamptz,
  last_error text,
  last_error_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX store_connections_workspace ON store_connections (workspace_id, id);

CREATE TABLE store_customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  connection_id bigint NOT NULL REFERENCES store_connections(id) ON DELETE CASCADE,
  external_id text NOT NULL,
  contact_id bigint REFERENCES contacts(id) ON DELETE SET NULL,
  email text,
  phone text,
  first_name text,
  last_name text,
  orders_count integer,
  total_spent_minor bigint,
  remote_updated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection_id, external_id)
);
CREATE INDEX store_customers_contact ON store_customers (workspace_id, contact_id);

CREATE TABLE products (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  connection_id bigint NOT NULL REFERENCES store_connections(id) ON DELETE CASCADE,
  external_id text NOT NULL,
  title text NOT NULL,
  status text NOT NULL DEFAULT 'active',
  image_url text,
  url text,
  remote_updated_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection_id, external_id)
);

CREATE TABLE product_variants (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  connection_id bigint NOT NULL REFERENCES store_connections(id) ON DELETE CASCADE,
  product_id bigint NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  external_id text NOT NULL,
  title text NOT NULL DEFAULT '',
  sku text,
  price_minor bigint NOT NULL DEFAULT 0,
  currency text NOT NULL,
  inventory_quantity integer,
  image_url text,
  UNIQUE (connection_id, external_id)
);
CREATE INDEX product_variants_product ON product_variants (product_id);

CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  connection_id bigint NOT NULL REFERENCES store_connections(id) ON DELETE CASCADE,
  external_id text NOT NULL,
  number text NOT NULL,
  -- The number without '#' or prefixes, lower-cased: what order-number detection matches against.
  number_key text NOT NULL,
  customer_id bigint REFERENCES store_customers(id) ON DELETE SET NULL,
  contact_id bigint REFERENCES contacts(id) ON DELETE SET NULL,
  email text,
  phone text,
  currency text NOT NULL,
  subtotal_minor bigint NOT NULL DEFAULT 0,
  discount_minor bigint NOT NULL DEFAULT 0,
  shipping_minor bigint NOT NULL DEFAULT 0,
  tax_minor bigint NOT NULL DEFAULT 0,
  total_minor bigint NOT NULL,
  refunded_minor bigint NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
  financial_status text NOT NULL DEFAULT 'paid',
  fulfillment_status text NOT NULL DEFAULT 'unfulfilled',
  cancelled_at timestamptz,
  cancel_reason text,
  shipping_address jsonb,
  billing_address jsonb,
  discount_codes text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  note text,
  url text,
  placed_at timestamptz NOT NULL,
  remote_updated_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection_id, external_id)
);
-- The customer panel: a contact's orders, newest first.
CREATE INDEX orders_contact ON orders (workspace_id, contact_id, placed_at DESC, id DESC);
CREATE INDEX orders_number ON orders (workspace_id, number_key);
CREATE INDEX orders_email ON orders (workspace_id, lower(email));

CREATE TABLE order_line_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  external_id text NOT NULL,
  product_external_id text,
  variant_external_id text,
  sku text,
  title text NOT NULL,
  variant_title text,
  quantity integer NOT NULL,
  price_minor bigint NOT NULL,
  discount_minor bigint NOT NULL DEFAULT 0,
  tax_minor bigint NOT NULL DEFAULT 0,
  refunded_quantity integer NOT NULL DEFAULT 0,
  fulfilled_quantity integer NOT NULL DEFAULT 0,
  image_url text,
  final_sale boolean NOT NULL DEFAULT false,
  position integer NOT NULL DEFAULT 0,
  UNIQUE (order_id, external_id)
);

-- Payments: sales, authorisations, captures, refunds and voids as the store's gateway reports them.
CREATE TABLE order_transactions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  external_id text NOT NULL,
  kind text NOT NULL,
  gateway text,
  status text NOT NULL DEFAULT 'success',
  amount_minor bigint NOT NULL,
  currency text NOT NULL,
  processed_at timestamptz NOT NULL,
  UNIQUE (order_id, external_id)
);

CREATE TABLE order_refunds (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  external_id text NOT NULL,
  amount_minor bigint NOT NULL,
  currency text NOT NULL,
  note text,
  store_credit boolean NOT NULL DEFAULT false,
  restock boolean NOT NULL DEFAULT false,
  line_items jsonb NOT NULL DEFAULT '[]',
  refunded_at timestamptz NOT NULL,
  UNIQUE (order_id, external_id)
);

CREATE TABLE fulfillments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  external_id text NOT NULL,
  status text NOT NULL DEFAULT 'success',
  shipment_status text,
  carrier text,
  tracking_number text,
  tracking_url text,
  expected_delivery_at timestamptz,
  shipped_at timestamptz,
  delivered_at timestamptz,
  line_items jsonb NOT NULL DEFAULT '[]',
  remote_updated_at timestamptz NOT NULL,
  UNIQUE (order_id, external_id)
);
CREATE INDEX fulfillments_tracking ON fulfillments (workspace_id, tracking_number) WHERE tracking_number IS NOT NULL;

CREATE TABLE commerce_policies (
  workspace_id bigint PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  policy jsonb NOT NULL,
  updated_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_actions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  connection_id bigint NOT NULL REFERENCES store_connections(id) ON DELETE CASCADE,
  order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  ticket_id bigint REFERENCES tickets(id) ON DELETE SET NULL,
  kind text NOT NULL CHECK (kind IN ('refund', 'cancel', 'resend', 'update_address', 'discount_code')),
  params jsonb NOT NULL DEFAULT '{}',
  amount_minor bigint NOT NULL DEFAULT 0,
  currency text NOT NULL,
  idempotency_key text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending_approval', 'queued', 'running', 'succeeded', 'failed', 'rejected')),
  approval_reasons jsonb NOT NULL DEFAULT '[]',
  requested_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  decided_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  decided_at timestamptz,
  decision_note text,
  result jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, idempotency_key)
);
CREATE INDEX order_actions_pending ON order_actions (workspace_id, id DESC) WHERE status = 'pending_approval';
CREATE INDEX order_actions_order ON order_actions (order_id, id DESC);
