import type { EventBus } from '../../platform/events/bus.ts';
import type { ChatService } from './chat.service.ts';

export function registerChatListeners(bus: EventBus, svc: ChatService) {
  // First agent reply of a chat conversation: the wait that "typical reply time" is made of.
  bus.on('message.created', async (e) => {
    if (e.ticketId && e.data?.kind === 'outbound') await svc.onAgentReply(e.workspaceId, e.ticketId);
  });
  bus.on('ticket.solved', async (e) => {
    if (e.ticketId) await svc.onTicketSolved(e.workspaceId, e.ticketId);
  });
}
