import { type Db, sql } from '../../platform/db/db.ts';
import type { LineRow } from './orders.repository.ts';

/* Ingest: batch upserts keyed by the store's ids (customers, products, orders and their children). */

export interface CustomerRowIn {
  external_id: string;
  contact_id: number | null;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  orders_count: number | null;
  total_spent_minor: number | null;
  remote_updated_at: string | null;
}

export async function upsertCustomers(
  db: Db,
  workspaceId: number,
  connectionId: number,
  rows: CustomerRowIn[],
) {
  if (!rows.length) return new Map<string, number>();
  const out = await db.query<{ id: number; external_id: string }>(sql`
    INSERT INTO store_customers (workspace_id, connection_id, external_id, contact_id, email, phone, first_name, last_name,
      orders_count, total_spent_minor, remote_updated_at)
    SELECT ${workspaceId}, ${connectionId}, r.external_id, r.contact_id, r.email, r.phone, r.first_name, r.last_name,
      r.orders_count, r.total_spent_minor, r.remote_updated_at
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(external_id text, contact_id bigint, email text, phone text,
      first_name text, last_name text, orders_count int, total_spent_minor bigint, remote_updated_at timestamptz)
    ON CONFLICT (connection_id, external_id) DO UPDATE SET
      contact_id = coalesce(EXCLUDED.contact_id, store_customers.contact_id),
      email = coalesce(EXCLUDED.email, store_customers.email),
      phone = coalesce(EXCLUDED.phone, store_customers.phone),
      first_name = coalesce(EXCLUDED.first_name, store_customers.first_name),
      last_name = coalesce(EXCLUDED.last_name, store_customers.last_name),
      orders_count = coalesce(EXCLUDED.orders_count, store_customers.orders_count),
      total_spent_minor = coalesce(EXCLUDED.total_spent_minor, store_customers.total_spent_minor),
      remote_updated_at = greatest(EXCLUDED.remote_updated_at, store_customers.remote_updated_at),
      updated_at = now()
    WHERE store_customers.remote_updated_at IS NULL OR EXCLUDED.remote_updated_at IS NULL
      OR store_customers.remote_updated_at <= EXCLUDED.remote_updated_at
    RETURNING id, external_id`);
  const map = new Map(out.map((r) => [r.external_id, r.id]));
  const missing = rows.filter((r) => !map.has(r.external_id)).map((r) => r.external_id);
  if (missing.length) {
    // Stale updates were skipped; their rows still exist and orders must still point at them.
    for (const r of await db.query<{
      id: number;
      external_id: string;
    }>(sql`SELECT id, external_id FROM store_customers
      WHERE connection_id = ${connectionId} AND external_id = ANY(${missing}::text[])`))
      map.set(r.external_id, r.id);
  }
  return map;
}

/** Contacts already linked to these store customers (so a repeat customer costs no contact lookup). */
export const linkedCustomers = async (db: Db, connectionId: number, externalIds: string[]) =>
  externalIds.length
    ? db.query<{ external_id: string; contact_id: number; email: string | null; phone: string | null }>(sql`
        SELECT external_id, contact_id, email, phone FROM store_customers
        WHERE connection_id = ${connectionId} AND external_id = ANY(${externalIds}::text[]) AND contact_id IS NOT NULL`)
    : Promise.resolve([]);

export async function upsertProducts(
  db: Db,
  workspaceId: number,
  connectionId: number,
  rows: {
    external_id: string;
    title: string;
    status: string;
    image_url: string | null;
    url: string | null;
    remote_updated_at: string | null;
  }[],
  variants: {
    product_external_id: string;
    external_id: string;
    title: string;
    sku: string | null;
    price_minor: number;
    currency: string;
    inventory_quantity: number | null;
    image_url: string | null;
  }[],
) {
  if (!rows.length) return;
  await db.query(sql`
    INSERT INTO products (workspace_id, connection_id, external_id, title, status, image_url, url, remote_updated_at)
    SELECT ${workspaceId}, ${connectionId}, r.external_id, r.title, r.status, r.image_url, r.url, r.remote_updated_at
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(external_id text, title text, status text, image_url text,
      url text, remote_updated_at timestamptz)
    ON CONFLICT (connection_id, external_id) DO UPDATE SET title = EXCLUDED.title, status = EXCLUDED.status,
      image_url = EXCLUDED.image_url, url = EXCLUDED.url, remote_updated_at = EXCLUDED.remote_updated_at, updated_at = now()
    WHERE products.remote_updated_at IS NULL OR EXCLUDED.remote_updated_at IS NULL
      OR products.remote_updated_at <= EXCLUDED.remote_updated_at`);
  if (!variants.length) return;
  await db.query(sql`
    INSERT INTO product_variants (workspace_id, connection_id, product_id, external_id, title, sku, price_minor, currency,
      inventory_quantity, image_url)
    SELECT ${workspaceId}, ${connectionId}, p.id, r.external_id, r.title, r.sku, r.price_minor, r.currency, r.inventory_quantity, r.image_url
    FROM jsonb_to_recordset(${JSON.stringify(variants)}::jsonb) AS r(product_external_id text, external_id text, title text,
      sku text, price_minor bigint, currency text, inventory_quantity int, image_url text)
    JOIN products p ON p.connection_id = ${connectionId} AND p.external_id = r.product_external_id
    ON CONFLICT (connection_id, external_id) DO UPDATE SET product_id = EXCLUDED.product_id, title = EXCLUDED.title,
      sku = EXCLUDED.sku, price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency,
      inventory_quantity = EXCLUDED.inventory_quantity, image_url = EXCLUDED.image_url`);
}

export interface OrderRowIn {
  external_id: string;
  number: string;
  number_key: string;
  customer_id: number | null;
  contact_id: number | null;
  email: string | null;
  phone: string | null;
  currency: string;
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
  status: string;
  financial_status: string;
  fulfillment_status: string;
  cancelled_at: string | null;
  cancel_reason: string | null;
  shipping_address: unknown;
  billing_address: unknown;
  discount_codes: string[];
  tags: string[];
  note: string | null;
  url: string | null;
  placed_at: string;
  updated_at: string;
}

/**
 * Upserts orders; an update older than what is stored (by the store's updated_at) is skipped, so a
 * late delivery never overwrites a newer state. Returns the ids of the rows that were written.
 */
export async function upsertOrders(db: Db, workspaceId: number, connectionId: number, rows: OrderRowIn[]) {
  if (!rows.length) return new Map<string, number>();
  const out = await db.query<{ id: number; external_id: string }>(sql`
    INSERT INTO orders (workspace_id, connection_id, external_id, number, number_key, customer_id, contact_id, email, phone,
      currency, subtotal_minor, discount_minor, shipping_minor, tax_minor, total_minor, status, financial_status,
      fulfillment_status, cancelled_at, cancel_reason, shipping_address, billing_address, discount_codes, tags, note, url,
      placed_at, remote_updated_at)
    SELECT ${workspaceId}, ${connectionId}, r.external_id, r.number, r.number_key, r.customer_id, r.contact_id, r.email, r.phone,
      r.currency, r.subtotal, r.discount, r.shipping, r.tax, r.total, r.status, r.financial_status, r.fulfillment_status,
      r.cancelled_at, r.cancel_reason, r.shipping_address, r.billing_address,
      ARRAY(SELECT jsonb_array_elements_text(r.discount_codes)), ARRAY(SELECT jsonb_array_elements_text(r.tags)),
      r.note, r.url, r.placed_at, r.updated_at
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(external_id text, number text, number_key text,
      customer_id bigint, contact_id bigint, email text, phone text, currency text, subtotal bigint, discount bigint,
      shipping bigint, tax bigint, total bigint, status text, financial_status text, fulfillment_status text,
      cancelled_at timestamptz, cancel_reason text, shipping_address jsonb, billing_address jsonb, discount_codes jsonb,
      tags jsonb, note text, url text, placed_at timestamptz, updated_at timestamptz)
    ON CONFLICT (connection_id, external_id) DO UPDATE SET
      number = EXCLUDED.number, number_key = EXCLUDED.number_key,
      customer_id = coalesce(EXCLUDED.customer_id, orders.customer_id),
      contact_id = coalesce(EXCLUDED.contact_id, orders.contact_id),
      email = coalesce(EXCLUDED.email, orders.email), phone = coalesce(EXCLUDED.phone, orders.phone),
      currency = EXCLUDED.currency, subtotal_minor = EXCLUDED.subtotal_minor, discount_minor = EXCLUDED.discount_minor,
      shipping_minor = EXCLUDED.shipping_minor, tax_minor = EXCLUDED.tax_minor, total_minor = EXCLUDED.total_minor,
      status = EXCLUDED.status, financial_status = EXCLUDED.financial_status,
      fulfillment_status = EXCLUDED.fulfillment_status, cancelled_at = EXCLUDED.cancelled_at,
      cancel_reason = EXCLUDED.cancel_reason, shipping_address = EXCLUDED.shipping_address,
      billing_address = EXCLUDED.billing_address, discount_codes = EXCLUDED.discount_codes, tags = EXCLUDED.tags,
      note = EXCLUDED.note, url = coalesce(EXCLUDED.url, orders.url), placed_at = EXCLUDED.placed_at,
      remote_updated_at = EXCLUDED.remote_updated_at, updated_at = now()
    WHERE orders.remote_updated_at <= EXCLUDED.remote_updated_at
    RETURNING id, external_id`);
  return new Map(out.map((r) => [r.external_id, r.id]));
}

export async function upsertLineItems(
  db: Db,
  workspaceId: number,
  rows: Omit<LineRow, 'id'>[],
  replaceFor: number[],
) {
  if (replaceFor.length) {
    // The applied order state is authoritative for its lines: drop lines an order edit removed.
    const keep = rows.map((r) => `${r.order_id}:${r.external_id}`);
    await db.query(sql`DELETE FROM order_line_items WHERE order_id = ANY(${replaceFor}::bigint[])
      AND NOT (order_id::text || ':' || external_id = ANY(${keep}::text[]))`);
  }
  if (!rows.length) return;
  await db.query(sql`
    INSERT INTO order_line_items (workspace_id, order_id, external_id, product_external_id, variant_external_id, sku, title,
      variant_title, quantity, price_minor, discount_minor, tax_minor, refunded_quantity, fulfilled_quantity, image_url,
      final_sale, position)
    SELECT ${workspaceId}, r.order_id, r.external_id, r.product_external_id, r.variant_external_id, r.sku, r.title,
      r.variant_title, r.quantity, r.price_minor, r.discount_minor, r.tax_minor, r.refunded_quantity, r.fulfilled_quantity,
      coalesce(r.image_url, (SELECT coalesce(v.image_url, p.image_url) FROM orders o
        LEFT JOIN product_variants v ON v.connection_id = o.connection_id AND v.external_id = r.variant_external_id
        LEFT JOIN products p ON p.connection_id = o.connection_id AND p.external_id = r.product_external_id
        WHERE o.id = r.order_id LIMIT 1)),
      r.final_sale, r.position
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(order_id bigint, external_id text, product_external_id text,
      variant_external_id text, sku text, title text, variant_title text, quantity int, price_minor bigint,
      discount_minor bigint, tax_minor bigint, refunded_quantity int, fulfilled_quantity int, image_url text,
      final_sale boolean, position int)
    ON CONFLICT (order_id, external_id) DO UPDATE SET product_external_id = EXCLUDED.product_external_id,
      variant_external_id = EXCLUDED.variant_external_id, sku = EXCLUDED.sku, title = EXCLUDED.title,
      variant_title = EXCLUDED.variant_title, quantity = EXCLUDED.quantity, price_minor = EXCLUDED.price_minor,
      discount_minor = EXCLUDED.discount_minor, tax_minor = EXCLUDED.tax_minor,
      refunded_quantity = greatest(EXCLUDED.refunded_quantity, order_line_items.refunded_quantity),
      fulfilled_quantity = greatest(EXCLUDED.fulfilled_quantity, order_line_items.fulfilled_quantity),
      image_url = coalesce(EXCLUDED.image_url, order_line_items.image_url), final_sale = EXCLUDED.final_sale,
      position = EXCLUDED.position`);
}

export async function upsertTransactions(
  db: Db,
  workspaceId: number,
  rows: {
    order_id: number;
    external_id: string;
    kind: string;
    gateway: string | null;
    status: string;
    amount_minor: number;
    currency: string;
    processed_at: string;
  }[],
) {
  if (!rows.length) return;
  await db.query(sql`
    INSERT INTO order_transactions (workspace_id, order_id, external_id, kind, gateway, status, amount_minor, currency, processed_at)
    SELECT ${workspaceId}, r.order_id, r.external_id, r.kind, r.gateway, r.status, r.amount_minor, r.currency, r.processed_at
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(order_id bigint, external_id text, kind text, gateway text,
      status text, amount_minor bigint, currency text, processed_at timestamptz)
    ON CONFLICT (order_id, external_id) DO UPDATE SET kind = EXCLUDED.kind, gateway = EXCLUDED.gateway,
      status = EXCLUDED.status, amount_minor = EXCLUDED.amount_minor, processed_at = EXCLUDED.processed_at`);
}

export async function upsertRefunds(
  db: Db,
  workspaceId: number,
  rows: {
    order_id: number;
    external_id: string;
    amount_minor: number;
    currency: string;
    note: string | null;
    store_credit: boolean;
    restock: boolean;
    line_items: { lineItemExternalId: string; quantity: number }[];
    refunded_at: string;
  }[],
) {
  if (!rows.length) return;
  await db.query(sql`
    INSERT INTO order_refunds (workspace_id, order_id, external_id, amount_minor, currency, note, store_credit, restock, line_items, refunded_at)
    SELECT ${workspaceId}, r.order_id, r.external_id, r.amount_minor, r.currency, r.note, r.store_credit, r.restock,
      r.line_items, r.refunded_at
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(order_id bigint, external_id text, amount_minor bigint,
      currency text, note text, store_credit boolean, restock boolean, line_items jsonb, refunded_at timestamptz)
    ON CONFLICT (order_id, external_id) DO UPDATE SET amount_minor = EXCLUDED.amount_minor, note = EXCLUDED.note,
      store_credit = EXCLUDED.store_credit, restock = EXCLUDED.restock, line_items = EXCLUDED.line_items`);
}

export async function upsertFulfillments(
  db: Db,
  workspaceId: number,
  rows: {
    order_id: number;
    external_id: string;
    status: string;
    shipment_status: string | null;
    carrier: string | null;
    tracking_number: string | null;
    tracking_url: string | null;
    expected_delivery_at: string | null;
    shipped_at: string | null;
    delivered_at: string | null;
    line_items: { lineItemExternalId: string; quantity: number }[];
    remote_updated_at: string;
  }[],
) {
  if (!rows.length) return;
  await db.query(sql`
    INSERT INTO fulfillments (workspace_id, order_id, external_id, status, shipment_status, carrier, tracking_number,
      tracking_url, expected_delivery_at, shipped_at, delivered_at, line_items, remote_updated_at)
    SELECT ${workspaceId}, r.order_id, r.external_id, r.status, r.shipment_status, r.carrier, r.tracking_number, r.tracking_url,
      r.expected_delivery_at, r.shipped_at, r.delivered_at, r.line_items, r.remote_updated_at
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(order_id bigint, external_id text, status text,
      shipment_status text, carrier text, tracking_number text, tracking_url text, expected_delivery_at timestamptz,
      shipped_at timestamptz, delivered_at timestamptz, line_items jsonb, remote_updated_at timestamptz)
    -- A shipment update that leaves out the tracking details (a status-only push) keeps the known ones.
    ON CONFLICT (order_id, external_id) DO UPDATE SET status = EXCLUDED.status,
      shipment_status = coalesce(EXCLUDED.shipment_status, fulfillments.shipment_status),
      carrier = coalesce(EXCLUDED.carrier, fulfillments.carrier),
      tracking_number = coalesce(EXCLUDED.tracking_number, fulfillments.tracking_number),
      tracking_url = coalesce(EXCLUDED.tracking_url, fulfillments.tracking_url),
      expected_delivery_at = coalesce(EXCLUDED.expected_delivery_at, fulfillments.expected_delivery_at),
      shipped_at = coalesce(EXCLUDED.shipped_at, fulfillments.shipped_at),
      delivered_at = coalesce(EXCLUDED.delivered_at, fulfillments.delivered_at),
      line_items = CASE WHEN jsonb_array_length(EXCLUDED.line_items) > 0 THEN EXCLUDED.line_items ELSE fulfillments.line_items END,
      remote_updated_at = EXCLUDED.remote_updated_at
    WHERE fulfillments.remote_updated_at <= EXCLUDED.remote_updated_at`);
}

/**
 * Refund totals and per-line refunded/fulfilled quantities follow from the child records, whichever
 * webhook delivered them.
 */
export async function refreshDerived(db: Db, orderIds: number[]) {
  if (!orderIds.length) return;
  // Rows are rewritten only where a figure grows: most upserts (no refunds) write nothing here. The
  // figures only ever grow (refunds and shipments are never deleted), and greatest() against the row's
  // current version keeps a concurrent writer's result.
  await db.query(sql`
    UPDATE order_line_items li SET refunded_quantity = greatest(li.refunded_quantity, x.rq),
      fulfilled_quantity = greatest(li.fulfilled_quantity, x.fq)
    FROM (SELECT l.id,
        coalesce((SELECT sum((e->>'quantity')::int) FROM order_refunds r, jsonb_array_elements(r.line_items) e
          WHERE r.order_id = l.order_id AND e->>'lineItemExternalId' = l.external_id), 0) AS rq,
        coalesce((SELECT sum((e->>'quantity')::int) FROM fulfillments f, jsonb_array_elements(f.line_items) e
          WHERE f.order_id = l.order_id AND f.status NOT IN ('cancelled', 'error', 'failure')
          AND e->>'lineItemExternalId' = l.external_id), 0) AS fq
      FROM order_line_items l WHERE l.order_id = ANY(${orderIds}::bigint[])) x
    WHERE li.id = x.id AND (li.refunded_quantity < x.rq OR li.fulfilled_quantity < x.fq)`);
  await db.query(sql`
    UPDATE orders o SET refunded_minor = greatest(o.refunded_minor, s.refunded),
      financial_status = CASE
        WHEN o.financial_status NOT IN ('paid', 'partially_refunded', 'refunded') THEN o.financial_status
        WHEN greatest(o.refunded_minor, s.refunded) >= o.total_minor AND o.total_minor > 0 THEN 'refunded'
        WHEN greatest(o.refunded_minor, s.refunded) > 0 THEN 'partially_refunded' ELSE o.financial_status END
    FROM (SELECT o2.id, coalesce((SELECT sum(amount_minor) FROM order_refunds r WHERE r.order_id = o2.id), 0) AS refunded
          FROM orders o2 WHERE o2.id = ANY(${orderIds}::bigint[])) s
    WHERE o.id = s.id AND (o.refunded_minor < s.refunded OR greatest(o.refunded_minor, s.refunded) > 0)`);
}

/** Serialises writers of the same orders' refunds and shipments (PostgreSQL runs jobs in parallel). */
export const lockOrders = (db: Db, orderIds: number[]) =>
  orderIds.length
    ? db.query(sql`SELECT id FROM orders WHERE id = ANY(${orderIds}::bigint[]) ORDER BY id FOR UPDATE`)
    : Promise.resolve([]);

export const orderIdsByExternal = async (db: Db, connectionId: number, externalIds: string[]) =>
  new Map(
    (
      await db.query<{ id: number; external_id: string }>(sql`SELECT id, external_id FROM orders
        WHERE connection_id = ${connectionId} AND external_id = ANY(${externalIds}::text[])`)
    ).map((r) => [r.external_id, r.id]),
  );

export const deleteOrderByExternal = (db: Db, connectionId: number, externalId: string) =>
  db.query(sql`DELETE FROM orders WHERE connection_id = ${connectionId} AND external_id = ${externalId}`);

export const patchOrder = (
  db: Db,
  orderId: number,
  fields: {
    status?: string;
    cancelled_at?: string;
    cancel_reason?: string;
    shipping_address?: unknown;
    financial_status?: string;
  },
) => {
  const sets = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) =>
      k === 'shipping_address'
        ? sql`shipping_address = ${JSON.stringify(v)}::jsonb`
        : sql`${sql.identifier(k)} = ${v}`,
    );
  if (!sets.length) return Promise.resolve([]);
  return db.query(
    sql`UPDATE orders SET ${sql.join(sets, sql`, `)}, updated_at = now() WHERE id = ${orderId}`,
  );
};
