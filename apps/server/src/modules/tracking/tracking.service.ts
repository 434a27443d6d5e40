import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WebhookRejected } from '../../channels/inbound.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { keyRing } from '../../platform/security/keys.ts';
import {
  orderContact,
  type StoreShipment,
  storeShipmentByTracking,
  storeShipmentsChangedSince,
  workspacesWithStores,
} from '../commerce/index.ts';
import type { OrderDeliveryStatus, ShopperLinks } from '../helpcenter/index.ts';
import type { IntakeSource } from '../intake/index.ts';
import type { NoticesService } from '../notices/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { detect } from './detection.ts';
import {
  fromAftership,
  fromEasypost,
  fromShippo,
  mapStoreStatus,
  type NormalUpdate,
  RANK,
  type ShipmentStatus,
} from './normalize.ts';
import { deferPoll } from './polling.repository.ts';
import * as repo from './tracking.repository.ts';

export const PROVIDERS = ['aftership', 'easypost', 'shippo'] as const;
/** Shipments made for a return's label (modules/labels). */
export const RETURN_SOURCE = 'return';
export type Provider = (typeof PROVIDERS)[number];

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};
const header = (h: Record<string, string | string[] | undefined>, name: string) => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
};

/** Checks a provider's signature as its documentation says (docs/tracking.md "Webhooks"). */
export function verifyProviderSignature(
  provider: Provider,
  secret: string,
  req: { headers: Record<string, string | string[] | undefined>; body: Buffer; url: string },
): boolean {
  if (provider === 'aftership') {
    // aftership-hmac-sha256: base64 HMAC-SHA256 of the raw body with the webhook secret.
    const want = createHmac('sha256', secret).update(req.body).digest('base64');
    return same(header(req.headers, 'aftership-hmac-sha256'), want);
  }
  if (provider === 'easypost') {
    // X-Hmac-Signature: "hmac-sha256-hex=" + hex HMAC-SHA256 of the raw body, key = NFKD(secret).
    const want = `hmac-sha256-hex=${createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8'))
      .update(req.body)
      .digest('hex')}`;
    return same(header(req.headers, 'x-hmac-signature'), want);
  }
  // Shippo: the self-generated token it echoes in the webhook URL's query (`?token=…`).
  const token = new URL(req.url, 'http://x').searchParams.get('token') ?? '';
  return same(token, secret);
}

const normalizers: Record<Provider, (b: Record<string, unknown>) => NormalUpdate | null> = {
  aftership: fromAftership,
  easypost: fromEasypost,
  shippo: fromShippo,
};
/** A provider's tracking object (webhook or API answer) in the normalised form; null when unknown. */
export const normalizeProvider = (provider: string, body: Record<string, unknown>) =>
  (PROVIDERS as readonly string[]).includes(provider) ? normalizers[provider as Provider](body) : null;

export interface TrackingOptions {
  tickets: Pick<TicketsService, 'openSystemTicket' | 'addSystemNote' | 'publishSystemEvents' | 'findSummary'>;
  notices: Pick<NoticesService, 'send' | 'registerKind'>;
  shopperLinks: Pick<ShopperLinks, 'url'>;
  now?: () => Date;
}

export function createTrackingService(deps: Deps, o: TrackingOptions) {
  const { db, config } = deps;
  const keys = keyRing(config);
  const now = o.now ?? (() => new Date());

  o.notices.registerKind({
    kind: 'order.delivery_update',
    description: 'News about your deliveries (delays, failed attempts, parcels waiting for you)',
    variables: [
      'order.number',
      'delivery.what_happened',
      'delivery.summary',
      'delivery.estimate',
      'order.tracking_page_url',
    ],
    templates: {
      en: {
        subject: 'Order {{order.number}}: an update on your delivery',
        body:
          'Hi {{customer.first_name | there}},\n\n{{delivery.what_happened}}\n\n{{delivery.summary | }}\n' +
          'Expected delivery: {{delivery.estimate}}\n\nWe are on it with the carrier and will write again when it moves. ' +
          'If you would rather have it sent to a pickup point, reshipped or refunded, just reply to this message.\n\n' +
          'Follow your order: {{order.tracking_page_url}}\n\n{{shop.name}}',
      },
      de: {
        subject: 'Bestellung {{order.number}}: Neuigkeiten zu Ihrer Lieferung',
        body:
          'Hallo {{customer.first_name | zusammen}},\n\n{{delivery.what_happened}}\n\n{{delivery.summary | }}\n' +
          'Voraussichtliche Zustellung: {{delivery.estimate}}\n\nWir klären das mit dem Versanddienst und melden uns wieder. ' +
          'Möchten Sie die Sendung lieber an eine Abholstelle, neu verschickt oder erstattet? Antworten Sie einfach.\n\n' +
          'Ihre Bestellung: {{order.tracking_page_url}}\n\n{{shop.name}}',
      },
    },
  });

  /** Merges an update into its shipment: events by key, status by carrier time, forward only. */
  async function apply(workspaceId: number, u: NormalUpdate, source: string) {
    const shipment = await db.tx(async (tx) => {
      const store = await storeShipmentByTracking(tx, workspaceId, u.trackingNumber);
      const s = await repo.lockShipment(tx, workspaceId, {
        trackingNumber: u.trackingNumber,
        carrier: u.carrier ?? store?.carrier ?? null,
        orderId: store?.order_id ?? null,
        source,
      });
      await repo.addEvents(tx, workspaceId, s.id, source, u.events);
      const hist = await repo.history(tx, s.id);
      const next = { ...s };
      // The latest event by the carrier's clock (never by arrival order); the summary status only when there are none.
      const latest = [...hist]
        .sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime() || RANK[a.status] - RANK[b.status])
        .at(-1);
      // Delivery is final: a stray scan timed after it (or arriving before it) never hides it.
      const delivered = hist.find((e) => e.status === 'delivered');
      const candidate: { status: ShipmentStatus; sub: string | null; at: Date | null } | null = delivered
        ? { status: 'delivered', sub: null, at: delivered.occurred_at }
        : latest
          ? { status: latest.status, sub: latest.sub_status, at: latest.occurred_at }
          : u.status
            ? { status: u.status, sub: u.subStatus, at: null }
            : null;
      if (candidate && RANK[candidate.status] >= RANK[s.status] && s.status !== 'delivered') {
        next.status = candidate.status;
        next.sub_status = candidate.sub;
        next.status_at = candidate.at ?? s.status_at;
      }
      const first = (f: (e: repo.EventRow) => boolean) => hist.find(f)?.occurred_at ?? null;
      next.label_at = first((e) => e.status === 'info_received') ?? s.label_at;
      next.first_scan_at = first((e) => e.status !== 'info_received') ?? s.first_scan_at;
      next.delivered_at = first((e) => e.status === 'delivered') ?? s.delivered_at;
      next.last_event_at = hist.at(-1)?.occurred_at ?? s.last_event_at;
      if (u.estimatedDelivery) {
        next.original_estimate_at = s.original_estimate_at ?? u.estimatedDelivery;
        next.estimated_delivery_at = u.estimatedDelivery;
      }
      await repo.saveShipment(tx, next);
      return next;
    });
    await detectOn(shipment);
    return shipment;
  }

  /** Runs the rules on a shipment; each new detection annotates (or opens) the order's ticket and tells the shopper. */
  async function detectOn(s: repo.ShipmentRow) {
    // A return parcel is the shop's to watch (its history shows on the return): the delivery rules
    // would tell the shopper their order is late.
    if (s.source === RETURN_SOURCE) return;
    const settings = await repo.settings(db, s.workspace_id);
    const carrierFed = (await repo.history(db, s.id)).some((e) => e.source !== 'store');
    // The carrier's own thresholds when set (case-insensitive name), else the workspace's.
    const ov = settings.rule_overrides.find(
      (r) => r.carrier.toLowerCase() === (s.carrier ?? '').toLowerCase(),
    );
    const thresholds = {
      no_first_scan_days: ov?.noFirstScanDays ?? settings.no_first_scan_days,
      in_transit_days: ov?.inTransitDays ?? settings.in_transit_days,
    };
    const cal = {
      businessDays: settings.business_days,
      workDays: settings.work_days,
      holidays: settings.holidays,
      timeZone: settings.time_zone,
    };
    for (const d of detect(s, thresholds, now(), carrierFed, cal)) {
      if (!(await repo.claimDetection(db, s.workspace_id, s.id, d.rule, d.what))) continue;
      try {
        await act(s, d, settings.notify);
      } catch (err) {
        deps.log.error({ err, shipmentId: s.id, rule: d.rule }, 'tracking: acting on a detection failed');
      }
    }
  }

  async function act(s: repo.ShipmentRow, d: { rule: string; what: string }, notify: boolean) {
    {
      if (!s.order_id) return;
      const order = await orderContact(db, s.workspace_id, s.order_id);
      if (!order?.email) return;
      const parcels = await repo.shipmentsOfOrder(db, s.workspace_id, s.order_id);
      const summary = orderSummary(parcels, s);
      const historyText = (
        await Promise.all(parcels.map(async (p) => parcelHistory(p, await repo.history(db, p.id))))
      ).join('\n\n');
      const via = { kind: 'tracking' as const, name: `Delivery check: ${d.rule}` };
      const existing = await repo.orderTicket(db, s.workspace_id, s.order_id);
      const live = existing ? await o.tickets.findSummary(s.workspace_id, existing) : null;
      const { ticketId, events } = await db.tx(async (tx) => {
        let ticketId = live?.id ?? null;
        const ev = [];
        if (!ticketId) {
          const opened = await o.tickets.openSystemTicket(
            tx,
            s.workspace_id,
            {
              subject: `Order ${order.number}: delivery needs attention`,
              channel: 'email',
              contact: { email: order.email!, name: order.customer_name },
              tags: ['delivery-issue', `delivery-${d.rule.split(':')[0]!.replace(/_/g, '-')}`],
            },
            via,
          );
          ticketId = opened.ticketId;
          ev.push(...opened.events);
        }
        ev.push(
          ...(await o.tickets.addSystemNote(
            tx,
            s.workspace_id,
            ticketId,
            `Delivery check found: ${d.what}\n${summary}\n\nScan history\n${historyText}`,
            via,
          )),
        );
        await repo.setDetectionTicket(tx, s.id, d.rule, ticketId);
        return { ticketId, events: ev };
      });
      await o.tickets.publishSystemEvents(events);
      if (!notify) return;
      const sent = await o.notices.send({
        workspaceId: s.workspace_id,
        kind: 'order.delivery_update',
        ticketId,
        // One notice per order and rule: two parcels late together make one message.
        dedupeKey: `tracking:order:${s.order_id}:${d.rule}`,
        about: { type: 'order', id: s.order_id },
        values: {
          'order.number': order.number,
          'delivery.what_happened': d.what,
          'delivery.summary': summary,
          'delivery.estimate': s.estimated_delivery_at
            ? s.estimated_delivery_at.toISOString().slice(0, 10)
            : 'not known yet',
          'order.tracking_page_url': await o.shopperLinks.url({
            purpose: 'tracking',
            workspaceId: s.workspace_id,
            subject: { type: 'order', id: s.order_id },
          }),
        },
      });
      // For the analytics summaries (tracking-metrics.ts): what became of the notice.
      await repo.setDetectionNotice(db, s.id, d.rule, sent.status);
    }
  }

  /** Store fulfilments (Shopify fulfilment events, WooCommerce, the built-in store) changed since the cursor. */
  async function importStore(workspaceId: number) {
    const st = await repo.settings(db, workspaceId);
    const rows = await storeShipmentsChangedSince(db, workspaceId, st.store_cursor);
    for (const f of rows) await apply(workspaceId, fromStore(f), 'store');
    if (rows.length)
      await repo.saveSettings(db, workspaceId, { ...st, store_cursor: rows.at(-1)!.remote_updated_at });
    return rows.length;
  }

  const svc = {
    apply,
    importStore,

    /**
     * A return parcel's label was made (modules/labels): the shipment joins the same pipeline as the
     * store's outbound parcels, on the order, so the carrier aggregators' webhooks (EasyPost, Shippo,
     * AfterShip) move it on; the delivery rules and the tracking page leave it out.
     */
    async trackReturn(
      workspaceId: number,
      p: { trackingNumber: string; carrier: string | null; orderId: number },
    ) {
      await db.tx((tx) => repo.lockShipment(tx, workspaceId, { ...p, source: RETURN_SOURCE }));
      return apply(
        workspaceId,
        {
          trackingNumber: p.trackingNumber,
          carrier: p.carrier,
          status: 'info_received',
          subStatus: null,
          estimatedDelivery: null,
          events: [
            {
              key: 'return:label',
              status: 'info_received',
              subStatus: null,
              occurredAt: now(),
              location: null,
              message: 'Return label created',
            },
          ],
        },
        RETURN_SOURCE,
      );
    },

    /** The intake source for carrier aggregators: `POST /api/v1/intake/tracking/<key>/<provider>`. */
    intakeSource(): IntakeSource {
      return {
        name: 'tracking',
        async accept(req) {
          const src = await repo.sourceByKey(db, req.key);
          if (!src || src.provider !== req.kind)
            throw new WebhookRejected(404, 'No tracking source at this address');
          const provider = src.provider as Provider;
          if (!verifyProviderSignature(provider, keys.decrypt(src.secret_enc), req))
            throw new WebhookRejected(401, 'Bad signature');
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(req.body.toString('utf8'));
          } catch {
            throw new WebhookRejected(400, 'Not JSON');
          }
          const id =
            (provider === 'aftership' && typeof body.event_id === 'string' && body.event_id) ||
            (provider === 'easypost' && typeof body.id === 'string' && body.id) ||
            createHash('sha256').update(req.body).digest('hex');
          return { workspaceId: src.workspace_id, providerId: `${provider}:${id}`, headers: { provider } };
        },
        async process(event) {
          const provider = event.headers.provider as Provider;
          const u = normalizers[provider](JSON.parse(event.payload.toString('utf8')));
          if (!u) return;
          await apply(event.workspaceId, u, provider);
          // The webhook keeps this parcel current: polling it can wait a whole interval.
          await deferPoll(db, event.workspaceId, u.trackingNumber);
        },
      };
    },

    /** A provider's webhook secret for this workspace; returns the address to give the provider. */
    async connectSource(workspaceId: number, provider: Provider, secret: string) {
      if (!secret.trim()) throw new AppError('validation_failed', 'The webhook secret is empty');
      const row = await repo.upsertSource(
        db,
        workspaceId,
        provider,
        randomBytes(16).toString('hex'),
        keys.encrypt(secret),
      );
      return {
        provider,
        hookUrl: `${config.publicUrl.replace(/\/$/, '')}/api/v1/intake/tracking/${row!.hook_key}/${provider}`,
      };
    },
    sources: (workspaceId: number) => repo.sources(db, workspaceId),

    /** The sweep: store shipments, then the time-based rules on every open shipment. */
    async sweep(workspaceId?: number) {
      const ids = workspaceId
        ? [workspaceId]
        : [...new Set([...(await workspacesWithStores(db)), ...(await repo.workspacesWithShipments(db))])];
      let checked = 0;
      for (const w of ids) {
        await importStore(w);
        for (const s of await repo.openShipments(db, w)) {
          await detectOn(s);
          checked++;
        }
      }
      return { workspaces: ids.length, checked };
    },

    /**
     * The tracking page's view of an order (the help center's DeliveryStatusSource): each parcel's
     * normalised status, and a banner when a rule fired on a parcel not yet delivered.
     */
    orderDelivery: async (workspaceId: number, orderId: number): Promise<OrderDeliveryStatus | null> => {
      const parcels = (await repo.shipmentsOfOrder(db, workspaceId, orderId)).filter(
        (p) => p.source !== RETURN_SOURCE,
      );
      if (!parcels.length) return null;
      const open = new Map(parcels.filter((p) => p.status !== 'delivered').map((p) => [p.id, p]));
      const fired = (await repo.orderDetections(db, workspaceId, orderId)).filter((d) =>
        open.has(d.shipment_id),
      );
      const late = fired.find((d) => LATE_RULES.some((r) => d.rule.startsWith(r)));
      const estimate = late ? open.get(late.shipment_id)!.estimated_delivery_at : null;
      return {
        parcels: parcels.map((p) => ({
          carrier: p.carrier,
          trackingNumber: p.tracking_number,
          status: p.status,
          estimatedDeliveryAt: iso(p.estimated_delivery_at),
        })),
        delay: !fired.length
          ? null
          : late && estimate && estimate.getTime() > now().getTime()
            ? { kind: 'late', estimate: estimate.toISOString() }
            : { kind: 'problem', estimate: null },
      };
    },

    async shipment(workspaceId: number, id: number) {
      const s = await repo.shipmentById(db, workspaceId, id);
      if (!s) throw notFound('Shipment');
      return { ...toApi(s), history: (await repo.history(db, id)).map(eventApi) };
    },
    listShipments: async (workspaceId: number, f: { status?: string; orderId?: number; limit?: number }) =>
      (await repo.listShipments(db, workspaceId, { ...f, limit: Math.min(f.limit ?? 50, 200) })).map(toApi),
    detections: async (workspaceId: number, limit = 50) =>
      (await repo.detections(db, workspaceId, limit)).map((d) => ({
        shipmentId: d.shipment_id,
        trackingNumber: d.tracking_number,
        orderId: d.order_id,
        rule: d.rule,
        detail: d.detail,
        ticketId: d.ticket_id,
        detectedAt: d.detected_at.toISOString(),
      })),
    settings: (workspaceId: number) => repo.settings(db, workspaceId),
    async updateSettings(workspaceId: number, p: Partial<Omit<repo.TrackingSettings, 'store_cursor'>>) {
      const next = { ...(await repo.settings(db, workspaceId)), ...p };
      await repo.saveSettings(db, workspaceId, next);
      return next;
    },
  };
  return svc;
}

export type TrackingService = ReturnType<typeof createTrackingService>;

/** Rules that mean "late" (the banner gives the new estimate); any other rule is a carrier problem. */
const LATE_RULES = ['estimate_pushed', 'estimate_passed', 'in_transit_long', 'no_first_scan'];

function fromStore(f: StoreShipment): NormalUpdate {
  const m = mapStoreStatus(f.shipment_status);
  const events = [];
  if (f.shipped_at)
    events.push({
      key: `store:${f.external_id}:shipped`,
      status: 'info_received' as const,
      subStatus: null,
      occurredAt: f.shipped_at,
      location: null,
      message: 'Label created',
    });
  if (m && m[0] !== 'info_received')
    events.push({
      key: `store:${f.external_id}:${f.shipment_status}`,
      status: m[0],
      subStatus: m[1],
      occurredAt: m[0] === 'delivered' && f.delivered_at ? f.delivered_at : f.remote_updated_at,
      location: null,
      message: String(f.shipment_status).replace(/_/g, ' '),
    });
  return {
    trackingNumber: f.tracking_number,
    carrier: f.carrier,
    status: m?.[0] ?? null,
    subStatus: m?.[1] ?? null,
    estimatedDelivery: f.expected_delivery_at,
    events,
  };
}

const LABEL: Record<ShipmentStatus, string> = {
  info_received: 'label created',
  in_transit: 'on its way',
  out_for_delivery: 'out for delivery',
  failed_attempt: 'delivery attempt failed',
  available_for_pickup: 'waiting at a pickup point',
  exception: 'held up',
  delivered: 'delivered',
  expired: 'lost',
};

/** One line for the whole order: "2 of 3 parcels delivered, 1 delayed (…)". */
export function orderSummary(
  parcels: Pick<repo.ShipmentRow, 'id' | 'status' | 'tracking_number'>[],
  focus: { id: number },
): string {
  if (parcels.length <= 1) return '';
  const delivered = parcels.filter((p) => p.status === 'delivered').length;
  const rest = parcels
    .filter((p) => p.status !== 'delivered')
    .map((p) => `${p.tracking_number}: ${LABEL[p.status]}${p.id === focus.id ? ' (this one)' : ''}`);
  return `${delivered} of ${parcels.length} parcels delivered; ${rest.join('; ')}.`;
}

function parcelHistory(p: repo.ShipmentRow, hist: repo.EventRow[]) {
  const lines = hist.map(
    (e) =>
      `  ${e.occurred_at.toISOString().slice(0, 16).replace('T', ' ')}  ${LABEL[e.status]}${e.location ? ` · ${e.location}` : ''}${e.message ? ` · ${e.message}` : ''}`,
  );
  return `${p.carrier ?? 'Carrier'} ${p.tracking_number} — ${LABEL[p.status]}\n${lines.join('\n') || '  (no scans yet)'}`;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;
export const toApi = (s: repo.ShipmentRow) => ({
  id: s.id,
  orderId: s.order_id,
  carrier: s.carrier,
  trackingNumber: s.tracking_number,
  status: s.status,
  subStatus: s.sub_status,
  statusAt: iso(s.status_at),
  estimatedDeliveryAt: iso(s.estimated_delivery_at),
  originalEstimateAt: iso(s.original_estimate_at),
  labelAt: iso(s.label_at),
  firstScanAt: iso(s.first_scan_at),
  deliveredAt: iso(s.delivered_at),
  lastEventAt: iso(s.last_event_at),
  source: s.source,
});
const eventApi = (e: repo.EventRow) => ({
  key: e.event_key,
  status: e.status,
  subStatus: e.sub_status,
  occurredAt: e.occurred_at.toISOString(),
  location: e.location,
  message: e.message,
  source: e.source,
});
