import type { AnalyticsDrill, AnalyticsReport, AnalyticsTrends } from '@shopdesk/contracts';
import type { z } from 'zod';
import { api, type Query, qs } from '../../lib/api.ts';

export type ReportT = z.output<typeof AnalyticsReport>;
export type MetricT = ReportT['metrics'][number];
export type FigureT = MetricT['total'];
export type DrillT = z.output<typeof AnalyticsDrill>;
export type TrendsT = z.output<typeof AnalyticsTrends>;

/** The analytics module's HTTP API (apps/server/src/modules/analytics/analytics.routes.ts). */
export const analyticsApi = {
  report: (q: Query) => api.get<ReportT>('/api/v1/analytics/report', q),
  drill: (q: Query) => api.get<DrillT>('/api/v1/analytics/drilldown', q),
  trends: () => api.get<TrendsT>('/api/v1/analytics/trends', {}),
  csvUrl: (q: Query) => `/api/v1/analytics/report.csv${qs(q)}`,
  drillCsvUrl: (q: Query) => `/api/v1/analytics/drilldown.csv${qs(q)}`,
};

/** Seconds as "42 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function duration(s: number | null): string {
  if (s === null) return '—';
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** The headline of a figure as its kind reads it. */
export function headline(m: Pick<MetricT, 'kind'>, f: FigureT): string {
  if (m.kind === 'duration') return duration(f.median);
  if (m.kind === 'rate') return f.value === null ? '—' : `${f.value}%`;
  if (m.kind === 'average') return f.value === null ? '—' : String(f.value);
  return String(f.n);
}

/** The number a chart bar shows (minutes for durations). */
export function barValue(m: Pick<MetricT, 'kind'>, f: FigureT): number | null {
  if (m.kind === 'duration') return f.median === null ? null : Math.round(f.median / 60);
  if (m.kind === 'count') return f.n;
  return f.value;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
export const daysAgo = (n: number, now = new Date()) => iso(new Date(now.getTime() - n * 86_400_000));

/** Last day of a period starting at `start` (a day, an ISO week from Monday, a month), within `to`. */
export function periodEnd(start: string, period: string, to: string): string {
  const d = new Date(`${start}T00:00:00Z`);
  if (period === 'week') d.setUTCDate(d.getUTCDate() + 6);
  else if (period === 'month') d.setUTCMonth(d.getUTCMonth() + 1, 0);
  const end = iso(d);
  return end < to ? end : to;
}
