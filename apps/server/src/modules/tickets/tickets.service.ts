import type {
  AttachmentRef,
  CreateTicket,
  ListTicketsQuery,
  Message,
  ReplyInput,
  TicketDetail,
  TicketStatus,
  TicketSummary,
  UpdateTicket,
} from '@shopdesk/contracts';
import { ChannelRegistry } from '../../channels/channel-adapter.ts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import { htmlToText, sanitizeMessageHtml } from '../../platform/html/sanitize.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { recordAudit } from '../audit/index.ts';
import {
  type ContactMatch,
  contactCtesFor,
  dropRacedContact,
  findOrCreateContact,
} from '../contacts/index.ts';
import { getViewFilters } from '../views/index.ts';
import * as repo from './tickets.repository.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const preview = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 200);

export function toSummary(t: repo.TicketRow): TicketSummary {
  return {
    id: t.id,
    subject: t.subject,
    status: t.status as TicketStatus,
    priority: t.priority as TicketSummary['priority'],
    channel: t.channel,
    contact: t.contact_id ? { id: t.contact_id, name: t.contact_name, email: t.contact_email } : null,
    assigneeId: t.assignee_id,
    teamId: t.team_id,
    tags: t.tags,
    customFields: t.custom_fields,
    version: t.version,
    messageCount: t.message_count,
    lastMessagePreview: t.last_message_preview,
    lastMessageAt: t.last_message_at.toISOString(),
    lastInboundAt: iso(t.last_inbound_at),
    firstResponseAt: iso(t.first_response_at),
    solvedAt: iso(t.solved_at),
    mergedIntoId: t.merged_into_id,
    createdAt: t.created_at.toISOString(),
    updatedAt: t.updated_at.toISOString(),
  };
}

function toAttachment(a: repo.AttachmentRow): AttachmentRef {
  return {
    id: a.id,
    filename: a.filename,
    contentType: a.content_type,
    sizeBytes: a.size_bytes,
    url: `/api/v1/attachments/${a.id}`,
    inline: a.inline,
  };
}

const viaName = (meta: Record<string, unknown> | null) => {
  const via = meta?.via as { name?: unknown } | undefined;
  return typeof via?.name === 'string' ? via.name : null;
};

function toMessage(m: repo.MessageRow, attachments: repo.AttachmentRow[]): Message {
  return {
    id: m.id,
    ticketId: m.ticket_id,
    kind: m.kind,
    channel: m.channel,
    author: {
      type: m.author_agent_id ? 'agent' : m.author_contact_id ? 'contact' : 'system',
      id: m.author_agent_id ?? m.author_contact_id,
      // A system message says who wrote it (the bot, an automation) instead of showing as "System".
      name: m.author_name ?? viaName(m.channel_meta),
    },
    bodyText: m.body_text,
    bodyHtml: m.body_html,
    deliveryStatus: m.delivery_status,
    deliveryError: m.delivery_error,
    channelMeta: m.channel_meta,
    attachments: attachments.filter((a) => a.message_id === m.id).map(toAttachment),
    createdAt: m.created_at.toISOString(),
  };
}

/** Status changes carry their timestamps with them. */
function statusStamps(from: string, to: string): Record<string, unknown> {
  if (from === to) return {};
  return {
    status: to,
    solved_at: to === 'solved' ? new Date() : to === 'closed' ? undefined : null,
    closed_at: to === 'closed' ? new Date() : null,
  };
}

/** Statuses in which a ticket waits on the customer or is done: wrong while a reply has not gone out. */
const WAITING = new Set<string>(['pending', 'on-hold', 'solved', 'closed']);

/** Who made a system change: shown on the timeline and carried on events (loop protection). */
export interface SystemActor {
  kind: 'routing' | 'sla' | 'automation' | 'urgency' | 'bot' | 'delivery';
  id?: number;
  name?: string;
  /** Automation ids that led to this change, oldest first. */
  chain?: number[];
}

export interface IncomingAttachment {
  filename: string;
  contentType: string;
  data: Buffer;
  contentId?: string | null;
  inline?: boolean;
}

export interface ReceiveInput {
  channel: string;
  contact: ContactMatch;
  subject: string;
  bodyText: string;
  bodyHtml?: string | null;
  /** The channel already passed bodyHtml through sanitizeMessageHtml (with its own image rules). */
  bodyHtmlSafe?: boolean;
  attachments?: IncomingAttachment[];
  externalId?: string | null;
  channelMeta?: Record<string, unknown>;
  /** Thread into this ticket; a new ticket when absent. */
  ticketId?: number | null;
  receivedAt?: Date;
  cc?: string[];
  priority?: string;
  tags?: string[];
  /** A reply to a closed ticket: the new ticket is linked to that one as its follow-up. */
  followUpOf?: number | null;
  /**
   * With `externalId`: a message already stored under that id is not stored again; the call returns
   * it with `duplicate: true` (client resends after a reconnect, provider retries).
   */
  dedupe?: boolean;
  /**
   * Runs inside the storing transaction, before any event goes out: a channel records its own rows
   * about the message (the chat conversation) so that listeners reacting at once (the bot's reply, its
   * delivery) already find them.
   */
  inTransaction?: (tx: Db, r: { ticketId: number; created: boolean; duplicate: boolean }) => Promise<void>;
}

export function createTicketsService(deps: Deps, channels: ChannelRegistry = new ChannelRegistry()) {
  const { db, bus, files } = deps;

  /** The ticket, or the one it was merged into (merges followed; bounded against a cycle). */
  async function findLive(workspaceId: number, id: number) {
    let t = await repo.findTicket(db, workspaceId, id);
    for (let hops = 0; t?.merged_into_id && hops < 10; hops++)
      t = await repo.findTicket(db, workspaceId, t.merged_into_id);
    return t;
  }

  async function load(workspaceId: number, id: number, forUpdate = false, tx: Db = db) {
    const t = await repo.findTicket(tx, workspaceId, id, forUpdate);
    if (!t) throw notFound('Ticket');
    return t;
  }

  async function storeAttachments(
    tx: Db,
    workspaceId: number,
    messageId: number,
    list: IncomingAttachment[],
  ) {
    for (const a of list) {
      const { sha256, size } = await files.put(a.data);
      await repo.insertAttachment(tx, {
        workspaceId,
        messageId,
        filename: a.filename,
        contentType: a.contentType,
        size,
        sha256,
        contentId: a.contentId,
        inline: a.inline,
      });
    }
  }

  const decodeAttachments = (
    list: { filename: string; contentType: string; contentBase64: string }[] = [],
  ): IncomingAttachment[] =>
    list.map((a) => {
      const data = Buffer.from(a.contentBase64, 'base64');
      if (data.length === 0) throw badRequest(`Attachment ${a.filename} is empty or not base64`);
      return { filename: a.filename, contentType: a.contentType, data };
    });

  const previewOf = (input: ReceiveInput) => preview(input.bodyText || htmlToText(input.bodyHtml ?? ''));

  /** The ticket row a new inbound conversation opens (both paths of `receive`). */
  const newInboundTicket = (workspaceId: number, input: ReceiveInput, at: Date) => ({
    workspaceId,
    subject: input.subject.slice(0, 500) || '(no subject)',
    status: 'new',
    priority: input.priority ?? 'normal',
    channel: input.channel,
    assigneeId: null,
    teamId: null,
    tags: input.tags ?? [],
    customFields: {},
    firstInbound: { preview: previewOf(input), at },
  });

  /** The customer's message as stored (its author is the contact the caller resolved). */
  const inboundMessage = (workspaceId: number, input: ReceiveInput, at: Date) => ({
    workspaceId,
    kind: 'inbound' as const,
    channel: input.channel,
    authorAgentId: null,
    bodyText: input.bodyText,
    bodyHtml: input.bodyHtml
      ? input.bodyHtmlSafe
        ? input.bodyHtml
        : sanitizeMessageHtml(input.bodyHtml)
      : null,
    channelMeta: input.channelMeta,
    externalId: input.externalId,
    deliveryStatus: 'received',
    createdAt: at,
  });

  /**
   * The common case of `receive` — a new ticket with one message from a contact known by one identity,
   * nothing attached, no hooks — in a single statement instead of a transaction of five round trips.
   * Null when the input needs the general path.
   */
  async function receiveNewTicket(workspaceId: number, input: ReceiveInput) {
    if (input.ticketId || input.followUpOf || input.attachments?.length || input.cc?.length) return null;
    if (input.inTransaction || input.dedupe) return null;
    const contact = contactCtesFor(workspaceId, input.contact);
    if (!contact) return null;
    const at = input.receivedAt ?? new Date();
    const channel = input.channel;
    const r = await repo.insertInboundTicket(
      db,
      contact,
      newInboundTicket(workspaceId, input, at),
      inboundMessage(workspaceId, input, at),
      (rows) => bus.stageSql(rows),
    );
    // A concurrent insert won the identity: the ticket is on their contact, ours is an empty row.
    if (r.created_contact && r.created_contact !== r.contact_id)
      await dropRacedContact(db, workspaceId, r.created_contact);
    const [created, received] = r.outbox_ids;
    await publishAll([
      { name: 'ticket.created', workspaceId, ticketId: r.ticket_id, data: { channel }, outboxId: created },
      {
        name: 'message.received',
        workspaceId,
        ticketId: r.ticket_id,
        messageId: r.id,
        data: { channel, newTicket: true },
        outboxId: received,
      },
    ]);
    return {
      ticketId: r.ticket_id,
      messageId: r.id,
      contactId: r.contact_id,
      created: true,
      duplicate: false,
    };
  }

  async function publishAll(events: DomainEvent[]) {
    await bus.publishMany(events);
  }

  async function validateRefs(
    tx: Db,
    workspaceId: number,
    assigneeId?: number | null,
    teamId?: number | null,
  ) {
    if (assigneeId && !(await repo.agentExists(tx, workspaceId, assigneeId)))
      throw new AppError('validation_failed', 'Unknown assignee', [
        { path: 'body.assigneeId', message: 'no such active agent, or a read-only account' },
      ]);
    if (teamId && !(await repo.teamExists(tx, workspaceId, teamId)))
      throw new AppError('validation_failed', 'Unknown team', [
        { path: 'body.teamId', message: 'no such team' },
      ]);
  }

  /** Applies field changes, records timeline events; returns the domain events to publish after commit. */
  async function applyChanges(
    tx: Db,
    auth: { workspaceId: number; agentId: number | null; system?: SystemActor },
    t: repo.TicketRow,
    ch: Omit<UpdateTicket, 'version'>,
  ) {
    const via = auth.system ? { via: auth.system } : {};
    await validateRefs(tx, auth.workspaceId, ch.assigneeId, ch.teamId);
    let tags = ch.tags ?? t.tags;
    if (ch.addTags) tags = [...new Set([...tags, ...ch.addTags])];
    if (ch.removeTags) tags = tags.filter((x) => !ch.removeTags!.includes(x));
    const fields: Record<string, unknown> = {
      subject: ch.subject,
      priority: ch.priority,
      assignee_id: ch.assigneeId,
      team_id: ch.teamId,
      tags: ch.tags || ch.addTags || ch.removeTags ? tags : undefined,
      custom_fields: ch.customFields ? { ...t.custom_fields, ...ch.customFields } : undefined,
      ...(ch.status ? statusStamps(t.status, ch.status) : {}),
    };
    await repo.updateTicketRow(tx, auth.workspaceId, t.id, fields);
    if (fields.tags) await repo.ensureTags(tx, auth.workspaceId, tags);
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    const track = (key: string, from: unknown, to: unknown) => {
      if (to !== undefined && JSON.stringify(from) !== JSON.stringify(to)) changed[key] = { from, to };
    };
    track('status', t.status, ch.status);
    track('priority', t.priority, ch.priority);
    track('assigneeId', t.assignee_id, ch.assigneeId);
    track('teamId', t.team_id, ch.teamId);
    track('subject', t.subject, ch.subject);
    track('tags', t.tags, fields.tags);
    for (const [k, v] of Object.entries(changed)) {
      const type = {
        status: 'status_changed',
        priority: 'priority_changed',
        assigneeId: 'assigned',
        teamId: 'team_changed',
        subject: 'subject_changed',
        tags: 'tags_changed',
      }[k]!;
      await repo.insertEvent(tx, auth.workspaceId, t.id, type, auth.agentId, { ...v, ...via });
    }
    const events: DomainEvent[] = [];
    if (Object.keys(changed).length || ch.customFields)
      events.push({
        name: 'ticket.updated',
        workspaceId: auth.workspaceId,
        ticketId: t.id,
        actorAgentId: auth.agentId,
        data: { changes: changed, ...via },
      });
    if (changed.assigneeId) {
      events.push({
        name: 'ticket.assigned',
        workspaceId: auth.workspaceId,
        ticketId: t.id,
        actorAgentId: auth.agentId,
        data: { ...changed.assigneeId, ...via },
      });
      // Whoever is handed a ticket by someone else (or by routing) hears about it.
      const to = changed.assigneeId.to as number | null;
      if (to && to !== auth.agentId) {
        await repo.insertNotification(tx, {
          workspaceId: auth.workspaceId,
          agentId: to,
          type: 'assignment',
          ticketId: t.id,
          messageId: null,
          data: { byAgentId: auth.agentId, subject: t.subject },
        });
        events.push({
          name: 'notification.assigned',
          workspaceId: auth.workspaceId,
          ticketId: t.id,
          actorAgentId: auth.agentId,
          data: { agentId: to, summary: `You were assigned #${t.id}: ${t.subject}` },
        });
      }
    }
    if (changed.status?.to === 'solved')
      events.push({
        name: 'ticket.solved',
        workspaceId: auth.workspaceId,
        ticketId: t.id,
        actorAgentId: auth.agentId,
      });
    return events;
  }

  async function resolveFilter(
    auth: Auth,
    q: ListTicketsQuery & { contactIds?: number[] },
  ): Promise<{ filter: repo.TicketFilter; sort: repo.SortKey }> {
    let base: Partial<ListTicketsQuery> = {};
    if (q.view) {
      const filters = await getViewFilters(db, auth.workspaceId, auth.agentId, q.view);
      if (!filters) throw notFound('View');
      base = filters;
    }
    const m = {
      ...base,
      ...Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)),
    } as ListTicketsQuery & { contactIds?: number[] };
    let assignee: repo.TicketFilter['assignee'];
    if (m.assignee === 'me') assignee = auth.agentId;
    else if (m.assignee === 'none') assignee = 'none';
    else if (m.assignee) {
      assignee = Number(m.assignee);
      if (!Number.isInteger(assignee))
        throw new AppError('validation_failed', 'Bad assignee', [
          { path: 'query.assignee', message: 'agent id, me or none' },
        ]);
    }
    if (m.team && m.team !== 'none' && !Number.isInteger(Number(m.team)))
      throw new AppError('validation_failed', 'Bad team', [
        { path: 'query.team', message: 'team id or none' },
      ]);
    if (m.status) {
      const ok = ['active', 'new', 'open', 'pending', 'on-hold', 'solved', 'closed'];
      if (m.status.split(',').some((s) => !ok.includes(s.trim())))
        throw new AppError('validation_failed', 'Bad status', [
          { path: 'query.status', message: `one of ${ok.join(', ')}` },
        ]);
    }
    return {
      filter: {
        status: m.status,
        assignee,
        team: m.team,
        channel: m.channel,
        priority: m.priority,
        tag: m.tag,
        sla: m.sla,
        contactIds: m.contactIds,
      },
      sort: (m.sort ?? 'last_message_desc') as repo.SortKey,
    };
  }

  const svc = {
    /**
     * Puts an entry on a ticket's timeline inside the caller's transaction (commerce: refunds, approvals),
     * so other modules never write ticket_events themselves.
     */
    recordEvent(
      tx: Db,
      workspaceId: number,
      ticketId: number,
      type: string,
      actor: number | null,
      data: Record<string, unknown> = {},
    ) {
      return repo.insertEvent(tx, workspaceId, ticketId, type, actor, data);
    },
    /**
     * The message an agent's request with this Idempotency-Key created, if its transaction committed
     * (the request may have died before answering): the ticket for a create, the message for a reply.
     */
    async createdByKey(auth: Auth, key: string, kind: 'ticket' | 'reply') {
      const m = await repo.messageByIdempotencyKey(
        db,
        auth.workspaceId,
        auth.agentId,
        key,
        kind === 'ticket' ? 'inbound' : 'outbound',
      );
      if (!m) return null;
      return kind === 'ticket' ? svc.get(auth, m.ticket_id) : svc.getMessage(auth, m.id);
    },
    async list(auth: Auth, q: ListTicketsQuery & { contactIds?: number[] }) {
      const { filter, sort } = await resolveFilter(auth, q);
      let after: [string | null, number] | undefined;
      if (q.cursor) {
        try {
          const [ts, id] = JSON.parse(Buffer.from(q.cursor, 'base64url').toString()) as [
            string | null,
            number,
          ];
          const tail = ts === null && sort === 'sla_due_asc'; // past the tickets that have a due time
          if (!tail && (typeof ts !== 'string' || Number.isNaN(Date.parse(ts)))) throw new Error();
          if (!Number.isInteger(id)) throw new Error();
          after = [ts, id];
        } catch {
          throw new AppError('validation_failed', 'Bad cursor', [
            { path: 'query.cursor', message: 'use nextCursor from a previous page' },
          ]);
        }
      }
      const { rows, field } = await repo.listTickets(db, auth.workspaceId, filter, sort, q.limit + 1, after);
      const items = rows.slice(0, q.limit);
      const last = items[items.length - 1];
      const nextCursor =
        rows.length > q.limit && last
          ? Buffer.from(
              JSON.stringify([
                ((last as Record<string, unknown>)[field] as Date | null)?.toISOString() ?? null,
                last.id,
              ]),
            ).toString('base64url')
          : null;
      return { items: items.map(toSummary), nextCursor };
    },

    /** The ticket a merged ticket now lives in, as a summary; null when missing or another workspace's. */
    async findSummary(workspaceId: number, id: number): Promise<TicketSummary | null> {
      const t = await findLive(workspaceId, id);
      return t ? toSummary(t) : null;
    },

    async count(auth: Auth, q: ListTicketsQuery) {
      const { filter } = await resolveFilter(auth, q);
      return repo.countTickets(db, auth.workspaceId, filter);
    },

    async get(auth: Pick<Auth, 'workspaceId'>, id: number): Promise<TicketDetail> {
      const t = await load(auth.workspaceId, id);
      const [messages, attachments, events, links, followers] = await Promise.all([
        repo.listMessages(db, auth.workspaceId, id),
        repo.listAttachmentsOfTicket(db, auth.workspaceId, id),
        repo.listEvents(db, auth.workspaceId, id),
        repo.listLinks(db, auth.workspaceId, id),
        repo.listFollowers(db, id),
      ]);
      return {
        ...toSummary(t),
        messages: messages.map((m) => toMessage(m, attachments)),
        events: events.map((e) => ({
          id: e.id,
          type: e.type,
          actorAgentId: e.actor_agent_id,
          data: e.data,
          createdAt: e.created_at.toISOString(),
        })),
        links: links.map((l) => ({
          ticketId: l.ticket_id,
          kind: l.kind,
          subject: l.subject,
          status: l.status as TicketStatus,
        })),
        followers,
      };
    },

    async create(auth: Auth, input: CreateTicket, opts: { idempotencyKey?: string } = {}) {
      const attachments = decodeAttachments(input.message.attachments);
      const { ticketId, events } = await db.tx(async (tx) => {
        await validateRefs(tx, auth.workspaceId, input.assigneeId, input.teamId);
        let contactId: number;
        if (input.contact.id) {
          if (!(await repo.contactOf(tx, auth.workspaceId, input.contact.id)))
            throw new AppError('validation_failed', 'Unknown contact', [
              { path: 'body.contact.id', message: 'no such contact' },
            ]);
          contactId = input.contact.id;
        } else {
          contactId = await findOrCreateContact(tx, auth.workspaceId, input.contact);
        }
        const at = new Date();
        const ticketId = await repo.insertTicket(tx, {
          workspaceId: auth.workspaceId,
          subject: input.subject,
          status: input.status ?? (input.assigneeId ? 'open' : 'new'),
          priority: input.priority,
          channel: input.channel,
          contactId,
          assigneeId: input.assigneeId ?? null,
          teamId: input.teamId ?? null,
          tags: input.tags ?? [],
          customFields: input.customFields ?? {},
          firstInbound: { preview: preview(input.message.body), at },
        });
        if (input.tags?.length) await repo.ensureTags(tx, auth.workspaceId, input.tags);
        const html = input.message.html ? sanitizeMessageHtml(input.message.html) : null;
        const msg = await repo.insertMessage(tx, {
          workspaceId: auth.workspaceId,
          ticketId,
          kind: 'inbound',
          channel: input.channel,
          authorAgentId: null,
          authorContactId: contactId,
          bodyText: input.message.body,
          bodyHtml: html,
          deliveryStatus: 'received',
          channelMeta: {
            createdVia: auth.via === 'token' ? 'api' : 'dashboard',
            createdBy: auth.agentId,
            // In the creating transaction: a retry after a crash finds this ticket (createdByKey).
            ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
          },
          createdAt: at,
        });
        await storeAttachments(tx, auth.workspaceId, msg.id, attachments);
        await repo.insertEvent(tx, auth.workspaceId, ticketId, 'created', auth.agentId, {
          channel: input.channel,
        });
        const channel = input.channel;
        const events = await bus.stage(tx, [
          {
            name: 'ticket.created',
            workspaceId: auth.workspaceId,
            ticketId,
            actorAgentId: auth.agentId,
            data: { channel },
          },
          {
            name: 'message.received',
            workspaceId: auth.workspaceId,
            ticketId,
            messageId: msg.id,
            data: { channel, newTicket: true },
          },
        ]);
        return { ticketId, events };
      });
      await publishAll(events);
      return svc.get(auth, ticketId);
    },

    /** Channel pipelines land every inbound message through here (step 2 of the message pipeline). */
    async receive(workspaceId: number, input: ReceiveInput) {
      const fast = await receiveNewTicket(workspaceId, input);
      if (fast) return fast;
      const result = await db.tx(async (tx) => {
        if (input.dedupe && input.externalId) {
          await repo.lockExternalId(tx, workspaceId, input.externalId);
          const seen = await repo.findMessageByExternalId(tx, workspaceId, input.externalId);
          if (seen) {
            await input.inTransaction?.(tx, { ticketId: seen.ticket_id, created: false, duplicate: true });
            return {
              ticketId: seen.ticket_id,
              messageId: seen.id,
              contactId: seen.author_contact_id ?? 0,
              created: false,
              duplicate: true,
              events: [] as DomainEvent[],
            };
          }
        }
        const contactId = await findOrCreateContact(tx, workspaceId, input.contact);
        let ticketId = input.ticketId ?? null;
        let created = false;
        const at = input.receivedAt ?? new Date();
        const message = { ...inboundMessage(workspaceId, input, at), authorContactId: contactId };
        let msg: { id: number; created_at: Date };
        if (ticketId) {
          const t = await load(workspaceId, ticketId, true, tx);
          if (t.status === 'solved' || t.status === 'pending' || t.status === 'on-hold') {
            await repo.updateTicketRow(tx, workspaceId, ticketId, { status: 'open', solved_at: null });
            await repo.insertEvent(
              tx,
              workspaceId,
              ticketId,
              t.status === 'solved' ? 'reopened' : 'status_changed',
              null,
              { from: t.status, to: 'open' },
            );
          }
          msg = await repo.insertMessage(tx, { ...message, ticketId });
        } else {
          const r = await repo.insertTicketWithMessage(
            tx,
            { ...newInboundTicket(workspaceId, input, at), contactId },
            message,
            { channel: input.channel },
          );
          ticketId = r.ticketId;
          msg = r.message;
          created = true;
          if (input.followUpOf && (await repo.findTicket(tx, workspaceId, input.followUpOf))) {
            await repo.insertLink(tx, workspaceId, ticketId, input.followUpOf, 'follow-up');
            await repo.insertEvent(tx, workspaceId, ticketId, 'follow_up_of', null, {
              ticketId: input.followUpOf,
            });
          }
        }
        await storeAttachments(tx, workspaceId, msg.id, input.attachments ?? []);
        if (!created)
          await repo.bumpTicketForMessage(tx, ticketId, 'inbound', previewOf(input), msg.created_at);
        if (input.cc?.length)
          await repo.addFollowers(
            tx,
            workspaceId,
            ticketId,
            input.cc.map((e) => e.toLowerCase()),
          );
        // `channel` and `newTicket` let listeners skip work without reading the rows back.
        const channel = input.channel;
        const events: DomainEvent[] = [];
        if (created) events.push({ name: 'ticket.created', workspaceId, ticketId, data: { channel } });
        events.push({
          name: 'message.received',
          workspaceId,
          ticketId,
          messageId: msg.id,
          data: { channel, newTicket: created },
        });
        await input.inTransaction?.(tx, { ticketId, created, duplicate: false });
        const staged = await bus.stage(tx, events);
        return { ticketId, messageId: msg.id, contactId, created, duplicate: false, events: staged };
      });
      const { events, ...out } = result;
      await publishAll(events);
      return out;
    },

    async update(auth: Auth, id: number, input: UpdateTicket) {
      const { version, ...changes } = input;
      const events = await db.tx(async (tx) => {
        const t = await load(auth.workspaceId, id, true, tx);
        if (version !== undefined && version !== t.version)
          throw new AppError(
            'stale_version',
            'The ticket changed since you loaded it; reload and try again',
            {
              currentVersion: t.version,
              ticket: toSummary(t),
            },
          );
        return bus.stage(tx, await applyChanges(tx, auth, t, changes));
      });
      await publishAll(events);
      return toSummary(await load(auth.workspaceId, id));
    },

    async bulkUpdate(auth: Auth, ids: number[], changes: Omit<UpdateTicket, 'version'>) {
      const unique = [...new Set(ids)];
      const events = await db.tx(async (tx) => {
        const all: DomainEvent[] = [];
        for (const id of unique) {
          const t = await repo.findTicket(tx, auth.workspaceId, id, true);
          // Another workspace's id is reported exactly like a missing one.
          if (!t) throw new AppError('not_found', `Ticket ${id} not found`, { id });
          all.push(...(await applyChanges(tx, auth, t, changes)));
        }
        return bus.stage(tx, all);
      });
      await publishAll(events);
      return { updated: unique.length };
    },

    async reply(auth: Auth, id: number, input: ReplyInput, opts: { idempotencyKey?: string } = {}) {
      const attachments = decodeAttachments(input.attachments);
      const { messageId, events } = await db.tx(async (tx) => {
        const t = await load(auth.workspaceId, id, true, tx);
        if (t.merged_into_id)
          throw badRequest(`This ticket was merged into #${t.merged_into_id}; reply there`);
        const html = input.html ? sanitizeMessageHtml(input.html) : null;
        const next = input.status ?? (t.status === 'new' ? 'open' : (t.status as TicketStatus));
        const msg = await repo.insertMessage(tx, {
          workspaceId: auth.workspaceId,
          ticketId: id,
          kind: 'outbound',
          channel: t.channel,
          authorAgentId: auth.agentId,
          authorContactId: null,
          bodyText: input.body,
          bodyHtml: html,
          deliveryStatus: 'queued',
          // A send that fails for good puts a waiting status back (markDeliveryFailed).
          channelMeta: {
            ...(WAITING.has(next) && next !== t.status ? { statusOnSend: { from: t.status, to: next } } : {}),
            ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
          },
        });
        await storeAttachments(tx, auth.workspaceId, msg.id, attachments);
        await repo.bumpTicketForMessage(tx, id, 'outbound', preview(input.body), msg.created_at);
        const events = await applyChanges(tx, auth, t, {
          status: next,
          assigneeId: t.assignee_id ?? auth.agentId,
        });
        if (!t.first_response_at)
          await repo.updateTicketRow(tx, auth.workspaceId, id, { first_response_at: msg.created_at });
        await enqueue(
          tx,
          'deliver-message',
          { workspaceId: auth.workspaceId, messageId: msg.id },
          {
            workspaceId: auth.workspaceId,
            uniqueKey: `deliver:${msg.id}`,
          },
        );
        const staged = await bus.stage(tx, [
          {
            name: 'message.created',
            workspaceId: auth.workspaceId,
            ticketId: id,
            messageId: msg.id,
            actorAgentId: auth.agentId,
            data: { kind: 'outbound' },
          },
          ...events,
        ]);
        return { messageId: msg.id, events: staged };
      });
      deps.jobs.wake();
      await publishAll(events);
      return svc.getMessage(auth, messageId);
    },

    async addNote(auth: Auth, id: number, body: string, mentions: number[] = []) {
      const { messageId, events } = await db.tx(async (tx) => {
        await load(auth.workspaceId, id, true, tx);
        const msg = await repo.insertMessage(tx, {
          workspaceId: auth.workspaceId,
          ticketId: id,
          kind: 'note',
          channel: 'internal',
          authorAgentId: auth.agentId,
          authorContactId: null,
          bodyText: body,
          bodyHtml: null,
          deliveryStatus: 'none',
          channelMeta: mentions.length ? { mentions } : {},
        });
        await repo.bumpTicketForMessage(tx, id, 'note', '', msg.created_at);
        for (const agentId of new Set(mentions)) {
          if (agentId === auth.agentId) continue;
          await repo.insertNotification(tx, {
            workspaceId: auth.workspaceId,
            agentId,
            type: 'mention',
            ticketId: id,
            messageId: msg.id,
            data: { by: auth.name },
          });
        }
        // Staged in the outbox with the note: a crash after commit still runs their reactions.
        const staged = await bus.stage(tx, [
          {
            name: 'message.created',
            workspaceId: auth.workspaceId,
            ticketId: id,
            messageId: msg.id,
            actorAgentId: auth.agentId,
            data: { kind: 'note', mentions },
          },
          ...[...new Set(mentions)]
            .filter((agentId) => agentId !== auth.agentId)
            .map((agentId) => ({
              name: 'agent.mentioned',
              workspaceId: auth.workspaceId,
              ticketId: id,
              messageId: msg.id,
              actorAgentId: auth.agentId,
              data: { agentId },
            })),
        ]);
        return { messageId: msg.id, events: staged };
      });
      await publishAll(events);
      return svc.getMessage(auth, messageId);
    },

    async getMessage(auth: Pick<Auth, 'workspaceId'>, messageId: number) {
      const m = await repo.findMessage(db, auth.workspaceId, messageId);
      if (!m) throw notFound('Message');
      const full = (await repo.listMessages(db, auth.workspaceId, m.ticket_id)).find(
        (x) => x.id === messageId,
      )!;
      return toMessage(full, await repo.listAttachmentsOfMessage(db, messageId));
    },

    async merge(auth: Auth, sourceId: number, targetId: number) {
      if (sourceId === targetId) throw badRequest('Cannot merge a ticket into itself');
      const events = await db.tx(async (tx) => {
        // Lock in id order so two opposite merges cannot deadlock.
        const [a, b] = sourceId < targetId ? [sourceId, targetId] : [targetId, sourceId];
        await load(auth.workspaceId, a, true, tx);
        await load(auth.workspaceId, b, true, tx);
        const s = await load(auth.workspaceId, sourceId, false, tx);
        const t = await load(auth.workspaceId, targetId, false, tx);
        if (s.merged_into_id || t.merged_into_id) throw badRequest('One of these tickets is already merged');
        await repo.moveMessages(tx, auth.workspaceId, sourceId, targetId);
        await repo.updateTicketRow(tx, auth.workspaceId, sourceId, {
          merged_into_id: targetId,
          status: 'closed',
          closed_at: new Date(),
        });
        if (s.tags.length)
          await repo.updateTicketRow(tx, auth.workspaceId, targetId, {
            tags: [...new Set([...t.tags, ...s.tags])],
          });
        await repo.insertEvent(tx, auth.workspaceId, targetId, 'merged', auth.agentId, {
          sourceId,
          subject: s.subject,
        });
        await repo.insertEvent(tx, auth.workspaceId, sourceId, 'merged_into', auth.agentId, { targetId });
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'ticket.merged',
          targetType: 'ticket',
          targetId,
          data: { sourceId, targetId },
        });
        return bus.stage(tx, [
          {
            name: 'ticket.merged',
            workspaceId: auth.workspaceId,
            ticketId: targetId,
            actorAgentId: auth.agentId,
            data: { sourceId },
          },
          {
            name: 'ticket.updated',
            workspaceId: auth.workspaceId,
            ticketId: sourceId,
            actorAgentId: auth.agentId,
            data: { mergedInto: targetId },
          },
        ]);
      });
      await publishAll(events);
      return svc.get(auth, targetId);
    },

    async link(auth: Auth, id: number, otherId: number, kind: string) {
      if (id === otherId) throw badRequest('Cannot link a ticket to itself');
      const events = await db.tx(async (tx) => {
        await load(auth.workspaceId, id, false, tx);
        await load(auth.workspaceId, otherId, false, tx);
        await repo.insertLink(tx, auth.workspaceId, id, otherId, kind);
        await repo.insertEvent(tx, auth.workspaceId, id, 'linked', auth.agentId, { ticketId: otherId, kind });
        return bus.stage(tx, [
          {
            name: 'ticket.updated',
            workspaceId: auth.workspaceId,
            ticketId: id,
            actorAgentId: auth.agentId,
            data: { linked: otherId },
          },
        ]);
      });
      await publishAll(events);
    },

    /** Job handler: sends a queued outbound message through its channel adapter. */
    async deliver(workspaceId: number, messageId: number) {
      const m = await repo.findMessage(db, workspaceId, messageId);
      if (m?.kind !== 'outbound' || m.delivery_status !== 'queued') return; // already handled: at-least-once is safe
      const t = await load(workspaceId, m.ticket_id);
      const adapter = channels.get(m.channel);
      if (!adapter) {
        // No transport for this channel (API-only tickets): the reply is stored and visible via API/webhooks.
        await repo.setDelivery(db, messageId, 'none', null);
      } else {
        const contact = t.contact_id ? await repo.contactOf(db, workspaceId, t.contact_id) : undefined;
        const all = await repo.listMessages(db, workspaceId, t.id);
        const lastInbound = [...all].reverse().find((x) => x.kind === 'inbound');
        try {
          const res = await adapter.deliver({
            workspaceId,
            ticketId: t.id,
            messageId,
            channel: m.channel,
            subject: t.subject,
            bodyText: m.body_text,
            bodyHtml: m.body_html,
            from: { agentName: await repo.agentName(db, m.author_agent_id) },
            to: {
              name: contact?.name ?? null,
              email: contact?.email ?? null,
              phone: contact?.phone ?? null,
              identities: contact?.identities ?? [],
            },
            cc: await repo.listFollowers(db, t.id),
            attachments: (await repo.listAttachmentsOfMessage(db, messageId)).map((a) => ({
              filename: a.filename,
              contentType: a.content_type,
              sha256: a.sha256,
              sizeBytes: a.size_bytes,
            })),
            threadExternalIds: all
              .filter((x) => x.external_id && x.id !== messageId)
              .map((x) => x.external_id!),
            lastInboundMeta: lastInbound?.channel_meta ?? null,
          });
          await repo.setDelivery(db, messageId, 'sent', null, res.externalId, res.meta);
        } catch (err) {
          await repo.setDelivery(db, messageId, 'queued', err instanceof Error ? err.message : String(err));
          // The agent sees "retrying: <reason>" at once rather than at the next reload.
          await bus.publish({
            name: 'message.delivery_changed',
            workspaceId,
            ticketId: t.id,
            messageId,
            data: { retrying: true },
          });
          throw err;
        }
      }
      await bus.publish({ name: 'message.delivery_changed', workspaceId, ticketId: t.id, messageId });
    },

    /** Messages stored under any of these provider ids, newest first (email threading and bounces). */
    findByExternalIds: (workspaceId: number, ids: string[]) =>
      ids.length ? repo.findMessagesByExternalIds(db, workspaceId, ids) : Promise.resolve([]),

    /** For each provider id already stored, its first message: duplicate detection for a batch. */
    async firstByExternalIds(workspaceId: number, ids: string[]) {
      const rows = ids.length ? await repo.firstMessagesByExternalIds(db, workspaceId, ids) : [];
      return new Map(rows.map((r) => [r.external_id, { id: r.id, ticket_id: r.ticket_id }]));
    },

    /** Where a channel reply lands: the live ticket (merges followed), its status, contact and followers. */
    async threadTarget(workspaceId: number, ticketId: number) {
      const t = await findLive(workspaceId, ticketId);
      if (!t) return null;
      return {
        id: t.id,
        status: t.status as TicketStatus,
        subject: t.subject,
        contactEmail: t.contact_email,
        followers: await repo.listFollowers(db, t.id),
      };
    },

    /** Median time to first reply on recent tickets of a channel (what an auto-reply may honestly promise). */
    async firstResponseStats(workspaceId: number, channel: string, days = 30) {
      const r = await repo.firstResponseStats(db, workspaceId, channel, days);
      return { medianSeconds: r?.median ?? null, samples: r?.samples ?? 0 };
    },

    /** An attachment by content hash, within the caller's workspace (inline email images). */
    async attachmentBySha(auth: Pick<Auth, 'workspaceId'>, sha256: string) {
      const a = await repo.findAttachmentBySha(db, auth.workspaceId, sha256);
      if (!a) throw notFound('Attachment');
      return { ...a, stream: () => files.open(a.sha256) };
    },

    /**
     * Called when the deliver job gives up: the agent sees the failure on the message (and can retry it).
     * The customer never got the reply, so a ticket the reply set waiting (pending, on hold, solved) goes
     * back to the status it had, unless someone changed it since.
     */
    async markDeliveryFailed(workspaceId: number, messageId: number, error: string) {
      const m = await repo.findMessage(db, workspaceId, messageId);
      if (!m) return;
      const events = await db.tx(async (tx) => {
        await repo.setDelivery(tx, messageId, 'failed', error);
        const onSend = (m.channel_meta as { statusOnSend?: { from: string; to: string } } | null)
          ?.statusOnSend;
        if (!onSend) return [];
        const t = await repo.findTicket(tx, workspaceId, m.ticket_id, true);
        if (!t || t.status !== onSend.to) return [];
        return bus.stage(
          tx,
          await applyChanges(
            tx,
            { workspaceId, agentId: null, system: { kind: 'delivery', name: 'Reply not sent' } },
            t,
            {
              status: onSend.from as TicketStatus,
            },
          ),
        );
      });
      await publishAll(events);
      await bus.publish({ name: 'message.delivery_changed', workspaceId, ticketId: m.ticket_id, messageId });
    },

    /** Sends a failed reply again (the agent's Retry): queued anew, delivered by a fresh job. */
    async retryDelivery(auth: Auth, ticketId: number, messageId: number) {
      await db.tx(async (tx) => {
        const m = await repo.findMessage(tx, auth.workspaceId, messageId);
        if (m?.ticket_id !== ticketId || m.kind !== 'outbound') throw notFound('Message');
        if (m.delivery_status !== 'failed')
          throw conflict(`Only a failed message can be sent again (this one is ${m.delivery_status})`);
        await repo.setDelivery(tx, messageId, 'queued', null);
        await enqueue(
          tx,
          'deliver-message',
          { workspaceId: auth.workspaceId, messageId },
          { workspaceId: auth.workspaceId, uniqueKey: `deliver:${messageId}:retry:${Date.now()}` },
        );
      });
      deps.jobs.wake();
      await bus.publish({
        name: 'message.delivery_changed',
        workspaceId: auth.workspaceId,
        ticketId,
        messageId,
      });
      return svc.getMessage(auth, messageId);
    },

    async attachment(auth: Pick<Auth, 'workspaceId'>, id: number) {
      const a = await repo.findAttachment(db, auth.workspaceId, id);
      if (!a) throw notFound('Attachment');
      return { ...a, stream: () => files.open(a.sha256) };
    },

    // Tags & custom fields
    listTags: (auth: Auth) => repo.listTags(db, auth.workspaceId),
    async upsertTag(auth: Auth, name: string, color: string | null) {
      await repo.upsertTag(db, auth.workspaceId, name, color);
      return (await repo.listTags(db, auth.workspaceId)).find((t) => t.name === name)!;
    },
    async deleteTag(auth: Auth, name: string) {
      const rows = await db.tx((tx) => repo.deleteTag(tx, auth.workspaceId, name));
      if (!rows.length) throw notFound('Tag');
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'tag.deleted',
        targetType: 'tag',
        targetId: name,
      });
    },
    listCustomFields: (auth: Auth) => repo.listCustomFields(db, auth.workspaceId),
    async createCustomField(auth: Auth, f: { key: string; label: string; type: string; options: string[] }) {
      try {
        return (await repo.insertCustomField(db, auth.workspaceId, f))!;
      } catch {
        throw new AppError('conflict', `A custom field with key "${f.key}" exists`);
      }
    },
    async deleteCustomField(auth: Auth, id: number) {
      if (!(await repo.deleteCustomField(db, auth.workspaceId, id)).length) throw notFound('Custom field');
    },

    // Notifications (mentions)
    async notifications(auth: Auth, limit: number) {
      return (await repo.listNotifications(db, auth.workspaceId, auth.agentId, limit)).map((n) => ({
        id: n.id,
        type: n.type,
        ticketId: n.ticket_id,
        messageId: n.message_id,
        data: n.data,
        readAt: iso(n.read_at),
        createdAt: n.created_at.toISOString(),
      }));
    },
    markNotificationsRead: (auth: Auth, ids: number[] | 'all') =>
      repo.markNotificationsRead(db, auth.workspaceId, auth.agentId, ids),

    /** Reaction to contact.merged: the merged contact's tickets move to the survivor. */
    repointContact: (workspaceId: number, from: number, to: number) =>
      repo.repointContact(db, workspaceId, from, to),

    // System actors (routing, SLA, automations) change tickets inside their own transaction, so they can
    // hold their locks across the change. Nothing is published here: the events are staged in the outbox
    // and the caller publishes them after its commit (publishSystemEvents), carrying `via` so loops can
    // be recognised.

    /** Locks the ticket row and applies changes as the system; null when the ticket is not there. */
    async applySystemChanges(
      tx: Db,
      workspaceId: number,
      id: number,
      changes: Omit<UpdateTicket, 'version'>,
      via: SystemActor,
    ): Promise<{ before: TicketSummary; events: DomainEvent[] } | null> {
      const t = await repo.findTicket(tx, workspaceId, id, true);
      if (!t) return null;
      const events = await applyChanges(tx, { workspaceId, agentId: null, system: via }, t, changes);
      return { before: toSummary(t), events: await bus.stage(tx, events) };
    },

    /** An internal note written by the system; mentioned agents are notified like an agent's @mention. */
    async addSystemNote(
      tx: Db,
      workspaceId: number,
      id: number,
      body: string,
      via: SystemActor,
      mentions: number[] = [],
    ): Promise<DomainEvent[]> {
      await load(workspaceId, id, true, tx);
      const msg = await repo.insertMessage(tx, {
        workspaceId,
        ticketId: id,
        kind: 'note',
        channel: 'internal',
        authorAgentId: null,
        authorContactId: null,
        bodyText: body,
        bodyHtml: null,
        deliveryStatus: 'none',
        channelMeta: { via, ...(mentions.length ? { mentions } : {}) },
      });
      await repo.bumpTicketForMessage(tx, id, 'note', '', msg.created_at);
      const events: DomainEvent[] = [
        {
          name: 'message.created',
          workspaceId,
          ticketId: id,
          messageId: msg.id,
          data: { kind: 'note', via },
        },
      ];
      for (const agentId of new Set(mentions)) {
        await repo.insertNotification(tx, {
          workspaceId,
          agentId,
          type: 'mention',
          ticketId: id,
          messageId: msg.id,
          data: { by: String(via.name ?? via.kind) },
        });
        events.push({
          name: 'agent.mentioned',
          workspaceId,
          ticketId: id,
          messageId: msg.id,
          data: { agentId, via },
        });
      }
      return bus.stage(tx, events);
    },

    /**
     * A public reply sent by the system (automation template). It goes out like an agent's reply but does
     * not count as the agent's first response.
     */
    async addSystemReply(
      tx: Db,
      workspaceId: number,
      id: number,
      body: string,
      via: SystemActor,
    ): Promise<DomainEvent[]> {
      const t = await load(workspaceId, id, true, tx);
      if (t.merged_into_id) return [];
      const msg = await repo.insertMessage(tx, {
        workspaceId,
        ticketId: id,
        kind: 'outbound',
        channel: t.channel,
        authorAgentId: null,
        authorContactId: null,
        bodyText: body,
        bodyHtml: null,
        deliveryStatus: 'queued',
        channelMeta: { via },
      });
      await repo.bumpTicketForMessage(tx, id, 'outbound', preview(body), msg.created_at);
      await enqueue(
        tx,
        'deliver-message',
        { workspaceId, messageId: msg.id },
        { workspaceId, uniqueKey: `deliver:${msg.id}` },
      );
      return bus.stage(tx, [
        {
          name: 'message.created',
          workspaceId,
          ticketId: id,
          messageId: msg.id,
          data: { kind: 'outbound', via },
        },
      ]);
    },

    async publishSystemEvents(events: DomainEvent[]) {
      if (events.some((e) => e.name === 'message.created')) deps.jobs.wake();
      await publishAll(events);
    },
  };
  return svc;
}

export type TicketsService = ReturnType<typeof createTicketsService>;
