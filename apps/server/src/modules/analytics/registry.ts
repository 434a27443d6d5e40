import type { Db } from '../../platform/db/db.ts';

/**
 * The metrics registry (docs/shared-services.md): a module that owns data describes its metrics here
 * and computes its own contributions from its own tables; analytics stores and rolls them up. Analytics
 * never reads another module's tables.
 */

export type MetricKind =
  /** A number of tickets or events: n. */
  | 'count'
  /** Seconds: average, median and p90 from the rollup histogram. */
  | 'duration'
  /** The share of included among included + excluded rows (one-touch, SLA met ÷ applied). */
  | 'rate'
  /** A plain average of the values (replies per resolution). */
  | 'average';

export interface MetricDefinition {
  key: string;
  label: string;
  kind: MetricKind;
  /** The written definition: shown in the dashboard's tooltip, the API and docs/analytics.md. */
  definition: string;
  /** Which day a contribution counts on (e.g. "the day of the first reply"). */
  countedOn: string;
}

/** What one ticket adds to one metric. `seq` tells apart repeats (the 2nd solve, SLA cycle 3 …). */
export interface Contribution {
  subjectId: number;
  metric: string;
  seq: number;
  at: Date;
  /** Seconds for durations, a plain number for averages, null for counts and rates. */
  value: number | null;
  included: boolean;
  /** Why an excluded row was left out (shown in "explain this number"). */
  reason: string | null;
}

/** A module's metrics and its rollup function (the contributions of some tickets). */
export interface MetricSource {
  name: string;
  metrics: MetricDefinition[];
  contributions(db: Db, workspaceId: number, ticketIds: number[]): Promise<Contribution[]>;
}

/** The ticket's dimensions, its drill-down rows and the ids a rebuild walks (the tickets module). */
export interface SubjectProvider {
  /** Dimension values per ticket, as strings (channel, team, agent, priority). */
  dims(db: Db, workspaceId: number, ticketIds: number[]): Promise<Map<number, Record<string, string>>>;
  /** The rows a drill-down lists. */
  describe(
    db: Db,
    workspaceId: number,
    ticketIds: number[],
  ): Promise<Map<number, { subject: string; status: string }>>;
  /** Ticket ids after `afterId`, ascending (a rebuild walks them in pages). */
  idsAfter(db: Db, workspaceId: number, afterId: number, limit: number): Promise<number[]>;
}

/** A figure a module computes from its own reports over the last N days (CSAT from feedback). */
export interface SummaryMetric {
  key: string;
  label: string;
  definition: string;
  summary(
    db: Db,
    workspaceId: number,
    days: number,
  ): Promise<{ value: number | null; n: number; detail: string }>;
}

export const DIMENSIONS = ['channel', 'team', 'agent', 'priority'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface MetricsRegistry {
  register(source: MetricSource): void;
  registerSummary(metric: SummaryMetric): void;
  setSubjects(provider: SubjectProvider): void;
  sources(): MetricSource[];
  summaries(): SummaryMetric[];
  subjects(): SubjectProvider;
  metric(key: string): MetricDefinition | undefined;
  metrics(): MetricDefinition[];
}

export function createMetricsRegistry(): MetricsRegistry {
  const sources: MetricSource[] = [];
  const summaries: SummaryMetric[] = [];
  const byKey = new Map<string, MetricDefinition>();
  let subjects: SubjectProvider | undefined;
  return {
    register(source) {
      for (const m of source.metrics) {
        if (byKey.has(m.key)) throw new Error(`analytics: metric ${m.key} registered twice`);
        byKey.set(m.key, m);
      }
      sources.push(source);
    },
    registerSummary(metric) {
      summaries.push(metric);
    },
    setSubjects(provider) {
      subjects = provider;
    },
    sources: () => sources,
    summaries: () => summaries,
    subjects() {
      if (!subjects) throw new Error('analytics: no subject provider (tickets) registered');
      return subjects;
    },
    metric: (key) => byKey.get(key),
    metrics: () => [...byKey.values()],
  };
}
