/**
 * One status set for every source (docs/tracking.md) and the mapping tables from each source's own
 * words. Pure: payload in, normalised tracking update out.
 */
export const STATUSES = [
  'info_received',
  'in_transit',
  'out_for_delivery',
  'failed_attempt',
  'available_for_pickup',
  'exception',
  'delivered',
  'expired',
] as const;
export type ShipmentStatus = (typeof STATUSES)[number];

/**
 * How far along a status is: a shipment's status only moves to an equal or higher rank (a late scan
 * "in transit" never undoes "out for delivery"; nothing undoes "delivered"). Failed attempt, exception
 * and out for delivery share a rank so a redelivery can follow a failed attempt.
 */
export const RANK: Record<ShipmentStatus, number> = {
  info_received: 1,
  in_transit: 2,
  out_for_delivery: 3,
  failed_attempt: 3,
  exception: 3,
  available_for_pickup: 4,
  delivered: 6,
  expired: 5,
};

export interface NormalEvent {
  /** The source's event id, or a hash of carrier time + status + message when it has none. */
  key: string;
  status: ShipmentStatus;
  subStatus: string | null;
  occurredAt: Date;
  location: string | null;
  message: string;
}
export interface NormalUpdate {
  trackingNumber: string;
  carrier: string | null;
  status: ShipmentStatus | null;
  subStatus: string | null;
  estimatedDelivery: Date | null;
  events: NormalEvent[];
}

type Mapped = [ShipmentStatus, string | null] | null;

// ---- AfterShip: tag / subtag (https://www.aftership.com/docs/tracking/others/delivery-status) ----
export const AFTERSHIP: Record<string, ShipmentStatus> = {
  Pending: 'info_received',
  InfoReceived: 'info_received',
  InTransit: 'in_transit',
  OutForDelivery: 'out_for_delivery',
  AttemptFail: 'failed_attempt',
  AvailableForPickup: 'available_for_pickup',
  Delivered: 'delivered',
  Exception: 'exception',
  Expired: 'expired',
};
const aftershipSub: Record<string, string> = {
  Exception_004: 'unknown_location',
  Exception_005: 'damaged',
  Exception_006: 'customs',
  Exception_007: 'returning_to_sender',
  Exception_008: 'address_issue',
  Exception_010: 'held',
  Exception_011: 'returned_to_sender',
  Exception_012: 'cancelled',
  Exception_013: 'lost',
};
const mapAftership = (tag: unknown, subtag: unknown): Mapped => {
  const s = AFTERSHIP[String(tag)];
  if (!s) return null;
  if (s === 'exception' && subtag === 'Exception_013') return ['expired', 'lost'];
  return [s, s === 'exception' ? (aftershipSub[String(subtag)] ?? 'other') : null];
};

// ---- EasyPost: Tracker.status / status_detail ----
export const EASYPOST: Record<string, Mapped> = {
  pre_transit: ['info_received', null],
  in_transit: ['in_transit', null],
  out_for_delivery: ['out_for_delivery', null],
  available_for_pickup: ['available_for_pickup', null],
  delivered: ['delivered', null],
  return_to_sender: ['exception', 'returned_to_sender'],
  failure: ['exception', 'failure'],
  cancelled: ['exception', 'cancelled'],
  error: ['exception', 'error'],
  unknown: null,
};
const mapEasypost = (status: unknown, detail: unknown): Mapped => {
  const m = EASYPOST[String(status)] ?? null;
  if (m && String(detail ?? '').includes('attempt')) return ['failed_attempt', null];
  if (m?.[0] === 'exception' && String(detail ?? '').includes('lost')) return ['expired', 'lost'];
  return m;
};

// ---- Shippo: tracking_status.status / substatus.code ----
export const SHIPPO: Record<string, Mapped> = {
  PRE_TRANSIT: ['info_received', null],
  TRANSIT: ['in_transit', null],
  DELIVERED: ['delivered', null],
  RETURNED: ['exception', 'returned_to_sender'],
  FAILURE: ['exception', 'failure'],
  UNKNOWN: null,
};
const shippoSub: Record<string, Mapped> = {
  out_for_delivery: ['out_for_delivery', null],
  delivery_attempted: ['failed_attempt', null],
  pickup_available: ['available_for_pickup', null],
  package_lost: ['expired', 'lost'],
  package_damaged: ['exception', 'damaged'],
  address_issue: ['exception', 'address_issue'],
  delivery_rescheduled: ['exception', 'rescheduled'],
  package_held: ['exception', 'held'],
};
const mapShippo = (status: unknown, sub: unknown): Mapped =>
  (sub ? shippoSub[String(sub)] : undefined) ?? SHIPPO[String(status)] ?? null;

// ---- Shopify fulfilment shipment_status (also the built-in store and WooCommerce shipment updates) ----
export const STORE: Record<string, Mapped> = {
  label_printed: ['info_received', null],
  label_purchased: ['info_received', null],
  confirmed: ['info_received', null],
  in_transit: ['in_transit', null],
  out_for_delivery: ['out_for_delivery', null],
  attempted_delivery: ['failed_attempt', null],
  ready_for_pickup: ['available_for_pickup', null],
  picked_up: ['delivered', null],
  delivered: ['delivered', null],
  failure: ['exception', 'failure'],
  carrier_picked_up: ['in_transit', null],
};
export const mapStoreStatus = (s: string | null | undefined): Mapped => (s ? (STORE[s] ?? null) : null);

const date = (v: unknown): Date | null => {
  if (typeof v !== 'string' || !v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};
const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
const keyOf = (at: Date, status: string, message: string) =>
  `${at.toISOString()}|${status}|${message}`.slice(0, 300);

/** AfterShip `tracking_update` webhook (`{ event, event_id, msg: Tracking }`), or the Tracking alone. */
export function fromAftership(body: Record<string, unknown>): NormalUpdate | null {
  const t = (body.msg ?? (body.data as { tracking?: unknown } | undefined)?.tracking ?? body) as Record<
    string,
    unknown
  >;
  const number = str(t.tracking_number);
  if (!number) return null;
  const events: NormalEvent[] = [];
  for (const c of (Array.isArray(t.checkpoints) ? t.checkpoints : []) as Record<string, unknown>[]) {
    const m = mapAftership(c.tag, c.subtag);
    const at = date(c.checkpoint_time);
    if (!m || !at) continue;
    const message = String(c.message ?? '');
    events.push({
      key: keyOf(at, String(c.subtag ?? c.tag), message),
      status: m[0],
      subStatus: m[1],
      occurredAt: at,
      location: str(c.location) ?? str(c.city) ?? str(c.country_name),
      message,
    });
  }
  const m = mapAftership(t.tag, t.subtag);
  return {
    trackingNumber: number,
    carrier: str(t.slug),
    status: m?.[0] ?? null,
    subStatus: m?.[1] ?? null,
    estimatedDelivery:
      date(t.expected_delivery) ?? date((t.latest_estimated_delivery as { datetime?: unknown })?.datetime),
    events,
  };
}

/** EasyPost `Event` (`description: tracker.updated`, `result: Tracker`). */
export function fromEasypost(body: Record<string, unknown>): NormalUpdate | null {
  const t = (body.result ?? body) as Record<string, unknown>;
  if (t.object !== 'Tracker') return null;
  const number = str(t.tracking_code);
  if (!number) return null;
  const events: NormalEvent[] = [];
  for (const d of (Array.isArray(t.tracking_details) ? t.tracking_details : []) as Record<
    string,
    unknown
  >[]) {
    const m = mapEasypost(d.status, d.status_detail);
    const at = date(d.datetime);
    if (!m || !at) continue;
    const loc = (d.tracking_location ?? {}) as Record<string, unknown>;
    const message = String(d.message ?? d.description ?? '');
    events.push({
      key: keyOf(at, String(d.status_detail ?? d.status), message),
      status: m[0],
      subStatus: m[1],
      occurredAt: at,
      location: [str(loc.city), str(loc.state), str(loc.country)].filter(Boolean).join(', ') || null,
      message,
    });
  }
  const m = mapEasypost(t.status, t.status_detail);
  return {
    trackingNumber: number,
    carrier: str(t.carrier),
    status: m?.[0] ?? null,
    subStatus: m?.[1] ?? null,
    estimatedDelivery: date(t.est_delivery_date),
    events,
  };
}

/** Shippo `track_updated` webhook (`{ event, data: Track }`). */
export function fromShippo(body: Record<string, unknown>): NormalUpdate | null {
  const t = (body.data ?? body) as Record<string, unknown>;
  const number = str(t.tracking_number);
  if (!number) return null;
  const events: NormalEvent[] = [];
  const one = (s: Record<string, unknown>) => {
    const m = mapShippo(s.status, (s.substatus as { code?: unknown } | null)?.code);
    const at = date(s.status_date);
    if (!m || !at) return;
    const loc = (s.location ?? {}) as Record<string, unknown>;
    const message = String(s.status_details ?? '');
    events.push({
      key: str(s.object_id) ?? keyOf(at, String(s.status), message),
      status: m[0],
      subStatus: m[1],
      occurredAt: at,
      location: [str(loc.city), str(loc.state), str(loc.country)].filter(Boolean).join(', ') || null,
      message,
    });
  };
  for (const s of (Array.isArray(t.tracking_history) ? t.tracking_history : []) as Record<string, unknown>[])
    one(s);
  const cur = (t.tracking_status ?? null) as Record<string, unknown> | null;
  if (cur) one(cur);
  const m = cur ? mapShippo(cur.status, (cur.substatus as { code?: unknown } | null)?.code) : null;
  return {
    trackingNumber: number,
    carrier: str(t.carrier),
    status: m?.[0] ?? null,
    subStatus: m?.[1] ?? null,
    estimatedDelivery: date(t.eta),
    events,
  };
}
