import { type Db, sql } from '../../platform/db/db.ts';

export type ViewRow = {
  id: number;
  agent_id: number | null;
  name: string;
  filters: Record<string, string>;
  position: number;
};

export const listViews = (db: Db, workspaceId: number, agentId: number) =>
  db.query<ViewRow>(sql`SELECT id, agent_id, name, filters, position FROM views
    WHERE workspace_id = ${workspaceId} AND (agent_id IS NULL OR agent_id = ${agentId}) ORDER BY position, id`);

export const findView = (db: Db, workspaceId: number, agentId: number, id: number) =>
  db.one<ViewRow>(sql`SELECT id, agent_id, name, filters, position FROM views
    WHERE workspace_id = ${workspaceId} AND id = ${id} AND (agent_id IS NULL OR agent_id = ${agentId})`);

export const insertView = async (
  db: Db,
  workspaceId: number,
  agentId: number | null,
  v: { name: string; filters: unknown; position: number },
) =>
  (await db.one<{ id: number }>(sql`INSERT INTO views (workspace_id, agent_id, name, filters, position)
    VALUES (${workspaceId}, ${agentId}, ${v.name}, ${JSON.stringify(v.filters)}::jsonb, ${v.position}) RETURNING id`))!
    .id;

export const updateViewRow = (
  db: Db,
  workspaceId: number,
  id: number,
  v: { name?: string; filters?: unknown; position?: number; agentId?: number | null },
) =>
  db.query(sql`UPDATE views SET name = coalesce(${v.name ?? null}, name),
      filters = coalesce(${v.filters === undefined ? null : JSON.stringify(v.filters)}::jsonb, filters),
      position = coalesce(${v.position ?? null}, position)
      ${v.agentId !== undefined ? sql`, agent_id = ${v.agentId}` : sql``}
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export const deleteViewRow = (db: Db, workspaceId: number, id: number) =>
  db.query(sql`DELETE FROM views WHERE workspace_id = ${workspaceId} AND id = ${id}`);
