import type { ReplyInput, ReplyPolicy, TicketStatus, WhatsAppTemplate } from '@shopdesk/contracts';
import type { ChannelRegistry, ReplyContext } from '../../channels/channel-adapter.ts';
import { badRequest, conflict, notFound } from '../../platform/errors.ts';
import { sanitizeMessageHtml } from '../../platform/html/sanitize.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { type TicketCore, WAITING } from './ticket-core.ts';
import { preview } from './ticket-shapes.ts';
import * as repo from './tickets.repository.ts';

/** Messages on a ticket: an agent's reply and note, reading one back, provider ids, attachments. */
export function createMessagesService(core: TicketCore, channels?: ChannelRegistry) {
  const { deps, db, bus, files, load, storeAttachments, decodeAttachments, publishAll, applyChanges } = core;

  /** The ticket's channel adapter and what its rules need: when the customer last wrote, on which account. */
  async function replyContext(auth: Auth, id: number) {
    const t = await load(auth.workspaceId, id);
    const adapter = channels?.get(t.channel);
    const all = await repo.listMessages(db, auth.workspaceId, id);
    const last = [...all].reverse().find((x) => x.kind === 'inbound');
    const ctx: ReplyContext = {
      workspaceId: auth.workspaceId,
      lastInboundAt: last?.created_at ?? null,
      lastInboundMeta: last?.channel_meta ?? null,
      now: new Date(),
    };
    return { t, adapter, ctx };
  }

  return {
    /** Whether a free-form reply may go out now on this ticket's channel (messaging windows), and why. */
    async replyPolicy(auth: Auth, id: number): Promise<ReplyPolicy> {
      const { t, adapter, ctx } = await replyContext(auth, id);
      const r = adapter?.replyRule ? await adapter.replyRule(ctx) : null;
      return {
        channel: t.channel,
        freeText: r?.freeText ?? true,
        closesAt: r?.closesAt?.toISOString() ?? null,
        templates: r?.templates ?? false,
        rule: r?.rule ?? null,
      };
    },
    /** The approved templates of the account this ticket's customer wrote to (WhatsApp), read from the provider. */
    async replyTemplates(auth: Auth, id: number): Promise<WhatsAppTemplate[]> {
      const { adapter, ctx } = await replyContext(auth, id);
      if (!adapter?.templates) return [];
      try {
        return await adapter.templates(ctx);
      } catch (err) {
        throw conflict(`The templates could not be read: ${(err as Error).message}`);
      }
    },

    async reply(auth: Auth, id: number, input: ReplyInput, opts: { idempotencyKey?: string } = {}) {
      const attachments = decodeAttachments(input.attachments);
      // Channels with rules (messaging windows, templates) refuse a reply that could not be delivered.
      const pre = channels ? await replyContext(auth, id) : null;
      if (pre?.adapter?.checkReply) {
        const problem = await pre.adapter.checkReply(pre.ctx, {
          body: input.body,
          template: (input.template as Record<string, unknown> | undefined) ?? null,
        });
        if (problem) throw conflict(problem);
      } else if (input.template)
        throw badRequest(`Templates are not used on ${pre?.t.channel ?? 'this'} channel`);
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
            ...(input.template ? { template: input.template } : {}),
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
      return core.getMessage(auth, messageId);
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
      return core.getMessage(auth, messageId);
    },

    getMessage: core.getMessage,

    /** Messages stored under any of these provider ids, newest first (email threading and bounces). */
    findByExternalIds: (workspaceId: number, ids: string[]) =>
      ids.length ? repo.findMessagesByExternalIds(db, workspaceId, ids) : Promise.resolve([]),

    /** For each provider id already stored, its first message: duplicate detection for a batch. */
    async firstByExternalIds(workspaceId: number, ids: string[]) {
      const rows = ids.length ? await repo.firstMessagesByExternalIds(db, workspaceId, ids) : [];
      return new Map(rows.map((r) => [r.external_id, { id: r.id, ticket_id: r.ticket_id }]));
    },

    /** An attachment by content hash, within the caller's workspace (inline email images). */
    async attachmentBySha(auth: Pick<Auth, 'workspaceId'>, sha256: string) {
      const a = await repo.findAttachmentBySha(db, auth.workspaceId, sha256);
      if (!a) throw notFound('Attachment');
      return { ...a, stream: () => files.open(a.sha256) };
    },

    async attachment(auth: Pick<Auth, 'workspaceId'>, id: number) {
      const a = await repo.findAttachment(db, auth.workspaceId, id);
      if (!a) throw notFound('Attachment');
      return { ...a, stream: () => files.open(a.sha256) };
    },
  };
}
