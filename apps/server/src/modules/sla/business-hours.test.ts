import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  type Calendar,
  isOpen,
  nextOpen,
  zonedToUtc,
} from './business-hours.ts';

const nineToFive = [{ start: '09:00', end: '17:00' }];
const berlin: Calendar = {
  timezone: 'Europe/Berlin',
  weekly: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
  holidays: [
    { date: '2000-12-25', yearly: true, name: 'Christmas' },
    { date: '2025-12-26', name: 'Boxing Day 2025 only' },
  ],
};
const d = (iso: string) => new Date(iso);

describe('business hours (Europe/Berlin, Mon–Fri 09–17)', () => {
  it('knows when it is open', () => {
    // Fri 28 Mar 2025 is still CET (+1): 08:30Z is 09:30 local, 16:30Z is 17:30 local.
    expect(isOpen(berlin, d('2025-03-28T08:30:00Z'))).toBe(true);
    expect(isOpen(berlin, d('2025-03-28T16:30:00Z'))).toBe(false);
    // Sat 29 Mar is closed all day.
    expect(isOpen(berlin, d('2025-03-29T10:00:00Z'))).toBe(false);
  });

  it('finds the next opening across a weekend and the spring DST change', () => {
    // Sat 29 Mar 12:00Z → Mon 31 Mar 09:00 CEST (+2) = 07:00Z (DST began Sun 30 Mar).
    expect(nextOpen(berlin, d('2025-03-29T12:00:00Z'))?.toISOString()).toBe('2025-03-31T07:00:00.000Z');
    // Already open: the same instant.
    expect(nextOpen(berlin, d('2025-03-28T10:00:00Z'))?.toISOString()).toBe('2025-03-28T10:00:00.000Z');
  });

  it('adds business minutes over a weekend that contains the DST change', () => {
    // Fri 16:00 CET (15:00Z) + 120 min: 60 min on Friday, then Mon 09:00 CEST + 60 = 10:00 CEST = 08:00Z.
    expect(addBusinessMinutes(berlin, d('2025-03-28T15:00:00Z'), 120)?.toISOString()).toBe(
      '2025-03-31T08:00:00.000Z',
    );
    expect(businessMinutesBetween(berlin, d('2025-03-28T15:00:00Z'), d('2025-03-31T08:00:00Z'))).toBe(120);
    // Autumn: Fri 24 Oct 16:00 CEST (14:00Z) + 120 → Mon 27 Oct 10:00 CET (+1) = 09:00Z.
    expect(addBusinessMinutes(berlin, d('2025-10-24T14:00:00Z'), 120)?.toISOString()).toBe(
      '2025-10-27T09:00:00.000Z',
    );
  });

  it('skips yearly and one-off holidays', () => {
    // Wed 24 Dec 16:00 CET (15:00Z) + 120: 60 min on the 24th; Thu 25th (yearly) and Fri 26th (one-off)
    // closed; weekend; Mon 29 Dec 09:00 + 60 = 10:00 CET = 09:00Z.
    expect(addBusinessMinutes(berlin, d('2025-12-24T15:00:00Z'), 120)?.toISOString()).toBe(
      '2025-12-29T09:00:00.000Z',
    );
    // The one-off holiday does not repeat: Sat 26 Dec 2026 is a weekend anyway, so check 2024 (a Thursday),
    // which is an ordinary working day: 26 Dec 2024 10:00 CET = 09:00Z is open.
    expect(isOpen(berlin, d('2024-12-26T09:00:00Z'))).toBe(true);
    // The yearly one repeats: 25 Dec 2024 (a Wednesday) is closed.
    expect(isOpen(berlin, d('2024-12-25T09:00:00Z'))).toBe(false);
  });

  it('counts a 25-hour and a 23-hour day when open around the clock on DST Sundays', () => {
    const sundays: Calendar = {
      timezone: 'Europe/Berlin',
      weekly: { sun: [{ start: '00:00', end: '24:00' }] },
      holidays: [],
    };
    // Sun 26 Oct 2025: 00:00 CEST = 25 Oct 22:00Z, next midnight 00:00 CET = 26 Oct 23:00Z → 25 h.
    expect(businessMinutesBetween(sundays, d('2025-10-25T12:00:00Z'), d('2025-10-27T12:00:00Z'))).toBe(
      25 * 60,
    );
    // Sun 30 Mar 2025: 00:00 CET = 29 Mar 23:00Z, next midnight 00:00 CEST = 30 Mar 22:00Z → 23 h.
    expect(businessMinutesBetween(sundays, d('2025-03-29T12:00:00Z'), d('2025-03-31T12:00:00Z'))).toBe(
      23 * 60,
    );
  });

  it('moves a wall time that does not exist forward and resolves a repeated one to its first occurrence', () => {
    // 02:30 on 30 Mar 2025 does not exist in Berlin: treated as 03:30 CEST = 01:30Z.
    expect(new Date(zonedToUtc(2025, 3, 30, 2, 30, 'Europe/Berlin')).toISOString()).toBe(
      '2025-03-30T01:30:00.000Z',
    );
    // 02:30 on 26 Oct 2025 happens twice; the first is 02:30 CEST = 00:30Z.
    expect(new Date(zonedToUtc(2025, 10, 26, 2, 30, 'Europe/Berlin')).toISOString()).toBe(
      '2025-10-26T00:30:00.000Z',
    );
  });
});

describe('business hours across midnight (America/New_York night shift)', () => {
  const nights: Calendar = {
    timezone: 'America/New_York',
    weekly: { mon: [{ start: '22:00', end: '24:00' }], tue: [{ start: '00:00', end: '06:00' }] },
    holidays: [],
  };

  it('is open late on Monday and early on Tuesday', () => {
    // Mon 6 Jan 2025 23:30 EST (-5) = Tue 04:30Z.
    expect(isOpen(nights, d('2025-01-07T04:30:00Z'))).toBe(true);
    // Tue 7 Jan 07:00 EST = 12:00Z: closed.
    expect(isOpen(nights, d('2025-01-07T12:00:00Z'))).toBe(false);
  });

  it('adds minutes through midnight', () => {
    // Mon 23:00 EST (Tue 04:00Z) + 120: 60 min to midnight, 60 min after → Tue 01:00 EST = 06:00Z.
    expect(addBusinessMinutes(nights, d('2025-01-07T04:00:00Z'), 120)?.toISOString()).toBe(
      '2025-01-07T06:00:00.000Z',
    );
    // Tue 05:00 EST (10:00Z) + 120: 60 min until 06:00, then next Monday 22:00 EST + 60 = 23:00 EST
    // = Tue 14 Jan 04:00Z.
    expect(addBusinessMinutes(nights, d('2025-01-07T10:00:00Z'), 120)?.toISOString()).toBe(
      '2025-01-14T04:00:00.000Z',
    );
  });
});

describe('degenerate calendars', () => {
  it('treats null as always open and a calendar with no hours as never open', () => {
    expect(addBusinessMinutes(null, d('2025-01-01T00:00:00Z'), 90)?.toISOString()).toBe(
      '2025-01-01T01:30:00.000Z',
    );
    expect(businessMinutesBetween(null, d('2025-01-01T00:00:00Z'), d('2025-01-02T00:00:00Z'))).toBe(1440);
    const closed: Calendar = { timezone: 'UTC', weekly: {}, holidays: [] };
    expect(addBusinessMinutes(closed, d('2025-01-01T00:00:00Z'), 10)).toBeNull();
    expect(nextOpen(closed, d('2025-01-01T00:00:00Z'))).toBeNull();
    expect(isOpen(closed, d('2025-01-01T00:00:00Z'))).toBe(false);
  });
});
