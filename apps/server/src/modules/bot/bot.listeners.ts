import type { Deps } from '../../platform/deps.ts';
import type { EventBus } from '../../platform/events/bus.ts';
import type { TicketsService } from '../tickets/index.ts';
import type { BotService } from './bot.service.ts';

/**
 * The bot in the chat widget: every visitor message on a chat ticket goes through the bot until a
 * human takes over; its replies go out as system replies, delivered by the chat channel like an
 * agent's. Messaging channels join by adding their channel name here.
 */
export function registerBotListeners(
  bus: EventBus,
  o: { deps: Deps; bot: BotService; tickets: TicketsService },
) {
  const via = { kind: 'bot' as const, name: 'Shopdesk bot' };
  bus.on('message.received', async (e) => {
    if (!e.ticketId || !e.messageId) return;
    const channel = (e.data as { channel?: string } | undefined)?.channel;
    if (channel && channel !== 'chat') return;
    const msg = await o.tickets.getMessage({ workspaceId: e.workspaceId }, e.messageId);
    if (msg.channel !== 'chat' || msg.kind !== 'inbound') return;
    // A message an agent already answered in this conversation means a human is on it.
    const ticket = await o.tickets.get({ workspaceId: e.workspaceId }, e.ticketId);
    if (ticket.messages.some((m) => m.kind === 'outbound' && m.author.type === 'agent')) return;
    // Only an identity the shop signed counts as verification, never an e-mail typed into a form.
    const verifiedEmail = msg.channelMeta.verified === true ? (ticket.contact?.email ?? null) : null;
    const r = await o.bot.converse({
      workspaceId: e.workspaceId,
      channel: 'chat',
      conversationKey: `ticket:${e.ticketId}`,
      text: msg.bodyText,
      ticketId: e.ticketId,
      verifiedEmail,
    });
    if (!r.active || !r.replies.length) return;
    const events = await o.deps.db.tx(async (tx) => {
      const all = [];
      for (const reply of r.replies)
        all.push(...(await o.tickets.addSystemReply(tx, e.workspaceId, e.ticketId!, reply.text, via)));
      return all;
    });
    await o.tickets.publishSystemEvents(events);
  });
}
