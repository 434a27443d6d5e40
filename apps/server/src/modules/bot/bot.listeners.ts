import type { Deps } from '../../platform/deps.ts';
import type { EventBus } from '../../platform/events/bus.ts';
import type { TicketsService } from '../tickets/index.ts';
import type { BotService } from './bot.service.ts';

/**
 * The bot in the chat widget: every visitor message on a chat ticket goes through the bot until a
 * human takes over; its replies go out as system replies, delivered by the chat channel like an
 * agent's. Messaging channels join by adding their channel name here.
 */
/** "de-AT" → "de": help-center languages are primary tags. */
const primaryTag = (l: unknown) =>
  typeof l === 'string' && /^[a-z]{2,3}(?:$|[-_])/i.test(l)
    ? l.slice(0, l.search(/[-_]|$/)).toLowerCase()
    : undefined;

export function registerBotListeners(
  bus: EventBus,
  o: {
    deps: Deps;
    bot: BotService;
    tickets: TicketsService;
    /** The chat visitor's browser language for a chat ticket, when the chat module knows it. */
    chatLocale?: (workspaceId: number, ticketId: number) => Promise<string | null>;
  },
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
    // The chat stores "(sent a file: x)" as the text of a message that is only a file.
    const onlyFile = msg.attachments.length > 0 && /^\(sent a file: .*\)$/.test(msg.bodyText.trim());
    const locale =
      primaryTag(ticket.customFields.language) ??
      primaryTag(await o.chatLocale?.(e.workspaceId, e.ticketId).catch(() => null));
    const r = await o.bot.converse({
      workspaceId: e.workspaceId,
      channel: 'chat',
      conversationKey: `ticket:${e.ticketId}`,
      text: onlyFile ? null : msg.bodyText,
      ticketId: e.ticketId,
      verifiedEmail,
      locale,
      contactId: ticket.contact?.id ?? null,
      attachments: msg.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        ref: `attached to message ${msg.id}`,
      })),
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
