import type { Role } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, badRequest } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import * as repo from './analytics.repository.ts';
import { percentile } from './buckets.ts';
import { daysBetween, periodOf, periodsIn, todayIn } from './periods.ts';
import type { Contribution, MetricDefinition, MetricsRegistry } from './registry.ts';

/** Tickets recomputed per flush transaction. */
const BATCH = 500;
const MAX_RANGE_DAYS = 366;

export interface Filters {
  from: string;
  to: string;
  channel?: string;
  team?: number;
  agent?: number;
  priority?: string;
}

export interface Figure {
  n: number;
  excluded: number;
  value: number | null;
  avg: number | null;
  median: number | null;
  p90: number | null;
}

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

const seesTeam = (role: Role) => role === 'admin' || role === 'lead';

/**
 * The one dimension a request filters by. Agents see their own figures only (the agent filter is
 * theirs, whatever they sent); leads and admins see the team. Bad ranges are 400s.
 */
export function filterOf(auth: Auth, f: Filters): { dim: string; value: string } | null {
  if (f.from > f.to) throw badRequest('from must be on or before to');
  if (daysBetween(f.from, f.to) >= MAX_RANGE_DAYS)
    throw badRequest(`A report covers at most ${MAX_RANGE_DAYS} days`);
  const given = (
    [
      ['channel', f.channel],
      ['team', f.team],
      ['agent', f.agent],
      ['priority', f.priority],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (!seesTeam(auth.role)) {
    if (given.some(([k, v]) => k !== 'agent' || v !== auth.agentId))
      throw new AppError('forbidden', 'Agents see their own figures only: leave out the filters');
    return { dim: 'agent', value: String(auth.agentId) };
  }
  if (given.length > 1)
    throw badRequest('Filter by one of channel, team, agent or priority at a time', {
      filters: given.map(([k]) => k),
    });
  const one = given[0];
  return one ? { dim: one[0], value: String(one[1]) } : null;
}

export function createAnalyticsService(deps: Pick<Deps, 'db'>, registry: MetricsRegistry) {
  const { db } = deps;

  /** Recomputes the marked tickets of a workspace, BATCH per transaction. Returns how many it did. */
  async function flush(workspaceId: number, maxBatches = 20): Promise<number> {
    let done = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await db.tx(async (tx) => {
        const ids = await repo.claimDirty(tx, workspaceId, BATCH);
        if (!ids.length) return 0;
        await recompute(tx, workspaceId, ids);
        return ids.length;
      });
      done += n;
      if (n < BATCH) break;
    }
    return done;
  }

  async function recompute(tx: Db, workspaceId: number, ids: number[]) {
    const tz = await repo.timeZoneOf(tx, workspaceId);
    const dims = await registry.subjects().dims(tx, workspaceId, ids);
    const rows: (Contribution & { dims: Record<string, string> })[] = [];
    for (const source of registry.sources())
      for (const c of await source.contributions(tx, workspaceId, ids)) {
        const d = dims.get(c.subjectId);
        if (d) rows.push({ ...c, dims: d }); // a ticket that is gone contributes nothing
      }
    await repo.replaceContributions(tx, workspaceId, tz, ids, rows);
  }

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

    /** Recomputes every ticket of the workspace (backfill, time-zone change, a new metric). */
    async rebuild(workspaceId: number, progress?: (done: number, total: number) => void) {
      const subjects = registry.subjects();
      let after = 0;
      let marked = 0;
      for (;;) {
        const ids = await subjects.idsAfter(db, workspaceId, after, 5000);
        if (!ids.length) break;
        await repo.markDirty(
          db,
          ids.map((ticketId) => ({ workspaceId, ticketId })),
        );
        marked += ids.length;
        after = ids[ids.length - 1]!;
      }
      let done = 0;
      for (;;) {
        const n = await flush(workspaceId, 1);
        done += n;
        progress?.(done, marked);
        if (!n) break;
      }
      return { tickets: done };
    },

    async report(auth: Auth, q: Filters & { period: 'day' | 'week' | 'month'; metrics?: string }) {
      const filter = filterOf(auth, q);
      const metrics = metricsOf(q.metrics);
      await flush(auth.workspaceId);
      const rows = await repo.rollups(
        db,
        auth.workspaceId,
        metrics.map((m) => m.key),
        filter?.dim ?? '',
        filter?.value ?? '',
        q.from,
        q.to,
      );
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
        filter || days < 1
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
      return {
        from: q.from,
        to: q.to,
        period: q.period,
        timeZone,
        filter,
        metrics: metrics.map((m) => {
          const got = byMetric.get(m.key);
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

    /** "Explain this number": the tickets a figure counted and those it left out, with the rule. */
    async drill(
      auth: Auth,
      q: Filters & { metric: string; included?: 'true' | 'false'; limit: number; offset: number },
    ) {
      const filter = filterOf(auth, q);
      const metric = metricsOf(q.metric)[0]!;
      await flush(auth.workspaceId);
      const rows = await repo.contributionsFor(db, {
        workspaceId: auth.workspaceId,
        metric: metric.key,
        from: q.from,
        to: q.to,
        dim: filter?.dim ?? null,
        dimValue: filter?.value ?? null,
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
