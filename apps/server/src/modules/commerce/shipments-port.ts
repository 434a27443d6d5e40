import { type Db, sql } from '../../platform/db/db.ts';

/**
 * Reads the tracking module needs from the store's shipments (built here, in commerce, because
 * commerce owns `fulfillments` and `orders`): fulfilments changed since a time, for the tracking
 * pipeline's store source, and the order and customer a tracking number belongs to.
 */
export interface StoreShipment {
  workspace_id: number;
  order_id: number;
  order_number: string;
  email: string | null;
  customer_name: string | null;
  external_id: string;
  carrier: string | null;
  tracking_number: string;
  shipment_status: string | null;
  expected_delivery_at: Date | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
  remote_updated_at: Date;
}

const cols = sql`f.workspace_id, f.order_id, o.number AS order_number, o.email,
  nullif(trim(coalesce(o.shipping_address->>'first_name', '') || ' ' || coalesce(o.shipping_address->>'last_name', '')), '') AS customer_name,
  f.external_id, f.carrier, f.tracking_number, f.shipment_status, f.expected_delivery_at, f.shipped_at, f.delivered_at,
  f.remote_updated_at`;

export const storeShipmentsChangedSince = (db: Db, workspaceId: number, since: Date | null, limit = 500) =>
  db.query<StoreShipment>(sql`
    SELECT ${cols} FROM fulfillments f JOIN orders o ON o.id = f.order_id
    WHERE f.workspace_id = ${workspaceId} AND f.tracking_number IS NOT NULL
      AND f.remote_updated_at > ${(since ?? new Date(0)).toISOString()}::timestamptz
    ORDER BY f.remote_updated_at LIMIT ${limit}`);

export const storeShipmentByTracking = (db: Db, workspaceId: number, trackingNumber: string) =>
  db.one<StoreShipment>(sql`
    SELECT ${cols} FROM fulfillments f JOIN orders o ON o.id = f.order_id
    WHERE f.workspace_id = ${workspaceId} AND f.tracking_number = ${trackingNumber}
    ORDER BY f.remote_updated_at DESC LIMIT 1`);

/** The order's number and customer (for a notice and a ticket about it). */
export const orderContact = (db: Db, workspaceId: number, orderId: number) =>
  db.one<{ id: number; number: string; email: string | null; customer_name: string | null }>(sql`
    SELECT o.id, o.number, o.email,
      nullif(trim(coalesce(o.shipping_address->>'first_name', '') || ' ' || coalesce(o.shipping_address->>'last_name', '')), '') AS customer_name
    FROM orders o WHERE o.workspace_id = ${workspaceId} AND o.id = ${orderId}`);

/** Workspaces with a connected store (the tracking sweep's store source). */
export const workspacesWithStores = async (db: Db) =>
  (await db.query<{ workspace_id: number }>(sql`SELECT DISTINCT workspace_id FROM store_connections`)).map(
    (r) => r.workspace_id,
  );

/** Orders and their value per currency (a problem's impact: money at stake). */
export const ordersValue = (db: Db, workspaceId: number, orderIds: number[]) =>
  db.query<{ currency: string; orders: number; total_minor: number }>(sql`
    SELECT currency, count(*)::int AS orders, sum(total_minor)::bigint AS total_minor FROM orders
    WHERE workspace_id = ${workspaceId} AND id = ANY(${orderIds}::bigint[]) GROUP BY currency ORDER BY currency`);
