import { type Db, sql } from '../../platform/db/db.ts';
import { contactIdsIncludingMerged } from '../contacts/index.ts';

/* The order read model (orders with their lines, payments, refunds, shipments) and the commerce policy. */

export interface OrderRow {
  id: number;
  connection_id: number;
  platform: string;
  external_id: string;
  number: string;
  number_key: string;
  customer_external_id: string | null;
  contact_id: number | null;
  email: string | null;
  currency: string;
  subtotal_minor: number;
  discount_minor: number;
  shipping_minor: number;
  tax_minor: number;
  total_minor: number;
  refunded_minor: number;
  status: 'open' | 'closed' | 'cancelled';
  financial_status: string;
  fulfillment_status: string;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  shipping_address: Record<string, unknown> | null;
  billing_address: Record<string, unknown> | null;
  discount_codes: string[];
  tags: string[];
  url: string | null;
  placed_at: Date;
  remote_updated_at: Date;
}

const orderCols = sql`o.id, o.connection_id, c.platform, o.external_id, o.number, o.number_key, sc.external_id AS customer_external_id,
  o.contact_id, o.email, o.currency, o.subtotal_minor, o.discount_minor, o.shipping_minor, o.tax_minor, o.total_minor,
  o.refunded_minor, o.status, o.financial_status, o.fulfillment_status, o.cancelled_at, o.cancel_reason, o.shipping_address,
  o.billing_address, o.discount_codes, o.tags, o.url, o.placed_at, o.remote_updated_at`;
const orderFrom = sql`FROM orders o JOIN store_connections c ON c.id = o.connection_id
  LEFT JOIN store_customers sc ON sc.id = o.customer_id`;

export const findOrder = (db: Db, workspaceId: number, id: number, forUpdate = false) =>
  db.one<OrderRow>(sql`SELECT ${orderCols} ${orderFrom} WHERE o.workspace_id = ${workspaceId} AND o.id = ${id}
    ${forUpdate ? sql`FOR UPDATE OF o` : sql``}`);

export interface OrderQuery {
  contactIds?: number[];
  numberKeys?: string[];
  email?: string;
}

export const listOrders = (
  db: Db,
  workspaceId: number,
  q: OrderQuery,
  limit: number,
  before?: [string, number],
) =>
  db.query<OrderRow>(sql`SELECT ${orderCols} ${orderFrom}
    WHERE o.workspace_id = ${workspaceId}
      ${q.contactIds ? sql`AND o.contact_id = ANY(${q.contactIds}::bigint[])` : sql``}
      ${q.numberKeys ? sql`AND o.number_key = ANY(${q.numberKeys}::text[])` : sql``}
      ${q.email ? sql`AND lower(o.email) = ${q.email.toLowerCase()}` : sql``}
      ${before ? sql`AND (o.placed_at, o.id) < (${before[0]}::timestamptz, ${before[1]})` : sql``}
    ORDER BY o.placed_at DESC, o.id DESC LIMIT ${limit}`);

export const lifetimeValue = (db: Db, workspaceId: number, contactIds: number[]) =>
  db.query<{
    currency: string;
    total: number;
  }>(sql`SELECT currency, sum(total_minor - refunded_minor)::bigint AS total
    FROM orders WHERE workspace_id = ${workspaceId} AND contact_id = ANY(${contactIds}::bigint[]) AND status <> 'cancelled'
    GROUP BY currency ORDER BY currency`);

/**
 * The lifetime value of a contact and the contacts merged into it, per currency (other modules' rules,
 * e.g. SLA policies matching on order value, read it through the module's index). The merged contacts
 * come from the contacts module, which owns them.
 */
export const contactLifetimeValue = async (db: Db, workspaceId: number, contactId: number) =>
  lifetimeValue(db, workspaceId, await contactIdsIncludingMerged(db, workspaceId, contactId));

export interface LineRow {
  id: number;
  order_id: number;
  external_id: string;
  product_external_id: string | null;
  variant_external_id: string | null;
  sku: string | null;
  title: string;
  variant_title: string | null;
  quantity: number;
  price_minor: number;
  discount_minor: number;
  tax_minor: number;
  refunded_quantity: number;
  fulfilled_quantity: number;
  image_url: string | null;
  final_sale: boolean;
  position: number;
}
interface TransactionRow {
  id: number;
  order_id: number;
  external_id: string;
  kind: string;
  gateway: string | null;
  status: string;
  amount_minor: number;
  currency: string;
  processed_at: Date;
}
interface RefundRow {
  id: number;
  order_id: number;
  external_id: string;
  amount_minor: number;
  currency: string;
  note: string | null;
  store_credit: boolean;
  restock: boolean;
  line_items: { lineItemExternalId: string; quantity: number }[];
  refunded_at: Date;
}
interface FulfillmentRow {
  id: number;
  order_id: number;
  external_id: string;
  status: string;
  shipment_status: string | null;
  carrier: string | null;
  tracking_number: string | null;
  tracking_url: string | null;
  expected_delivery_at: Date | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
  remote_updated_at: Date;
}

const dates = <T>(row: Record<string, unknown>, keys: string[]) => {
  for (const k of keys) if (typeof row[k] === 'string') row[k] = new Date(row[k] as string);
  return row as T;
};

/**
 * Lines, payments, refunds and shipments of some orders in one round trip: the embedded database runs
 * queries one at a time, so four small queries cost four times the latency.
 */
export async function orderChildren(db: Db, orderIds: number[]) {
  const out = {
    lines: [] as LineRow[],
    transactions: [] as TransactionRow[],
    refunds: [] as RefundRow[],
    fulfillments: [] as FulfillmentRow[],
  };
  if (!orderIds.length) return out;
  const rows = await db.query<{ k: string; r: Record<string, unknown> }>(sql`
    SELECT 'l' AS k, to_jsonb(l) AS r FROM order_line_items l WHERE l.order_id = ANY(${orderIds}::bigint[])
    UNION ALL SELECT 't', to_jsonb(t) FROM order_transactions t WHERE t.order_id = ANY(${orderIds}::bigint[])
    UNION ALL SELECT 'r', to_jsonb(x) FROM order_refunds x WHERE x.order_id = ANY(${orderIds}::bigint[])
    UNION ALL SELECT 'f', to_jsonb(f) FROM fulfillments f WHERE f.order_id = ANY(${orderIds}::bigint[])`);
  for (const { k, r } of rows) {
    if (k === 'l') out.lines.push(r as unknown as LineRow);
    else if (k === 't') out.transactions.push(dates<TransactionRow>(r, ['processed_at']));
    else if (k === 'r') out.refunds.push(dates<RefundRow>(r, ['refunded_at']));
    else
      out.fulfillments.push(
        dates<FulfillmentRow>(r, ['expected_delivery_at', 'shipped_at', 'delivered_at', 'remote_updated_at']),
      );
  }
  out.lines.sort((a, b) => a.order_id - b.order_id || a.position - b.position || a.id - b.id);
  out.transactions.sort((a, b) => a.processed_at.getTime() - b.processed_at.getTime() || a.id - b.id);
  out.refunds.sort((a, b) => a.refunded_at.getTime() - b.refunded_at.getTime() || a.id - b.id);
  const shipTime = (f: FulfillmentRow) => (f.shipped_at ?? f.remote_updated_at).getTime();
  out.fulfillments.sort((a, b) => shipTime(a) - shipTime(b) || a.id - b.id);
  return out;
}
export type OrderChildren = Awaited<ReturnType<typeof orderChildren>>;

// ---------- policy ----------

export const getPolicy = async (db: Db, workspaceId: number) =>
  (
    await db.one<{ policy: Record<string, unknown> }>(
      sql`SELECT policy FROM commerce_policies WHERE workspace_id = ${workspaceId}`,
    )
  )?.policy ?? null;

export const putPolicy = (db: Db, workspaceId: number, policy: unknown, agentId: number | null) =>
  db.query(sql`INSERT INTO commerce_policies (workspace_id, policy, updated_by) VALUES (${workspaceId}, ${JSON.stringify(policy)}::jsonb, ${agentId})
    ON CONFLICT (workspace_id) DO UPDATE SET policy = EXCLUDED.policy, updated_by = EXCLUDED.updated_by, updated_at = now()`);
