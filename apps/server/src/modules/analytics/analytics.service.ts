import type { Role } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, badRequest } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { businessMinutesBetween, type Calendar } from '../sla/index.ts';
import type { DimFilter } from './analytics.repository.ts';
import * as repo from './analytics.repository.ts';
import { percentile } from './buckets.ts';
import { daysBetween, periodOf, periodsIn, todayIn } from './periods.ts';
import {
  businessKey,
  type Contribution,
  DIMENSIONS,
  type Dims,
  type MetricDefinition,
  type MetricsRegistry,
} from './registry.ts';
import { trends } from './trends.ts';

/** Tickets recomputed per flush transaction. */
const BATCH = 500;
const MAX_RANGE_DAYS = 366;
/** Tickets per transaction of the set-based rebuild. */
const REBUILD_PAGE = 2000;

export interface Filters {
  from: string;
  to: string;
  channel?: string;
  team?: number;
  agent?: number;
  priority?: string;
  tag?: string;
}

export interface Figure {
  n: number;
  excluded: number;
  value: number | null;
  avg: number | null;
  median: number | null;
  p90: number | null;
}

type CalendarPick = (teamId: number | null) => Calendar | null;

type Hist = Map<number, { n: number; total: number }>;

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** One figure from bucket sums: bucket -1 holds excluded rows, the rest the histogram. */
export function figureOf(kind: MetricDefinition['kind'], hist: Hist): Figure {
  let n = 0;
  let total = 0;
  let excluded = 0;
  const counts = new Map<number, number>();
  for (const [b, v] of hist) {
    if (b < 0) excluded += v.n;
    else {
      n += v.n;
      total += v.total;
      counts.set(b, (counts.get(b) ?? 0) + v.n);
    }
  }
  const f: Figure = { n, excluded, value: null, avg: null, median: null, p90: null };
  if (kind === 'count') f.value = n;
  else if (kind === 'rate') f.value = n + excluded ? round((100 * n) / (n + excluded), 1) : null;
  else if (kind === 'average') f.value = n ? round(total / n, 2) : null;
  else if (n) {
    f.avg = Math.round(total / n);
    f.median = percentile(counts, 0.5);
    f.p90 = percentile(counts, 0.9);
    f.value = f.median;
  }
  return f;
}

const levelFigure = (level: number): Figure => ({
  n: level,
  excluded: 0,
  value: level,
  avg: null,
  median: null,
  p90: null,
});

const seesTeam = (role: Role) => role === 'admin' || role === 'lead';

/**
 * The dimensions a request filters by; several combine (channel × team × tag …). Agents see their own
 * figures only: their agent filter is always set and naming another agent is a 403; they may narrow
 * their own figures by the other dimensions. Leads and admins see the team. Bad ranges are 400s.
 */
export function filtersOf(auth: Auth, f: Filters): DimFilter[] {
  if (f.from > f.to) throw badRequest('from must be on or before to');
  if (daysBetween(f.from, f.to) >= MAX_RANGE_DAYS)
    throw badRequest(`A report covers at most ${MAX_RANGE_DAYS} days`);
  const given = DIMENSIONS.flatMap((dim) => (f[dim] === undefined ? [] : [{ dim, value: String(f[dim]) }]));
  if (seesTeam(auth.role)) return given;
  if (f.agent !== undefined && f.agent !== auth.agentId)
    throw new AppError('forbidden', 'Agents see their own figures only');
  return [{ dim: 'agent', value: String(auth.agentId) }, ...given.filter((g) => g.dim !== 'agent')];
}

export function createAnalyticsService(deps: Pick<Deps, 'db'>, registry: MetricsRegistry) {
  const { db } = deps;

  /** Recomputes the marked tickets of a workspace, BATCH per transaction. Returns how many it did. */
  async function flush(workspaceId: number, maxBatches = 20): Promise<number> {
    let done = 0;
    if (!(await repo.dirtyCount(db, workspaceId))) return 0;
    const calendarOf = await calendarsOf(workspaceId);
    for (let i = 0; i < maxBatches; i++) {
      const n = await db.tx(async (tx) => {
        const ids = await repo.claimDirty(tx, workspaceId, BATCH);
        if (!ids.length) return 0;
        await recompute(tx, workspaceId, ids, calendarOf);
        return ids.length;
      });
      done += n;
      if (n < BATCH) break;
    }
    return done;
  }

  /** The contributions of these tickets, with their dimensions and business-hours twins. */
  async function contributionsOf(tx: Db, workspaceId: number, ids: number[], calendarOf: CalendarPick) {
    const dims = await registry.subjects().dims(tx, workspaceId, ids);
    const rows: (Contribution & { dims: Dims })[] = [];
    for (const source of registry.sources())
      for (const c of await source.contributions(tx, workspaceId, ids)) {
        const d = dims.get(c.subjectId);
        if (!d) continue; // a ticket that is gone contributes nothing
        rows.push({ ...c, dims: d });
        if (registry.metric(c.metric)?.kind !== 'duration' || !c.spans) continue;
        const twin = { ...c, metric: businessKey(c.metric), dims: d };
        if (c.included) {
          const cal = calendarOf(typeof d.team === 'string' ? Number(d.team) : null);
          twin.value = Math.round(
            c.spans.reduce((s, [a, b]) => s + businessMinutesBetween(cal, a, b) * 60, 0),
          );
        }
        rows.push(twin);
      }
    return rows;
  }

  async function recompute(tx: Db, workspaceId: number, ids: number[], calendarOf: CalendarPick) {
    const tz = await repo.timeZoneOf(tx, workspaceId);
    const rows = await contributionsOf(tx, workspaceId, ids, calendarOf);
    await repo.replaceContributions(tx, workspaceId, tz, ids, rows);
  }

  async function allIds(workspaceId: number) {
    const out: number[] = [];
    for (let after = 0; ; ) {
      const ids = await registry.subjects().idsAfter(db, workspaceId, after, 50_000);
      if (!ids.length) return out;
      for (const id of ids) out.push(id);
      after = ids[ids.length - 1]!;
    }
  }

  /**
   * Contacts per 1,000 orders: tickets created (analytics' own rollups) over the orders commerce
   * registered, both over the days from the report's first day to today.
   */
  async function contactsPerOrders(
    workspaceId: number,
    from: string,
    tz: string,
    days: number,
    orders: number,
  ) {
    const rows = await repo.rollups(db, workspaceId, ['tickets_created'], '', '', from, todayIn(tz));
    const contacts = rows.filter((r) => Number(r.bucket) >= 0).reduce((s, r) => s + Number(r.n), 0);
    return {
      key: 'contacts_per_1000_orders',
      label: 'Contacts per 1,000 orders',
      definition:
        'Tickets created (merged ones left out) per 1,000 orders placed, both over the days from the report’s first day to today: how often an order makes a customer get in touch. Not split by the report’s filters.',
      days,
      value: orders ? Math.round((10_000 * contacts) / orders) / 10 : null,
      n: contacts,
      detail: `${contacts} tickets for ${orders} orders`,
    };
  }

  /** The calendar picker, read outside any transaction. */
  const calendarsOf = async (workspaceId: number): Promise<CalendarPick> =>
    (await registry.calendar()?.(workspaceId)) ?? (() => null);

  function metricsOf(keys: string | undefined): MetricDefinition[] {
    if (!keys) return registry.metrics();
    return keys.split(',').map((k) => {
      const m = registry.metric(k.trim());
      if (!m)
        throw badRequest(`Unknown metric: ${k.trim()}`, { known: registry.metrics().map((x) => x.key) });
      return m;
    });
  }

  return {
    flush,
    markDirty: repo.markDirty,
    workspacesWithDirty: () => repo.workspacesWithDirty(db),

    definitions: () => ({
      metrics: registry.metrics(),
      summaries: registry.summaries().map(({ summary: _, ...s }) => s),
    }),

    async settings(workspaceId: number) {
      return { timeZone: await repo.timeZoneOf(db, workspaceId) };
    },

    /** A new time zone moves every contribution to another local day: everything is recomputed. */
    async setTimeZone(workspaceId: number, timeZone: string) {
      await repo.setTimeZone(db, workspaceId, timeZone);
      await this.rebuild(workspaceId);
      return { timeZone };
    },

    /**
     * Recomputes every ticket of the workspace (backfill, time-zone change, a new metric), set-based:
     * contributions are written page by page without rollup deltas, then the rollups are recounted
     * from them in one statement (docs/analytics.md, "Rebuild").
     */
    async rebuild(workspaceId: number, progress?: (done: number, total: number) => void) {
      const ids = await allIds(workspaceId);
      const tz = await repo.timeZoneOf(db, workspaceId);
      const calendarOf = await calendarsOf(workspaceId);
      await repo.dropContributions(db, workspaceId);
      let done = 0;
      for (let i = 0; i < ids.length; i += REBUILD_PAGE) {
        const page = ids.slice(i, i + REBUILD_PAGE);
        await db.tx(async (tx) => {
          await repo.lockSubjects(tx, workspaceId, page);
          const rows = await contributionsOf(tx, workspaceId, page, calendarOf);
          await repo.putContributions(tx, workspaceId, tz, page, rows);
        });
        done += page.length;
        progress?.(done, ids.length);
      }
      await db.tx((tx) => repo.recountRollups(tx, workspaceId));
      progress?.(done, ids.length);
      return { tickets: done };
    },

    /**
     * The same through the incremental path, ticket batch by ticket batch with rollup deltas (what the
     * flush does). Kept to measure against the set-based rebuild (bench `analytics-rebuild`).
     */
    async rebuildPerTicket(workspaceId: number, progress?: (done: number, total: number) => void) {
      const ids = await allIds(workspaceId);
      await repo.markDirty(
        db,
        ids.map((ticketId) => ({ workspaceId, ticketId })),
      );
      let done = 0;
      for (;;) {
        const n = await flush(workspaceId, 1);
        done += n;
        progress?.(done, ids.length);
        if (!n) break;
      }
      return { tickets: done };
    },

    async report(auth: Auth, q: Filters & { period: 'day' | 'week' | 'month'; metrics?: string }) {
      const filters = filtersOf(auth, q);
      const metrics = metricsOf(q.metrics);
      await flush(auth.workspaceId);
      const keys = metrics.map((m) => m.key);
      // One filter has its own rollup rows; a combination (or a tag) is summed live from contributions.
      const one = filters.length === 1 && filters[0]!.dim !== 'tag' ? filters[0]! : null;
      const rows =
        filters.length === 0 || one
          ? await repo.rollups(db, auth.workspaceId, keys, one?.dim ?? '', one?.value ?? '', q.from, q.to)
          : await repo.liveRollups(db, auth.workspaceId, keys, filters, q.from, q.to);
      const levels = metrics.filter((m) => m.kind === 'level').map((m) => m.key);
      const opening = await repo.openingLevels(db, auth.workspaceId, levels, filters, q.from);
      const byMetric = new Map<string, { total: Hist; periods: Map<string, Hist> }>();
      const add = (h: Hist, b: number, n: number, total: number) => {
        const v = h.get(b) ?? { n: 0, total: 0 };
        v.n += n;
        v.total += total;
        h.set(b, v);
      };
      for (const r of rows) {
        let m = byMetric.get(r.metric);
        if (!m) {
          m = { total: new Map(), periods: new Map() };
          byMetric.set(r.metric, m);
        }
        const p = periodOf(r.day, q.period);
        let ph = m.periods.get(p);
        if (!ph) {
          ph = new Map();
          m.periods.set(p, ph);
        }
        add(m.total, Number(r.bucket), Number(r.n), Number(r.total));
        add(ph, Number(r.bucket), Number(r.n), Number(r.total));
      }
      const periods = periodsIn(q.from, q.to, q.period);
      const timeZone = await repo.timeZoneOf(db, auth.workspaceId);
      // Summaries (CSAT) come from their module over the last N days and cannot be filtered.
      const days = daysBetween(q.from, todayIn(timeZone)) + 1;
      const summaries =
        filters.length || days < 1
          ? []
          : await Promise.all(
              registry.summaries().map(async (s) => ({
                key: s.key,
                label: s.label,
                definition: s.definition,
                days,
                ...(await s.summary(db, auth.workspaceId, Math.min(days, 730))),
              })),
            );
      const orders = summaries.find((s) => s.key === 'orders');
      if (orders) summaries.push(await contactsPerOrders(auth.workspaceId, q.from, timeZone, days, orders.n));
      return {
        from: q.from,
        to: q.to,
        period: q.period,
        timeZone,
        filter: filters[0] ?? null,
        filters,
        metrics: metrics.map((m) => {
          const got = byMetric.get(m.key);
          if (m.kind === 'level') {
            // The level at the end of each period: the opening plus every change up to then.
            let level = opening.get(m.key) ?? 0;
            const series = periods.map((p) => {
              for (const v of got?.periods.get(p)?.values() ?? []) level += v.total;
              return { period: p, ...levelFigure(level) };
            });
            return { ...m, total: levelFigure(level), series };
          }
          return {
            ...m,
            total: figureOf(m.kind, got?.total ?? new Map()),
            series: periods.map((p) => ({
              period: p,
              ...figureOf(m.kind, got?.periods.get(p) ?? new Map()),
            })),
          };
        }),
        summaries,
      };
    },

    /** Week-over-week trends and spike alerts (trends.ts). */
    async trends(workspaceId: number, q: { to?: string; weeks: number; threshold: number }) {
      await flush(workspaceId);
      const to = q.to ?? todayIn(await repo.timeZoneOf(db, workspaceId));
      return trends(db, workspaceId, { ...q, to, metrics: registry.metrics() });
    },

    /** "Explain this number": the tickets a figure counted and those it left out, with the rule. */
    async drill(
      auth: Auth,
      q: Filters & { metric: string; included?: 'true' | 'false'; limit: number; offset: number },
    ) {
      const filters = filtersOf(auth, q);
      const metric = metricsOf(q.metric)[0]!;
      await flush(auth.workspaceId);
      const rows = await repo.contributionsFor(db, {
        workspaceId: auth.workspaceId,
        metric: metric.key,
        from: q.from,
        to: q.to,
        filters,
        included: q.included === undefined ? null : q.included === 'true',
        limit: q.limit + 1,
        offset: q.offset,
      });
      const page = rows.slice(0, q.limit);
      const about = await registry
        .subjects()
        .describe(db, auth.workspaceId, [...new Set(page.map((r) => Number(r.subject_id)))]);
      return {
        metric,
        hasMore: rows.length > q.limit,
        items: page.map((r) => ({
          ticketId: Number(r.subject_id),
          subject: about.get(Number(r.subject_id))?.subject ?? null,
          status: about.get(Number(r.subject_id))?.status ?? null,
          at: (r.at instanceof Date ? r.at : new Date(r.at)).toISOString(),
          day: r.day,
          value: r.value === null ? null : Number(r.value),
          included: r.included,
          reason: r.reason,
        })),
      };
    },
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
