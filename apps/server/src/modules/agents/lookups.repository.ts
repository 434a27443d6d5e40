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

/** Active agents of the workspace with one of these roles (automations notify leads). */
export const agentIdsByRole = async (db: Db, workspaceId: number, roles: string[]) =>
  (
    await db.query<{ id: number }>(sql`
      SELECT id FROM agents WHERE workspace_id = ${workspaceId} AND active AND role = ANY(${roles}::text[]) ORDER BY id`)
  ).map((r) => r.id);

/** Which of these ids are active agents of the workspace. */
export const existingAgentIds = async (db: Db, workspaceId: number, ids: number[]) =>
  (
    await db.query<{ id: number }>(
      sql`SELECT id FROM agents WHERE workspace_id = ${workspaceId} AND active AND id = ANY(${ids}::bigint[])`,
    )
  ).map((r) => r.id);

/** Display names of agents and teams by id (the run log says "Moved to team Billing", not "team → 2"). */
export async function namesOf(db: Db, workspaceId: number, agentIds: number[], teamIds: number[]) {
  const rows = await db.query<{ kind: 'agent' | 'team'; id: number; name: string }>(sql`
    SELECT 'agent' AS kind, id, name FROM agents WHERE workspace_id = ${workspaceId} AND id = ANY(${agentIds}::bigint[])
    UNION ALL
    SELECT 'team', id, name FROM teams WHERE workspace_id = ${workspaceId} AND id = ANY(${teamIds}::bigint[])`);
  const agents = new Map<number, string>();
  const teams = new Map<number, string>();
  for (const r of rows) (r.kind === 'agent' ? agents : teams).set(Number(r.id), r.name);
  return { agents, teams };
}

/** The agents who share a team with this one (itself included): a lead sees their team's QA reviews. */
export const teammateIds = async (db: Db, workspaceId: number, agentId: number) =>
  (
    await db.query<{ id: number }>(sql`
      SELECT DISTINCT other.agent_id AS id FROM team_members mine
      JOIN team_members other ON other.team_id = mine.team_id
      WHERE mine.workspace_id = ${workspaceId} AND mine.agent_id = ${agentId}`)
  ).map((r) => r.id);
