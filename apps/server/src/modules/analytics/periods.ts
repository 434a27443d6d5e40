/**
 * Calendar periods over local dates (YYYY-MM-DD in the reporting time zone). Rollups are per local day,
 * so weeks and months are unions of days and a DST change never splits or doubles one.
 */

const toUtc = (d: string) => new Date(`${d}T00:00:00Z`);
const fmt = (d: Date) => d.toISOString().slice(0, 10);

export const addDays = (d: string, n: number) => {
  const x = toUtc(d);
  x.setUTCDate(x.getUTCDate() + n);
  return fmt(x);
};

export const daysBetween = (from: string, to: string) =>
  Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / 86_400_000);

/** The period a local day belongs to: itself, the Monday of its ISO week, or the 1st of its month. */
export function periodOf(day: string, period: 'day' | 'week' | 'month'): string {
  if (period === 'day') return day;
  if (period === 'month') return `${day.slice(0, 7)}-01`;
  const wd = (toUtc(day).getUTCDay() + 6) % 7;
  return addDays(day, -wd);
}

/** Every period touching [from, to], in order. */
export function periodsIn(from: string, to: string, period: 'day' | 'week' | 'month'): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const p = periodOf(d, period);
    if (out[out.length - 1] !== p) out.push(p);
  }
  return out;
}

/** Today's local date in a time zone. */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}
