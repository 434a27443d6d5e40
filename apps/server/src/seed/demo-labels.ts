import { type Db, sql } from '../platform/db/db.ts';

/**
 * The demo return's label: the built-in printable slip (the default provider: drawn here on download,
 * no carrier is called), with the demo warehouse as the returns address. The same rows modules/labels
 * writes; the status page and the agent's return show the download.
 */
export async function seedDemoLabel(db: Db, workspaceId: number, returnId: number) {
  const returnAddress = {
    name: 'Returns department',
    company: 'Demo Outfitters',
    address1: 'Lagerstraße 12',
    city: 'Hamburg',
    zip: '20095',
    country: 'Germany',
    countryCode: 'DE',
  };
  await db.query(sql`INSERT INTO label_settings (workspace_id, settings)
    VALUES (${workspaceId}, ${JSON.stringify({ provider: 'slip', autoCreate: true, returnAddress })}::jsonb)
    ON CONFLICT (workspace_id) DO NOTHING`);
  const r = await db.one<{
    rma: string;
    order_number: string;
    ticket_id: number | null;
    currency: string;
    shipping_address: Record<string, unknown> | null;
    email: string | null;
    shop: string;
  }>(sql`SELECT r.rma, r.order_number, r.ticket_id, r.currency, o.shipping_address, r.email, w.name AS shop
    FROM returns r JOIN orders o ON o.id = r.order_id JOIN workspaces w ON w.id = r.workspace_id
    WHERE r.workspace_id = ${workspaceId} AND r.id = ${returnId}`);
  if (!r) return;
  const items = await db.query<{ title: string; sku: string | null; quantity: number }>(
    sql`SELECT title, sku, quantity FROM return_lines WHERE return_id = ${returnId} ORDER BY id`,
  );
  const request = {
    rma: r.rma,
    orderNumber: r.order_number,
    shopName: r.shop,
    shopper: { ...(r.shipping_address ?? {}), email: r.email },
    shop: returnAddress,
    items,
    parcel: null,
  };
  await db.query(sql`INSERT INTO return_labels (workspace_id, return_id, provider, status, rma, request, paid_by,
      created_at, updated_at)
    VALUES (${workspaceId}, ${returnId}, 'slip', 'ready', ${r.rma}, ${JSON.stringify(request)}::jsonb, 'shop',
      now() - interval '1 day', now() - interval '1 day')`);
  const data = {
    provider: 'slip',
    carrier: null,
    trackingNumber: null,
    cost: 0,
    paidBy: 'shop',
    shopperFee: 0,
  };
  await db.query(sql`INSERT INTO return_events (workspace_id, return_id, type, actor_name, data, created_at)
    VALUES (${workspaceId}, ${returnId}, 'label', 'Shopdesk', ${JSON.stringify(data)}::jsonb, now() - interval '1 day')`);
  if (r.ticket_id)
    await db.query(sql`INSERT INTO ticket_events (workspace_id, ticket_id, type, actor_agent_id, data, created_at)
      VALUES (${workspaceId}, ${r.ticket_id}, 'return_label', NULL, ${JSON.stringify({
        returnId,
        rma: r.rma,
        orderNumber: r.order_number,
        currency: r.currency,
        by: 'Shopdesk',
        ...data,
      })}::jsonb, now() - interval '1 day')`);
}
