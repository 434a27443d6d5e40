import { type Db, sql } from '../../platform/db/db.ts';

/*
 * The customer-facing part of a ticket's thread (never internal notes), as the chat widget shows it:
 * exported through index.ts so chat reads messages and attachments through their owner.
 */

export type TranscriptMessageRow = {
  id: number;
  ticket_id: number;
  kind: 'inbound' | 'outbound';
  author_agent_id: number | null;
  agent_name: string | null;
  agent_avatar: string | null;
  body_text: string;
  channel_meta: Record<string, unknown>;
  created_at: Date;
  attachments: { id: number; filename: string; content_type: string; size_bytes: number }[];
};

const messageCols = sql`m.id, m.ticket_id, m.kind, m.author_agent_id, a.name AS agent_name, a.avatar_url AS agent_avatar,
  m.body_text, m.channel_meta, m.created_at,
  coalesce((SELECT json_agg(json_build_object('id', f.id, 'filename', f.filename, 'content_type', f.content_type,
    'size_bytes', f.size_bytes) ORDER BY f.id) FROM attachments f WHERE f.message_id = m.id), '[]') AS attachments`;

/** The last `limit` customer-facing messages of these tickets, oldest first. */
export const transcriptMessages = (db: Db, workspaceId: number, ticketIds: number[], limit: number) =>
  db.query<TranscriptMessageRow>(sql`
    SELECT * FROM (
      SELECT ${messageCols} FROM messages m LEFT JOIN agents a ON a.id = m.author_agent_id
      WHERE m.workspace_id = ${workspaceId} AND m.ticket_id = ANY(${ticketIds}::bigint[]) AND m.kind IN ('inbound', 'outbound')
      ORDER BY m.id DESC LIMIT ${limit}) x
    ORDER BY id`);

/** One customer-facing message (undefined for a note or another workspace's id). */
export const transcriptMessage = (db: Db, workspaceId: number, messageId: number) =>
  db.one<TranscriptMessageRow>(sql`
    SELECT ${messageCols} FROM messages m LEFT JOIN agents a ON a.id = m.author_agent_id
    WHERE m.workspace_id = ${workspaceId} AND m.id = ${messageId} AND m.kind IN ('inbound', 'outbound')`);

/** An attachment with the ticket and kind of its message (the widget serves only its own tickets' files). */
export const attachmentWithTicket = (db: Db, workspaceId: number, id: number) =>
  db.one<{
    id: number;
    ticket_id: number;
    kind: string;
    filename: string;
    content_type: string;
    size_bytes: number;
    sha256: string;
  }>(sql`
    SELECT f.id, m.ticket_id, m.kind, f.filename, f.content_type, f.size_bytes, f.sha256
    FROM attachments f JOIN messages m ON m.id = f.message_id
    WHERE f.workspace_id = ${workspaceId} AND f.id = ${id}`);

/** The id of the ticket's newest inbound message, 0 when there is none (read receipts). */
export const lastInboundMessageId = async (db: Db, workspaceId: number, ticketId: number) =>
  (
    await db.one<{ id: number | null }>(sql`
      SELECT max(id) AS id FROM messages WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId} AND kind = 'inbound'`)
  )?.id ?? 0;

/** When the message was stored (undefined for another workspace's id). */
export const messageCreatedAt = async (db: Db, workspaceId: number, messageId: number) =>
  (
    await db.one<{ created_at: Date }>(
      sql`SELECT created_at FROM messages WHERE workspace_id = ${workspaceId} AND id = ${messageId}`,
    )
  )?.created_at;
