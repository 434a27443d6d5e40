import { type Db, sql } from '../../platform/db/db.ts';

/* A ticket's timeline events, its links to other tickets and its followers. */

export const insertEvent = (
  db: Db,
  workspaceId: number,
  ticketId: number,
  type: string,
  actor: number | null,
  data: Record<string, unknown> = {},
) =>
  db.query(sql`INSERT INTO ticket_events (workspace_id, ticket_id, type, actor_agent_id, data)
               VALUES (${workspaceId}, ${ticketId}, ${type}, ${actor}, ${JSON.stringify(data)}::jsonb)`);

export const listEvents = (db: Db, workspaceId: number, ticketId: number) =>
  db.query<{
    id: number;
    type: string;
    actor_agent_id: number | null;
    data: Record<string, unknown>;
    created_at: Date;
  }>(sql`
    SELECT id, type, actor_agent_id, data, created_at FROM ticket_events
    WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId} ORDER BY id`);

export const listLinks = (db: Db, workspaceId: number, ticketId: number) =>
  db.query<{ ticket_id: number; kind: string; subject: string; status: string }>(sql`
    SELECT t.id AS ticket_id, l.kind, t.subject, t.status FROM ticket_links l JOIN tickets t ON t.id = l.linked_ticket_id
    WHERE l.workspace_id = ${workspaceId} AND l.ticket_id = ${ticketId}
    UNION
    SELECT t.id, l.kind, t.subject, t.status FROM ticket_links l JOIN tickets t ON t.id = l.ticket_id
    WHERE l.workspace_id = ${workspaceId} AND l.linked_ticket_id = ${ticketId}`);

export const insertLink = (db: Db, workspaceId: number, a: number, b: number, kind: string) =>
  db.query(sql`INSERT INTO ticket_links (workspace_id, ticket_id, linked_ticket_id, kind) VALUES (${workspaceId}, ${a}, ${b}, ${kind})
               ON CONFLICT DO NOTHING`);

export const listFollowers = async (db: Db, ticketId: number) =>
  (
    await db.query<{ email: string }>(
      sql`SELECT email FROM ticket_followers WHERE ticket_id = ${ticketId} ORDER BY email`,
    )
  ).map((r) => r.email);

export const addFollowers = (db: Db, workspaceId: number, ticketId: number, emails: string[]) =>
  emails.length
    ? db.query(sql`INSERT INTO ticket_followers (workspace_id, ticket_id, email)
                   SELECT ${workspaceId}, ${ticketId}, unnest(${emails}::text[]) ON CONFLICT DO NOTHING`)
    : Promise.resolve([]);
