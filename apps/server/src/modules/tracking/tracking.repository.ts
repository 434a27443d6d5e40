import { type Db, sql } from '../../platform/db/db.ts';
import type { NormalEvent, ShipmentStatus } from './normalize.ts';

export interface ShipmentRow {
  id: number;
  workspace_id: number;
  order_id: number | null;
  carrier: string | null;
  tracking_number: string;
  status: ShipmentStatus;
  sub_status: string | null;
  status_at: Date | null;
  estimated_delivery_at: Date | null;
  original_estimate_at: Date | null;
  label_at: Date | null;
  first_scan_at: Date | null;
  delivered_at: Date | null;
  last_event_at: Date | null;
  source: string;
  created_at: Date;
}
export interface EventRow {
  id: number;
  shipment_id: number;
  event_key: string;
  status: ShipmentStatus;
  sub_status: string | null;
  occurred_at: Date;
  location: string | null;
  message: string;
  source: string;
}

export const sourceByKey = (db: Db, key: string) =>
  db.one<{ id: number; workspace_id: number; provider: string; secret_enc: string }>(sql`
    SELECT id, workspace_id, provider, secret_enc FROM tracking_sources WHERE hook_key = ${key}`);
export const sources = (db: Db, workspaceId: number) =>
  db.query<{
    id: number;
    provider: string;
    hook_key: string;
    created_at: Date;
    poll_minutes: number | null;
    has_api_key: boolean;
    paused_until: Date | null;
    last_poll_at: Date | null;
    last_poll_error: string | null;
  }>(sql`
    SELECT id, provider, hook_key, created_at, poll_minutes, api_key_enc IS NOT NULL AS has_api_key, paused_until,
      last_poll_at, last_poll_error
    FROM tracking_sources WHERE workspace_id = ${workspaceId} ORDER BY provider`);
export const upsertSource = (
  db: Db,
  workspaceId: number,
  provider: string,
  hookKey: string,
  secretEnc: string,
) =>
  db.one<{ hook_key: string }>(sql`
    INSERT INTO tracking_sources (workspace_id, provider, hook_key, secret_enc)
    VALUES (${workspaceId}, ${provider}, ${hookKey}, ${secretEnc})
    ON CONFLICT (workspace_id, provider) DO UPDATE SET secret_enc = EXCLUDED.secret_enc
    RETURNING hook_key`);

/** The shipment row for a tracking number (created when new), locked for the update. */
export async function lockShipment(
  db: Db,
  workspaceId: number,
  s: { trackingNumber: string; carrier: string | null; orderId: number | null; source: string },
): Promise<ShipmentRow> {
  await db.query(sql`
    INSERT INTO shipments (workspace_id, tracking_number, carrier, order_id, source)
    VALUES (${workspaceId}, ${s.trackingNumber}, ${s.carrier}, ${s.orderId}, ${s.source})
    ON CONFLICT (workspace_id, tracking_number) DO UPDATE
      SET carrier = coalesce(shipments.carrier, EXCLUDED.carrier), order_id = coalesce(shipments.order_id, EXCLUDED.order_id)`);
  return (await db.one<ShipmentRow>(sql`
    SELECT * FROM shipments WHERE workspace_id = ${workspaceId} AND tracking_number = ${s.trackingNumber} FOR UPDATE`))!;
}

/** Stores events not seen before (by event key); returns how many were new. */
export async function addEvents(
  db: Db,
  workspaceId: number,
  shipmentId: number,
  source: string,
  events: NormalEvent[],
) {
  if (!events.length) return 0;
  const rows = await db.query<{ id: number }>(sql`
    INSERT INTO shipment_events (workspace_id, shipment_id, event_key, status, sub_status, occurred_at, location, message, source)
    SELECT ${workspaceId}, ${shipmentId}, e.k, e.s, e.ss, e.t, e.l, e.m, ${source}
    FROM unnest(${events.map((e) => e.key)}::text[], ${events.map((e) => e.status)}::text[],
                ${events.map((e) => e.subStatus)}::text[], ${events.map((e) => e.occurredAt.toISOString())}::timestamptz[],
                ${events.map((e) => e.location)}::text[], ${events.map((e) => e.message)}::text[])
      AS e(k, s, ss, t, l, m)
    ON CONFLICT (shipment_id, event_key) DO NOTHING
    RETURNING id`);
  return rows.length;
}

export const history = (db: Db, shipmentId: number) =>
  db.query<EventRow>(sql`
    SELECT id, shipment_id, event_key, status, sub_status, occurred_at, location, message, source
    FROM shipment_events WHERE shipment_id = ${shipmentId} ORDER BY occurred_at, id`);

export async function saveShipment(db: Db, s: ShipmentRow) {
  await db.query(sql`
    UPDATE shipments SET status = ${s.status}, sub_status = ${s.sub_status}, status_at = ${s.status_at?.toISOString() ?? null}::timestamptz,
      estimated_delivery_at = ${s.estimated_delivery_at?.toISOString() ?? null}::timestamptz,
      original_estimate_at = ${s.original_estimate_at?.toISOString() ?? null}::timestamptz,
      label_at = ${s.label_at?.toISOString() ?? null}::timestamptz, first_scan_at = ${s.first_scan_at?.toISOString() ?? null}::timestamptz,
      delivered_at = ${s.delivered_at?.toISOString() ?? null}::timestamptz, last_event_at = ${s.last_event_at?.toISOString() ?? null}::timestamptz,
      updated_at = now()
    WHERE id = ${s.id}`);
}

export const shipmentsOfOrder = (db: Db, workspaceId: number, orderId: number) =>
  db.query<ShipmentRow>(
    sql`SELECT * FROM shipments WHERE workspace_id = ${workspaceId} AND order_id = ${orderId} ORDER BY id`,
  );
export const shipmentById = (db: Db, workspaceId: number, id: number) =>
  db.one<ShipmentRow>(sql`SELECT * FROM shipments WHERE workspace_id = ${workspaceId} AND id = ${id}`);
export const listShipments = (
  db: Db,
  workspaceId: number,
  f: { status?: string; orderId?: number; limit: number },
) =>
  db.query<ShipmentRow>(sql`
    SELECT * FROM shipments WHERE workspace_id = ${workspaceId}
      ${f.status ? sql`AND status = ${f.status}` : sql``} ${f.orderId ? sql`AND order_id = ${f.orderId}` : sql``}
    ORDER BY updated_at DESC, id DESC LIMIT ${f.limit}`);
export const openShipments = (db: Db, workspaceId: number) =>
  db.query<ShipmentRow>(sql`
    SELECT * FROM shipments WHERE workspace_id = ${workspaceId} AND status NOT IN ('delivered', 'expired') ORDER BY id`);
export const workspacesWithShipments = async (db: Db) =>
  (await db.query<{ workspace_id: number }>(sql`SELECT DISTINCT workspace_id FROM shipments`)).map(
    (r) => r.workspace_id,
  );

/** Records that a rule fired for a shipment; false when it already had (first notice per status only). */
export async function claimDetection(
  db: Db,
  workspaceId: number,
  shipmentId: number,
  rule: string,
  detail: string,
) {
  const r = await db.one<{ rule: string }>(sql`
    INSERT INTO tracking_detections (workspace_id, shipment_id, rule, detail) VALUES (${workspaceId}, ${shipmentId}, ${rule}, ${detail})
    ON CONFLICT DO NOTHING RETURNING rule`);
  return !!r;
}
export async function setDetectionTicket(db: Db, shipmentId: number, rule: string, ticketId: number) {
  await db.query(
    sql`UPDATE tracking_detections SET ticket_id = ${ticketId} WHERE shipment_id = ${shipmentId} AND rule = ${rule}`,
  );
}
export async function setDetectionNotice(db: Db, shipmentId: number, rule: string, status: string) {
  await db.query(
    sql`UPDATE tracking_detections SET notice_status = ${status} WHERE shipment_id = ${shipmentId} AND rule = ${rule}`,
  );
}
/** The ticket an earlier detection on this order opened (annotate it rather than open another). */
export const orderTicket = async (db: Db, workspaceId: number, orderId: number) =>
  (
    await db.one<{ ticket_id: number }>(sql`
      SELECT d.ticket_id FROM tracking_detections d JOIN shipments s ON s.id = d.shipment_id
      WHERE d.workspace_id = ${workspaceId} AND s.order_id = ${orderId} AND d.ticket_id IS NOT NULL
      ORDER BY d.detected_at DESC LIMIT 1`)
  )?.ticket_id ?? null;
export const detections = (db: Db, workspaceId: number, limit: number) =>
  db.query<{
    shipment_id: number;
    rule: string;
    detail: string;
    ticket_id: number | null;
    detected_at: Date;
    tracking_number: string;
    order_id: number | null;
  }>(sql`
    SELECT d.shipment_id, d.rule, d.detail, d.ticket_id, d.detected_at, s.tracking_number, s.order_id
    FROM tracking_detections d JOIN shipments s ON s.id = d.shipment_id
    WHERE d.workspace_id = ${workspaceId} ORDER BY d.detected_at DESC LIMIT ${limit}`);

export interface TrackingSettings {
  no_first_scan_days: number;
  in_transit_days: number;
  notify: boolean;
  store_cursor: Date | null;
  business_days: boolean;
  work_days: number[];
  holidays: string[];
  time_zone: string;
  /** Thresholds per carrier: `{ carrier, noFirstScanDays?, inTransitDays? }[]`. */
  rule_overrides: { carrier: string; noFirstScanDays?: number; inTransitDays?: number }[];
}
export const settings = async (db: Db, workspaceId: number): Promise<TrackingSettings> =>
  (await db.one<TrackingSettings>(sql`
    SELECT no_first_scan_days, in_transit_days, notify, store_cursor, business_days, work_days, holidays, time_zone,
      rule_overrides FROM tracking_settings WHERE workspace_id = ${workspaceId}`)) ?? {
    no_first_scan_days: 2,
    in_transit_days: 7,
    notify: true,
    store_cursor: null,
    business_days: false,
    work_days: [1, 2, 3, 4, 5],
    holidays: [],
    time_zone: 'UTC',
    rule_overrides: [],
  };
export async function saveSettings(db: Db, workspaceId: number, s: TrackingSettings) {
  await db.query(sql`
    INSERT INTO tracking_settings (workspace_id, no_first_scan_days, in_transit_days, notify, store_cursor, business_days,
      work_days, holidays, time_zone, rule_overrides)
    VALUES (${workspaceId}, ${s.no_first_scan_days}, ${s.in_transit_days}, ${s.notify}, ${s.store_cursor?.toISOString() ?? null}::timestamptz,
      ${s.business_days}, ${s.work_days}::int[], ${s.holidays}::text[], ${s.time_zone}, ${JSON.stringify(s.rule_overrides)}::jsonb)
    ON CONFLICT (workspace_id) DO UPDATE SET no_first_scan_days = EXCLUDED.no_first_scan_days, in_transit_days = EXCLUDED.in_transit_days,
      notify = EXCLUDED.notify, store_cursor = EXCLUDED.store_cursor, business_days = EXCLUDED.business_days,
      work_days = EXCLUDED.work_days, holidays = EXCLUDED.holidays, time_zone = EXCLUDED.time_zone,
      rule_overrides = EXCLUDED.rule_overrides, updated_at = now()`);
}

/** Rules that fired on an order's parcels (the tracking page's delay banner). */
export const orderDetections = (db: Db, workspaceId: number, orderId: number) =>
  db.query<{ shipment_id: number; rule: string }>(sql`
    SELECT d.shipment_id, d.rule FROM tracking_detections d JOIN shipments s ON s.id = d.shipment_id
    WHERE d.workspace_id = ${workspaceId} AND s.order_id = ${orderId}`);
