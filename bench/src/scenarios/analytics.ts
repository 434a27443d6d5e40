import { sql } from '../../../apps/server/src/platform/db/db.ts';
import type { DbKind, Scenario } from '../env.ts';
import type { PlainRequest } from '../load.ts';
import { measureReads, scaleEnv } from './scale-reads.ts';

/**
 * Issue #16: the 90-day report read from the rollups of the scale workspace (1M tickets / 3M messages on
 * PostgreSQL, 100k on PGlite). The rollups are built once with the rebuild (kept with the workspace),
 * then a lead's report requests are measured: every metric by day, by week for a team, by month for a
 * channel. Targets: p95 < 150 ms on PostgreSQL, < 500 ms on PGlite.
 */
export const analyticsReports: Scenario = {
  name: 'analytics',
  description:
    'GET /api/v1/analytics/report: 90 days of every metric from the rollups (day, week per team, month per channel)',
  databases: ['pglite', 'postgres'],
  needs: ['reference-http'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const env = await scaleEnv(ctx, db);
    const shop = env.server.shop;
    const built = await shop.db.one<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM analytics_contributions
      WHERE workspace_id = ${env.workspaceId} AND metric = 'tickets_created'`);
    if ((built?.n ?? 0) < env.counts.tickets) {
      ctx.log(
        `  building the rollups of ${env.counts.tickets.toLocaleString('en')} tickets (kept for later runs)…`,
      );
      const started = Date.now();
      let last = 0;
      await shop.services.analytics.rebuild(env.workspaceId, (done, total) => {
        if (Date.now() - last > 10_000 || done >= total) {
          last = Date.now();
          ctx.log(`  rebuild: ${done.toLocaleString('en')}/${total.toLocaleString('en')}`);
        }
      });
      ctx.log(`  rollups built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    const lead = await shop.db.one<{ id: number }>(
      sql`SELECT id FROM agents WHERE workspace_id = ${env.workspaceId} AND role IN ('lead', 'admin') ORDER BY id LIMIT 1`,
    );
    const headers = { authorization: `Bearer ${await env.server.token(env.workspaceId, lead!.id)}` };
    const team = await shop.db.one<{ id: number }>(
      sql`SELECT id FROM teams WHERE workspace_id = ${env.workspaceId} ORDER BY id LIMIT 1`,
    );
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const range = `from=${day(89)}&to=${day(0)}`;
    const paths = [
      `/api/v1/analytics/report?${range}&period=day`,
      `/api/v1/analytics/report?${range}&period=week&team=${team?.id ?? 1}`,
      `/api/v1/analytics/report?${range}&period=month&channel=email`,
      `/api/v1/analytics/report?${range}&period=day&metrics=first_response_time,tickets_created`,
    ];
    const steps: PlainRequest[][] = paths.map((path) => [{ method: 'GET', path, headers }]);
    return measureReads(ctx, env, 'analytics', db, steps, db === 'postgres' ? 150 : 500);
  },
};
