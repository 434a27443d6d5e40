import { type Db, sql } from '../../platform/db/db.ts';

/** Returns' figures for the analytics registry, from its own tables: returns by reason and SKU. */
export const returnsAnalyticsSummaries = [
  {
    key: 'returns',
    label: 'Returns',
    definition:
      'Returns requested (any status but cancelled), with the most common line reasons and SKUs and the store credit issued; over the days from the report’s first day to today. Not split by the report’s filters.',
    summary: async (db: Db, w: number, days: number) => {
      const since = sql`r.workspace_id = ${w} AND r.status <> 'cancelled' AND r.created_at > now() - make_interval(days => ${days})`;
      const total = await db.one<{ n: number; credited: number }>(sql`
        SELECT count(*)::int AS n, count(*) FILTER (WHERE r.outcome = 'store_credit')::int AS credited
        FROM returns r WHERE ${since}`);
      const top = await db.query<{ k: string; n: number; by: string }>(sql`
        (SELECT 'reason' AS by, l.reason AS k, sum(l.quantity)::int AS n FROM return_lines l
           JOIN returns r ON r.id = l.return_id WHERE ${since} GROUP BY 2 ORDER BY 3 DESC LIMIT 3)
        UNION ALL
        (SELECT 'sku', coalesce(l.sku, 'no SKU'), sum(l.quantity)::int FROM return_lines l
           JOIN returns r ON r.id = l.return_id WHERE ${since} GROUP BY 2 ORDER BY 3 DESC LIMIT 3)`);
      const list = (by: string) =>
        top
          .filter((t) => t.by === by)
          .map((t) => `${t.k} ${t.n}`)
          .join(', ') || 'none';
      const n = Number(total?.n ?? 0);
      return {
        value: n,
        n,
        detail: `${n} returns (${total?.credited ?? 0} as store credit); reasons: ${list('reason')}; SKUs: ${list('sku')}`,
      };
    },
  },
];
