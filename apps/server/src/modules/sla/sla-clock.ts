/**
 * SLA clocks replayed from a ticket's history. Pure: the same timeline, targets and calendar always give
 * the same clocks, so a recompute after any change (priority, status, a new message, a reopen) is just
 * another call, on any node.
 */
import { addBusinessMinutes, businessMinutesBetween, type Calendar } from './business-hours.ts';

export type SlaMetric = 'first_response' | 'next_response' | 'resolution';
export type ClockState = 'running' | 'paused' | 'met' | 'breached';

export interface Target {
  minutes: number;
  /** Count only open business hours (else calendar time). */
  business: boolean;
}

export interface Targets {
  firstResponse?: Target | null;
  nextResponse?: Target | null;
  resolution?: Target | null;
}

export interface TimelineMessage {
  at: number;
  /** Only public messages matter: the customer's and a human agent's (automatic replies do not count). */
  kind: 'inbound' | 'agent_reply';
}

export interface TimelineStatus {
  at: number;
  status: string;
}

export interface Timeline {
  createdAt: number;
  messages: TimelineMessage[];
  /** Status from each instant on; the first entry is the status at creation. */
  statuses: TimelineStatus[];
}

export interface ClockOptions {
  /** Statuses in which the clocks stop ticking (e.g. pending, on-hold). */
  pauseStatuses: string[];
  /** Warn when this share of the target has elapsed. */
  warnPercent: number;
  /** The ticket's business calendar (used by targets with business: true). */
  calendar: Calendar | null;
  /**
   * When the policy began to apply: no clock ticks before it, and a clock already finished by then is
   * not the policy's to judge. A new policy must not find old tickets breached by weeks.
   */
  startAt?: number | null;
}

export interface Clock {
  metric: SlaMetric;
  /** 0 for first response and resolution; next-response cycles count from 1. */
  cycle: number;
  targetMinutes: number;
  business: boolean;
  startedAt: number;
  /** When the target is (or was) reached; null while paused before reaching it. */
  dueAt: number | null;
  warnAt: number | null;
  completedAt: number | null;
  /** Open (business or calendar) minutes consumed up to now or completion. */
  elapsedMinutes: number;
  state: ClockState;
}

const DONE = new Set(['solved', 'closed']);

type Segment = [number, number];

/** Intervals between start and stop during which the clock ticks. */
function runningSegments(
  statuses: TimelineStatus[],
  start: number,
  stop: number,
  paused: (status: string) => boolean,
): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < statuses.length; i++) {
    const s = statuses[i]!;
    const end = statuses[i + 1]?.at ?? Number.POSITIVE_INFINITY;
    const a = Math.max(s.at, start);
    const b = Math.min(end, stop);
    if (b <= a || paused(s.status)) continue;
    const last = out[out.length - 1];
    if (last && last[1] === a) last[1] = b;
    else out.push([a, b]);
  }
  return out;
}

/** The instant `minutes` of ticking time is reached inside the segments, or null if it is not reached. */
function reach(cal: Calendar | null, segments: Segment[], minutes: number): number | null {
  let left = minutes;
  for (const [a, b] of segments) {
    const end = Number.isFinite(b) ? b : null;
    const at = addBusinessMinutes(cal, new Date(a), left);
    if (at === null) return null;
    if (end === null || at.getTime() <= end) return at.getTime();
    left -= businessMinutesBetween(cal, new Date(a), new Date(end));
  }
  return null;
}

function elapsed(cal: Calendar | null, segments: Segment[], until: number): number {
  let total = 0;
  for (const [a, b] of segments) {
    if (a >= until) break;
    total += businessMinutesBetween(cal, new Date(a), new Date(Math.min(b, until)));
  }
  return Math.round(total * 100) / 100;
}

function clock(
  metric: SlaMetric,
  cycle: number,
  target: Target,
  start: number,
  stop: number | null,
  timeline: Timeline,
  opts: ClockOptions,
  now: number,
  pausedIn: (s: string) => boolean,
): Clock {
  const cal = target.business ? opts.calendar : null;
  start = Math.max(start, opts.startAt ?? start);
  const segments = runningSegments(timeline.statuses, start, stop ?? Number.POSITIVE_INFINITY, pausedIn);
  // A clock completed early still reports when it would have been due had it kept ticking.
  const projected: Segment[] = stop === null ? segments : [...segments, [stop, Number.POSITIVE_INFINITY]];
  const dueAt = reach(cal, projected, target.minutes);
  const warnAt = reach(cal, projected, (target.minutes * opts.warnPercent) / 100);
  const until = Math.min(stop ?? now, now);
  const last = segments[segments.length - 1];
  let state: ClockState;
  if (stop !== null && stop <= now) state = dueAt !== null && dueAt < stop ? 'breached' : 'met';
  else if (dueAt !== null && dueAt <= now) state = 'breached';
  else state = last && last[1] === Number.POSITIVE_INFINITY ? 'running' : 'paused';
  return {
    metric,
    cycle,
    targetMinutes: target.minutes,
    business: target.business,
    startedAt: start,
    dueAt,
    warnAt,
    completedAt: stop,
    elapsedMinutes: elapsed(cal, segments, until),
    state,
  };
}

/**
 * Resolution cycles: the first from creation, each later one from a reopen (leaving solved/closed), each
 * ending when the ticket is solved (solved then closed counts once, at the solve).
 */
function resolutionCycles(statuses: TimelineStatus[]): { start: number; stop: number | null }[] {
  const cycles: { start: number; stop: number | null }[] = [];
  for (const s of statuses) {
    const open = cycles[cycles.length - 1];
    if (DONE.has(s.status)) {
      if (open && open.stop === null) open.stop = s.at;
      // Created as solved (a conversation logged after the fact): resolved at once.
      else if (!open) cycles.push({ start: s.at, stop: s.at });
    } else if (!open || open.stop !== null) cycles.push({ start: s.at, stop: null });
  }
  return cycles;
}

/**
 * Every clock of a ticket. First response runs from creation to the first agent reply; each customer
 * message after an agent reply starts a next-response cycle that the next agent reply ends; solving ends
 * a waiting cycle (nothing left to answer). Resolution runs until the ticket is solved; a reopen starts a
 * new resolution cycle with the full target, so the earlier cycle's outcome stands.
 */
export function computeClocks(
  timeline: Timeline,
  targets: Targets,
  opts: ClockOptions,
  now: number,
): Clock[] {
  const paused = (s: string) => opts.pauseStatuses.includes(s);
  const pausedOrDone = (s: string) => paused(s) || DONE.has(s);
  const clocks: Clock[] = [];

  type Point = { at: number; kind: 'inbound' | 'agent_reply' | 'done' };
  const points: Point[] = [
    ...timeline.messages.map((m) => ({ at: m.at, kind: m.kind })),
    ...timeline.statuses
      .filter((s, i) => i > 0 && DONE.has(s.status))
      .map((s) => ({ at: s.at, kind: 'done' as const })),
  ].sort((a, b) => a.at - b.at || (a.kind === 'done' ? 1 : 0) - (b.kind === 'done' ? 1 : 0));

  // Response cycles: [start, stop|null], the first one opened by the ticket's creation.
  const cycles: { start: number; stop: number | null }[] = [{ start: timeline.createdAt, stop: null }];
  let waiting = true;
  for (const p of points) {
    if (p.at < timeline.createdAt) continue;
    if (p.kind === 'inbound') {
      if (!waiting) {
        cycles.push({ start: p.at, stop: null });
        waiting = true;
      }
    } else if (waiting) {
      cycles[cycles.length - 1]!.stop = p.at;
      waiting = false;
    }
  }
  cycles.forEach((c, i) => {
    const target = i === 0 ? targets.firstResponse : targets.nextResponse;
    if (!target) return;
    clocks.push(
      clock(
        i === 0 ? 'first_response' : 'next_response',
        i,
        target,
        c.start,
        c.stop,
        timeline,
        opts,
        now,
        paused,
      ),
    );
  });

  if (targets.resolution) {
    resolutionCycles(timeline.statuses).forEach((c, i) => {
      clocks.push(
        clock('resolution', i, targets.resolution!, c.start, c.stop, timeline, opts, now, pausedOrDone),
      );
    });
  }
  const from = opts.startAt;
  return from ? clocks.filter((c) => c.completedAt === null || c.completedAt > from) : clocks;
}

/** A target's outcome as recorded once, for reporting; a later recompute never changes it. */
export interface Outcome {
  metric: SlaMetric;
  cycle: number;
  outcome: 'met' | 'breached';
  targetMinutes: number;
  business: boolean;
  startedAt: number;
  dueAt: number | null;
  /** Met: when the target was reached. Breached: when its due time passed. */
  at: number;
}

/**
 * Lays the recorded outcomes over replayed clocks (a policy edit, a priority change or a calendar edit
 * does not turn a met target into a breach or back), and returns the outcomes reached for the first time.
 * A breached clock that is still open keeps running (elapsed time grows) but stays breached.
 */
export function settle(clocks: Clock[], recorded: Outcome[]): { clocks: Clock[]; reached: Outcome[] } {
  const reached: Outcome[] = [];
  const settled = clocks.map((c) => {
    const r = recorded.find((x) => x.metric === c.metric && x.cycle === c.cycle);
    if (r) {
      // A met record with a clock no longer completed cannot happen (completion comes from messages and
      // statuses, which are never removed); the replay is shown as it is if it ever does.
      if (r.outcome === 'met' && c.completedAt === null) return c;
      const warnAt = c.warnAt === null || r.dueAt === null ? c.warnAt : Math.min(c.warnAt, r.dueAt);
      return {
        ...c,
        state: r.outcome,
        targetMinutes: r.targetMinutes,
        business: r.business,
        dueAt: r.dueAt,
        warnAt,
      };
    }
    if (c.state === 'met' || c.state === 'breached')
      reached.push({
        metric: c.metric,
        cycle: c.cycle,
        outcome: c.state,
        targetMinutes: c.targetMinutes,
        business: c.business,
        startedAt: c.startedAt,
        dueAt: c.dueAt,
        at: c.state === 'met' ? c.completedAt! : c.dueAt!,
      });
    return c;
  });
  return { clocks: settled, reached };
}
