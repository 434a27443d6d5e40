import { type Db, sql } from '../../platform/db/db.ts';

/*
 * Reads the feedback module needs (exported through index.ts, so no other module names the commerce
 * tables): the order actions taken on a ticket (a survey's snapshot) and orders delivered in a period
 * (NPS is asked some days after delivery).
 */

/** Kinds of the order actions that succeeded on a ticket (refund, resend, discount_code …), once each. */
export const ticketOrderActionKinds = async (db: Db, workspaceId: number, ticketId: number) =>
  (
    await db.query<{ kind: string }>(sql`
      SELECT DISTINCT kind FROM order_actions
      WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId} AND status = 'succeeded' ORDER BY kind`)
  ).map((r) => r.kind);

export interface DeliveredOrder {
  orderId: number;
  number: string;
  contactId: number | null;
  email: string | null;
  deliveredAt: Date;
}

/** Orders whose last shipment was delivered in [from, to), oldest first. */
export const ordersDeliveredBetween = (db: Db, workspaceId: number, from: Date, to: Date, limit = 500) =>
  db.query<DeliveredOrder>(sql`
    SELECT o.id AS "orderId", o.number, o.contact_id AS "contactId", o.email, max(f.delivered_at) AS "deliveredAt"
    FROM orders o JOIN fulfillments f ON f.order_id = o.id AND f.workspace_id = o.workspace_id
    WHERE o.workspace_id = ${workspaceId} AND f.delivered_at IS NOT NULL
    GROUP BY o.id
    HAVING max(f.delivered_at) >= ${from.toISOString()}::timestamptz AND max(f.delivered_at) < ${to.toISOString()}::timestamptz
    ORDER BY max(f.delivered_at) LIMIT ${limit}`);
