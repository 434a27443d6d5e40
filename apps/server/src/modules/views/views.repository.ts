import { type Db, sql } from '../../platform/db/db.ts';

export type ViewRow = {
  id: number;
  /** The owner; NULL: a workspace view nobody owns (leads and admins change it). */
  agent_id: number | null;
  /** An owned view shared with the workspace. */
  shared: boolean;
  name: string;
  filters: Record<string, string>;
  position: number;
};

/** The views an agent sees: workspace views, shared ones and their own. */
const visible = (agentId: number) => sql`(agent_id IS NULL OR shared OR agent_id = ${agentId})`;

export const listViews = (db: Db, workspaceId: number, agentId: number) =>
  db.query<ViewRow>(sql`SELECT id, agent_id, shared, name, filters, position FROM views
    WHERE workspace_id = ${workspaceId} AND ${visible(agentId)} ORDER BY position, id`);

export const findView = (db: Db, workspaceId: number, agentId: number, id: number) =>
  db.one<ViewRow>(sql`SELECT id, agent_id, shared, name, filters, position FROM views
    WHERE workspace_id = ${workspaceId} AND id = ${id} AND ${visible(agentId)}`);

export const insertView = async (
  db: Db,
  workspaceId: number,
  agentId: number | null,
  v: { name: string; filters: unknown; position: number; shared: boolean },
) =>
  (await db.one<{
    id: number;
  }>(sql`INSERT INTO views (workspace_id, agent_id, shared, name, filters, position)
    VALUES (${workspaceId}, ${agentId}, ${v.shared}, ${v.name}, ${JSON.stringify(v.filters)}::jsonb, ${v.position}) RETURNING id`))!
    .id;

export const updateViewRow = (
  db: Db,
  workspaceId: number,
  id: number,
  v: { name?: string; filters?: unknown; position?: number; agentId?: number | null; shared?: boolean },
) =>
  db.query(sql`UPDATE views SET name = coalesce(${v.name ?? null}, name),
      shared = coalesce(${v.shared ?? null}::boolean, shared),
      filters = coalesce(${v.filters === undefined ? null : JSON.stringify(v.filters)}::jsonb, filters),
      position = coalesce(${v.position ?? null}, position)
      ${v.agentId !== undefined ? sql`, agent_id = ${v.agentId}` : sql``}
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export const deleteViewRow = (db: Db, workspaceId: number, id: number) =>
  db.query(sql`DELETE FROM views WHERE workspace_id = ${workspaceId} AND id = ${id}`);
