-- Every action that gives a customer money (refund, store credit, cancellation refund, discount code,
-- free reship, return outcome …) is one row here, whichever module took it, so the limits of the shop's
-- policy count what was already given or requested for the same order or customer within a period:
-- a refund split into small requests adds up. Owned by the commerce module ("Policy checks for money").
CREATE TABLE money_grants (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  source text NOT NULL,
  source_id bigint NOT NULL,
  kind text NOT NULL,
  order_id bigint REFERENCES orders(id) ON DELETE SET NULL,
  contact_id bigint,
  value_minor bigint NOT NULL CHECK (value_minor >= 0),
  currency text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'granted', 'void')),
  requested_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, source, source_id)
);
CREATE INDEX money_grants_order ON money_grants (workspace_id, order_id, created_at) WHERE status <> 'void';
CREATE INDEX money_grants_contact ON money_grants (workspace_id, contact_id, created_at) WHERE status <> 'void';

-- Order actions taken before this table existed still count within the period.
INSERT INTO money_grants (workspace_id, source, source_id, kind, order_id, contact_id, value_minor, currency,
  status, requested_by, created_at)
SELECT a.workspace_id, 'order_action', a.id,
  CASE a.kind WHEN 'cancel' THEN 'cancel_refund' WHEN 'resend' THEN 'reship' WHEN 'discount_code' THEN 'discount_fixed'
    ELSE CASE WHEN a.params->>'method' = 'store_credit' THEN 'store_credit' ELSE 'refund' END END,
  a.order_id, o.contact_id, a.amount_minor, a.currency,
  CASE WHEN a.status = 'pending_approval' THEN 'pending' ELSE 'granted' END, a.requested_by, a.created_at
FROM order_actions a JOIN orders o ON o.id = a.order_id
WHERE a.amount_minor > 0 AND a.status NOT IN ('failed', 'rejected') AND a.kind <> 'update_address';
