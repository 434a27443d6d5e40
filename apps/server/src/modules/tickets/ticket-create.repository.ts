import { type Db, type SQL, sql } from '../../platform/db/db.ts';
import type { insertMessage, MessageRow } from './messages.repository.ts';
import type { insertTicket, TicketRow } from './ticket-core.repository.ts';

/* New tickets with their first message (and contact, timeline event, outbox rows) in one statement. */

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
