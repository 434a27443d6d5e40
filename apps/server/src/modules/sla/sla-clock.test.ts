import { describe, expect, it } from 'vitest';
import type { Calendar } from './business-hours.ts';
import {
  type Clock,
  type ClockOptions,
  computeClocks,
  type Outcome,
  settle,
  type Targets,
  type Timeline,
} from './sla-clock.ts';

const nineToFive = [{ start: '09:00', end: '17:00' }];
const berlin: Calendar = {
  timezone: 'Europe/Berlin',
  weekly: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
  // Labour Day every year (Thu 1 May 2025, Fri 1 May 2026) and a one-off bridge day (Fri 2 May 2025).
  holidays: [
    { date: '2000-05-01', yearly: true, name: 'Labour Day' },
    { date: '2025-05-02', name: 'Bridge day' },
  ],
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

  it('re-times open targets when the priority changes mid-clock; what was met or breached stays', () => {
    // The service replays the clocks under the policy that matches the current priority and lays the
    // recorded outcomes over them; this follows one ticket through its priority changes.
    const normal: Targets = {
      firstResponse: { minutes: 240, business: true },
      resolution: { minutes: 960, business: true },
    };
    const urgent: Targets = {
      firstResponse: { minutes: 30, business: true },
      resolution: { minutes: 240, business: true },
    };
    // Created Mon 31 Mar 2025 09:00 CEST (07:00Z); the agent answers at 10:00 CEST (08:00Z).
    const tl: Timeline = {
      createdAt: t('2025-03-31T07:00:00Z'),
      messages: [
        { at: t('2025-03-31T07:00:00Z'), kind: 'inbound' },
        { at: t('2025-03-31T08:00:00Z'), kind: 'agent_reply' },
      ],
      statuses: [{ at: t('2025-03-31T07:00:00Z'), status: 'open' }],
    };
    const recorded: Outcome[] = [];
    const step = (targets: Targets, now: string) => {
      const r = settle(computeClocks(tl, targets, opts, t(now)), recorded);
      recorded.push(...r.reached);
      return r;
    };

    // 10:05 CEST, normal priority: first response met after 60 of 240 minutes (due 13:00 CEST = 11:00Z);
    // resolution 960 business minutes = Mon 09:00–17:00 (480) + Tue 09:00–17:00 (480) → Tue 17:00 CEST = 15:00Z.
    let r = step(normal, '2025-03-31T08:05:00Z');
    expect(r.reached.map((o) => [o.metric, o.outcome, iso(o.at)])).toEqual([
      ['first_response', 'met', '2025-03-31T08:00:00.000Z'],
    ]);
    expect(pick(r.clocks, 'resolution')).toMatchObject({
      dueAt: '2025-04-01T15:00:00.000Z',
      state: 'running',
    });

    // 11:00 CEST (09:00Z) the priority is raised to urgent. Resolution is re-timed from creation:
    // 09:00 CEST + 240 = 13:00 CEST = 11:00Z, 120 minutes used. Under the urgent 30-minute target the
    // first answer (60 min) would be late, but it was met under the policy of the time and stays met.
    r = step(urgent, '2025-03-31T09:00:00Z');
    expect(pick(r.clocks, 'resolution')).toMatchObject({
      dueAt: '2025-03-31T11:00:00.000Z',
      state: 'running',
      elapsedMinutes: 120,
    });
    expect(pick(r.clocks, 'first_response')).toMatchObject({
      state: 'met',
      targetMinutes: 240,
      dueAt: '2025-03-31T11:00:00.000Z',
    });
    expect(r.reached).toEqual([]);

    // 14:00 CEST (12:00Z), not solved: the urgent resolution target passed at 11:00Z.
    r = step(urgent, '2025-03-31T12:00:00Z');
    expect(r.reached.map((o) => [o.metric, o.outcome, iso(o.at), o.targetMinutes])).toEqual([
      ['resolution', 'breached', '2025-03-31T11:00:00.000Z', 240],
    ]);

    // 14:30 CEST the priority goes back to normal: the replay alone would say "due Tue 15:00Z, running",
    // but the breach happened and stays, with the due time it had.
    r = step(normal, '2025-03-31T12:30:00Z');
    expect(pick(r.clocks, 'resolution')).toMatchObject({
      state: 'breached',
      dueAt: '2025-03-31T11:00:00.000Z',
      targetMinutes: 240,
      completedAt: null,
      elapsedMinutes: 330, // 09:00–14:30 CEST
    });
    expect(r.reached).toEqual([]);
  });

  it('starts a new resolution cycle on a reopen and keeps the first one met', () => {
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
        { at: t('2025-04-01T07:00:00Z'), status: 'closed' },
        { at: t('2025-04-02T08:00:00Z'), status: 'open' },
      ],
    };
    const beforeReopen = settle(
      computeClocks(
        { ...tl, messages: tl.messages.slice(0, 2), statuses: tl.statuses.slice(0, 3) },
        targets,
        opts,
        t('2025-04-01T12:00:00Z'),
      ),
      [],
    );
    // Solved, then closed: resolved once, at the solve (30 business minutes of 480).
    expect(pick(beforeReopen.clocks, 'resolution')).toMatchObject({
      state: 'met',
      completedAt: '2025-03-31T07:30:00.000Z',
      elapsedMinutes: 30,
    });
    expect(beforeReopen.reached.map((o) => `${o.metric}#${o.cycle}:${o.outcome}`)).toEqual([
      'first_response#0:met',
      'resolution#0:met',
    ]);

    const { clocks, reached } = settle(
      computeClocks(tl, targets, opts, t('2025-04-02T09:00:00Z')),
      beforeReopen.reached,
    );
    // The first cycle is untouched by the reopen.
    expect(pick(clocks, 'resolution', 0)).toMatchObject({
      state: 'met',
      completedAt: '2025-03-31T07:30:00.000Z',
      elapsedMinutes: 30,
    });
    // Cycle 1 from the reopen, Wed 10:00 CEST, with the full 480 minutes: 420 until 17:00, 60 more →
    // Thu 10:00 CEST = 08:00Z; 60 minutes used by 11:00 CEST (09:00Z).
    expect(pick(clocks, 'resolution', 1)).toMatchObject({
      state: 'running',
      startedAt: t('2025-04-02T08:00:00Z'),
      elapsedMinutes: 60,
      completedAt: null,
      dueAt: '2025-04-03T08:00:00.000Z',
    });
    // The customer's new message opened a next-response cycle: Wed 10:00 CEST + 120 = 12:00 CEST = 10:00Z.
    expect(pick(clocks, 'next_response', 1)).toMatchObject({
      state: 'running',
      dueAt: '2025-04-02T10:00:00.000Z',
    });
    expect(reached).toEqual([]);
  });

  it('skips a yearly and a one-off holiday', () => {
    // Wed 30 Apr 2025 16:00 CEST (14:00Z), first response 120 business minutes: 60 on Wednesday; Thu 1 May
    // (yearly) and Fri 2 May (one-off) closed; weekend; Mon 5 May 09:00 + 60 = 10:00 CEST = 08:00Z.
    // Warning at 75% (90 min): Mon 09:30 CEST = 07:30Z.
    const tl: Timeline = {
      createdAt: t('2025-04-30T14:00:00Z'),
      messages: [{ at: t('2025-04-30T14:00:00Z'), kind: 'inbound' }],
      statuses: [{ at: t('2025-04-30T14:00:00Z'), status: 'new' }],
    };
    const frt: Targets = { firstResponse: { minutes: 120, business: true } };
    expect(pick(computeClocks(tl, frt, opts, t('2025-05-05T07:45:00Z')), 'first_response')).toMatchObject({
      dueAt: '2025-05-05T08:00:00.000Z',
      warnAt: '2025-05-05T07:30:00.000Z',
      state: 'running',
      elapsedMinutes: 105, // 60 on Wednesday + 45 on Monday (09:00–09:45 CEST)
    });
    // The yearly one repeats: Thu 30 Apr 2026 16:00 CEST (14:00Z): 60 on Thursday, Fri 1 May 2026 closed,
    // weekend, Mon 4 May 09:00 + 60 = 10:00 CEST = 08:00Z.
    const next: Timeline = {
      createdAt: t('2026-04-30T14:00:00Z'),
      messages: [{ at: t('2026-04-30T14:00:00Z'), kind: 'inbound' }],
      statuses: [{ at: t('2026-04-30T14:00:00Z'), status: 'new' }],
    };
    expect(pick(computeClocks(next, frt, opts, t('2026-04-30T14:30:00Z')), 'first_response')).toMatchObject({
      dueAt: '2026-05-04T08:00:00.000Z',
      elapsedMinutes: 30,
    });
  });

  it('pauses resolution while pending over the holidays and resumes on the customer reply', () => {
    // Wed 30 Apr 2025 09:00 CEST (07:00Z) created; the agent answers at 09:30 and sets pending.
    // The customer writes on the holiday, Thu 1 May 10:00 CEST (08:00Z): the ticket opens, but the
    // business clock only ticks again on Mon 5 May at 09:00 CEST.
    const tl: Timeline = {
      createdAt: t('2025-04-30T07:00:00Z'),
      messages: [
        { at: t('2025-04-30T07:00:00Z'), kind: 'inbound' },
        { at: t('2025-04-30T07:30:00Z'), kind: 'agent_reply' },
        { at: t('2025-05-01T08:00:00Z'), kind: 'inbound' },
      ],
      statuses: [
        { at: t('2025-04-30T07:00:00Z'), status: 'new' },
        { at: t('2025-04-30T07:30:00Z'), status: 'pending' },
        { at: t('2025-05-01T08:00:00Z'), status: 'open' },
      ],
    };
    const clocks = computeClocks(tl, targets, opts, t('2025-05-05T08:00:00Z'));
    // Resolution: 30 min on Wednesday, paused, 450 left from Mon 09:00 CEST → 16:30 CEST = 14:30Z;
    // by Mon 10:00 CEST: 30 + 60 = 90 used.
    expect(pick(clocks, 'resolution')).toMatchObject({
      state: 'running',
      dueAt: '2025-05-05T14:30:00.000Z',
      elapsedMinutes: 90,
    });
    // Next response from Thursday's message: nothing ticks until Mon 09:00, + 120 = 11:00 CEST = 09:00Z.
    expect(pick(clocks, 'next_response', 1)).toMatchObject({
      state: 'running',
      dueAt: '2025-05-05T09:00:00.000Z',
      elapsedMinutes: 60,
    });
    // Without pausing, Wednesday 09:00–17:00 uses the 480 minutes: due 17:00 CEST = 15:00Z, breached.
    const noPause = computeClocks(tl, targets, { ...opts, pauseStatuses: [] }, t('2025-05-05T08:00:00Z'));
    expect(pick(noPause, 'resolution')).toMatchObject({
      state: 'breached',
      dueAt: '2025-04-30T15:00:00.000Z',
    });
  });

  it('runs business targets over the autumn DST weekend', () => {
    // Fri 24 Oct 2025 16:30 CEST (+2, 14:30Z). First response 60: 30 on Friday, then Mon 27 Oct is CET (+1):
    // 09:00 + 30 = 09:30 CET = 08:30Z. Resolution 480: 30 on Friday, 450 on Monday → 16:30 CET = 15:30Z.
    const tl: Timeline = {
      createdAt: t('2025-10-24T14:30:00Z'),
      messages: [{ at: t('2025-10-24T14:30:00Z'), kind: 'inbound' }],
      statuses: [{ at: t('2025-10-24T14:30:00Z'), status: 'new' }],
    };
    const clocks = computeClocks(tl, targets, opts, t('2025-10-27T08:10:00Z'));
    expect(pick(clocks, 'first_response')).toMatchObject({
      dueAt: '2025-10-27T08:30:00.000Z',
      state: 'running',
      elapsedMinutes: 40, // 30 on Friday + 09:00–09:10 CET on Monday
    });
    expect(pick(clocks, 'resolution')).toMatchObject({ dueAt: '2025-10-27T15:30:00.000Z' });
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
