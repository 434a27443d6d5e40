import { type Db, sql } from '../../platform/db/db.ts';

// Tags and custom fields: the ticket's own metadata catalogue.
export const ensureTags = (db: Db, workspaceId: number, names: string[]) =>
  names.length
    ? db.query(
        sql`INSERT INTO tags (workspace_id, name) SELECT ${workspaceId}, unnest(${names}::text[]) ON CONFLICT DO NOTHING`,
      )
    : Promise.resolve([]);
export const listTags = (db: Db, workspaceId: number) =>
  db.query<{ name: string; color: string | null; count: number }>(sql`
    SELECT g.name, g.color, (SELECT count(*)::int FROM tickets t WHERE t.workspace_id = g.workspace_id AND t.tags @> ARRAY[g.name]) AS count
    FROM tags g WHERE g.workspace_id = ${workspaceId} ORDER BY g.name`);
export const upsertTag = (db: Db, workspaceId: number, name: string, color: string | null) =>
  db.query(sql`INSERT INTO tags (workspace_id, name, color) VALUES (${workspaceId}, ${name}, ${color})
               ON CONFLICT (workspace_id, name) DO UPDATE SET color = excluded.color`);
export const deleteTag = async (db: Db, workspaceId: number, name: string) => {
  await db.query(
    sql`UPDATE tickets SET tags = array_remove(tags, ${name}) WHERE workspace_id = ${workspaceId} AND tags @> ARRAY[${name}]`,
  );
  return db.query<{ name: string }>(
    sql`DELETE FROM tags WHERE workspace_id = ${workspaceId} AND name = ${name} RETURNING name`,
  );
};
export const listCustomFields = (db: Db, workspaceId: number) =>
  db.query<{ id: number; key: string; label: string; type: string; options: string[] }>(sql`
    SELECT id, key, label, type, options FROM custom_field_defs WHERE workspace_id = ${workspaceId} ORDER BY id`);
export const insertCustomField = (
  db: Db,
  workspaceId: number,
  f: { key: string; label: string; type: string; options: string[] },
) =>
  db.one<{ id: number; key: string; label: string; type: string; options: string[] }>(sql`
    INSERT INTO custom_field_defs (workspace_id, key, label, type, options)
    VALUES (${workspaceId}, ${f.key}, ${f.label}, ${f.type}, ${JSON.stringify(f.options)}::jsonb)
    RETURNING id, key, label, type, options`);
export const deleteCustomField = (db: Db, workspaceId: number, id: number) =>
  db.query<{ id: number }>(
    sql`DELETE FROM custom_field_defs WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
  );
