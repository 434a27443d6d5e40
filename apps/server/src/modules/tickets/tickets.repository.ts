import type { ListTicketsQuery } from '@shopdesk/contracts';
import { type Db, type SQL, sql } from '../../platform/db/db.ts';

export type TicketRow = {
  id: number;
  workspace_id: number;
  subject: string;
  status: string;
  priority: string;
  channel: string;
  contact_id: number | null;
  assignee_id: number | null;
  team_id: number | null;
  tags: string[];
  custom_fields: Record<string, unknown>;
  version: number;
  message_count: number;
  last_message_preview: string;
  last_message_at: Date;
  last_inbound_at: Date | null;
  first_response_at: Date | null;
  solved_at: Date | null;
  closed_at: Date | null;
  merged_into_id: number | null;
  created_at: Date;
  updated_at: Date;
  contact_name: string | null;
  contact_email: string | null;
};

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

const ticketCols = sql`t.id, t.workspace_id, t.subject, t.status, t.priority, t.channel, t.contact_id, t.assignee_id, t.team_id, t.tags,
  t.custom_fields, t.version, t.message_count, t.last_message_preview, t.last_message_at, t.last_inbound_at, t.first_response_at,
  t.solved_at, t.closed_at, t.merged_into_id, t.created_at, t.updated_at, c.name AS contact_name, c.email AS contact_email`;

export const findTicket = (db: Db, workspaceId: number, id: number, forUpdate = false) =>
  db.one<TicketRow>(sql`
    SELECT ${ticketCols} FROM tickets t LEFT JOIN contacts c ON c.id = t.contact_id
    WHERE t.workspace_id = ${workspaceId} AND t.id = ${id} ${forUpdate ? sql`FOR UPDATE OF t` : sql``}`);

export interface TicketFilter
  extends Omit<ListTicketsQuery, 'view' | 'limit' | 'cursor' | 'sort' | 'assignee'> {
  assignee?: number | 'none';
  contactIds?: number[];
}

function whereOf(workspaceId: number, f: TicketFilter): SQL {
  const parts: SQL[] = [sql`t.workspace_id = ${workspaceId}`];
  if (f.status) {
    const statuses =
      f.status === 'active'
        ? ['new', 'open', 'pending', 'on-hold']
        : f.status.split(',').map((s) => s.trim());
    parts.push(
      statuses.length === 1 ? sql`t.status = ${statuses[0]}` : sql`t.status = ANY(${statuses}::text[])`,
    );
  }
  if (f.assignee === 'none') parts.push(sql`t.assignee_id IS NULL`);
  else if (f.assignee) parts.push(sql`t.assignee_id = ${f.assignee}`);
  if (f.team === 'none') parts.push(sql`t.team_id IS NULL`);
  else if (f.team) parts.push(sql`t.team_id = ${Number(f.team)}`);
  if (f.channel) parts.push(sql`t.channel = ${f.channel}`);
  if (f.priority) parts.push(sql`t.priority = ${f.priority}`);
  if (f.tag) parts.push(sql`t.tags @> ${[f.tag]}::text[]`);
  if (f.contactIds) parts.push(sql`t.contact_id = ANY(${f.contactIds}::bigint[])`);
  // SLA state is the sla module's read model (one row per ticket with clocks); only read here.
  if (f.sla === 'breached')
    parts.push(sql`EXISTS (SELECT 1 FROM sla_ticket_status sb
      WHERE sb.ticket_id = t.id AND (sb.breached OR sb.next_due_at <= now()))`);
  return sql.join(parts, sql` AND `);
}

const sorts = {
  last_message_desc: { col: sql`t.last_message_at`, field: 'last_message_at', dir: 'desc' },
  last_message_asc: { col: sql`t.last_message_at`, field: 'last_message_at', dir: 'asc' },
  created_desc: { col: sql`t.created_at`, field: 'created_at', dir: 'desc' },
  created_asc: { col: sql`t.created_at`, field: 'created_at', dir: 'asc' },
  sla_due_asc: { col: sql`t.sla_due_at`, field: 'sla_due_at', dir: 'asc' },
} as const;
export type SortKey = keyof typeof sorts;

/**
 * Keyset pagination: the cursor is the (sort value, id) of the last row seen. Only the SLA sort has
 * empty values (tickets without clocks, listed last): a null cursor value means "in that tail".
 */
export async function listTickets(
  db: Db,
  workspaceId: number,
  f: TicketFilter,
  sort: SortKey,
  limit: number,
  after?: [string | null, number],
) {
  const s = sorts[sort];
  const where = whereOf(workspaceId, f);
  if (sort === 'sla_due_asc') {
    // Due times come from the sla module's read model; a ticket without one sorts after all others.
    const cursor = !after
      ? sql``
      : after[0] === null
        ? sql`AND sd.next_due_at IS NULL AND t.id > ${after[1]}`
        : sql`AND (sd.next_due_at IS NULL OR (sd.next_due_at, t.id) > (${after[0]}::timestamptz, ${after[1]}))`;
    const rows = await db.query<TicketRow & { sla_due_at: Date | null }>(sql`
      SELECT ${ticketCols}, t.sla_due_at FROM (
        SELECT t.*, sd.next_due_at AS sla_due_at FROM tickets t
        LEFT JOIN sla_ticket_status sd ON sd.ticket_id = t.id
        WHERE ${where} ${cursor}
        ORDER BY sd.next_due_at ASC NULLS LAST, t.id ASC LIMIT ${limit}
      ) t LEFT JOIN contacts c ON c.id = t.contact_id
      ORDER BY t.sla_due_at ASC NULLS LAST, t.id ASC`);
    return { rows, field: s.field };
  }
  const cmp = s.dir === 'desc' ? sql`<` : sql`>`;
  const order = s.dir === 'desc' ? sql`DESC` : sql`ASC`;
  const cursor = after ? sql`AND (${s.col}, t.id) ${cmp} (${after[0]}::timestamptz, ${after[1]})` : sql``;
  // The page is cut before contacts are joined: otherwise the planner may join every matching ticket
  // (thousands in a big inbox) and sort afterwards.
  const rows = await db.query<TicketRow>(sql`
    SELECT ${ticketCols} FROM (
      SELECT t.* FROM tickets t WHERE ${where} ${cursor}
      ORDER BY ${s.col} ${order}, t.id ${order} LIMIT ${limit}
    ) t LEFT JOIN contacts c ON c.id = t.contact_id
    ORDER BY ${s.col} ${order}, t.id ${order}`);
  return { rows, field: s.field };
}

export async function countTickets(db: Db, workspaceId: number, f: TicketFilter): Promise<number> {
  const r = await db.one<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM tickets t WHERE ${whereOf(workspaceId, f)}`,
  );
  return r?.n ?? 0;
}

export async function insertTicket(
  db: Db,
  t: {
    workspaceId: number;
    subject: string;
    status: string;
    priority: string;
    channel: string;
    contactId: number | null;
    assigneeId: number | null;
    teamId: number | null;
    tags: string[];
    customFields: Record<string, unknown>;
    /**
     * The inbound message about to be stored with it: the row is written once with its counters,
     * instead of inserted and then bumped (an UPDATE that rewrites every index of a hot table).
     */
    firstInbound?: { preview: string; at: Date };
  },
): Promise<number> {
  const first = t.firstInbound;
  const at = first ? first.at.toISOString() : null;
  const row = await db.one<{ id: number }>(sql`
    INSERT INTO tickets (workspace_id, subject, status, priority, channel, contact_id, assignee_id, team_id, tags, custom_fields,
                         message_count, last_message_at, last_message_preview, last_inbound_at)
    VALUES (${t.workspaceId}, ${t.subject}, ${t.status}, ${t.priority}, ${t.channel}, ${t.contactId}, ${t.assigneeId}, ${t.teamId},
            ${t.tags}, ${JSON.stringify(t.customFields)}::jsonb,
            ${first ? 1 : 0}, coalesce(${at}::timestamptz, now()), ${first?.preview ?? ''}, ${at}::timestamptz)
    RETURNING id`);
  return row!.id;
}

export async function updateTicketRow(db: Db, workspaceId: number, id: number, f: Record<string, unknown>) {
  const sets = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) =>
      k === 'custom_fields'
        ? sql`custom_fields = ${JSON.stringify(v)}::jsonb`
        : v instanceof Date
          ? sql`${sql.identifier(k)} = ${v.toISOString()}::timestamptz`
          : sql`${sql.identifier(k)} = ${v}`,
    );
  await db.query(sql`
    UPDATE tickets SET ${sql.join([...sets, sql`version = version + 1`, sql`updated_at = now()`], sql`, `)}
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);
}

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

type NewTicket = Parameters<typeof insertTicket>[1];
type NewMessage = Omit<Parameters<typeof insertMessage>[1], 'ticketId'>;

/**
 * The CTEs `t` (a new ticket on `contactId`), `ev` (its `created` timeline event) and `m` (its first
 * message, written by the ticket's contact), for one statement; the ticket row carries the message's
 * counters.
 */
function ticketWithMessageCtes(
  t: Omit<NewTicket, 'contactId'>,
  contactId: SQL,
  m: Omit<NewMessage, 'authorContactId'>,
  createdData: Record<string, unknown>,
  actorAgentId: number | null = null,
): SQL {
  const first = t.firstInbound;
  const at = first ? first.at.toISOString() : null;
  return sql`
    t AS (
      INSERT INTO tickets (workspace_id, subject, status, priority, channel, contact_id, assignee_id, team_id, tags, custom_fields,
                           message_count, last_message_at, last_message_preview, last_inbound_at)
      VALUES (${t.workspaceId}, ${t.subject}, ${t.status}, ${t.priority}, ${t.channel}, ${contactId}, ${t.assigneeId}, ${t.teamId},
              ${t.tags}, ${JSON.stringify(t.customFields)}::jsonb,
              ${first ? 1 : 0}, coalesce(${at}::timestamptz, now()), ${first?.preview ?? ''}, ${at}::timestamptz)
      RETURNING *),
    ev AS (
      INSERT INTO ticket_events (workspace_id, ticket_id, type, actor_agent_id, data)
      SELECT ${t.workspaceId}, t.id, 'created', ${actorAgentId}::bigint, ${JSON.stringify(createdData)}::jsonb FROM t
      RETURNING id, type, actor_agent_id, data, created_at),
    m AS (
      INSERT INTO messages (workspace_id, ticket_id, kind, channel, author_agent_id, author_contact_id, body_text, body_html,
                            channel_meta, external_id, delivery_status, created_at)
      SELECT ${m.workspaceId}, t.id, ${m.kind}, ${m.channel}, ${m.authorAgentId}, t.contact_id, ${m.bodyText},
             ${m.bodyHtml}, ${JSON.stringify(m.channelMeta ?? {})}::jsonb, ${m.externalId ?? null}, ${m.deliveryStatus},
             ${(m.createdAt ?? new Date()).toISOString()}::timestamptz
      FROM t
      RETURNING *)`;
}

/** A new ticket, its `created` timeline event and its first message in one statement. */
export async function insertTicketWithMessage(
  db: Db,
  t: NewTicket,
  m: Omit<NewMessage, 'authorContactId'>,
  createdData: Record<string, unknown>,
): Promise<{ ticketId: number; message: { id: number; created_at: Date } }> {
  const row = await db.one<{ ticket_id: number; id: number; created_at: Date }>(sql`
    WITH ${ticketWithMessageCtes(t, sql`${t.contactId}`, m, createdData)}
    SELECT ticket_id, id, created_at FROM m`);
  return { ticketId: row!.ticket_id, message: { id: row!.id, created_at: row!.created_at } };
}

/**
 * A new inbound ticket in one statement, no transaction needed: its contact (CTEs from the contacts
 * module), the ticket, its `created` event, the first message, and the `ticket.created` and
 * `message.received` events staged in the outbox (`stage` from the event bus; ids in that order).
 */
export async function insertInboundTicket(
  db: Db,
  contact: { ctes: SQL; id: SQL; created: SQL },
  t: Omit<NewTicket, 'contactId'>,
  m: Omit<NewMessage, 'authorContactId'>,
  stage: (rows: SQL) => SQL,
) {
  const ws = t.workspaceId;
  const row = await db.one<{
    ticket_id: number;
    id: number;
    created_at: Date;
    contact_id: number;
    created_contact: number | null;
    outbox_ids: number[];
  }>(sql`
    WITH ${contact.ctes}, ${ticketWithMessageCtes(t, contact.id, m, { channel: t.channel })},
    ob AS (${stage(sql`
      SELECT jsonb_build_object('name', 'ticket.created', 'workspaceId', ${ws}::bigint, 'ticketId', t.id,
               'data', jsonb_build_object('channel', ${t.channel}::text)), 1 FROM t
      UNION ALL
      SELECT jsonb_build_object('name', 'message.received', 'workspaceId', ${ws}::bigint, 'ticketId', m.ticket_id,
               'messageId', m.id, 'data', jsonb_build_object('channel', ${t.channel}::text, 'newTicket', true)), 2 FROM m`)})
    SELECT m.ticket_id, m.id, m.created_at, t.contact_id, ${contact.created} AS created_contact,
           (SELECT array_agg(id ORDER BY id) FROM ob) AS outbox_ids
    FROM t, m`);
  return row!;
}

/** What insertApiTicket stored, as the rows a TicketDetail is built from. */
export interface StoredNewTicket {
  ticket: TicketRow;
  message: MessageRow;
  event: {
    id: number;
    type: string;
    actor_agent_id: number | null;
    data: Record<string, unknown>;
    created_at: Date;
  };
  createdContact: number | null;
  outboxIds: number[];
}

const toDate = (v: unknown) => (v == null ? null : new Date(v as string));

/**
 * A ticket created through the API in one statement, no transaction needed: its contact (CTEs from the
 * contacts module), the ticket, its `created` event (by the agent), the first message, and the
 * `ticket.created` and `message.received` events staged in the outbox. It returns every stored row so
 * the response needs no read-back.
 */
export async function insertApiTicket(
  db: Db,
  contact: { ctes: SQL; id: SQL; created: SQL; nameEmail: SQL },
  t: Omit<NewTicket, 'contactId'>,
  m: Omit<NewMessage, 'authorContactId'>,
  actorAgentId: number | null,
  stage: (rows: SQL) => SQL,
): Promise<StoredNewTicket> {
  const ws = t.workspaceId;
  // The same events as the transaction path stages: only ticket.created names the agent.
  const ev = (name: string, extra: SQL, data: SQL, actor: number | null) =>
    sql`jsonb_strip_nulls(jsonb_build_object('name', ${name}::text, 'workspaceId', ${ws}::bigint, ${extra}, 'actorAgentId', ${actor}::bigint, 'data', ${data}))`;
  const row = await db.one<{
    t: Record<string, unknown>;
    m: Record<string, unknown>;
    ev: Record<string, unknown>;
    c: { name: string | null; email: string | null };
    created_contact: number | null;
    outbox_ids: number[];
  }>(sql`
    WITH ${contact.ctes}, ${ticketWithMessageCtes(t, contact.id, m, { channel: t.channel }, actorAgentId)},
    ob AS (${stage(sql`
      SELECT ${ev('ticket.created', sql`'ticketId', t.id`, sql`jsonb_build_object('channel', ${t.channel}::text)`, actorAgentId)}, 1 FROM t
      UNION ALL
      SELECT ${ev('message.received', sql`'ticketId', m.ticket_id, 'messageId', m.id`, sql`jsonb_build_object('channel', ${t.channel}::text, 'newTicket', true)`, null)}, 2 FROM m`)})
    SELECT to_jsonb(t) AS t, to_jsonb(m) AS m, to_jsonb(ev) AS ev, ${contact.nameEmail} AS c,
           ${contact.created} AS created_contact, (SELECT array_agg(id ORDER BY id) FROM ob) AS outbox_ids
    FROM t, m, ev`);
  const r = row!;
  const ticket = {
    ...r.t,
    last_message_at: toDate(r.t.last_message_at),
    last_inbound_at: toDate(r.t.last_inbound_at),
    first_response_at: toDate(r.t.first_response_at),
    solved_at: toDate(r.t.solved_at),
    closed_at: toDate(r.t.closed_at),
    created_at: toDate(r.t.created_at),
    updated_at: toDate(r.t.updated_at),
    contact_name: r.c.name,
    contact_email: r.c.email,
  } as TicketRow;
  const message = {
    ...r.m,
    author_name: r.c.name ?? r.c.email,
    created_at: toDate(r.m.created_at),
  } as MessageRow;
  return {
    ticket,
    message,
    event: { ...r.ev, created_at: toDate(r.ev.created_at) } as StoredNewTicket['event'],
    createdContact: r.created_contact,
    outboxIds: r.outbox_ids,
  };
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

export const repointContact = (db: Db, workspaceId: number, from: number, to: number) =>
  db.query(
    sql`UPDATE tickets SET contact_id = ${to} WHERE workspace_id = ${workspaceId} AND contact_id = ${from}`,
  );

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

/** An agent who can own a ticket: active and allowed to write (a read-only account cannot work it). */
export const agentExists = async (db: Db, workspaceId: number, id: number) =>
  !!(await db.one(
    sql`SELECT 1 FROM agents WHERE workspace_id = ${workspaceId} AND id = ${id} AND active AND role <> 'read-only'`,
  ));
export const agentName = async (db: Db, id: number | null) =>
  id ? ((await db.one<{ name: string }>(sql`SELECT name FROM agents WHERE id = ${id}`))?.name ?? null) : null;

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
