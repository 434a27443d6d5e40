import { type Db, sql } from '../../platform/db/db.ts';
import { addDays } from './periods.ts';
import type { MetricDefinition } from './registry.ts';

/**
 * Trends: the last 7 local days against the average week of the `weeks` weeks before, for every count
 * metric and for tickets created per tag (the "common issues"). A change beyond the threshold (and with
 * at least MIN_COUNT tickets on one side, so 1 → 2 is not a spike) is an alert. Read from analytics'
 * own rollups and contributions only.
 */
const MIN_COUNT = 3;

export interface Trend {
  key: string;
  label: string;
  thisWeek: number;
  baseline: number;
  changePercent: number | null;
  alert: boolean;
}

const trendOf = (
  key: string,
  label: string,
  now: number,
  total: number,
  weeks: number,
  threshold: number,
) => {
  const baseline = Math.round((100 * total) / weeks) / 100;
  const changePercent = baseline ? Math.round(((now - baseline) / baseline) * 1000) / 10 : null;
  const alert =
    changePercent !== null && Math.abs(changePercent) >= threshold && Math.max(now, baseline) >= MIN_COUNT;
  return { key, label, thisWeek: now, baseline, changePercent, alert } satisfies Trend;
};

export async function trends(
  db: Db,
  workspaceId: number,
  o: { to: string; weeks: number; threshold: number; metrics: MetricDefinition[] },
) {
  const weekFrom = addDays(o.to, -6);
  const baseFrom = addDays(weekFrom, -7 * o.weeks);
  const counts = o.metrics.filter((m) => m.kind === 'count');
  const rows = await db.query<{ metric: string; recent: boolean; n: number }>(sql`
    SELECT metric, day >= ${weekFrom}::date AS recent, sum(n)::float8 AS n FROM analytics_rollups
    WHERE workspace_id = ${workspaceId} AND metric = ANY(${counts.map((m) => m.key)}::text[]) AND dim = ''
      AND dim_value = '' AND bucket >= 0 AND day BETWEEN ${baseFrom}::date AND ${o.to}::date
    GROUP BY 1, 2`);
  const tags = await db.query<{ tag: string; recent: boolean; n: number }>(sql`
    SELECT t.tag, c.day >= ${weekFrom}::date AS recent, count(*)::float8 AS n
    FROM analytics_contributions c CROSS JOIN LATERAL jsonb_array_elements_text(
      CASE WHEN jsonb_typeof(c.dims->'tag') = 'array' THEN c.dims->'tag' ELSE '[]'::jsonb END) AS t(tag)
    WHERE c.workspace_id = ${workspaceId} AND c.metric = 'tickets_created' AND c.included
      AND c.day BETWEEN ${baseFrom}::date AND ${o.to}::date
    GROUP BY 1, 2`);
  const pick = <R extends { recent: boolean; n: number }>(rs: R[], recent: boolean) =>
    rs.filter((r) => r.recent === recent).reduce((s, r) => s + Number(r.n), 0);
  const metrics = counts.map((m) => {
    const mine = rows.filter((r) => r.metric === m.key);
    return trendOf(m.key, m.label, pick(mine, true), pick(mine, false), o.weeks, o.threshold);
  });
  const byTag = [...new Set(tags.map((t) => t.tag))].sort().map((tag) => {
    const mine = tags.filter((t) => t.tag === tag);
    return trendOf(
      `tag:${tag}`,
      `Tickets tagged “${tag}”`,
      pick(mine, true),
      pick(mine, false),
      o.weeks,
      o.threshold,
    );
  });
  const all = [...metrics, ...byTag];
  return {
    week: { from: weekFrom, to: o.to },
    baseline: { from: baseFrom, to: addDays(weekFrom, -1), weeks: o.weeks },
    threshold: o.threshold,
    trends: all,
    alerts: all.filter((t) => t.alert),
  };
}
