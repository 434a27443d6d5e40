import type { Db } from '../../platform/db/db.ts';
import type { Calendar } from '../sla/index.ts';

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
  | 'average'
  /**
   * A running level (backlog): contributions are +1/-1 changes; a period's figure is the sum of every
   * change up to the period's last day, so the report adds the changes before the range as an opening.
   */
  | 'level';

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
  /**
   * For durations: the time spans the value adds up (creation → reply; the stretches spent on hold).
   * Analytics counts the same spans in business hours for the metric's `_business` twin.
   */
  spans?: [Date, Date][];
}

/** A module's metrics and its rollup function (the contributions of some tickets). */
export interface MetricSource {
  name: string;
  metrics: MetricDefinition[];
  contributions(db: Db, workspaceId: number, ticketIds: number[]): Promise<Contribution[]>;
}

/** The ticket's dimensions, its drill-down rows and the ids a rebuild walks (the tickets module). */
export interface SubjectProvider {
  /**
   * Dimension values per ticket: strings (channel, team, agent, priority) are rolled up; lists (tags)
   * are kept on the contributions for combined filters (live, from analytics' own table).
   */
  dims(db: Db, workspaceId: number, ticketIds: number[]): Promise<Map<number, Dims>>;
  /** The rows a drill-down lists. */
  describe(
    db: Db,
    workspaceId: number,
    ticketIds: number[],
  ): Promise<Map<number, { subject: string; status: string }>>;
  /** Ticket ids after `afterId`, ascending (a rebuild walks them in pages). */
  idsAfter(db: Db, workspaceId: number, afterId: number, limit: number): Promise<number[]>;
}

export type Dims = Record<string, string | string[]>;

/**
 * The business-hours calendars of a workspace (the SLA module's), read before the flush transaction:
 * the picker gives a team's calendar (the default without a team), null = always open.
 */
export type CalendarProvider = (workspaceId: number) => Promise<(teamId: number | null) => Calendar | null>;

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

/** Dimensions a report filters by; `tag` is a list on the ticket, so only the live path reads it. */
export const DIMENSIONS = ['channel', 'team', 'agent', 'priority', 'tag'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The business-hours twin of a duration metric. */
export const businessKey = (key: string) => `${key}_business`;

export interface MetricsRegistry {
  register(source: MetricSource): void;
  registerSummary(metric: SummaryMetric): void;
  setSubjects(provider: SubjectProvider): void;
  setCalendar(provider: CalendarProvider): void;
  calendar(): CalendarProvider | undefined;
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
  let calendar: CalendarProvider | undefined;
  const add = (m: MetricDefinition) => {
    if (byKey.has(m.key)) throw new Error(`analytics: metric ${m.key} registered twice`);
    byKey.set(m.key, m);
  };
  return {
    register(source) {
      for (const m of source.metrics) {
        add(m);
        // Every duration gets a business-hours twin, filled by analytics from the contribution's spans.
        if (m.kind === 'duration')
          add({
            ...m,
            key: businessKey(m.key),
            label: `${m.label} (business hours)`,
            definition: `${m.definition} Counted in business hours: only the time the calendar of the ticket’s team (SLA settings; the workspace default without a team) is open, skipping closed hours, weekends and holidays, in the calendar’s own time zone.`,
          });
      }
      sources.push(source);
    },
    setCalendar(provider) {
      calendar = provider;
    },
    calendar: () => calendar,
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
