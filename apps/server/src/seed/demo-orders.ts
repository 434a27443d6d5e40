import type { StoreOrderInput } from '@shopdesk/contracts';
import { createBuiltinStore } from '../modules/commerce/index.ts';
import { type Db, sql } from '../platform/db/db.ts';
import { products } from './demo-content.ts';
import { demoProductImagePath } from './demo-images.ts';

const DAY = 86_400_000;
const carriers = [
  {
    name: 'DHL',
    url: (n: string) => `https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=${n}`,
  },
  { name: 'DPD', url: (n: string) => `https://tracking.dpd.de/status/de_DE/parcel/${n}` },
  { name: 'UPS', url: (n: string) => `https://www.ups.com/track?tracknum=${n}` },
];
const cities = [
  ['Berlin', '10115'],
  ['Hamburg', '20095'],
  ['München', '80331'],
  ['Köln', '50667'],
  ['Leipzig', '04109'],
];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * The embedded demo store: products and 1–5 orders per demo customer (items, payments, shipments with
 * tracking, some refunded or cancelled), pushed through the built-in store API's ingest path like any
 * shop would. Order numbers that the demo tickets mention belong to that ticket's customer, so the
 * customer panel highlights them.
 */
export async function seedDemoOrders(db: Db, workspaceId: number) {
  const rand = rng(7);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)]!;
  const contacts = await db.query<{ id: number; name: string; email: string }>(sql`
    SELECT id, name, email FROM contacts WHERE workspace_id = ${workspaceId} AND email IS NOT NULL ORDER BY id`);
  const texts = await db.query<{ contact_id: number; text: string }>(sql`
    SELECT t.contact_id, t.subject || ' ' || coalesce(string_agg(m.body_text, ' '), '') AS text
    FROM tickets t LEFT JOIN messages m ON m.ticket_id = t.id
    WHERE t.workspace_id = ${workspaceId} AND t.contact_id IS NOT NULL GROUP BY t.id, t.contact_id, t.subject`);
  const used = new Set<string>();
  const mentioned = new Map<number, string[]>();
  for (const r of texts)
    for (const m of r.text.matchAll(/#(\d{4,6})\b/g)) {
      if (used.has(m[1]!)) continue;
      used.add(m[1]!);
      mentioned.set(r.contact_id, [...(mentioned.get(r.contact_id) ?? []), m[1]!]);
    }

  const store = await createBuiltinStore(db, workspaceId, 'Demo Outfitters store', 'EUR');
  const catalogue = products.map((p, i) => ({
    externalId: `p-${i + 1}`,
    title: p.name,
    imageUrl: demoProductImagePath(i + 1),
    variants: [
      { externalId: `v-${i + 1}`, title: 'Default', sku: `DO-${1000 + i}`, price: p.price, currency: 'EUR' },
    ],
  }));

  let next = 20001;
  const now = Date.now();
  const orders: StoreOrderInput[] = [];
  for (const [ci, c] of contacts.entries()) {
    const [first, ...rest] = c.name.split(' ');
    const customer = {
      externalId: `c-${c.id}`,
      email: c.email,
      firstName: first,
      lastName: rest.join(' ') || null,
    };
    const named = mentioned.get(c.id) ?? [];
    const count = Math.max(named.length, 1 + Math.floor(rand() * 5));
    const [city, zip] = pick(cities);
    const address = {
      name: c.name,
      address1: `${pick(['Hauptstr.', 'Ringweg', 'Gartenstr.', 'Bahnhofstr.'])} ${1 + Math.floor(rand() * 90)}`,
      city,
      zip,
      country: 'Germany',
      countryCode: 'DE',
    };
    for (let k = 0; k < count; k++) {
      const number = named[k] ?? String(next++);
      // Orders named in tickets are recent (the tickets are too); the rest spread over a year.
      const age = named[k] ? 2 + rand() * 25 : 2 + rand() * 360 + ci;
      const placed = new Date(now - age * DAY);
      const lines = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, li) => {
        const p = pick(catalogue);
        return {
          externalId: `li-${number}-${li}`,
          productExternalId: p.externalId,
          variantExternalId: p.variants[0]!.externalId,
          sku: p.variants[0]!.sku,
          title: p.title,
          quantity: 1 + (rand() < 0.2 ? 1 : 0),
          price: p.variants[0]!.price,
          imageUrl: p.imageUrl,
        };
      });
      const subtotal = lines.reduce((s, l) => s + l.price * l.quantity, 0);
      const shipping = subtotal >= 10000 ? 0 : 495;
      const total = subtotal + shipping;
      const roll = rand();
      const cancelled = roll < 0.06 && age < 40;
      const shipped = !cancelled && age > 3;
      const delivered = shipped && age > 8;
      const carrier = pick(carriers);
      const tracking = `${carrier.name === 'DHL' ? 'JJD' : carrier.name === 'UPS' ? '1Z' : '0'}${String(Math.floor(rand() * 1e12)).padStart(12, '0')}`;
      const shippedAt = new Date(placed.getTime() + 1.5 * DAY);
      const refundedFull = !cancelled && roll > 0.93;
      const refundedLine = !cancelled && !refundedFull && roll > 0.85 && lines.length > 1;
      const refunds = refundedFull
        ? [
            {
              externalId: `r-${number}`,
              amount: total,
              note: 'Returned, full refund',
              restock: true,
              lineItems: lines.map((l) => ({ lineItemExternalId: l.externalId, quantity: l.quantity })),
              createdAt: new Date(placed.getTime() + 12 * DAY).toISOString(),
            },
          ]
        : refundedLine
          ? [
              {
                externalId: `r-${number}`,
                amount: lines[0]!.price,
                note: 'One item returned',
                restock: true,
                lineItems: [{ lineItemExternalId: lines[0]!.externalId, quantity: 1 }],
                createdAt: new Date(placed.getTime() + 10 * DAY).toISOString(),
              },
            ]
          : [];
      const updated = new Date(
        Math.min(now, placed.getTime() + (refunds.length ? 12 : delivered ? 4 : 1) * DAY),
      );
      orders.push({
        externalId: `o-${number}`,
        number: `#${number}`,
        customer,
        email: c.email,
        currency: 'EUR',
        subtotal,
        discount: 0,
        shipping,
        tax: Math.round(total - total / 1.19),
        total,
        status: cancelled ? 'cancelled' : 'open',
        financialStatus: cancelled ? 'voided' : 'paid',
        fulfillmentStatus: shipped ? 'fulfilled' : 'unfulfilled',
        cancelledAt: cancelled ? new Date(placed.getTime() + 3600_000).toISOString() : null,
        cancelReason: cancelled ? 'customer' : null,
        shippingAddress: address,
        discountCodes: [],
        tags: [],
        placedAt: placed.toISOString(),
        updatedAt: updated.toISOString(),
        lineItems: lines.map((l) => ({
          ...l,
          discount: 0,
          tax: 0,
          refundedQuantity: 0,
          fulfilledQuantity: 0,
          finalSale: false,
        })),
        transactions: [
          {
            externalId: `t-${number}`,
            kind: cancelled ? 'void' : 'sale',
            gateway: pick(['stripe', 'paypal', 'klarna']),
            status: 'success',
            amount: total,
            processedAt: placed.toISOString(),
          },
        ],
        refunds: refunds.map((r) => ({ ...r, storeCredit: false })),
        fulfillments: shipped
          ? [
              {
                externalId: `f-${number}`,
                status: 'success',
                shipmentStatus: delivered ? 'delivered' : 'in_transit',
                carrier: carrier.name,
                trackingNumber: tracking,
                trackingUrl: carrier.url(tracking),
                shippedAt: shippedAt.toISOString(),
                expectedDeliveryAt: new Date(shippedAt.getTime() + 3 * DAY).toISOString(),
                deliveredAt: delivered ? new Date(shippedAt.getTime() + 2.5 * DAY).toISOString() : null,
                lineItems: lines.map((l) => ({ lineItemExternalId: l.externalId, quantity: l.quantity })),
                updatedAt: updated.toISOString(),
              },
            ]
          : [],
      });
    }
  }
  await store.push({ products: catalogue, orders: orders.slice(0, 500) });
  if (orders.length > 500) await store.push({ orders: orders.slice(500) });
  // Limits in the shop's own currency: agents up to 50 €, leads up to 250 €.
  await db.query(
    sql`INSERT INTO commerce_policies (workspace_id, policy) VALUES (${workspaceId}, ${JSON.stringify({
      currency: 'EUR',
      refundWindowDays: 30,
      refundLimits: { agent: 5000, lead: 25000, admin: null },
      cancelNeedsApprovalAbove: 20000,
      discountMaxPercent: 20,
      discountMaxAmount: 2000,
      resendCountsAgainstLimit: true,
      allowStoreCredit: true,
    })}::jsonb) ON CONFLICT (workspace_id) DO NOTHING`,
  );
  return { connectionId: store.connectionId, orders: orders.length };
}
