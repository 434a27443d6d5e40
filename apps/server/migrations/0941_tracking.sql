-- Shipment tracking (modules/tracking, docs/tracking.md): parcels per order from store fulfilments and
-- carrier aggregators (AfterShip, EasyPost, Shippo), their scan history merged by event id, the delay
-- detections made on them, and problems that group many tickets with one cause.
CREATE TABLE tracking_sources (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (provider IN ('aftership', 'easypost', 'shippo')),
  hook_key text NOT NULL UNIQUE,
  secret_enc text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, provider)
);

CREATE TABLE shipments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  order_id bigint,
  carrier text,
  tracking_number text NOT NULL,
  status text NOT NULL DEFAULT 'info_received',
  sub_status text,
  status_at timestamptz,
  estimated_delivery_at timestamptz,
  original_estimate_at timestamptz,
  label_at timestamptz,
  first_scan_at timestamptz,
  delivered_at timestamptz,
  last_event_at timestamptz,
  source text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, tracking_number)
);
CREATE INDEX shipments_order ON shipments (workspace_id, order_id);
CREATE INDEX shipments_open ON shipments (workspace_id, id) WHERE status NOT IN ('delivered', 'expired');

CREATE TABLE shipment_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  shipment_id bigint NOT NULL REFERENCES shipments(id) ON DELETE CASCADE,
  event_key text NOT NULL,
  status text NOT NULL,
  sub_status text,
  occurred_at timestamptz NOT NULL,
  location text,
  message text NOT NULL DEFAULT '',
  source text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (shipment_id, event_key)
);
CREATE INDEX shipment_events_time ON shipment_events (shipment_id, occurred_at);

-- One row per shipment and rule: a rule fires once (first notice per status), with the ticket it used.
CREATE TABLE tracking_detections (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  shipment_id bigint NOT NULL REFERENCES shipments(id) ON DELETE CASCADE,
  rule text NOT NULL,
  detail text NOT NULL DEFAULT '',
  ticket_id bigint,
  detected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shipment_id, rule)
);
CREATE INDEX tracking_detections_ws ON tracking_detections (workspace_id, detected_at DESC);

CREATE TABLE tracking_settings (
  workspace_id bigint PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  -- Days (calendar) before each rule fires.
  no_first_scan_days int NOT NULL DEFAULT 2,
  in_transit_days int NOT NULL DEFAULT 7,
  notify boolean NOT NULL DEFAULT true,
  store_cursor timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE problems (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  title text NOT NULL,
  cause text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'solved')),
  -- Auto-link rules: new tickets matching any are linked ({ keywords: [], carriers: [] }).
  rules jsonb NOT NULL DEFAULT '{}',
  updates_sent int NOT NULL DEFAULT 0,
  created_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  solved_at timestamptz
);
CREATE INDEX problems_ws ON problems (workspace_id, status, id DESC);

CREATE TABLE problem_tickets (
  problem_id bigint NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL,
  linked_by text NOT NULL DEFAULT 'agent',
  linked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (problem_id, ticket_id)
);
CREATE INDEX problem_tickets_ticket ON problem_tickets (workspace_id, ticket_id);
