import {
  AnalyticsDrill,
  AnalyticsDrillQuery,
  AnalyticsMetricDefinition,
  AnalyticsReport,
  AnalyticsReportQuery,
  AnalyticsSettings,
  AnalyticsTrends,
  AnalyticsTrendsQuery,
  UpdateAnalyticsSettings,
} from '@shopdesk/contracts';
import { z } from 'zod';
import type { Router } from '../../platform/http/router.ts';
import type { AnalyticsService } from './analytics.service.ts';
import { toCsv } from './csv.ts';

const TAG = 'Analytics';

export function registerAnalyticsRoutes(r: Router, svc: AnalyticsService) {
  r.add({
    method: 'GET',
    url: '/api/v1/analytics/metrics',
    summary: 'Every registered metric with its written definition',
    tag: TAG,
    access: 'agent',
    response: z.object({
      metrics: z.array(AnalyticsMetricDefinition),
      summaries: z.array(z.object({ key: z.string(), label: z.string(), definition: z.string() })),
    }),
    handler: async () => svc.definitions(),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/analytics/report',
    summary:
      'Figures per day, week or month from the rollups (agents: their own; leads: the team; filters combine)',
    tag: TAG,
    access: 'agent',
    query: AnalyticsReportQuery,
    response: AnalyticsReport,
    handler: async ({ auth, query }) => svc.report(auth, query),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/analytics/report.csv',
    summary: 'The report as CSV: one row per metric and period, then the totals',
    tag: TAG,
    access: 'agent',
    query: AnalyticsReportQuery,
    handler: async ({ auth, query, reply }) => {
      const rep = await svc.report(auth, query);
      const rows: unknown[][] = [];
      for (const m of rep.metrics)
        for (const s of [...m.series, { ...m.total, period: 'total' }])
          rows.push([s.period, m.key, m.label, s.value, s.n, s.excluded, s.avg, s.median, s.p90]);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="shopdesk-report-${rep.from}-${rep.to}.csv"`);
      return toCsv(
        [
          'period',
          'metric',
          'label',
          'value',
          'n',
          'excluded',
          'avg_seconds',
          'median_seconds',
          'p90_seconds',
        ],
        rows,
      );
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/analytics/drilldown',
    summary: 'Explain a figure: the tickets it counted and those it left out, with the rule',
    tag: TAG,
    access: 'agent',
    query: AnalyticsDrillQuery,
    response: AnalyticsDrill,
    handler: async ({ auth, query }) => svc.drill(auth, query),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/analytics/drilldown.csv',
    summary: 'The drill-down as CSV (per-ticket rows)',
    tag: TAG,
    access: 'agent',
    query: AnalyticsDrillQuery,
    handler: async ({ auth, query, reply }) => {
      const d = await svc.drill(auth, query);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header(
        'content-disposition',
        `attachment; filename="shopdesk-${d.metric.key}-${query.from}-${query.to}.csv"`,
      );
      return toCsv(
        ['ticket_id', 'subject', 'status', 'at', 'day', 'value', 'counted', 'reason'],
        d.items.map((i) => [i.ticketId, i.subject, i.status, i.at, i.day, i.value, i.included, i.reason]),
      );
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/analytics/trends',
    summary:
      'This week against the average of the weeks before: every count metric and tickets per tag, with alerts beyond the threshold (leads)',
    tag: TAG,
    access: 'lead',
    query: AnalyticsTrendsQuery,
    response: AnalyticsTrends,
    handler: async ({ auth, query }) => svc.trends(auth.workspaceId, query),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/analytics/settings',
    summary: 'The reporting time zone (days, weeks and months are local to it)',
    tag: TAG,
    access: 'agent',
    response: AnalyticsSettings,
    handler: async ({ auth }) => svc.settings(auth.workspaceId),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/analytics/settings',
    summary: 'Change the reporting time zone (admin): every figure is recomputed',
    tag: TAG,
    access: 'admin',
    body: UpdateAnalyticsSettings,
    response: AnalyticsSettings,
    handler: async ({ auth, body }) => svc.setTimeZone(auth.workspaceId, body.timeZone),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/analytics/rebuild',
    summary: 'Recompute every ticket’s contributions from scratch (admin; large desks: the CLI)',
    tag: TAG,
    access: 'admin',
    response: z.object({ tickets: z.number() }),
    handler: async ({ auth }) => svc.rebuild(auth.workspaceId),
  });
}
