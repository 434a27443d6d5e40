import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DayCalendar, daysBetween, detect } from '../src/modules/tracking/detection.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

const berlin: DayCalendar = {
  businessDays: true,
  workDays: [1, 2, 3, 4, 5],
  holidays: ['2026-12-25', '2026-12-28'],
  timeZone: 'Europe/Berlin',
};
const at = (iso: string) => new Date(iso);

describe('business days with holidays and time zones', () => {
  it('skips weekends: a label made on Friday is one business day old on Monday', () => {
    expect(daysBetween(at('2026-12-04T15:00:00Z'), at('2026-12-07T09:00:00Z'), berlin)).toBe(1);
    expect(
      daysBetween(at('2026-12-04T15:00:00Z'), at('2026-12-07T09:00:00Z'), { ...berlin, businessDays: false }),
    ).toBeCloseTo(2.75);
  });
  it('skips holidays', () => {
    // Thu 24 → Tue 29 December: Fri 25 and Mon 28 are holidays, the weekend too: only Tuesday counts.
    expect(daysBetween(at('2026-12-24T10:00:00Z'), at('2026-12-29T10:00:00Z'), berlin)).toBe(1);
  });
  it('counts local dates: 23:30 UTC on Sunday is already Monday in Berlin', () => {
    expect(daysBetween(at('2026-12-04T10:00:00Z'), at('2026-12-06T23:30:00Z'), berlin)).toBe(1);
    expect(
      daysBetween(at('2026-12-04T10:00:00Z'), at('2026-12-06T23:30:00Z'), { ...berlin, timeZone: 'UTC' }),
    ).toBe(0);
  });
  it('a rule fires on business days only', () => {
    const s = {
      status: 'info_received' as const,
      sub_status: null,
      label_at: at('2026-12-03T12:00:00Z'),
      first_scan_at: null,
      delivered_at: null,
      estimated_delivery_at: null,
      original_estimate_at: null,
      created_at: at('2026-12-03T12:00:00Z'),
    };
    const t = { no_first_scan_days: 2, in_transit_days: 7 };
    // Thursday's label on Monday: 4 calendar days, but only Friday and Monday are business days.
    const monday = at('2026-12-07T12:00:00Z');
    expect(detect(s, t, monday, true).map((d) => d.rule)).toEqual(['no_first_scan']);
    expect(detect(s, t, monday, true, berlin)).toEqual([]);
    expect(detect(s, t, at('2026-12-08T12:00:00Z'), true, berlin).map((d) => d.rule)).toEqual([
      'no_first_scan',
    ]);
  });
});

describe('delay rule settings', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  beforeAll(async () => {
    t = await startTestApp();
    ws = await t.workspace('Calendar Shop');
  });
  afterAll(() => t?.stop());
  const patch = (payload: Record<string, unknown>, headers = ws.admin.headers) =>
    t.app.inject({ method: 'PATCH', url: '/api/v1/tracking/settings', headers, payload });

  it('stores business days, holidays, a time zone and per-carrier thresholds', async () => {
    const res = await patch({
      businessDays: true,
      workDays: [6, 1, 2, 3, 4, 5],
      holidays: ['2026-12-25'],
      timeZone: 'Europe/Berlin',
      carriers: [{ carrier: 'DHL', inTransitDays: 4 }],
    });
    expect(res.statusCode).toBe(200);
    const got = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tracking/settings',
      headers: ws.agent.headers,
    });
    expect(got.json()).toMatchObject({
      businessDays: true,
      workDays: [1, 2, 3, 4, 5, 6],
      holidays: ['2026-12-25'],
      timeZone: 'Europe/Berlin',
      carriers: [{ carrier: 'DHL', inTransitDays: 4 }],
    });
  });
  it('refuses a bad time zone, date or weekday with 400 and changes nothing; agents may not change it', async () => {
    for (const bad of [{ timeZone: 'Mars/Olympus' }, { holidays: ['25.12.2026'] }, { workDays: [0] }]) {
      const res = await patch(bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await patch({ businessDays: false }, ws.agent.headers)).statusCode).toBe(403);
    const got = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tracking/settings',
      headers: ws.agent.headers,
    });
    expect(got.json()).toMatchObject({
      businessDays: true,
      timeZone: 'Europe/Berlin',
      holidays: ['2026-12-25'],
    });
  });
});
