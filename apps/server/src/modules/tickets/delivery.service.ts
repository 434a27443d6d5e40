import type { TicketStatus } from '@shopdesk/contracts';
import type { ChannelRegistry } from '../../channels/channel-adapter.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { contactCard } from '../contacts/index.ts';
import type { TicketCore } from './ticket-core.ts';
import * as repo from './tickets.repository.ts';

/**
 * Getting outbound messages to the customer: the deliver job, a send that failed for good, the agent's
 * Retry.
 */
export function createDeliveryService(core: TicketCore, channels: ChannelRegistry) {
  const { deps, db, bus, load, publishAll, applyChanges } = core;
  const service = {
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
        const contact = t.contact_id ? await contactCard(db, workspaceId, t.contact_id) : undefined;
        const all = await repo.listMessages(db, workspaceId, t.id);
        const lastInbound = [...all].reverse().find((x) => x.kind === 'inbound');
        try {
          const res = await adapter.deliver({
            workspaceId,
            ticketId: t.id,
            messageId,
            channel: m.channel,
            // A notice that opens a conversation carries its own subject (replies keep the thread's).
            subject: typeof m.channel_meta?.subject === 'string' ? m.channel_meta.subject : t.subject,
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
            lastInboundAt: lastInbound?.created_at ?? null,
            meta: m.channel_meta ?? null,
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

    /**
     * A provider's status callback for a message we sent (SMS delivered, failed with a reason). Callbacks
     * arrive out of order, so the status only moves forward; a failure reverts the ticket like a failed send.
     * False when no outbound message carries this provider id (yet: the send may not have returned).
     */
    async recordDeliveryReceipt(
      workspaceId: number,
      externalId: string,
      status: 'queued' | 'sent' | 'delivered' | 'read' | 'failed',
      error: string | null,
    ) {
      const m = (await repo.findMessagesByExternalIds(db, workspaceId, [externalId])).find(
        (x) => x.kind === 'outbound',
      );
      if (!m) return false;
      if (status === 'failed') {
        if (await repo.canFailDelivery(db, m.id))
          await service.markDeliveryFailed(
            workspaceId,
            m.id,
            error ?? 'The provider reported the message failed',
          );
        return true;
      }
      if (await repo.advanceDelivery(db, m.id, status))
        await bus.publish({
          name: 'message.delivery_changed',
          workspaceId,
          ticketId: m.ticket_id,
          messageId: m.id,
        });
      return true;
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
      return core.getMessage(auth, messageId);
    },
  };
  return service;
}
