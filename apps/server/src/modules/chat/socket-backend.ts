import type { ChatBackend, VisitorContext } from '../../channels/chat/index.ts';
import { lastInboundMessageId, transcriptMessage } from '../tickets/index.ts';
import * as repo from './chat.repository.ts';
import type { ChatContext } from './chat-context.ts';
import type { VisitorMessages } from './visitor-messages.ts';

/** What the visitor socket (channels/chat) asks of the chat module: sign-in, messages, presence, delivery. */
export function createSocketBackend(c: ChatContext, accept: VisitorMessages['accept']): ChatBackend {
  const { hub, db, bus, loadSettings, visitorOf, toWidgetMessage, conversationView } = c;

  async function publishOnTicket(ctx: VisitorContext, name: string, data: Record<string, unknown>) {
    const visitor = await repo.findVisitor(db, ctx.workspaceId, ctx.visitorKey);
    if (!visitor) return;
    const conv = await repo.latestConversation(db, ctx.workspaceId, visitor.id);
    if (conv) await bus.publish({ name, workspaceId: ctx.workspaceId, ticketId: conv.ticket_id, data });
  }

  const backend: ChatBackend = {
    async authenticateSocket(slug, token, meta) {
      const { ws, visitor, ctx } = await visitorOf(slug, token, meta);
      const conv = await repo.latestConversation(db, ws.id, visitor.id);
      return {
        ctx,
        conversation: await conversationView(ws.id, conv),
        ticketIds: await repo.ticketIdsOfVisitor(db, ws.id, visitor.id),
      };
    },
    acceptMessage: (ctx, frame) => accept(ctx, frame),
    async visitorTyping(ctx, typing) {
      await publishOnTicket(ctx, 'chat.visitor_typing', { typing });
    },
    async visitorRead(ctx, upTo) {
      const visitor = await repo.findVisitor(db, ctx.workspaceId, ctx.visitorKey);
      if (!visitor) return;
      const rows = await repo.setVisitorRead(db, ctx.workspaceId, visitor.id, upTo);
      for (const t of new Set(rows.map((r) => r.ticket_id)))
        await bus.publish({
          name: 'chat.visitor_read',
          workspaceId: ctx.workspaceId,
          ticketId: t,
          data: { upTo },
        });
    },
    async visitorLocale(ctx, locale) {
      await repo.setVisitorLocale(db, ctx.workspaceId, ctx.visitorKey, locale);
    },
    async visitorPage(ctx, url, title) {
      const r = await repo.setVisitorPage(db, ctx.workspaceId, ctx.visitorKey, url, title ?? null);
      // The agent's visitor panel follows the shopper around the shop.
      if (r?.changed) await publishOnTicket(ctx, 'chat.visitor_page', { url, title: title ?? null });
    },
    async heartbeat(ctx, online) {
      await repo.setVisitorOnline(db, ctx.workspaceId, ctx.visitorKey, online);
    },
    agentViewed: async (w, ticketId) =>
      repo.setAgentRead(db, w, ticketId, await lastInboundMessageId(db, w, ticketId)),
    async deliveryTarget(w, ticketId) {
      const conv = await repo.conversationForTicket(db, w, ticketId);
      if (!conv) return null;
      const visitor = await repo.findVisitorById(db, w, conv.visitor_id);
      if (!visitor) return null;
      const { settings } = await loadSettings(w);
      return {
        visitorKey: visitor.visitor_key,
        email: visitor.email,
        online:
          hub.isConnectedHere(w, visitor.visitor_key) ||
          (!!visitor.online_until && visitor.online_until.getTime() > Date.now()),
        fallbackAfterSeconds: settings.emailFallbackAfterSeconds,
        conversation: (await conversationView(w, conv))!,
      };
    },
    async widgetMessage(w, messageId) {
      const row = await transcriptMessage(db, w, messageId);
      return row ? toWidgetMessage(w, row) : null;
    },
    async visitorHasRead(w, ticketId, messageId) {
      const conv = await repo.conversationForTicket(db, w, ticketId);
      return !!conv && Number(conv.visitor_read_up_to) >= messageId;
    },
    emailFallbackSent: async (w, messageId) => (await repo.fallbackStatus(db, w, messageId)) === 'sent',
    recordEmailFallback: (w, messageId, email, status, detail) =>
      repo.recordFallback(db, { workspaceId: w, messageId, email, status, detail }).then(() => undefined),
  };
  return backend;
}
