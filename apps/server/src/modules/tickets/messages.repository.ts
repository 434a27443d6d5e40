import { type Db, sql } from '../../platform/db/db.ts';

/* Messages and their attachments: storing, reading a thread, provider ids, delivery status. */

export type MessageRow = {
  id: number;
  ticket_id: number;
  kind: 'inbound' | 'outbound' | 'note';
  channel: string;
  author_agent_id: number | null;
  author_contact_id: number | null;
  author_name: string | null;
  body_text: string;
  body_html: string | null;
  channel_meta: Record<string, unknown>;
  external_id: string | null;
  delivery_status: string;
  delivery_error: string | null;
  created_at: Date;
};

export type AttachmentRow = {
  id: number;
  message_id: number;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  content_id: string | null;
  inline: boolean;
};

export async function insertMessage(
  db: Db,
  m: {
    workspaceId: number;
    ticketId: number;
    kind: 'inbound' | 'outbound' | 'note';
    channel: string;
    authorAgentId: number | null;
    authorContactId: number | null;
    bodyText: string;
    bodyHtml: string | null;
    channelMeta?: Record<string, unknown>;
    externalId?: string | null;
    deliveryStatus: string;
    createdAt?: Date;
  },
): Promise<{ id: number; created_at: Date }> {
  const row = await db.one<{ id: number; created_at: Date }>(sql`
    INSERT INTO messages (workspace_id, ticket_id, kind, channel, author_agent_id, author_contact_id, body_text, body_html,
                          channel_meta, external_id, delivery_status, created_at)
    VALUES (${m.workspaceId}, ${m.ticketId}, ${m.kind}, ${m.channel}, ${m.authorAgentId}, ${m.authorContactId}, ${m.bodyText},
            ${m.bodyHtml}, ${JSON.stringify(m.channelMeta ?? {})}::jsonb, ${m.externalId ?? null}, ${m.deliveryStatus},
            ${(m.createdAt ?? new Date()).toISOString()}::timestamptz)
    RETURNING id, created_at`);
  return row!;
}

/** Keeps the inbox columns (count, preview, activity time) in step with a new message. */
export async function bumpTicketForMessage(
  db: Db,
  ticketId: number,
  kind: string,
  preview: string,
  at: Date,
) {
  await db.query(sql`
    UPDATE tickets SET message_count = message_count + 1, updated_at = now(),
      last_message_at = CASE WHEN ${kind} = 'note' THEN last_message_at ELSE GREATEST(last_message_at, ${at.toISOString()}::timestamptz) END,
      last_message_preview = CASE WHEN ${kind} = 'note' THEN last_message_preview ELSE ${preview} END,
      last_inbound_at = CASE WHEN ${kind} = 'inbound' THEN ${at.toISOString()}::timestamptz ELSE last_inbound_at END
    WHERE id = ${ticketId}`);
}

export const listMessages = (db: Db, workspaceId: number, ticketId: number) =>
  db.query<MessageRow>(sql`
    SELECT m.id, m.ticket_id, m.kind, m.channel, m.author_agent_id, m.author_contact_id,
      coalesce(a.name, c.name, c.email) AS author_name, m.body_text, m.body_html, m.channel_meta, m.external_id,
      m.delivery_status, m.delivery_error, m.created_at
    FROM messages m LEFT JOIN agents a ON a.id = m.author_agent_id LEFT JOIN contacts c ON c.id = m.author_contact_id
    WHERE m.workspace_id = ${workspaceId} AND m.ticket_id = ${ticketId} ORDER BY m.created_at, m.id`);

export const findMessage = (db: Db, workspaceId: number, id: number) =>
  db.one<MessageRow & { workspace_id: number }>(sql`
    SELECT m.*, NULL AS author_name FROM messages m WHERE m.workspace_id = ${workspaceId} AND m.id = ${id}`);

/** A message already stored under a provider id (idempotent channel deliveries). */
export const findMessageByExternalId = (db: Db, workspaceId: number, externalId: string) =>
  db.one<{ id: number; ticket_id: number; author_contact_id: number | null }>(sql`
    SELECT id, ticket_id, author_contact_id FROM messages
    WHERE workspace_id = ${workspaceId} AND external_id = ${externalId} ORDER BY id LIMIT 1`);

/** Serialises concurrent deliveries of the same provider id until the transaction ends. */
export const lockExternalId = (db: Db, workspaceId: number, externalId: string) =>
  db.query(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${workspaceId}:${externalId}`}, 0))`);

/** Messages stored under any of these provider ids, newest first (email threading and bounces). */
export const findMessagesByExternalIds = (db: Db, workspaceId: number, ids: string[]) =>
  db.query<{ id: number; ticket_id: number; kind: string }>(sql`
    SELECT id, ticket_id, kind FROM messages
    WHERE workspace_id = ${workspaceId} AND external_id = ANY(${ids}::text[]) ORDER BY id DESC LIMIT 20`);

/**
 * The oldest message stored under each of these provider ids (duplicate detection for a batch), one index
 * probe per id: with `= ANY` a plan made while the table was small kept scanning it as it grew.
 */
export const firstMessagesByExternalIds = (db: Db, workspaceId: number, ids: string[]) =>
  db.query<{ external_id: string; id: number; ticket_id: number }>(sql`
    SELECT x.external_id, m.id, m.ticket_id FROM unnest(${ids}::text[]) AS x(external_id)
    CROSS JOIN LATERAL (
      SELECT id, ticket_id FROM messages WHERE workspace_id = ${workspaceId} AND external_id = x.external_id
      ORDER BY id LIMIT 1) m`);

/**
 * Median seconds from creation to first reply over recent tickets of a channel, and how many answered
 * tickets it rests on. Tickets still waiting for their first reply count too, as at least their age,
 * once they are older than the answered tickets' median (a younger one may yet be answered quickly, so
 * it says nothing); tickets solved or closed without a reply needed none and are left out.
 */
export const firstResponseStats = (db: Db, workspaceId: number, channel: string, days: number) =>
  db.one<{ median: number | null; samples: number }>(sql`
    WITH recent AS (
      SELECT extract(epoch FROM first_response_at - created_at) AS answered,
        CASE WHEN first_response_at IS NULL AND status NOT IN ('solved', 'closed')
          THEN extract(epoch FROM now() - created_at) END AS waiting
      FROM tickets WHERE workspace_id = ${workspaceId} AND channel = ${channel} AND merged_into_id IS NULL
        AND created_at > now() - make_interval(days => ${days})),
    answered AS (
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY answered) AS median, count(answered)::int AS samples
      FROM recent)
    SELECT (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM (
              SELECT answered AS v FROM recent WHERE answered IS NOT NULL
              UNION ALL SELECT waiting FROM recent WHERE waiting > a.median) x)::float8 AS median,
      a.samples
    FROM answered a`);

export const findAttachmentBySha = (db: Db, workspaceId: number, sha256: string) =>
  db.one<AttachmentRow>(sql`SELECT id, message_id, filename, content_type, size_bytes, sha256, content_id, inline
                            FROM attachments WHERE workspace_id = ${workspaceId} AND sha256 = ${sha256} ORDER BY id LIMIT 1`);

export const setDelivery = (
  db: Db,
  id: number,
  status: string,
  error: string | null,
  externalId?: string | null,
  meta?: Record<string, unknown>,
) =>
  db.query(sql`
    UPDATE messages SET delivery_status = ${status}, delivery_error = ${error},
      external_id = coalesce(${externalId ?? null}, external_id),
      channel_meta = channel_meta || ${JSON.stringify(meta ?? {})}::jsonb
    WHERE id = ${id}`);

const DELIVERY_ORDER = ['queued', 'sent', 'delivered', 'read'];

/** Moves a sent message's status forward only (receipts arrive out of order); true when it changed. */
export const advanceDelivery = async (db: Db, id: number, status: string) =>
  (
    await db.query(sql`
      UPDATE messages SET delivery_status = ${status}, delivery_error = NULL
      WHERE id = ${id} AND coalesce(array_position(${DELIVERY_ORDER}::text[], delivery_status), 99)
                         < array_position(${DELIVERY_ORDER}::text[], ${status}::text)
      RETURNING id`)
  ).length > 0;

/** A failure receipt counts unless the message was already delivered, read or failed. */
export const canFailDelivery = async (db: Db, id: number) =>
  !!(await db.one(sql`SELECT 1 FROM messages WHERE id = ${id} AND delivery_status IN ('queued', 'sent')`));

export const listAttachmentsOfTicket = (db: Db, workspaceId: number, ticketId: number) =>
  db.query<AttachmentRow>(sql`
    SELECT a.id, a.message_id, a.filename, a.content_type, a.size_bytes, a.sha256, a.content_id, a.inline
    FROM attachments a JOIN messages m ON m.id = a.message_id
    WHERE m.workspace_id = ${workspaceId} AND m.ticket_id = ${ticketId} ORDER BY a.id`);

export const listAttachmentsOfMessage = (db: Db, messageId: number) =>
  db.query<AttachmentRow>(sql`SELECT id, message_id, filename, content_type, size_bytes, sha256, content_id, inline
                              FROM attachments WHERE message_id = ${messageId} ORDER BY id`);

export const findAttachment = (db: Db, workspaceId: number, id: number) =>
  db.one<AttachmentRow>(sql`SELECT id, message_id, filename, content_type, size_bytes, sha256, content_id, inline
                            FROM attachments WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export async function insertAttachment(
  db: Db,
  a: {
    workspaceId: number;
    messageId: number;
    filename: string;
    contentType: string;
    size: number;
    sha256: string;
    contentId?: string | null;
    inline?: boolean;
  },
) {
  await db.query(sql`
    INSERT INTO attachments (workspace_id, message_id, filename, content_type, size_bytes, sha256, content_id, inline)
    VALUES (${a.workspaceId}, ${a.messageId}, ${a.filename}, ${a.contentType}, ${a.size}, ${a.sha256}, ${a.contentId ?? null}, ${a.inline ?? false})`);
}

export async function moveMessages(db: Db, workspaceId: number, from: number, to: number) {
  await db.query(
    sql`UPDATE messages SET ticket_id = ${to} WHERE workspace_id = ${workspaceId} AND ticket_id = ${from}`,
  );
  await db.query(sql`
    UPDATE tickets t SET message_count = s.n, last_message_at = greatest(t.last_message_at, s.last), updated_at = now(), version = version + 1
    FROM (SELECT count(*)::int AS n, max(created_at) AS last FROM messages WHERE ticket_id = ${to}) s WHERE t.id = ${to}`);
  await db.query(sql`UPDATE tickets SET message_count = 0 WHERE id = ${from}`);
  await db.query(sql`INSERT INTO ticket_followers (workspace_id, ticket_id, email)
                     SELECT workspace_id, ${to}, email FROM ticket_followers WHERE ticket_id = ${from} ON CONFLICT DO NOTHING`);
}

/** Recovery after a crash only (rare): the message whose creating request carried this Idempotency-Key. */
export async function messageByIdempotencyKey(
  db: Db,
  workspaceId: number,
  agentId: number,
  key: string,
  kind: 'inbound' | 'outbound',
): Promise<{ id: number; ticket_id: number } | undefined> {
  return db.one(sql`
    SELECT id, ticket_id FROM messages
    WHERE workspace_id = ${workspaceId} AND kind = ${kind} AND channel_meta->>'idempotencyKey' = ${key}
      AND (channel_meta->>'createdBy' = ${String(agentId)} OR author_agent_id = ${agentId})
    ORDER BY id LIMIT 1`);
}
