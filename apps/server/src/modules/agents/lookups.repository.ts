import { type Db, sql } from '../../platform/db/db.ts';

/*
 * Reads of agents, teams and sessions that other modules need (exported through index.ts), so no other
 * module names these tables in its own SQL (table-owners.mjs).
 */

export const teamExists = async (db: Db, workspaceId: number, teamId: number) =>
  !!(await db.one(sql`SELECT 1 FROM teams WHERE workspace_id = ${workspaceId} AND id = ${teamId}`));

/** Which of these ids are teams of this workspace (one query for a whole rule set). */
export const existingTeamIds = async (db: Db, workspaceId: number, ids: number[]) =>
  (
    await db.query<{ id: number }>(
      sql`SELECT id FROM teams WHERE workspace_id = ${workspaceId} AND id = ANY(${ids}::bigint[])`,
    )
  ).map((r) => r.id);

/** Which of these sessions still exist and have not expired (one query for a whole heartbeat's sockets). */
export const liveSessionIds = async (db: Db, ids: string[]) =>
  (
    await db.query<{ id: string }>(
      sql`SELECT id FROM sessions WHERE id = ANY(${ids}::text[]) AND expires_at > now()`,
    )
  ).map((r) => r.id);
