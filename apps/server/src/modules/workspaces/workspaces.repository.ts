import { type Db, sql } from '../../platform/db/db.ts';

export type WorkspaceRow = {
  id: number;
  name: string;
  slug: string;
  settings: Record<string, unknown>;
  created_at: Date;
};

export const insertWorkspace = (db: Db, name: string, slug: string) =>
  db.one<WorkspaceRow>(
    sql`INSERT INTO workspaces (name, slug) VALUES (${name}, ${slug}) RETURNING *`,
  ) as Promise<WorkspaceRow>;

export const findWorkspaceBySlug = (db: Db, slug: string) =>
  db.one<WorkspaceRow>(sql`SELECT * FROM workspaces WHERE slug = ${slug}`);

export const findWorkspaceById = (db: Db, id: number) =>
  db.one<WorkspaceRow>(sql`SELECT * FROM workspaces WHERE id = ${id}`);

/** Slugs by workspace id, one query for a set (sign-in names the workspaces an email belongs to). */
export const workspaceSlugs = async (db: Db, ids: number[]) =>
  new Map(
    (
      await db.query<{ id: number; slug: string }>(
        sql`SELECT id, slug FROM workspaces WHERE id = ANY(${ids}::bigint[])`,
      )
    ).map((r) => [Number(r.id), r.slug]),
  );

export const countWorkspaces = async (db: Db) =>
  (await db.one<{ n: number }>(sql`SELECT count(*)::int AS n FROM workspaces`))?.n ?? 0;

export const listWorkspaces = (db: Db) => db.query<WorkspaceRow>(sql`SELECT * FROM workspaces ORDER BY id`);

/** The workspace's own allow-list of private ranges for outbound calls (an admin setting). */
export const outboundAllowList = async (db: Db, id: number) =>
  (
    await db.one<{ list: string[] | null }>(
      sql`SELECT settings->'outboundAllowList' AS list FROM workspaces WHERE id = ${id}`,
    )
  )?.list ?? [];
export const setOutboundAllowList = (db: Db, id: number, list: string[]) =>
  db.query(sql`UPDATE workspaces SET settings = jsonb_set(settings, '{outboundAllowList}', ${JSON.stringify(list)}::jsonb)
    WHERE id = ${id}`);
