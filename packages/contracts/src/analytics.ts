import { z } from 'zod';

/** Analytics (issue 16): report, drill-down and metric definitions. */

export const AnalyticsPeriod = z.enum(['day', 'week', 'month']);
export const AnalyticsMetricKind = z.enum(['count', 'duration', 'rate', 'average', 'level']);

export const AnalyticsMetricDefinition = z.object({
  key: z.string(),
  label: z.string(),
  kind: AnalyticsMetricKind,
  definition: z.string(),
  countedOn: z.string(),
});

const id = z.coerce.number().int().positive();

/** Filters shared by the report, the drill-down and the CSV; several combine (AND). */
export const AnalyticsFilters = z.object({
  from: z.iso.date().describe('First day (YYYY-MM-DD, reporting time zone)'),
  to: z.iso.date().describe('Last day, inclusive (at most 366 days after from)'),
  channel: z.string().min(1).max(40).optional(),
  team: id.optional(),
  agent: id.optional(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
  tag: z.string().min(1).max(80).optional().describe('Tickets carrying this tag'),
});

export const AnalyticsReportQuery = AnalyticsFilters.extend({
  period: AnalyticsPeriod.default('day'),
  metrics: z.string().max(500).optional().describe('Comma-separated metric keys (default: all)'),
});

/** One figure: counts use n; durations avg/median/p90 (seconds); rates value (%); averages value. */
export const AnalyticsFigure = z.object({
  n: z.number(),
  excluded: z.number(),
  value: z.number().nullable(),
  avg: z.number().nullable(),
  median: z.number().nullable(),
  p90: z.number().nullable(),
});

export const AnalyticsReport = z.object({
  from: z.string(),
  to: z.string(),
  period: AnalyticsPeriod,
  timeZone: z.string(),
  filter: z
    .object({ dim: z.string(), value: z.string() })
    .nullable()
    .describe('The first of `filters` (kept for clients of the one-filter API)'),
  filters: z.array(z.object({ dim: z.string(), value: z.string() })),
  metrics: z.array(
    AnalyticsMetricDefinition.extend({
      total: AnalyticsFigure,
      series: z.array(AnalyticsFigure.extend({ period: z.string() })),
    }),
  ),
  summaries: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      definition: z.string(),
      days: z.number(),
      value: z.number().nullable(),
      n: z.number(),
      detail: z.string(),
    }),
  ),
});

export const AnalyticsDrillQuery = AnalyticsFilters.extend({
  metric: z.string().min(1).max(60),
  included: z.enum(['true', 'false']).optional().describe('Only counted (true) or only left out (false)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const AnalyticsDrillRow = z.object({
  ticketId: z.number(),
  subject: z.string().nullable(),
  status: z.string().nullable(),
  at: z.string(),
  day: z.string(),
  value: z.number().nullable(),
  included: z.boolean(),
  reason: z.string().nullable(),
});

export const AnalyticsDrill = z.object({
  metric: AnalyticsMetricDefinition,
  items: z.array(AnalyticsDrillRow),
  hasMore: z.boolean(),
});

export const AnalyticsSettings = z.object({
  timeZone: z.string(),
});
export const UpdateAnalyticsSettings = z.object({
  timeZone: z
    .string()
    .min(1)
    .max(64)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'Unknown time zone'),
});

export const AnalyticsTrendsQuery = z.object({
  to: z.iso.date().optional().describe('Last day of the week compared (default today, reporting time zone)'),
  weeks: z.coerce.number().int().min(1).max(26).default(8).describe('Weeks the baseline averages'),
  threshold: z.coerce.number().min(1).max(10_000).default(50).describe('Alert beyond this change, in %'),
});
const AnalyticsTrend = z.object({
  key: z.string(),
  label: z.string(),
  thisWeek: z.number(),
  baseline: z.number(),
  changePercent: z.number().nullable(),
  alert: z.boolean(),
});
export const AnalyticsTrends = z.object({
  week: z.object({ from: z.string(), to: z.string() }),
  baseline: z.object({ from: z.string(), to: z.string(), weeks: z.number() }),
  threshold: z.number(),
  trends: z.array(AnalyticsTrend),
  alerts: z.array(AnalyticsTrend),
});
