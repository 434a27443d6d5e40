import type { ShipmentRow } from './tracking.repository.ts';

/** A delay or delivery problem found on a shipment; `rule` is unique per shipment (fires once). */
export interface Detection {
  rule: string;
  /** What happened, for the ticket note and the notice (plain English; templates add the rest). */
  what: string;
}

const DAY = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);

/** How days are counted: calendar days, or the carrier's working days minus holidays in a time zone. */
export interface DayCalendar {
  businessDays: boolean;
  /** ISO weekdays carriers work (1 = Monday … 7 = Sunday). */
  workDays: number[];
  /** Local dates (YYYY-MM-DD) no parcel moves. */
  holidays: string[];
  timeZone: string;
}
export const CALENDAR_DAYS: DayCalendar = {
  businessDays: false,
  workDays: [],
  holidays: [],
  timeZone: 'UTC',
};

const localDay = (d: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

/**
 * Whole days from `from` to `now`: calendar days, or — with business days — the working days after
 * `from`'s local date up to and including `now`'s, skipping holidays (a label made on Friday evening is
 * one business day old on Monday).
 */
export function daysBetween(from: Date, now: Date, cal: DayCalendar): number {
  if (!cal.businessDays) return (now.getTime() - from.getTime()) / DAY;
  const start = Date.parse(`${localDay(from, cal.timeZone)}T00:00:00Z`);
  const end = Date.parse(`${localDay(now, cal.timeZone)}T00:00:00Z`);
  const holidays = new Set(cal.holidays);
  let n = 0;
  // Bounded: at most a year of days is walked (older parcels are long past any threshold).
  for (let t = start + DAY, i = 0; t <= end && i < 366; t += DAY, i++) {
    const iso = new Date(t).toISOString().slice(0, 10);
    const weekday = new Date(t).getUTCDay() || 7;
    if (cal.workDays.includes(weekday) && !holidays.has(iso)) n++;
  }
  return n;
}

/**
 * The rules (docs/tracking.md): status-based ones fire when the status is reached, time-based ones
 * when the sweep (or an update) finds them due. Pure: the shipment, the thresholds and "now".
 */
export function detect(
  s: Pick<
    ShipmentRow,
    | 'status'
    | 'sub_status'
    | 'label_at'
    | 'first_scan_at'
    | 'delivered_at'
    | 'estimated_delivery_at'
    | 'original_estimate_at'
    | 'created_at'
  >,
  t: { no_first_scan_days: number; in_transit_days: number },
  now: Date,
  /**
   * A carrier feed (AfterShip, EasyPost, Shippo) reports this parcel: only then does a missing scan
   * mean something (a store that never updates shipment status would look unscanned forever).
   */
  carrierFed = true,
  cal: DayCalendar = CALENDAR_DAYS,
): Detection[] {
  const out: Detection[] = [];
  if (s.status === 'delivered') return out;
  if (s.status === 'failed_attempt')
    out.push({ rule: 'failed_attempt', what: 'The carrier tried to deliver your parcel but could not.' });
  if (s.status === 'exception')
    out.push({
      rule: `exception:${s.sub_status ?? 'other'}`,
      what: `The carrier reported a problem with your parcel (${(s.sub_status ?? 'other').replace(/_/g, ' ')}).`,
    });
  if (s.status === 'expired') out.push({ rule: 'lost', what: 'The carrier has lost track of your parcel.' });
  if (s.status === 'available_for_pickup')
    out.push({
      rule: 'pickup',
      what: 'Your parcel is waiting for you at a pickup point; it goes back to us if it is not collected.',
    });
  const since = s.label_at ?? s.created_at;
  if (
    carrierFed &&
    !s.first_scan_at &&
    s.status === 'info_received' &&
    daysBetween(since, now, cal) > t.no_first_scan_days
  )
    out.push({
      rule: 'no_first_scan',
      what: `Your parcel has not been scanned by the carrier since its label was made on ${day(since)}.`,
    });
  if (s.first_scan_at && s.status !== 'expired' && daysBetween(s.first_scan_at, now, cal) > t.in_transit_days)
    out.push({
      rule: 'in_transit_long',
      what: `Your parcel has been on its way since ${day(s.first_scan_at)}, longer than it should.`,
    });
  if (s.estimated_delivery_at && s.estimated_delivery_at.getTime() + DAY < now.getTime())
    out.push({
      rule: 'estimate_passed',
      what: `Your parcel was expected by ${day(s.estimated_delivery_at)} and has not arrived.`,
    });
  if (
    s.original_estimate_at &&
    s.estimated_delivery_at &&
    s.estimated_delivery_at.getTime() - s.original_estimate_at.getTime() >= DAY
  )
    out.push({
      rule: `estimate_pushed:${day(s.estimated_delivery_at)}`,
      what: `The carrier moved the expected delivery from ${day(s.original_estimate_at)} to ${day(s.estimated_delivery_at)}.`,
    });
  return out;
}
