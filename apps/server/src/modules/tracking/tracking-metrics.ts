import { type Db, sql } from '../../platform/db/db.ts';

const since = (days: number) => sql`now() - make_interval(days => ${days})`;

const detectionTotals = (db: Db, w: number, days: number) =>
  db.one<{ n: number; late: number; problems: number; orders: number; notified: number }>(sql`
    SELECT count(*)::int AS n,
      count(*) FILTER (WHERE d.rule LIKE 'estimate%' OR d.rule IN ('in_transit_long', 'no_first_scan'))::int AS late,
      count(*) FILTER (WHERE NOT (d.rule LIKE 'estimate%' OR d.rule IN ('in_transit_long', 'no_first_scan')))::int AS problems,
      count(DISTINCT s.order_id)::int AS orders,
      -- One notice per order and rule (its dedupe key): count those pairs, not parcels.
      count(DISTINCT (s.order_id, d.rule)) FILTER (WHERE d.notice_status = 'sent')::int AS notified
    FROM tracking_detections d JOIN shipments s ON s.id = d.shipment_id
    WHERE d.workspace_id = ${w} AND d.detected_at >= ${since(days)}`);

const onTime = (db: Db, w: number, days: number) =>
  db.query<{ carrier: string; delivered: number; on_time: number }>(sql`
    SELECT coalesce(carrier, '—') AS carrier, count(*)::int AS delivered,
      count(*) FILTER (WHERE delivered_at < date_trunc('day', original_estimate_at) + interval '1 day')::int AS on_time
    FROM shipments
    WHERE workspace_id = ${w} AND status = 'delivered' AND delivered_at >= ${since(days)}
      AND original_estimate_at IS NOT NULL
    GROUP BY 1 ORDER BY 2 DESC`);

/**
 * Tracking's figures for the analytics registry (docs/tracking.md "Measure it"): parcels are not
 * tickets, so these are summaries over the report's days, read from tracking's own tables only.
 */
export const trackingSummaries = [
  {
    key: 'delivery_problems',
    label: 'Delivery problems found',
    definition:
      'Late or broken deliveries the delivery check found (one per parcel and rule: no first scan, in transit too long, estimate passed or pushed out, failed attempt, exception, waiting at a pickup point, lost), by when they were found, over the days from the report’s first day to today. Not split by the report’s filters.',
    async summary(db: Db, w: number, days: number) {
      const t = await detectionTotals(db, w, days);
      const n = t?.n ?? 0;
      return {
        value: n,
        n,
        detail: `${t?.late ?? 0} late, ${t?.problems ?? 0} carrier problems, on ${t?.orders ?? 0} orders`,
      };
    },
  },
  {
    key: 'delivery_notices',
    label: 'Proactive delivery notices',
    definition:
      'Shoppers told about a delivery problem before they asked: delivery notices sent (one per order and rule; scheduled for after quiet hours and skipped ones — opted out, over the cap, no channel — are not counted), over the same days.',
    async summary(db: Db, w: number, days: number) {
      const t = await detectionTotals(db, w, days);
      return {
        value: t?.notified ?? 0,
        n: t?.orders ?? 0,
        detail: `${t?.notified ?? 0} notices for ${t?.orders ?? 0} orders with a problem`,
      };
    },
  },
  {
    key: 'delivery_on_time',
    label: 'On-time deliveries',
    definition:
      'Share of parcels delivered in the period that arrived by the end of the first delivery day the carrier announced (later estimates do not move it); parcels without an announced day are not counted. Per carrier in the detail.',
    async summary(db: Db, w: number, days: number) {
      const rows = await onTime(db, w, days);
      const n = rows.reduce((a, r) => a + r.delivered, 0);
      const ok = rows.reduce((a, r) => a + r.on_time, 0);
      return {
        value: n ? Math.round((1000 * ok) / n) / 10 : null,
        n,
        detail: n
          ? rows
              .slice(0, 5)
              .map((r) => `${r.carrier} ${Math.round((100 * r.on_time) / r.delivered)} % of ${r.delivered}`)
              .join(', ')
          : 'no parcels with an announced day delivered',
      };
    },
  },
];
