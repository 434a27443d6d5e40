-- Return labels (modules/labels, docs/returns.md "Labels"): a workspace's label provider accounts (API
-- keys encrypted with the key ring, like store credentials), its label settings (which provider, the
-- returns address, the parcel), and the labels made for returns with what they cost and who pays.

CREATE TABLE label_accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  provider text NOT NULL,
  credentials text NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, provider)
);

CREATE TABLE label_settings (
  workspace_id bigint PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  settings jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE return_labels (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  return_id bigint NOT NULL REFERENCES returns(id) ON DELETE CASCADE,
  provider text NOT NULL,
  -- pending: claimed while the provider is asked (a second request waits instead of buying twice).
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed', 'void')),
  rma text NOT NULL,
  -- What the slip prints (addresses, items), kept so the PDF is drawn again the same on each download.
  request jsonb NOT NULL,
  label_url text,
  tracking_number text,
  carrier text,
  service text,
  external_id text,
  -- What the provider charged the shop, and what the shopper pays for it (deducted from the refund).
  cost_minor bigint NOT NULL DEFAULT 0,
  cost_currency text,
  paid_by text NOT NULL CHECK (paid_by IN ('shop', 'shopper')),
  shopper_fee_minor bigint NOT NULL DEFAULT 0,
  error text,
  created_by_agent bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One live label per return: a second request gives the first back (a retry or two clicks never buy twice).
CREATE UNIQUE INDEX return_labels_live ON return_labels (workspace_id, return_id) WHERE status IN ('pending', 'ready');
CREATE INDEX return_labels_return ON return_labels (workspace_id, return_id, id DESC);
