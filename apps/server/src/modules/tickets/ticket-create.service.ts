import type { CreateTicket } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import { htmlToText, sanitizeMessageHtml } from '../../platform/html/sanitize.ts';
import type { Auth } from '../../platform/http/router.ts';
import {
  type ContactMatch,
  contactCard,
  contactCtesFor,
  dropRacedContact,
  findOrCreateContact,
} from '../contacts/index.ts';
import type { IncomingAttachment, TicketCore } from './ticket-core.ts';
import { preview, toMessage, toSummary } from './ticket-shapes.ts';
import * as repo from './tickets.repository.ts';

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

/**
 * How tickets come to be: an agent's or the API's new ticket (`create`) and every inbound message a
 * channel lands (`receive`: threaded into its ticket or opening a new one, deduplicated on request).
 */
export function createTicketCreateService(core: TicketCore) {
  const { db, bus, load, storeAttachments, decodeAttachments, publishAll, validateRefs } = core;

  const createdVia = (auth: Auth, opts: { idempotencyKey?: string }) => ({
    createdVia: auth.via === 'token' ? 'api' : 'dashboard',
    createdBy: auth.agentId,
    // In the creating statement: a retry after a crash finds this ticket (createdByKey).
    ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
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

  /**
   * The usual API create — a contact known by one identity, no attachments, no assignee, team or tags to
   * check — as one statement (contact, ticket, timeline event, message, outbox rows), answered from the
   * rows it returns; the reactions run after the response (`publishAfterResponse`). Null when the input
   * needs the general path.
   */
  async function createInOneStatement(auth: Auth, input: CreateTicket, opts: { idempotencyKey?: string }) {
    if (input.message.attachments?.length || input.contact.id) return null;
    if (input.assigneeId || input.teamId || input.tags?.length) return null;
    const contact = contactCtesFor(auth.workspaceId, input.contact);
    if (!contact) return null;
    const at = new Date();
    const r = await repo.insertApiTicket(
      db,
      contact,
      {
        workspaceId: auth.workspaceId,
        subject: input.subject,
        status: input.status ?? 'new',
        priority: input.priority,
        channel: input.channel,
        assigneeId: null,
        teamId: null,
        tags: [],
        customFields: input.customFields ?? {},
        firstInbound: { preview: preview(input.message.body), at },
      },
      {
        workspaceId: auth.workspaceId,
        kind: 'inbound',
        channel: input.channel,
        authorAgentId: null,
        bodyText: input.message.body,
        bodyHtml: input.message.html ? sanitizeMessageHtml(input.message.html) : null,
        deliveryStatus: 'received',
        channelMeta: createdVia(auth, opts),
        createdAt: at,
      },
      auth.agentId,
      (rows) => bus.stageSql(rows),
    );
    const ticketId = r.ticket.id;
    const [created, received] = r.outboxIds;
    const events: DomainEvent[] = [
      {
        name: 'ticket.created',
        workspaceId: auth.workspaceId,
        ticketId,
        actorAgentId: auth.agentId,
        data: { channel: input.channel },
        outboxId: created,
      },
      {
        name: 'message.received',
        workspaceId: auth.workspaceId,
        ticketId,
        messageId: r.message.id,
        data: { channel: input.channel, newTicket: true },
        outboxId: received,
      },
    ];
    // A concurrent insert won the identity: the ticket is on their contact, ours is an empty row.
    if (r.createdContact && r.createdContact !== r.ticket.contact_id) {
      await dropRacedContact(db, auth.workspaceId, r.createdContact);
      await bus.publishAfterResponse(events);
      return core.get(auth, ticketId);
    }
    await bus.publishAfterResponse(events);
    return {
      ...toSummary(r.ticket),
      messages: [toMessage(r.message, [])],
      events: [
        {
          id: r.event.id,
          type: r.event.type,
          actorAgentId: r.event.actor_agent_id,
          data: r.event.data,
          createdAt: r.event.created_at.toISOString(),
        },
      ],
      links: [],
      followers: [],
    };
  }

  return {
    async create(auth: Auth, input: CreateTicket, opts: { idempotencyKey?: string } = {}) {
      const fast = await createInOneStatement(auth, input, opts);
      if (fast) return fast;
      const attachments = decodeAttachments(input.message.attachments);
      const { ticketId, events } = await db.tx(async (tx) => {
        await validateRefs(tx, auth.workspaceId, input.assigneeId, input.teamId);
        let contactId: number;
        if (input.contact.id) {
          if (!(await contactCard(tx, auth.workspaceId, input.contact.id)))
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
          channelMeta: createdVia(auth, opts),
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
      await bus.publishAfterResponse(events);
      return core.get(auth, ticketId);
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
  };
}
