/**
 * Business hours as pure functions over epoch milliseconds. Local wall-clock times are converted with
 * Intl, so daylight-saving changes and midnight are handled by the time-zone database, not by us.
 * A `null` calendar means "always open" (SLA targets in calendar hours).
 */

export type Weekday = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';
export const weekdays: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export interface OpenRange {
  /** "HH:MM" local time. */
  start: string;
  /** "HH:MM" local time, "24:00" for midnight at the end of the day. */
  end: string;
}

export interface Holiday {
  /** "YYYY-MM-DD" local date. */
  date: string;
  /** Repeats every year on the same month and day. */
  yearly?: boolean;
  name?: string;
}

export interface Calendar {
  timezone: string;
  weekly: Partial<Record<Weekday, OpenRange[]>>;
  holidays: Holiday[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far ahead we look for an opening before deciding a calendar is never open. */
const SEARCH_DAYS = 800;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

interface LocalParts {
  y: number;
  m: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function localParts(ms: number, tz: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms)))
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { y: out.year!, m: out.month!, d: out.day!, h: out.hour!, mi: out.minute!, s: out.second! };
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
function offsetAt(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens. Like Temporal's "compatible" rule: a time repeated when
 * clocks go back resolves to the first occurrence; a time skipped when clocks go forward moves forward by
 * the gap (02:30 on a spring-forward night becomes 03:30).
 */
export function zonedToUtc(y: number, m: number, d: number, h: number, mi: number, tz: string): number {
  const wall = Date.UTC(y, m - 1, d, h, mi);
  const before = offsetAt(wall - DAY, tz);
  const after = offsetAt(wall + DAY, tz);
  const a = wall - before;
  const b = wall - after;
  const aOk = offsetAt(a, tz) === before;
  const bOk = offsetAt(b, tz) === after;
  if (aOk && bOk) return Math.min(a, b);
  if (aOk) return a;
  if (bOk) return b;
  return a;
}

const parseHm = (s: string) => {
  const [h, m] = s.split(':').map(Number);
  return { h: h!, m: m! };
};

const pad = (n: number) => String(n).padStart(2, '0');

function isHoliday(cal: Calendar, y: number, m: number, d: number) {
  const full = `${y}-${pad(m)}-${pad(d)}`;
  const md = full.slice(5);
  return cal.holidays.some((h) => (h.yearly ? h.date.slice(5) === md : h.date === full));
}

/** Open intervals [start, end) in ms of one local date, sorted and merged. */
function dayIntervals(cal: Calendar, y: number, m: number, d: number): [number, number][] {
  if (isHoliday(cal, y, m, d)) return [];
  const weekday = weekdays[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]!;
  const ranges = cal.weekly[weekday] ?? [];
  const out: [number, number][] = [];
  for (const r of ranges) {
    const s = parseHm(r.start);
    const e = parseHm(r.end);
    const start = zonedToUtc(y, m, d, s.h, s.m, cal.timezone);
    const end =
      e.h === 24
        ? (() => {
            const n = new Date(Date.UTC(y, m - 1, d + 1));
            return zonedToUtc(n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate(), 0, 0, cal.timezone);
          })()
        : zonedToUtc(y, m, d, e.h, e.m, cal.timezone);
    if (end > start) out.push([start, end]);
  }
  out.sort((p, q) => p[0] - q[0]);
  const merged: [number, number][] = [];
  for (const iv of out) {
    const last = merged[merged.length - 1];
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else merged.push([iv[0], iv[1]]);
  }
  return merged;
}

/** Open intervals that end after `from`, in time order, for up to SEARCH_DAYS local days. */
function* intervalsFrom(cal: Calendar, from: number): Generator<[number, number]> {
  const p = localParts(from, cal.timezone);
  // Start a day early: a range ending at "24:00" on the previous local date can still be open.
  for (let i = -1; i < SEARCH_DAYS; i++) {
    const day = new Date(Date.UTC(p.y, p.m - 1, p.d + i));
    for (const iv of dayIntervals(cal, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()))
      if (iv[1] > from) yield iv;
  }
}

export function isOpen(cal: Calendar | null, at: Date): boolean {
  if (!cal) return true;
  const t = at.getTime();
  for (const [s, e] of intervalsFrom(cal, t)) {
    if (s > t) return false;
    if (t >= s && t < e) return true;
  }
  return false;
}

/** `at` itself when open, else the start of the next open interval; null when the calendar never opens. */
export function nextOpen(cal: Calendar | null, at: Date): Date | null {
  if (!cal) return at;
  const t = at.getTime();
  for (const [s] of intervalsFrom(cal, t)) return new Date(Math.max(s, t));
  return null;
}

/** The instant `minutes` of open time after `start`; null when the calendar never opens. */
export function addBusinessMinutes(cal: Calendar | null, start: Date, minutes: number): Date | null {
  const t = start.getTime();
  if (minutes <= 0) return start;
  if (!cal) return new Date(t + minutes * MINUTE);
  let left = minutes * MINUTE;
  for (const [s, e] of intervalsFrom(cal, t)) {
    const from = Math.max(s, t);
    if (e - from >= left) return new Date(from + left);
    left -= e - from;
  }
  return null;
}

/** Open time between two instants, in minutes (fractional). */
export function businessMinutesBetween(cal: Calendar | null, a: Date, b: Date): number {
  const from = a.getTime();
  const to = b.getTime();
  if (to <= from) return 0;
  if (!cal) return (to - from) / MINUTE;
  let total = 0;
  for (const [s, e] of intervalsFrom(cal, from)) {
    if (s >= to) break;
    total += Math.min(e, to) - Math.max(s, from);
  }
  return total / MINUTE;
}
