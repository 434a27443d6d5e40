import type { EventBus } from '../../platform/events/bus.ts';
import type { ChatService } from './chat.service.ts';

export function registerChatListeners(bus: EventBus, svc: ChatService) {
  // First agent reply of a chat conversation: the wait that "typical reply time" is made of. Only a
  // human's reply counts: the bot and automations answer instantly (their replies carry `via` and no
  // acting agent), and counting them would promise shoppers a wait no person keeps.
  bus.on('message.created', async (e) => {
    if (!e.ticketId || !e.messageId || e.data?.kind !== 'outbound') return;
    if (!e.actorAgentId || e.data.via) return;
    await svc.onAgentReply(e.workspaceId, e.ticketId, e.messageId);
  });
  bus.on('ticket.solved', async (e) => {
    if (e.ticketId) await svc.onTicketSolved(e.workspaceId, e.ticketId);
  });
}
