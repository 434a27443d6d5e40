import { type Db, sql } from '../platform/db/db.ts';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const at = (ms: number) => iso(ms).slice(0, 16).replace('T', ' ');

/**
 * The demo's deliveries (docs/tracking.md): every parcel of the demo store's recent orders as a tracked
 * shipment, one order split in two parcels whose second parcel the carrier (via AfterShip) held up in
 * Leipzig and pushed out by three days — found by the delivery check, its ticket opened before the
 * shopper wrote (with the scan history) and the shopper told by a sent notice — and an open problem
 * "DHL hub Leipzig" linking it with the demo's shipping tickets. Written directly (no carrier is
 * called), the same rows the tracking and notices modules write. The store cursor is set to now, so the
 * first sweep does not re-import a year of fulfilments and find old parcels late all at once.
 */
export async function seedDemoTracking(db: Db, workspaceId: number, now = Date.now()) {
  const w = workspaceId;
  const recent = await db.query<{
    order_id: number;
    carrier: string | null;
    tracking_number: string;
    shipment_status: string | null;
    shipped_at: Date | null;
    expected_delivery_at: Date | null;
    delivered_at: Date | null;
  }>(sql`SELECT f.order_id, f.carrier, f.tracking_number, f.shipment_status, f.shipped_at, f.expected_delivery_at,
      f.delivered_at
    FROM fulfillments f JOIN orders o ON o.id = f.order_id
    WHERE f.workspace_id = ${w} AND f.tracking_number IS NOT NULL AND f.shipped_at > ${iso(now - 30 * DAY)}::timestamptz
    ORDER BY f.shipped_at DESC LIMIT 40`);
  for (const f of recent) {
    const delivered = !!f.delivered_at || f.shipment_status === 'delivered';
    const shipped = f.shipped_at!.getTime();
    // Store-fed parcels still on their way keep an estimate in the future: the demo's only delay is the one below.
    const estimate = delivered ? f.expected_delivery_at : new Date(Math.max(now + DAY, shipped + 3 * DAY));
    const s = await db.one<{ id: number }>(sql`
      INSERT INTO shipments (workspace_id, order_id, carrier, tracking_number, status, status_at, estimated_delivery_at,
        original_estimate_at, label_at, first_scan_at, delivered_at, last_event_at, source, created_at, updated_at)
      VALUES (${w}, ${f.order_id}, ${f.carrier}, ${f.tracking_number}, ${delivered ? 'delivered' : 'in_transit'},
        ${iso(delivered ? f.delivered_at!.getTime() : shipped + 0.4 * DAY)}::timestamptz,
        ${estimate?.toISOString() ?? null}::timestamptz, ${estimate?.toISOString() ?? null}::timestamptz,
        ${iso(shipped)}::timestamptz, ${iso(shipped + 0.4 * DAY)}::timestamptz,
        ${delivered ? f.delivered_at!.toISOString() : null}::timestamptz,
        ${iso(delivered ? f.delivered_at!.getTime() : shipped + 0.4 * DAY)}::timestamptz, 'store',
        ${iso(shipped)}::timestamptz, ${iso(shipped)}::timestamptz)
      ON CONFLICT (workspace_id, tracking_number) DO NOTHING RETURNING id`);
    if (!s) continue;
    const events: [string, string, number, string][] = [
      ['shipped', 'info_received', shipped, 'Label created'],
      ['in_transit', 'in_transit', shipped + 0.4 * DAY, 'in transit'],
    ];
    if (delivered) events.push(['delivered', 'delivered', f.delivered_at!.getTime(), 'delivered']);
    for (const [key, status, t, message] of events)
      await db.query(sql`INSERT INTO shipment_events (workspace_id, shipment_id, event_key, status, occurred_at, message, source)
        VALUES (${w}, ${s.id}, ${`store:demo-${f.tracking_number}:${key}`}, ${status}, ${iso(t)}::timestamptz, ${message}, 'store')`);
  }

  // The late parcel: the second half of a recent order, split because one item came from another warehouse.
  const o = await db.one<{
    id: number;
    number: string;
    contact_id: number;
    email: string;
    customer_name: string | null;
    carrier: string | null;
    tracking_number: string;
    shipped_at: Date;
  }>(sql`SELECT o.id, o.number, o.contact_id, o.email, c.name AS customer_name, f.carrier, f.tracking_number, f.shipped_at
    FROM orders o JOIN contacts c ON c.id = o.contact_id JOIN fulfillments f ON f.order_id = o.id
    WHERE o.workspace_id = ${w} AND o.status <> 'cancelled' AND o.email IS NOT NULL
      AND f.delivered_at IS NOT NULL AND f.shipped_at > ${iso(now - 20 * DAY)}::timestamptz
      AND NOT EXISTS (SELECT 1 FROM returns r WHERE r.order_id = o.id)
    ORDER BY f.shipped_at DESC LIMIT 1`);
  if (!o) return null;
  const first = (o.customer_name ?? '').split(' ')[0] || 'there';
  const shipped = now - 5 * DAY;
  const promised = shipped + 3 * DAY;
  const pushed = promised + 3 * DAY;
  const detectedAt = now - 2 * DAY;
  const number = `JJD${String(o.id).padStart(4, '0')}90417731`;
  const late = (await db.one<{ id: number }>(sql`
    INSERT INTO shipments (workspace_id, order_id, carrier, tracking_number, status, sub_status, status_at,
      estimated_delivery_at, original_estimate_at, label_at, first_scan_at, last_event_at, source, created_at, updated_at)
    VALUES (${w}, ${o.id}, 'DHL', ${number}, 'exception', 'held', ${iso(detectedAt)}::timestamptz, ${iso(pushed)}::timestamptz,
      ${iso(promised)}::timestamptz, ${iso(shipped)}::timestamptz, ${iso(shipped + 0.5 * DAY)}::timestamptz,
      ${iso(detectedAt)}::timestamptz, 'aftership', ${iso(shipped)}::timestamptz, ${iso(detectedAt)}::timestamptz)
    RETURNING id`))!.id;
  const scans: [string, string | null, number, string, string][] = [
    ['info_received', null, shipped, 'Hamburg', 'Shipment information received'],
    ['in_transit', null, shipped + 0.5 * DAY, 'Hamburg', 'Picked up by the carrier'],
    ['in_transit', null, shipped + 1.2 * DAY, 'Leipzig hub', 'Arrived at the sorting hub'],
    [
      'exception',
      'held',
      detectedAt,
      'Leipzig hub',
      'Held at the hub: operational delay, new delivery date set',
    ],
  ];
  for (const [i, [status, sub, t, location, message]] of scans.entries())
    await db.query(sql`INSERT INTO shipment_events (workspace_id, shipment_id, event_key, status, sub_status, occurred_at,
        location, message, source, received_at)
      VALUES (${w}, ${late}, ${`aftership:demo-${o.id}-${i}`}, ${status}, ${sub}, ${iso(t)}::timestamptz, ${location},
        ${message}, 'aftership', ${iso(t + 600_000)}::timestamptz)`);

  const what = `The carrier moved the expected delivery from ${iso(promised).slice(0, 10)} to ${iso(pushed).slice(0, 10)}.`;
  const summary = `1 of 2 parcels delivered; ${number}: held up (this one).`;
  const history = [
    `${o.carrier ?? 'Carrier'} ${o.tracking_number} — delivered`,
    `DHL ${number} — held up`,
    ...scans.map(([s, , t, loc, msg]) => `  ${at(t)}  ${s.replace(/_/g, ' ')} · ${loc} · ${msg}`),
  ].join('\n');
  const subject = `Order ${o.number}: an update on your delivery`;
  const body =
    `Hi ${first},\n\n${what}\n\n${summary}\nExpected delivery: ${iso(pushed).slice(0, 10)}\n\n` +
    'We are on it with the carrier and will write again when it moves. If you would rather have it sent to a ' +
    'pickup point, reshipped or refunded, just reply to this message.\n\nDemo Outfitters';
  const ticket = (await db.one<{ id: number }>(sql`
    INSERT INTO tickets (workspace_id, subject, status, priority, channel, contact_id, tags, message_count,
      last_message_preview, last_message_at, first_response_at, created_at, updated_at)
    VALUES (${w}, ${`Order ${o.number}: delivery needs attention`}, 'open', 'normal', 'email', ${o.contact_id},
      ${['delivery-issue', 'delivery-estimate-pushed']}, 1, ${body.replace(/\s+/g, ' ').slice(0, 200)},
      ${iso(detectedAt + 60_000)}::timestamptz, ${iso(detectedAt + 60_000)}::timestamptz,
      ${iso(detectedAt)}::timestamptz, ${iso(detectedAt + 60_000)}::timestamptz)
    RETURNING id`))!.id;
  const via = { kind: 'tracking', name: 'Delivery check: estimate_pushed' };
  await db.query(sql`INSERT INTO ticket_events (workspace_id, ticket_id, type, data, created_at)
    VALUES (${w}, ${ticket}, 'created', ${JSON.stringify({ channel: 'email', via })}::jsonb, ${iso(detectedAt)}::timestamptz)`);
  await db.query(sql`INSERT INTO messages (workspace_id, ticket_id, kind, channel, body_text, channel_meta, delivery_status, created_at)
    VALUES (${w}, ${ticket}, 'note', 'internal', ${`Delivery check found: ${what}\n${summary}\n\nScan history\n${history}`},
      ${JSON.stringify({ via })}::jsonb, 'none', ${iso(detectedAt)}::timestamptz)`);
  const rule = `estimate_pushed:${iso(pushed).slice(0, 10)}`;
  const notice = (await db.one<{ id: number }>(sql`
    INSERT INTO notices (workspace_id, dedupe_key, kind, contact_id, ticket_id, subject_type, subject_id, channel, locale,
      status, subject, body, created_at, sent_at)
    VALUES (${w}, ${`tracking:order:${o.id}:${rule}`}, 'order.delivery_update', ${o.contact_id}, ${ticket}, 'order', ${o.id},
      'email', 'en', 'sent', ${subject}, ${body}, ${iso(detectedAt + 60_000)}::timestamptz, ${iso(detectedAt + 60_000)}::timestamptz)
    RETURNING id`))!.id;
  const message = (await db.one<{ id: number }>(sql`
    INSERT INTO messages (workspace_id, ticket_id, kind, channel, body_text, channel_meta, external_id, delivery_status, created_at)
    VALUES (${w}, ${ticket}, 'outbound', 'email', ${body},
      ${JSON.stringify({ subject, about: { type: 'order', id: o.id }, via: { kind: 'notice', name: 'order.delivery_update', id: notice } })}::jsonb,
      ${`<demo-notice-${notice}@demo-outfitters.test>`}, 'sent', ${iso(detectedAt + 60_000)}::timestamptz)
    RETURNING id`))!.id;
  await db.query(sql`UPDATE notices SET message_id = ${message} WHERE id = ${notice}`);
  // notice_status: the analytics summary "Proactive delivery notices" counts the one notice sent.
  await db.query(sql`INSERT INTO tracking_detections (workspace_id, shipment_id, rule, detail, ticket_id, detected_at, notice_status)
    VALUES (${w}, ${late}, ${rule}, ${what}, ${ticket}, ${iso(detectedAt)}::timestamptz, 'sent'),
      (${w}, ${late}, 'exception:held', 'The carrier reported a problem with your parcel (held).', ${ticket}, ${iso(detectedAt)}::timestamptz, NULL)`);

  // One cause, many tickets: the late parcel's ticket and the demo's shipping questions.
  const shipping = await db.query<{ id: number }>(sql`SELECT id FROM tickets WHERE workspace_id = ${w}
    AND tags && ${['shipping', 'lost-parcel', 'wismo']}::text[] AND status IN ('new', 'open', 'pending') ORDER BY id LIMIT 7`);
  const problem = (await db.one<{ id: number }>(sql`
    INSERT INTO problems (workspace_id, title, cause, rules, updates_sent, created_at)
    VALUES (${w}, 'DHL hub Leipzig: parcels held up', 'A sorting fault at the DHL Leipzig hub holds parcels for 2–4 days.',
      ${JSON.stringify({ keywords: ['leipzig', 'dhl delay'] })}::jsonb, 0, ${iso(detectedAt)}::timestamptz)
    RETURNING id`))!.id;
  await db.query(sql`INSERT INTO problem_tickets (problem_id, workspace_id, ticket_id, linked_by, linked_at)
    SELECT ${problem}, ${w}, t, 'agent', ${iso(detectedAt)}::timestamptz
    FROM unnest(${[ticket, ...shipping.map((s) => s.id)]}::bigint[]) AS t ON CONFLICT DO NOTHING`);
  await db.query(sql`INSERT INTO problem_events (workspace_id, problem_id, type, count, created_at)
    VALUES (${w}, ${problem}, 'created', ${1 + shipping.length}, ${iso(detectedAt)}::timestamptz)`);

  await db.query(sql`INSERT INTO tracking_settings (workspace_id, store_cursor) VALUES (${w}, ${iso(now)}::timestamptz)
    ON CONFLICT (workspace_id) DO UPDATE SET store_cursor = EXCLUDED.store_cursor`);
  return { orderId: o.id, orderNumber: o.number, ticketId: ticket, shipmentId: late, problemId: problem };
}
