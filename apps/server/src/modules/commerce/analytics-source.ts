import { type Db, sql } from '../../platform/db/db.ts';

/**
 * Commerce's figures for the analytics registry, from its own tables: orders placed (the denominator of
 * "contacts per 1,000 orders") and the money given back through the money policy path (refunds and
 * discount codes that succeeded), count and amount by currency and reason.
 */
const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;

export const commerceAnalyticsSummaries = [
  {
    key: 'orders',
    label: 'Orders placed',
    definition:
      'Orders placed in the connected stores (cancelled ones included), over the days from the report’s first day to today. The denominator of contacts per 1,000 orders.',
    summary: async (db: Db, w: number, days: number) => {
      const r = await db.one<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM orders
        WHERE workspace_id = ${w} AND placed_at > now() - make_interval(days => ${days})`);
      const n = Number(r?.n ?? 0);
      return { value: n, n, detail: `${n} orders placed` };
    },
  },
  {
    key: 'money_given',
    label: 'Refunds and discounts',
    definition:
      'Refunds and discount codes issued through the money policy path that succeeded, with the amounts by currency and the reasons agents gave; over the days from the report’s first day to today. Store credit from returns is under Returns.',
    summary: async (db: Db, w: number, days: number) => {
      const rows = await db.query<{
        kind: string;
        currency: string;
        reason: string;
        n: number;
        minor: number;
      }>(sql`
        SELECT kind, currency, coalesce(nullif(params->>'reason', ''), 'no reason') AS reason,
               count(*)::int AS n, coalesce(sum(amount_minor), 0)::float8 AS minor
        FROM order_actions
        WHERE workspace_id = ${w} AND status = 'succeeded' AND kind IN ('refund', 'discount_code')
          AND created_at > now() - make_interval(days => ${days})
        GROUP BY 1, 2, 3 ORDER BY 4 DESC`);
      const n = rows.reduce((s, r) => s + r.n, 0);
      const byKind = (k: string) => {
        const mine = rows.filter((r) => r.kind === k);
        const sums = new Map<string, number>();
        for (const r of mine) sums.set(r.currency, (sums.get(r.currency) ?? 0) + Number(r.minor));
        const count = mine.reduce((s, r) => s + r.n, 0);
        return `${count} ${k === 'refund' ? 'refunds' : 'discount codes'}${sums.size ? ` (${[...sums].map(([c, m]) => money(m, c)).join(', ')})` : ''}`;
      };
      const reasons = new Map<string, number>();
      for (const r of rows) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + r.n);
      const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 3);
      return {
        value: n,
        n,
        detail: `${byKind('refund')}, ${byKind('discount_code')}${top.length ? `; reasons: ${top.map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`,
      };
    },
  },
];
