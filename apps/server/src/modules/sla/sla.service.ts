import type {
  BusinessCalendar,
  BusinessCalendarInput,
  SlaClock,
  SlaPolicy,
  SlaPolicyInput,
  TicketSla,
  TicketStatus,
} from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import { createConfigCache } from '../../platform/events/config-cache.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { teamExists } from '../agents/index.ts';
import { contactLifetimeValue } from '../commerce/index.ts';
import { businessMinutesBetween, type Calendar, isOpen, nextOpen } from './business-hours.ts';
import * as repo from './sla.repository.ts';
import { type Clock, computeClocks, settle, type Timeline } from './sla-clock.ts';

const iso = (d: Date | number | null) => (d === null ? null : new Date(d).toISOString());

const toCalendar = (r: repo.CalendarRow | undefined): Calendar | null =>
  r ? { timezone: r.timezone, weekly: r.weekly, holidays: r.holidays } : null;

function toBusinessHours(r: repo.CalendarRow): BusinessCalendar {
  return {
    id: r.id,
    teamId: r.team_id,
    name: r.name,
    timezone: r.timezone,
    weekly: r.weekly,
    holidays: r.holidays.map((h) => ({ date: h.date, yearly: h.yearly ?? false, name: h.name })),
    updatedAt: r.updated_at.toISOString(),
  };
}

function toPolicy(r: repo.PolicyRow): SlaPolicy {
  return {
    id: r.id,
    name: r.name,
    active: r.active,
    position: r.position,
    match: r.match as SlaPolicy['match'],
    targets: r.targets,
    pauseStatuses: r.pause_statuses as SlaPolicy['pauseStatuses'],
    warnPercent: r.warn_percent,
    appliesFrom: r.applies_from?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/**
 * Does this policy apply to the ticket? Every condition given must hold; an empty match applies to all.
 * `lifetimeValue` is the contact's order value from commerce (null: no orders, or not read).
 */
export function policyMatches(
  p: repo.PolicyRow['match'],
  t: repo.SlaTicketRow,
  lifetimeValue: number | null = null,
): boolean {
  if (p.channels?.length && !p.channels.includes(t.channel)) return false;
  if (p.priorities?.length && !p.priorities.includes(t.priority)) return false;
  if (p.tags?.length && !p.tags.some((x) => t.tags.includes(x))) return false;
  const fields = t.contact_fields ?? {};
  if (p.tiers?.length) {
    const tier = typeof fields.tier === 'string' ? fields.tier.toLowerCase() : null;
    const tags = (t.contact_tags ?? []).map((x) => x.toLowerCase());
    if (!p.tiers.some((x) => tags.includes(x.toLowerCase()) || tier === x.toLowerCase())) return false;
  }
  if (p.minLifetimeValue !== undefined && (lifetimeValue ?? 0) < p.minLifetimeValue) return false;
  return true;
}

/** Rebuilds the status history from the ticket timeline (the status before the first change is its `from`). */
export function buildTimeline(
  ticket: repo.SlaTicketRow,
  messages: { kind: string; created_at: Date }[],
  events: { type: string; data: { from?: string; to?: string }; created_at: Date }[],
): Timeline {
  const createdAt = ticket.created_at.getTime();
  const changes = events.map((e) =>
    e.type === 'merged_into'
      ? { at: e.created_at.getTime(), from: undefined, to: 'closed' }
      : { at: e.created_at.getTime(), from: e.data.from, to: e.data.to },
  );
  const initial = changes.find((c) => c.from)?.from ?? (changes.length ? 'new' : ticket.status);
  const statuses = [{ at: createdAt, status: initial }];
  for (const c of changes) if (c.to) statuses.push({ at: Math.max(c.at, createdAt), status: c.to });
  return {
    createdAt,
    messages: messages.map((m) => ({
      at: m.created_at.getTime(),
      kind: m.kind === 'inbound' ? ('inbound' as const) : ('agent_reply' as const),
    })),
    statuses,
  };
}

const nextDue = (clocks: Clock[]) => {
  const open = clocks.filter((c) => c.completedAt === null && c.dueAt !== null).map((c) => c.dueAt!);
  return open.length ? Math.min(...open) : null;
};

/**
 * The clock a badge should show: an open breached one, else the open one due soonest, else an open paused
 * one, else the last completed (met or breached late).
 */
export function activeClock<C extends Pick<repo.ClockRow, 'state' | 'due_at' | 'completed_at'>>(
  clocks: C[],
  now: number,
): C | null {
  const open = clocks.filter((c) => c.completed_at === null);
  const due = open.filter((c) => c.due_at !== null).sort((a, b) => a.due_at!.getTime() - b.due_at!.getTime());
  return (
    open.find((c) => c.state === 'breached' || (c.due_at !== null && c.due_at.getTime() <= now)) ??
    due[0] ??
    open[0] ??
    clocks[clocks.length - 1] ??
    null
  );
}

/** The team's own calendar when it has one, else the workspace's. */
const pickCalendar = (calendars: repo.CalendarRow[], teamId: number | null) =>
  (teamId !== null ? calendars.find((c) => c.team_id === teamId) : undefined) ??
  calendars.find((c) => c.team_id === null);

type SlaSettings = { policies: repo.PolicyRow[]; calendars: repo.CalendarRow[] };

/** Lifetime values already read in one recompute (a workspace recompute shares it across tickets). */
type LifetimeValues = Map<number, number>;

/**
 * The contact's lifetime value as commerce computes it (orders less refunds, cancelled ones left out, merged
 * contacts included), in the currency the customer spent most in: a policy threshold has no currency, and
 * shops selling in several currencies are rare.
 */
async function lifetimeValueOf(tx: Db, workspaceId: number, contactId: number, cache: LifetimeValues) {
  let v = cache.get(contactId);
  if (v === undefined) {
    const rows = await contactLifetimeValue(tx, workspaceId, contactId);
    v = Math.max(0, ...rows.map((r) => Number(r.total)));
    cache.set(contactId, v);
  }
  return v;
}

export function createSlaService(deps: Deps) {
  const { db, bus, log } = deps;
  // Active policies in match order and every calendar: read by each recompute, edited rarely.
  const settings = createConfigCache<SlaSettings>({
    bus,
    kind: 'sla.settings-changed',
    load: async (workspaceId) => {
      const [policies, calendars] = await Promise.all([
        repo.listPolicies(db, workspaceId, true),
        repo.listCalendars(db, workspaceId),
      ]);
      return { policies, calendars };
    },
  });

  /**
   * Replays the ticket's clocks under the policy that matches now, with the outcomes already recorded laid
   * over them. `cfg` is read before any transaction: the embedded database runs one transaction at a time.
   */
  async function evaluate(
    tx: Db,
    cfg: SlaSettings,
    workspaceId: number,
    ticketId: number,
    now: number,
    ltvCache: LifetimeValues = new Map(),
  ) {
    const found = await repo.findTicketTimeline(tx, workspaceId, ticketId);
    if (!found) return null;
    const { ticket, messages, events, outcomes } = found;
    const ltv =
      ticket.contact_id !== null && cfg.policies.some((p) => p.match.minLifetimeValue !== undefined)
        ? await lifetimeValueOf(tx, workspaceId, ticket.contact_id, ltvCache)
        : null;
    const policy = cfg.policies.find((p) => policyMatches(p.match, ticket, ltv));
    if (!policy)
      return { ticket, policy: null, calendar: null, clocks: [] as Clock[], reached: [], outcomes };
    const calendar = toCalendar(pickCalendar(cfg.calendars, ticket.team_id));
    const replayed = computeClocks(
      buildTimeline(ticket, messages, events),
      policy.targets,
      {
        pauseStatuses: policy.pause_statuses,
        warnPercent: policy.warn_percent,
        calendar,
        startAt: policy.applies_from?.getTime() ?? null,
      },
      now,
    );
    const { clocks, reached } = settle(replayed, outcomes);
    return { ticket, policy, calendar, clocks, reached, outcomes };
  }

  /**
   * Claims the warnings and breaches that are due and not yet announced (once, across nodes) and stages
   * their events in the same transaction: published after commit, replayed from the outbox if this node
   * dies first.
   */
  async function claimNotices(tx: Db, workspaceId: number, ticketId: number, policyId: number, now: number) {
    const events: DomainEvent[] = [];
    for (const c of await repo.claimDueNotices(tx, workspaceId, ticketId, now)) {
      const data = { metric: c.metric, cycle: c.cycle, dueAt: iso(c.due_at), policyId };
      if (c.warn) events.push({ name: 'sla.warning', workspaceId, ticketId, data });
      if (c.breach) events.push({ name: 'sla.breached', workspaceId, ticketId, data });
    }
    return bus.stage(tx, events);
  }

  const svc = {
    /**
     * Replays the ticket's clocks, stores them, schedules the next check and announces what is due.
     * `newTicket` (from ticket.created) says no clocks can exist yet, so without policies there is nothing
     * to do at all.
     */
    async recompute(
      workspaceId: number,
      ticketId: number,
      now = Date.now(),
      o: { newTicket?: boolean; lifetimeValues?: LifetimeValues } = {},
    ) {
      const cfg = await settings.get(workspaceId);
      if (!cfg.policies.length && o.newTicket) return;
      const staged = await db.tx(async (tx) => {
        // Held for every outcome, clearing too: a recompute that read older state must not write last.
        await repo.lockTicketClocks(tx, ticketId);
        // No policy can match: the ticket is not even read, its live clocks (if any, from removed policies)
        // go; what they achieved stays recorded.
        const r = cfg.policies.length
          ? await evaluate(tx, cfg, workspaceId, ticketId, now, o.lifetimeValues)
          : null;
        if (!r?.policy) {
          await repo.clearTicket(tx, workspaceId, ticketId);
          return [];
        }
        const open = r.clocks.filter((c) => c.completedAt === null);
        const breached = open.some((c) => c.state === 'breached');
        await repo.saveClocks(tx, workspaceId, ticketId, r.policy.id, r.clocks, {
          nextDueAt: nextDue(r.clocks),
          breached,
        });
        if (r.reached.length) await repo.recordOutcomes(tx, workspaceId, ticketId, r.policy, r.reached);
        // Wake up at the next warning or due time still ahead; the check job is just another recompute.
        const ahead = open
          .flatMap((c) => [c.warnAt, c.dueAt])
          .filter((x): x is number => x !== null && x > now);
        if (ahead.length) {
          const at = Math.min(...ahead);
          await enqueue(
            tx,
            'sla-check',
            { workspaceId, ticketId },
            { workspaceId, runAt: new Date(at), uniqueKey: `sla-check:${ticketId}:${at}` },
          );
        }
        // Only a warning or due time already reached can be announced.
        const reached = open.some(
          (c) => (c.warnAt !== null && c.warnAt <= now) || (c.dueAt !== null && c.dueAt <= now),
        );
        return reached ? claimNotices(tx, workspaceId, ticketId, r.policy.id, now) : [];
      });
      if (staged.length) await bus.publishMany(staged);
    },

    async recomputeWorkspace(workspaceId: number) {
      // Runs after a policy or calendar edit, maybe on a node whose signal has not arrived (or was lost).
      settings.forget(workspaceId);
      const lifetimeValues: LifetimeValues = new Map();
      for (const id of await repo.activeTicketIds(db, workspaceId)) {
        try {
          await svc.recompute(workspaceId, id, Date.now(), { lifetimeValues });
        } catch (err) {
          log.warn({ err, ticketId: id }, 'sla recompute failed');
        }
      }
    },

    /**
     * Live view of a ticket's clocks (computed now, not from the stored snapshot, with recorded outcomes
     * laid over them) and its achievement record.
     */
    async ticketSla(auth: Pick<Auth, 'workspaceId'>, ticketId: number): Promise<TicketSla> {
      const now = Date.now();
      const r = await evaluate(db, await settings.get(auth.workspaceId), auth.workspaceId, ticketId, now);
      if (!r) throw notFound('Ticket');
      const stored = await repo.listClocks(db, auth.workspaceId, ticketId);
      const clocks: SlaClock[] = r.clocks.map((c) => {
        const cal = c.business ? r.calendar : null;
        let remaining: number | null = null;
        if (c.completedAt === null) {
          if (c.dueAt === null) remaining = c.targetMinutes - c.elapsedMinutes;
          else if (c.dueAt > now) remaining = businessMinutesBetween(cal, new Date(now), new Date(c.dueAt));
          else remaining = -businessMinutesBetween(cal, new Date(c.dueAt), new Date(now));
          remaining = Math.round(remaining * 100) / 100;
        }
        const s = stored.find((x) => x.metric === c.metric && x.cycle === c.cycle);
        return {
          metric: c.metric,
          cycle: c.cycle,
          state: c.state,
          targetMinutes: c.targetMinutes,
          business: c.business,
          startedAt: iso(c.startedAt)!,
          dueAt: iso(c.dueAt),
          completedAt: iso(c.completedAt),
          elapsedMinutes: c.elapsedMinutes,
          remainingMinutes: remaining,
          warned: !!s?.warned_at || (c.warnAt !== null && c.warnAt <= now && c.completedAt === null),
        };
      });
      const open = r.clocks.filter((c) => c.completedAt === null);
      return {
        ticketId,
        policy: r.policy ? { id: r.policy.id, name: r.policy.name } : null,
        status: r.ticket.status as TicketStatus,
        nextDueAt: iso(nextDue(r.clocks)),
        breached: open.some((c) => c.state === 'breached'),
        clocks,
        outcomes: r.outcomes.map((o) => ({
          metric: o.metric,
          cycle: o.cycle,
          outcome: o.outcome,
          policy: { id: o.policyId, name: o.policyName },
          targetMinutes: o.targetMinutes,
          business: o.business,
          startedAt: iso(o.startedAt)!,
          dueAt: iso(o.dueAt),
          at: iso(o.at)!,
        })),
      };
    },

    /** Tickets with SLA clocks, due soonest first; `breached` keeps only those past a due time. */
    async dueTickets(
      auth: Pick<Auth, 'workspaceId'>,
      q: { breached?: boolean; assigneeId?: number; teamId?: number; limit: number; ids?: number[] },
      now = Date.now(),
    ) {
      const rows = await repo.listDueTickets(db, auth.workspaceId, q);
      const clocks = rows.length
        ? await repo.clocksOfTickets(
            db,
            auth.workspaceId,
            rows.map((r) => r.id),
          )
        : [];
      return rows.map((r) => {
        const mine = clocks.filter((c) => c.ticket_id === r.id);
        const active = activeClock(mine, now);
        const dueAt = active?.due_at?.getTime() ?? null;
        const open = active && !active.completed_at;
        return {
          id: r.id,
          subject: r.subject,
          status: r.status as TicketStatus,
          priority: r.priority,
          channel: r.channel,
          assigneeId: r.assignee_id,
          teamId: r.team_id,
          nextDueAt: iso(r.next_due_at),
          breached: r.breached,
          policy: mine[0]?.policy_id ? { id: mine[0].policy_id, name: mine[0].policy_name ?? '' } : null,
          active: active
            ? {
                metric: active.metric,
                cycle: active.cycle,
                // The stored state is as of the last recompute; a due time passed since then is a breach.
                state: open && dueAt !== null && dueAt <= now ? ('breached' as const) : active.state,
                dueAt: iso(dueAt),
                warnAt: iso(active.warn_at),
                completedAt: iso(active.completed_at),
                warning:
                  !!open && (!!active.warned_at || (!!active.warn_at && active.warn_at.getTime() <= now)),
              }
            : null,
        };
      });
    },

    /** The business calendar a team's tickets run on (null: always open). */
    calendarFor: async (workspaceId: number, teamId: number | null) =>
      toCalendar(pickCalendar((await settings.get(workspaceId)).calendars, teamId)),

    /**
     * Every team's calendar at once, read before a transaction (analytics' business-hours durations:
     * the embedded database runs one transaction at a time, so nothing may be read beside it).
     */
    async calendarsOf(workspaceId: number) {
      const { calendars } = await settings.get(workspaceId);
      return (teamId: number | null) => toCalendar(pickCalendar(calendars, teamId));
    },

    /** When the first open clock of a ticket is due (routing orders its queue by this). */
    dueAtOf: (workspaceId: number, ticketId: number) => repo.dueAtOf(db, workspaceId, ticketId),

    async report(auth: Pick<Auth, 'workspaceId'>, q: { from?: string; to?: string }) {
      const to = q.to ? new Date(q.to) : new Date();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
      if (from >= to)
        throw new AppError('validation_failed', 'from must be before to', [
          { path: 'query.from', message: 'must be before to' },
        ]);
      const rows = await repo.report(db, auth.workspaceId, from.toISOString(), to.toISOString());
      const metrics = (['first_response', 'next_response', 'resolution'] as const).map((metric) => {
        const r = rows.find((x) => x.metric === metric);
        const completed = r?.completed ?? 0;
        return {
          metric,
          completed,
          met: r?.met ?? 0,
          breached: r?.breached ?? 0,
          compliancePercent: completed ? Math.round(((r?.met ?? 0) / completed) * 1000) / 10 : null,
          openBreached: r?.open_breached ?? 0,
        };
      });
      return { from: from.toISOString(), to: to.toISOString(), metrics };
    },

    // Business hours
    async listBusinessHours(auth: Pick<Auth, 'workspaceId'>) {
      return (await repo.listCalendars(db, auth.workspaceId)).map(toBusinessHours);
    },
    async getBusinessHours(auth: Pick<Auth, 'workspaceId'>, teamId: number | null) {
      const r = await repo.findCalendar(db, auth.workspaceId, teamId);
      if (!r) throw notFound('Business hours');
      return toBusinessHours(r);
    },
    async putBusinessHours(auth: Auth, teamId: number | null, input: BusinessCalendarInput) {
      if (teamId !== null && !(await teamExists(db, auth.workspaceId, teamId))) throw notFound('Team');
      const row = await repo.upsertCalendar(db, auth.workspaceId, teamId, input);
      await svc.settingsChanged(auth.workspaceId);
      return toBusinessHours(row!);
    },
    async deleteBusinessHours(auth: Auth, teamId: number | null) {
      if (!(await repo.deleteCalendar(db, auth.workspaceId, teamId)).length) throw notFound('Business hours');
      await svc.settingsChanged(auth.workspaceId);
    },
    async openStatus(auth: Pick<Auth, 'workspaceId'>, teamId: number | null, at = new Date()) {
      const row = pickCalendar((await settings.get(auth.workspaceId)).calendars, teamId);
      const cal = toCalendar(row);
      return { open: isOpen(cal, at), nextOpenAt: iso(nextOpen(cal, at)), timezone: row?.timezone ?? null };
    },

    // Policies
    listPolicies: async (auth: Pick<Auth, 'workspaceId'>) =>
      (await repo.listPolicies(db, auth.workspaceId)).map(toPolicy),
    async createPolicy(auth: Auth, input: SlaPolicyInput) {
      const row = await repo.insertPolicy(db, auth.workspaceId, fields(input));
      await svc.settingsChanged(auth.workspaceId);
      return toPolicy(row!);
    },
    async updatePolicy(auth: Auth, id: number, input: SlaPolicyInput) {
      const row = await repo.updatePolicy(db, auth.workspaceId, id, fields(input));
      if (!row) throw notFound('SLA policy');
      await svc.settingsChanged(auth.workspaceId);
      return toPolicy(row);
    },
    async deletePolicy(auth: Auth, id: number) {
      if (!(await repo.deletePolicy(db, auth.workspaceId, id)).length) throw notFound('SLA policy');
      await svc.settingsChanged(auth.workspaceId);
    },
    async reorderPolicies(auth: Auth, ids: number[]) {
      const unique = [...new Set(ids)];
      const done = await db.tx(async (tx) => {
        const all = await repo.listPolicies(tx, auth.workspaceId);
        if (unique.length !== all.length || unique.some((id) => !all.find((p) => p.id === id)))
          throw new AppError('validation_failed', 'List every policy of the workspace exactly once', [
            { path: 'body.ids', message: 'must be a permutation of the policy ids' },
          ]);
        return repo.setPolicyPositions(tx, auth.workspaceId, unique);
      });
      await svc.settingsChanged(auth.workspaceId);
      return done.length;
    },

    /** Policy or calendar edits re-time every active ticket, in a job so the request returns at once. */
    /** After a policy or calendar write: every node drops its copy, and the open tickets are recomputed. */
    async settingsChanged(workspaceId: number) {
      await settings.changed(workspaceId);
      await enqueue(db, 'sla-recompute-workspace', { workspaceId }, { workspaceId });
      deps.jobs.wake();
    },
  };
  return svc;
}

function fields(input: SlaPolicyInput): repo.PolicyFields {
  return {
    name: input.name,
    active: input.active,
    position: input.position,
    match: input.match,
    targets: input.targets,
    pauseStatuses: input.pauseStatuses,
    warnPercent: input.warnPercent,
    applyToOpenTickets: input.applyToOpenTickets,
  };
}

export type SlaService = ReturnType<typeof createSlaService>;
