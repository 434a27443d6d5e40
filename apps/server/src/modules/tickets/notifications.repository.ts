import { type Db, sql } from '../../platform/db/db.ts';

/* An agent's notifications (mentions, assignments). */

export const insertNotification = (
  db: Db,
  n: {
    workspaceId: number;
    agentId: number;
    type: string;
    ticketId: number;
    messageId: number | null;
    data: Record<string, unknown>;
  },
) =>
  db.query(sql`INSERT INTO notifications (workspace_id, agent_id, type, ticket_id, message_id, data)
               SELECT ${n.workspaceId}, a.id, ${n.type}, ${n.ticketId}, ${n.messageId}, ${JSON.stringify(n.data)}::jsonb
               FROM agents a WHERE a.workspace_id = ${n.workspaceId} AND a.id = ${n.agentId}`);
export const listNotifications = (db: Db, workspaceId: number, agentId: number, limit: number) =>
  db.query<{
    id: number;
    type: string;
    ticket_id: number | null;
    message_id: number | null;
    data: Record<string, unknown>;
    read_at: Date | null;
    created_at: Date;
  }>(sql`
    SELECT id, type, ticket_id, message_id, data, read_at, created_at FROM notifications
    WHERE workspace_id = ${workspaceId} AND agent_id = ${agentId} ORDER BY id DESC LIMIT ${limit}`);
export const markNotificationsRead = (db: Db, workspaceId: number, agentId: number, ids: number[] | 'all') =>
  db.query(sql`UPDATE notifications SET read_at = now() WHERE workspace_id = ${workspaceId} AND agent_id = ${agentId} AND read_at IS NULL
               ${ids === 'all' ? sql`` : sql`AND id = ANY(${ids}::bigint[])`}`);
