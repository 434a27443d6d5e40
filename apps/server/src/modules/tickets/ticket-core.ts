import type { ListTicketsQuery, TicketDetail, TicketStatus, UpdateTicket } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, badRequest, notFound } from '../../platform/errors.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import type { Auth } from '../../platform/http/router.ts';
import { teamExists } from '../agents/index.ts';
import { getViewFilters } from '../views/index.ts';
import { toMessage, toSummary } from './ticket-shapes.ts';
import * as repo from './tickets.repository.ts';

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
export const WAITING = new Set<string>(['pending', 'on-hold', 'solved', 'closed']);

/** Who made a system change: shown on the timeline and carried on events (loop protection). */
export interface SystemActor {
  kind:
    | 'routing'
    | 'sla'
    | 'automation'
    | 'urgency'
    | 'bot'
    | 'delivery'
    | 'returns'
    | 'notice'
    | 'channel'
    | 'tracking'
    | 'feedback';
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

/**
 * What every use case of the tickets module shares: loading a ticket, storing attachments, applying field
 * changes with their timeline entries and notifications, resolving a list filter, reading a ticket back.
 */
export function createTicketCore(deps: Deps) {
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
    if (teamId && !(await teamExists(tx, workspaceId, teamId)))
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

  async function get(auth: Pick<Auth, 'workspaceId'>, id: number): Promise<TicketDetail> {
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
  }

  async function getMessage(auth: Pick<Auth, 'workspaceId'>, messageId: number) {
    const m = await repo.findMessage(db, auth.workspaceId, messageId);
    if (!m) throw notFound('Message');
    const full = (await repo.listMessages(db, auth.workspaceId, m.ticket_id)).find(
      (x) => x.id === messageId,
    )!;
    return toMessage(full, await repo.listAttachmentsOfMessage(db, messageId));
  }

  return {
    deps,
    db,
    bus,
    files,
    findLive,
    load,
    storeAttachments,
    decodeAttachments,
    publishAll,
    validateRefs,
    applyChanges,
    resolveFilter,
    get,
    getMessage,
  };
}

export type TicketCore = ReturnType<typeof createTicketCore>;
