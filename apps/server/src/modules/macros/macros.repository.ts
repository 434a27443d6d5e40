import { type Db, sql } from '../../platform/db/db.ts';

export type MacroRow = {
  id: number;
  agent_id: number | null;
  created_by: number | null;
  name: string;
  body: string;
  actions: Record<string, unknown>;
  usage_count: number;
  created_at: Date;
  updated_at: Date;
};

const cols = sql`id, agent_id, created_by, name, body, actions, usage_count, created_at, updated_at`;

/** Shared macros and the caller's own, most used first. */
export const listMacros = (db: Db, workspaceId: number, agentId: number) =>
  db.query<MacroRow>(sql`SELECT ${cols} FROM macros
    WHERE workspace_id = ${workspaceId} AND (agent_id IS NULL OR agent_id = ${agentId})
    ORDER BY usage_count DESC, lower(name), id`);

export const findMacro = (db: Db, workspaceId: number, agentId: number, id: number) =>
  db.one<MacroRow>(sql`SELECT ${cols} FROM macros
    WHERE workspace_id = ${workspaceId} AND id = ${id} AND (agent_id IS NULL OR agent_id = ${agentId})`);

export const insertMacro = async (
  db: Db,
  workspaceId: number,
  m: { agentId: number | null; createdBy: number; name: string; body: string; actions: unknown },
) =>
  (await db.one<{
    id: number;
  }>(sql`INSERT INTO macros (workspace_id, agent_id, created_by, name, body, actions)
    VALUES (${workspaceId}, ${m.agentId}, ${m.createdBy}, ${m.name}, ${m.body}, ${JSON.stringify(m.actions)}::jsonb)
    RETURNING id`))!.id;

export const updateMacroRow = (
  db: Db,
  workspaceId: number,
  id: number,
  m: { name?: string; body?: string; actions?: unknown; agentId?: number | null },
) =>
  db.query(sql`UPDATE macros SET name = coalesce(${m.name ?? null}, name),
      body = coalesce(${m.body ?? null}, body),
      actions = coalesce(${m.actions === undefined ? null : JSON.stringify(m.actions)}::jsonb, actions),
      updated_at = now()
      ${m.agentId !== undefined ? sql`, agent_id = ${m.agentId}` : sql``}
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export const deleteMacroRow = (db: Db, workspaceId: number, id: number) =>
  db.query(sql`DELETE FROM macros WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export const countUse = (db: Db, workspaceId: number, id: number) =>
  db.query(
    sql`UPDATE macros SET usage_count = usage_count + 1 WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );
