import type { ChatBusinessHours } from '@shopdesk/contracts';
import { describe, expect, it } from 'vitest';
import { availability } from './business-hours.ts';

const hours = (h: Partial<ChatBusinessHours>): ChatBusinessHours => ({
  enabled: true,
  timezone: 'UTC',
  days: {},
  holidays: [],
  ...h,
});
const at = (iso: string) => new Date(iso);
const iso = (r: { nextOpenAt: Date | null }) => r.nextOpenAt?.toISOString() ?? null;

// 2026-03-02 is a Monday; 2026-03-08 is the US switch to daylight saving time.
describe('chat business hours', () => {
  const weekdays = hours({ days: { mon: [{ open: '09:00', close: '17:00' }] } });

  it('is always open when hours are off', () => {
    expect(availability(hours({ enabled: false }), at('2026-03-01T03:00:00Z'))).toEqual({
      open: true,
      nextOpenAt: null,
    });
  });

  it('is open inside a span and closed at its end', () => {
    expect(availability(weekdays, at('2026-03-02T09:00:00Z')).open).toBe(true);
    expect(availability(weekdays, at('2026-03-02T16:59:59Z')).open).toBe(true);
    const after = availability(weekdays, at('2026-03-02T17:00:00Z'));
    expect(after.open).toBe(false);
    // Only Mondays: back a week later.
    expect(iso(after)).toBe('2026-03-09T09:00:00.000Z');
  });

  it('announces a later opening on the same day', () => {
    const r = availability(weekdays, at('2026-03-02T07:30:00Z'));
    expect(r).toMatchObject({ open: false });
    expect(iso(r)).toBe('2026-03-02T09:00:00.000Z');
  });

  it('follows spans across midnight (22:00–24:00 then 00:00–02:00)', () => {
    const night = hours({
      days: { fri: [{ open: '22:00', close: '24:00' }], sat: [{ open: '00:00', close: '02:00' }] },
    });
    expect(availability(night, at('2026-03-06T23:30:00Z')).open).toBe(true);
    expect(availability(night, at('2026-03-07T01:00:00Z')).open).toBe(true);
    const early = availability(night, at('2026-03-06T21:00:00Z'));
    expect(iso(early)).toBe('2026-03-06T22:00:00.000Z');
    const late = availability(night, at('2026-03-07T02:00:00Z'));
    expect(late.open).toBe(false);
    expect(iso(late)).toBe('2026-03-13T22:00:00.000Z');
  });

  it("reads the clock of the team's time zone, across a daylight-saving change", () => {
    const berlin = hours({ timezone: 'Europe/Berlin', days: { mon: [{ open: '09:00', close: '17:00' }] } });
    // 08:30 UTC is 09:30 in Berlin (CET, UTC+1).
    expect(availability(berlin, at('2026-03-02T08:30:00Z')).open).toBe(true);
    expect(iso(availability(berlin, at('2026-03-02T07:30:00Z')))).toBe('2026-03-02T08:00:00.000Z');

    const ny = hours({
      timezone: 'America/New_York',
      days: Object.fromEntries(
        (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [{ open: '09:00', close: '17:00' }]]),
      ),
    });
    // Friday 22:00 in New York is already Saturday in UTC: still Friday evening there, closed.
    const friday = availability(ny, at('2026-03-07T03:00:00Z'));
    expect(friday.open).toBe(false);
    // Monday 09:00 after the switch to EDT (UTC-4), not EST (UTC-5).
    expect(iso(friday)).toBe('2026-03-09T13:00:00.000Z');
  });

  it('skips closed dates, and has no next opening when no day has hours', () => {
    const holiday = hours({
      days: {
        mon: [{ open: '09:00', close: '17:00' }],
        tue: [{ open: '10:00', close: '12:00' }],
      },
      holidays: ['2026-03-02'],
    });
    const r = availability(holiday, at('2026-03-02T10:00:00Z'));
    expect(r.open).toBe(false);
    expect(iso(r)).toBe('2026-03-03T10:00:00.000Z');
    expect(availability(hours({}), at('2026-03-02T10:00:00Z'))).toEqual({ open: false, nextOpenAt: null });
  });
});
