import { ReturnPolicy } from '@shopdesk/contracts';
import { type Db, sql } from '../platform/db/db.ts';
import { seedDemoMixedReturn } from './demo-returns-mixed.ts';

/**
 * The demo's returns: a return policy (30 days from delivery, 10 % store-credit bonus, final sale and
 * gift cards excluded, auto-approval up to 100 €) and one return in progress — approved, on its way
 * back — on a delivered order of a customer who already wrote in, attached to their ticket. Written
 * directly (no store call leaves the machine), the same rows the returns module writes.
 */
export async function seedDemoReturns(db: Db, workspaceId: number) {
  const policy = ReturnPolicy.parse({
    windowDays: 30,
    windowFrom: 'delivery',
    timeZone: 'Europe/Berlin',
    tagWindows: [{ tag: 'vip', days: 60 }],
    excludedSkuPrefixes: ['GIFT-'],
    storeCreditBonusPercent: 10,
    autoApproveMax: 10000,
    returnShippingFee: 495,
    outcomes: { refund: true, store_credit: true, exchange: true, keep: true },
    // #14 policy engine: a market with its own window and fee, the address rule, a trusted shopper.
    markets: [{ name: 'Switzerland', countries: ['CH', 'LI'], windowDays: 14, returnShippingFee: 990 }],
    addressMismatch: 'review',
    allowedEmails: ['vip@example.com'],
    blockedSkus: ['DEMO-BLOCKED'],
  });
  await db.query(sql`INSERT INTO return_policies (workspace_id, policy) VALUES (${workspaceId}, ${JSON.stringify(policy)}::jsonb)
    ON CONFLICT (workspace_id) DO NOTHING`);
  const o = await db.one<{
    id: number;
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
  }>(sql`SELECT o.id, o.number, o.contact_id, o.email, o.currency, t.id AS ticket_id, l.id AS line_id,
      l.external_id AS line_external_id, l.title, l.sku,
      round((l.price_minor * l.quantity - l.discount_minor + l.tax_minor)::numeric / greatest(l.quantity, 1))::bigint AS unit
    FROM orders o
    JOIN tickets t ON t.workspace_id = o.workspace_id AND t.contact_id = o.contact_id
    JOIN order_line_items l ON l.order_id = o.id AND NOT l.final_sale AND l.refunded_quantity = 0
    WHERE o.workspace_id = ${workspaceId} AND o.status <> 'cancelled' AND o.refunded_minor = 0
      AND EXISTS (SELECT 1 FROM fulfillments f WHERE f.order_id = o.id AND f.delivered_at > now() - interval '25 days')
    ORDER BY o.id LIMIT 1`);
  if (!o) return null;
  // Before the return in progress, so that one stays the newest (the labels demo reads it first).
  await seedDemoMixedReturn(db, workspaceId, o.id);
  const r = await db.one<{
    id: number;
  }>(sql`INSERT INTO returns (workspace_id, rma, order_id, order_number, contact_id,
      email, ticket_id, status, outcome, currency, value_minor, decision_reasons, created_by, locale, approved_at,
      created_at, updated_at)
    VALUES (${workspaceId}, 'RMA-DEMO2345', ${o.id}, ${o.number}, ${o.contact_id}, ${o.email}, ${o.ticket_id},
      'approved', 'exchange', ${o.currency}, ${o.unit}, ${JSON.stringify(['Within policy: approved automatically'])}::jsonb,
      'shopper', 'en', now() - interval '1 day', now() - interval '1 day', now() - interval '1 day')
    RETURNING id`);
  await db.query(sql`INSERT INTO return_lines (workspace_id, return_id, line_item_id, line_external_id, title, sku,
      quantity, unit_minor, reason, note)
    VALUES (${workspaceId}, ${r!.id}, ${o.line_id}, ${o.line_external_id}, ${o.title}, ${o.sku}, 1, ${o.unit},
      'size_too_small', 'Half a size too small — the next size up, please')`);
  for (const type of ['requested', 'approved'])
    await db.query(sql`INSERT INTO return_events (workspace_id, return_id, type, actor_name, data, created_at)
      VALUES (${workspaceId}, ${r!.id}, ${type}, 'Shopper', ${JSON.stringify({ outcome: 'exchange', amount: o.unit })}::jsonb,
        now() - interval '1 day')`);
  for (const type of ['return_requested', 'return_approved'])
    await db.query(sql`INSERT INTO ticket_events (workspace_id, ticket_id, type, actor_agent_id, data, created_at)
      VALUES (${workspaceId}, ${o.ticket_id}, ${type}, NULL, ${JSON.stringify({
        returnId: r!.id,
        rma: 'RMA-DEMO2345',
        orderNumber: o.number,
        currency: o.currency,
        amount: o.unit,
        outcome: 'exchange',
        by: 'Shopper',
      })}::jsonb, now() - interval '1 day')`);
  await db.query(sql`INSERT INTO money_grants (workspace_id, source, source_id, kind, order_id, contact_id, value_minor,
      currency, status, created_at)
    VALUES (${workspaceId}, 'return', ${r!.id}, 'return_outcome', ${o.id}, ${o.contact_id}, ${o.unit}, ${o.currency},
      'granted', now() - interval '1 day')`);
  return { returnId: r!.id, orderNumber: o.number, ticketId: o.ticket_id };
}
