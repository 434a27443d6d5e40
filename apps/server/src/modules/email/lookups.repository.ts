import { type Db, sql } from '../../platform/db/db.ts';

/** Which of these ids are this workspace's email inboxes (read by routing rules, through index.ts). */
export const existingInboxIds = async (db: Db, workspaceId: number, ids: number[]) =>
  (
    await db.query<{ id: number }>(
      sql`SELECT id FROM email_inboxes WHERE workspace_id = ${workspaceId} AND id = ANY(${ids}::bigint[])`,
    )
  ).map((r) => r.id);
