import { type Db, sql } from '../platform/db/db.ts';

// Secrets never leave in an export: password hashes, TOTP secrets, token hashes.
const tables: { name: string; query: (w: number) => ReturnType<typeof sql> }[] = [
  {
    name: 'agent',
    query: (w) =>
      sql`SELECT id, email, name, role, active, away, skills, languages, created_at FROM agents WHERE workspace_id = ${w} ORDER BY id`,
  },
  {
    name: 'team',
    query: (w) =>
      sql`SELECT t.id, t.name, t.created_at, coalesce(array_agg(m.agent_id) FILTER (WHERE m.agent_id IS NOT NULL), '{}') AS member_ids FROM teams t LEFT JOIN team_members m ON m.team_id = t.id WHERE t.workspace_id = ${w} GROUP BY t.id ORDER BY t.id`,
  },
  { name: 'contact', query: (w) => sql`SELECT * FROM contacts WHERE workspace_id = ${w} ORDER BY id` },
  {
    name: 'contact_identity',
    query: (w) =>
      sql`SELECT id, contact_id, kind, value, verified, created_at FROM contact_identities WHERE workspace_id = ${w} ORDER BY id`,
  },
  {
    name: 'tag',
    query: (w) => sql`SELECT name, color, created_at FROM tags WHERE workspace_id = ${w} ORDER BY name`,
  },
  {
    name: 'custom_field',
    query: (w) =>
      sql`SELECT id, key, label, type, options FROM custom_field_defs WHERE workspace_id = ${w} ORDER BY id`,
  },
  {
    name: 'ticket',
    query: (w) =>
      sql`SELECT id, subject, status, priority, channel, contact_id, assignee_id, team_id, tags, custom_fields, version, first_response_at, solved_at, closed_at, merged_into_id, created_at, updated_at FROM tickets WHERE workspace_id = ${w} ORDER BY id`,
  },
  {
    name: 'message',
    query: (w) =>
      sql`SELECT id, ticket_id, kind, channel, author_agent_id, author_contact_id, body_text, body_html, channel_meta, external_id, delivery_status, created_at FROM messages WHERE workspace_id = ${w} ORDER BY id`,
  },
  {
    name: 'attachment',
    query: (w) =>
      sql`SELECT id, message_id, filename, content_type, size_bytes, sha256, content_id, inline FROM attachments WHERE workspace_id = ${w} ORDER BY id`,
  },
  {
    name: 'ticket_event',
    query: (w) =>
      sql`SELECT id, ticket_id, type, actor_agent_id, data, created_at FROM ticket_events WHERE workspace_id = ${w} ORDER BY id`,
  },
  {
    name: 'ticket_link',
    query: (w) =>
      sql`SELECT ticket_id, linked_ticket_id, kind, created_at FROM ticket_links WHERE workspace_id = ${w}`,
  },
  {
    name: 'view',
    query: (w) =>
      sql`SELECT id, agent_id, shared, name, filters, position FROM views WHERE workspace_id = ${w} ORDER BY id`,
  },
  {
    name: 'audit',
    query: (w) =>
      sql`SELECT id, actor_agent_id, action, target_type, target_id, data, ip, created_at FROM audit_log WHERE workspace_id = ${w} ORDER BY id`,
  },
];

/** Writes one JSON object per line: {"type": "...", ...record}, table by table. */
export async function exportWorkspace(
  db: Db,
  slug: string | undefined,
  write: (line: string) => void,
): Promise<number> {
  const ws = slug
    ? await db.one<{ id: number; name: string; slug: string }>(
        sql`SELECT id, name, slug, settings, created_at FROM workspaces WHERE slug = ${slug}`,
      )
    : await db.one<{ id: number; name: string; slug: string }>(
        sql`SELECT id, name, slug, settings, created_at FROM workspaces ORDER BY id LIMIT 1`,
      );
  if (!ws) throw new Error(slug ? `No workspace "${slug}"` : 'No workspace to export');
  write(JSON.stringify({ type: 'workspace', ...ws }));
  let n = 1;
  for (const t of tables) {
    for (const row of await db.query(t.query(ws.id))) {
      write(JSON.stringify({ type: t.name, ...row }));
      n++;
    }
  }
  return n;
}
