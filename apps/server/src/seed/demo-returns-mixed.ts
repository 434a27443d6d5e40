import { type Db, sql } from '../platform/db/db.ts';

/**
 * A demo return with per-line outcomes (#14), waiting for review: one item for store credit with the
 * policy's 10 % bonus, another refunded, on a delivered order other than `exceptOrderId`. The same rows
 * the returns module writes; nothing leaves the machine. Skipped when the demo has no such order.
 */
export async function seedDemoMixedReturn(db: Db, workspaceId: number, exceptOrderId: number) {
  const lines = await db.query<{
    order_id: number;
    number: string;
    contact_id: number;
    email: string;
    currency: string;
    ticket_id: number;
    line_id: number;
    line_external_id: string;
    title: string;
    sku: string | null;
    unit: number;
  }>(sql`WITH o AS (
      SELECT o.id, o.number, o.contact_id, o.email, o.currency, min(t.id) AS ticket_id FROM orders o
      JOIN tickets t ON t.workspace_id = o.workspace_id AND t.contact_id = o.contact_id
      WHERE o.workspace_id = ${workspaceId} AND o.id <> ${exceptOrderId} AND o.status <> 'cancelled'
        AND o.refunded_minor = 0
        AND EXISTS (SELECT 1 FROM fulfillments f WHERE f.order_id = o.id AND f.delivered_at > now() - interval '25 days')
        AND (SELECT count(*) FROM order_line_items l WHERE l.order_id = o.id AND NOT l.final_sale AND l.refunded_quantity = 0) >= 2
      GROUP BY o.id ORDER BY o.id DESC LIMIT 1)
    SELECT o.id AS order_id, o.number, o.contact_id, o.email, o.currency, o.ticket_id, l.id AS line_id,
      l.external_id AS line_external_id, l.title, l.sku,
      round((l.price_minor * l.quantity - l.discount_minor + l.tax_minor)::numeric / greatest(l.quantity, 1))::bigint AS unit
    FROM o JOIN order_line_items l ON l.order_id = o.id AND NOT l.final_sale AND l.refunded_quantity = 0
    ORDER BY l.id LIMIT 2`);
  if (lines.length < 2) return null;
  const [a, b] = [lines[0]!, lines[1]!];
  const credit = { amount: Math.round(Number(a.unit) * 1.1), bonus: Math.round(Number(a.unit) * 0.1) };
  const refund = Number(b.unit);
  const value = credit.amount + refund;
  const reasons = ['Worth more than the auto-approval cap of €100.00'];
  const r = await db.one<{ id: number }>(sql`INSERT INTO returns (workspace_id, rma, order_id, order_number,
      contact_id, email, ticket_id, status, outcome, currency, value_minor, bonus_minor, decision_reasons, created_by,
      locale, created_at, updated_at)
    VALUES (${workspaceId}, 'RMA-DEMOMIX7', ${a.order_id}, ${a.number}, ${a.contact_id}, ${a.email}, ${a.ticket_id},
      'needs_review', 'mixed', ${a.currency}, ${value}, ${credit.bonus}, ${JSON.stringify(reasons)}::jsonb, 'shopper',
      'de', now() - interval '3 hours', now() - interval '3 hours')
    RETURNING id`);
  await db.query(sql`INSERT INTO return_lines (workspace_id, return_id, line_item_id, line_external_id, title, sku,
      quantity, unit_minor, reason, note, outcome, amount_minor, bonus_minor)
    VALUES (${workspaceId}, ${r!.id}, ${a.line_id}, ${a.line_external_id}, ${a.title}, ${a.sku}, 1, ${a.unit},
        'unwanted', NULL, 'store_credit', ${credit.amount}, ${credit.bonus}),
      (${workspaceId}, ${r!.id}, ${b.line_id}, ${b.line_external_id}, ${b.title}, ${b.sku}, 1, ${b.unit},
        'not_as_described', 'Die Farbe ist viel dunkler als auf dem Foto', 'refund', ${refund}, 0)`);
  const data = { outcome: 'mixed', amount: value, reasons };
  await db.query(sql`INSERT INTO return_events (workspace_id, return_id, type, actor_name, data, created_at)
    VALUES (${workspaceId}, ${r!.id}, 'requested', 'Shopper', ${JSON.stringify(data)}::jsonb, now() - interval '3 hours')`);
  await db.query(sql`INSERT INTO ticket_events (workspace_id, ticket_id, type, actor_agent_id, data, created_at)
    VALUES (${workspaceId}, ${a.ticket_id}, 'return_requested', NULL, ${JSON.stringify({
      returnId: r!.id,
      rma: 'RMA-DEMOMIX7',
      orderNumber: a.number,
      currency: a.currency,
      by: 'Shopper',
      ...data,
    })}::jsonb, now() - interval '3 hours')`);
  await db.query(sql`INSERT INTO money_grants (workspace_id, source, source_id, kind, order_id, contact_id, value_minor,
      currency, status, created_at)
    VALUES (${workspaceId}, 'return', ${r!.id}, 'return_outcome', ${a.order_id}, ${a.contact_id}, ${value}, ${a.currency},
      'pending', now() - interval '3 hours')`);
  return { returnId: r!.id };
}
