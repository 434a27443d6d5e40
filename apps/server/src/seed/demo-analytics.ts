import { type Db, sql } from '../platform/db/db.ts';

/**
 * Analytics for the demo: the reporting time zone is the shop's, and every demo ticket is marked so the
 * first report (or the flush job) computes its figures — the same path a rebuild takes.
 */
export async function seedDemoAnalytics(db: Db, workspaceId: number, timeZone: string) {
  await db.query(sql`INSERT INTO analytics_settings (workspace_id, time_zone) VALUES (${workspaceId}, ${timeZone})
    ON CONFLICT (workspace_id) DO NOTHING`);
  await db.query(sql`INSERT INTO analytics_dirty (workspace_id, subject_id)
    SELECT workspace_id, id FROM tickets WHERE workspace_id = ${workspaceId} ON CONFLICT DO NOTHING`);
}
