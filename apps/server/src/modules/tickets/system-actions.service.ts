import type { TicketSummary, UpdateTicket } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { findOrCreateContact } from '../contacts/index.ts';
import type { SystemActor, TicketCore } from './ticket-core.ts';
import { preview, toSummary } from './ticket-shapes.ts';
import * as repo from './tickets.repository.ts';

/**
 * System actors (routing, SLA, automations) change tickets inside their own transaction, so they can
 * hold their locks across the change. Nothing is published here: the events are staged in the outbox
 * and the caller publishes them after its commit (publishSystemEvents), carrying `via` so loops can
 * be recognised.
 */
export function createSystemActionsService(core: TicketCore) {
  const { deps, bus, load, publishAll, applyChanges } = core;
  return {
    /**
     * A ticket the system opens before the customer writes (tracking's delay detections): no message
     * yet, the customer as its contact (found or created by e-mail), a `created` timeline event by
     * `via`. The caller adds a note or a notice in the same transaction and publishes the events.
     */
    async openSystemTicket(
      tx: Db,
      workspaceId: number,
      t: {
        subject: string;
        channel: string;
        contact: { email: string; name?: string | null };
        tags: string[];
      },
      via: SystemActor,
    ): Promise<{ ticketId: number; events: DomainEvent[] }> {
      const contactId = await findOrCreateContact(tx, workspaceId, t.contact);
      const ticketId = await repo.insertTicket(tx, {
        workspaceId,
        subject: t.subject,
        status: 'open',
        priority: 'normal',
        channel: t.channel,
        contactId,
        assigneeId: null,
        teamId: null,
        tags: t.tags,
        customFields: {},
      });
      if (t.tags.length) await repo.ensureTags(tx, workspaceId, t.tags);
      await repo.insertEvent(tx, workspaceId, ticketId, 'created', null, { channel: t.channel, via });
      const events = await bus.stage(tx, [
        { name: 'ticket.created', workspaceId, ticketId, data: { channel: t.channel, via } },
      ]);
      return { ticketId, events };
    },

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
      /**
       * Customer notices: another channel than the ticket's (chosen from consent), a subject for a
       * message that starts the thread, and what the notice was about (kept in channel_meta).
       */
      opts: { channel?: string; subject?: string; meta?: Record<string, unknown> } = {},
    ): Promise<DomainEvent[]> {
      const t = await load(workspaceId, id, true, tx);
      if (t.merged_into_id) return [];
      const msg = await repo.insertMessage(tx, {
        workspaceId,
        ticketId: id,
        kind: 'outbound',
        channel: opts.channel ?? t.channel,
        authorAgentId: null,
        authorContactId: null,
        bodyText: body,
        bodyHtml: null,
        deliveryStatus: 'queued',
        channelMeta: { ...opts.meta, ...(opts.subject ? { subject: opts.subject } : {}), via },
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
}
