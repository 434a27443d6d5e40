import type { ChatBusinessHours } from '@shopdesk/contracts';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Wall-clock parts of an instant in a time zone. */
function wallClock(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    y: Number(parts.year),
    m: Number(parts.month),
    d: Number(parts.day),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    seconds: Number(parts.second),
    weekday: (parts.weekday ?? 'Sun').slice(0, 3).toLowerCase() as (typeof WEEKDAYS)[number],
  };
}

/** The instant at which the zone's clock shows y-m-d hh:mm (DST gaps resolve forward). */
function zonedInstant(y: number, m: number, d: number, minutes: number, timeZone: string): Date {
  const guess = Date.UTC(y, m - 1, d, Math.floor(minutes / 60), minutes % 60);
  const offsetAt = (t: number) => {
    const w = wallClock(new Date(t), timeZone);
    return Date.UTC(w.y, w.m - 1, w.d, Math.floor(w.minutes / 60), w.minutes % 60, w.seconds) - t;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether the team is in, and if not, when it is next in (searching two weeks ahead). */
export function availability(
  hours: ChatBusinessHours,
  now = new Date(),
): { open: boolean; nextOpenAt: Date | null } {
  if (!hours.enabled) return { open: true, nextOpenAt: null };
  const tz = hours.timezone;
  const holidays = new Set(hours.holidays);
  const today = wallClock(now, tz);
  const intervalsOn = (w: ReturnType<typeof wallClock>) =>
    holidays.has(w.date) ? [] : (hours.days[w.weekday] ?? []);
  for (const i of intervalsOn(today)) {
    if (today.minutes >= toMinutes(i.open) && today.minutes < toMinutes(i.close))
      return { open: true, nextOpenAt: null };
  }
  // Noon steps avoid landing on the wrong date across DST changes.
  const noon = zonedInstant(today.y, today.m, today.d, 12 * 60, tz).getTime();
  for (let day = 0; day < 15; day++) {
    const probe = wallClock(new Date(noon + day * 86_400_000), tz);
    const opens = intervalsOn(probe)
      .map((i) => toMinutes(i.open))
      .filter((min) => day > 0 || min > today.minutes)
      .sort((a, b) => a - b);
    if (opens.length)
      return { open: false, nextOpenAt: zonedInstant(probe.y, probe.m, probe.d, opens[0]!, tz) };
  }
  return { open: false, nextOpenAt: null };
}
