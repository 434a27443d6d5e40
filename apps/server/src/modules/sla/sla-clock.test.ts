import { describe, expect, it } from 'vitest';
import type { Calendar } from './business-hours.ts';
import { type Clock, type ClockOptions, computeClocks, type Targets, type Timeline } from './sla-clock.ts';

const nineToFive = [{ start: '09:00', end: '17:00' }];
const berlin: Calendar = {
  timezone: 'Europe/Berlin',
  weekly: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
  holidays: [],
};
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const opts: ClockOptions = { pauseStatuses: ['pending', 'on-hold'], warnPercent: 75, calendar: berlin };
const targets: Targets = {
  firstResponse: { minutes: 60, business: true },
  nextResponse: { minutes: 120, business: true },
  resolution: { minutes: 480, business: true },
};
const pick = (clocks: Clock[], metric: string, cycle = 0) => {
  const c = clocks.find((x) => x.metric === metric && x.cycle === cycle);
  if (!c) throw new Error(`no ${metric}#${cycle}`);
  return { ...c, dueAt: iso(c.dueAt), warnAt: iso(c.warnAt), completedAt: iso(c.completedAt) };
};

describe('SLA clocks', () => {
  it('runs the first-response clock through a weekend with the DST change', () => {
    // Created Fri 28 Mar 16:30 CET (15:30Z). 30 min left on Friday; Monday is CEST (+2):
    // due Mon 09:30 CEST = 07:30Z, warning at 75% (45 min) = Mon 09:15 CEST = 07:15Z.
    const tl: Timeline = {
      createdAt: t('2025-03-28T15:30:00Z'),
      messages: [{ at: t('2025-03-28T15:30:00Z'), kind: 'inbound' }],
      statuses: [{ at: t('2025-03-28T15:30:00Z'), status: 'new' }],
    };
    const c = pick(computeClocks(tl, targets, opts, t('2025-03-31T07:10:00Z')), 'first_response');
    expect(c).toMatchObject({
      dueAt: '2025-03-31T07:30:00.000Z',
      warnAt: '2025-03-31T07:15:00.000Z',
      state: 'running',
      elapsedMinutes: 40, // 30 on Friday + 10 on Monday
    });
  });

  it('pauses resolution while pending and resumes on the customer reply; each reply cycle is measured', () => {
    // Mon 31 Mar 09:00 CEST (07:00Z) created; agent replies 09:20 and sets pending.
    // Tue 10:00 CEST the customer writes (ticket reopens to open); agent answers at 11:30 CEST.
    const tl: Timeline = {
      createdAt: t('2025-03-31T07:00:00Z'),
      messages: [
        { at: t('2025-03-31T07:00:00Z'), kind: 'inbound' },
        { at: t('2025-03-31T07:20:00Z'), kind: 'agent_reply' },
        { at: t('2025-04-01T08:00:00Z'), kind: 'inbound' },
        { at: t('2025-04-01T09:30:00Z'), kind: 'agent_reply' },
      ],
      statuses: [
        { at: t('2025-03-31T07:00:00Z'), status: 'new' },
        { at: t('2025-03-31T07:20:00Z'), status: 'pending' },
        { at: t('2025-04-01T08:00:00Z'), status: 'open' },
      ],
    };
    const clocks = computeClocks(tl, targets, opts, t('2025-04-01T12:00:00Z'));
    expect(pick(clocks, 'first_response')).toMatchObject({
      state: 'met',
      elapsedMinutes: 20,
      completedAt: '2025-03-31T07:20:00.000Z',
    });
    expect(pick(clocks, 'next_response', 1)).toMatchObject({
      state: 'met',
      elapsedMinutes: 90,
      dueAt: '2025-04-01T10:00:00.000Z', // Tue 10:00 CEST + 120 = 12:00 CEST
    });
    // Resolution: 20 min on Monday, paused while pending, 240 min Tue 10:00–14:00 CEST.
    // 460 min left from Tue 10:00: 420 until 17:00, 40 more → Wed 09:40 CEST = 07:40Z.
    expect(pick(clocks, 'resolution')).toMatchObject({
      state: 'running',
      elapsedMinutes: 260,
      dueAt: '2025-04-02T07:40:00.000Z',
    });
  });

  it('shows a paused clock without a due time while on hold, when pausing is configured', () => {
    // Created Mon 07:00Z, put on hold at 07:10Z without a reply, customer writes at 08:10Z.
    const tl: Timeline = {
      createdAt: t('2025-03-31T07:00:00Z'),
      messages: [
        { at: t('2025-03-31T07:00:00Z'), kind: 'inbound' },
        { at: t('2025-03-31T08:10:00Z'), kind: 'inbound' },
      ],
      statuses: [
        { at: t('2025-03-31T07:00:00Z'), status: 'new' },
        { at: t('2025-03-31T07:10:00Z'), status: 'on-hold' },
        { at: t('2025-03-31T08:10:00Z'), status: 'open' },
      ],
    };
    const whilePaused = computeClocks(
      { ...tl, messages: tl.messages.slice(0, 1), statuses: tl.statuses.slice(0, 2) },
      targets,
      opts,
      t('2025-03-31T08:00:00Z'),
    );
    expect(pick(whilePaused, 'first_response')).toMatchObject({
      state: 'paused',
      dueAt: null,
      elapsedMinutes: 10,
    });
    // Resumed at 08:10Z with 50 min left → 09:00Z.
    const resumed = computeClocks(tl, targets, opts, t('2025-03-31T08:20:00Z'));
    expect(pick(resumed, 'first_response')).toMatchObject({
      state: 'running',
      dueAt: '2025-03-31T09:00:00.000Z',
    });
    // Without pausing, the hour simply ran out at 08:00Z.
    const noPause = computeClocks(tl, targets, { ...opts, pauseStatuses: [] }, t('2025-03-31T08:20:00Z'));
    expect(pick(noPause, 'first_response')).toMatchObject({
      state: 'breached',
      dueAt: '2025-03-31T08:00:00.000Z',
    });
  });

  it('recomputes the targets when the priority (and so the policy) changes', () => {
    const tl: Timeline = {
      createdAt: t('2025-03-31T07:00:00Z'),
      messages: [{ at: t('2025-03-31T07:00:00Z'), kind: 'inbound' }],
      statuses: [{ at: t('2025-03-31T07:00:00Z'), status: 'open' }],
    };
    const now = t('2025-03-31T08:00:00Z');
    // Normal: 4 business hours → 13:00 CEST = 11:00Z, still running at 08:00Z.
    const normal = computeClocks(tl, { firstResponse: { minutes: 240, business: true } }, opts, now);
    expect(pick(normal, 'first_response')).toMatchObject({
      state: 'running',
      dueAt: '2025-03-31T11:00:00.000Z',
    });
    // Raised to urgent (30 min from creation): due 07:30Z, already breached at 08:00Z.
    const urgent = computeClocks(tl, { firstResponse: { minutes: 30, business: true } }, opts, now);
    expect(pick(urgent, 'first_response')).toMatchObject({
      state: 'breached',
      dueAt: '2025-03-31T07:30:00.000Z',
    });
  });

  it('resumes resolution with the time already used after a reopen', () => {
    // Mon 09:00 CEST created, solved with the reply at 09:30; customer writes Wed 10:00 CEST (08:00Z).
    const tl: Timeline = {
      createdAt: t('2025-03-31T07:00:00Z'),
      messages: [
        { at: t('2025-03-31T07:00:00Z'), kind: 'inbound' },
        { at: t('2025-03-31T07:30:00Z'), kind: 'agent_reply' },
        { at: t('2025-04-02T08:00:00Z'), kind: 'inbound' },
      ],
      statuses: [
        { at: t('2025-03-31T07:00:00Z'), status: 'new' },
        { at: t('2025-03-31T07:30:00Z'), status: 'solved' },
        { at: t('2025-04-02T08:00:00Z'), status: 'open' },
      ],
    };
    const beforeReopen = computeClocks(
      { ...tl, messages: tl.messages.slice(0, 2), statuses: tl.statuses.slice(0, 2) },
      targets,
      opts,
      t('2025-04-01T12:00:00Z'),
    );
    expect(pick(beforeReopen, 'resolution')).toMatchObject({
      state: 'met',
      completedAt: '2025-03-31T07:30:00.000Z',
      elapsedMinutes: 30,
    });
    const clocks = computeClocks(tl, targets, opts, t('2025-04-02T09:00:00Z'));
    // 30 min on Monday + 60 min on Wednesday; 390 left from Wed 11:00 CEST: 360 until 17:00, 30 more →
    // Thu 09:30 CEST = 07:30Z.
    expect(pick(clocks, 'resolution')).toMatchObject({
      state: 'running',
      elapsedMinutes: 90,
      completedAt: null,
      dueAt: '2025-04-03T07:30:00.000Z',
    });
    // The customer's new message opened a next-response cycle: Wed 10:00 CEST + 120 = 12:00 CEST = 10:00Z.
    expect(pick(clocks, 'next_response', 1)).toMatchObject({
      state: 'running',
      dueAt: '2025-04-02T10:00:00.000Z',
    });
  });

  it('records a late answer as breached, and counts calendar hours when a target is not in business hours', () => {
    const tl: Timeline = {
      createdAt: t('2025-03-31T07:00:00Z'),
      messages: [
        { at: t('2025-03-31T07:00:00Z'), kind: 'inbound' },
        { at: t('2025-03-31T09:00:00Z'), kind: 'agent_reply' },
      ],
      statuses: [{ at: t('2025-03-31T07:00:00Z'), status: 'open' }],
    };
    expect(pick(computeClocks(tl, targets, opts, t('2025-03-31T10:00:00Z')), 'first_response')).toMatchObject(
      {
        state: 'breached',
        dueAt: '2025-03-31T08:00:00.000Z',
        completedAt: '2025-03-31T09:00:00.000Z',
        elapsedMinutes: 120,
      },
    );
    // Friday 15:30Z + 60 calendar minutes = 16:30Z even though the shop closes at 17:00 CET (16:00Z).
    const friday: Timeline = {
      createdAt: t('2025-03-28T15:30:00Z'),
      messages: [{ at: t('2025-03-28T15:30:00Z'), kind: 'inbound' }],
      statuses: [{ at: t('2025-03-28T15:30:00Z'), status: 'new' }],
    };
    const cal = computeClocks(
      friday,
      { firstResponse: { minutes: 60, business: false } },
      opts,
      t('2025-03-28T15:40:00Z'),
    );
    expect(pick(cal, 'first_response')).toMatchObject({
      dueAt: '2025-03-28T16:30:00.000Z',
      elapsedMinutes: 10,
    });
  });
});
