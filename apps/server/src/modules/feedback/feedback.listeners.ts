import type { EventBus } from '../../platform/events/bus.ts';
import type { SurveysService } from './surveys.service.ts';

const DONE = new Set(['solved', 'closed']);

/** Reactions to the ticket's life and to the chat widget's rating. */
export function registerFeedbackListeners(bus: EventBus, svc: SurveysService) {
  bus.on('ticket.solved', async (e) => {
    if (e.ticketId) await svc.onSolved(e.workspaceId, e.ticketId);
  });
  bus.on('ticket.updated', async (e) => {
    const status = (e.data?.changes as { status?: { from: string; to: string } } | undefined)?.status;
    if (e.ticketId && status && DONE.has(status.from) && !DONE.has(status.to))
      await svc.onReopened(e.workspaceId, e.ticketId);
  });
  // A customer's message reopens a solved ticket without a ticket.updated event (tickets.receive).
  bus.on('message.received', async (e) => {
    if (e.ticketId && e.data?.newTicket === false) await svc.onCustomerWrote(e.workspaceId, e.ticketId);
  });
  bus.on('chat.rated', async (e) => {
    const score = Number(e.data?.score);
    const comment = typeof e.data?.comment === 'string' ? e.data.comment : null;
    if (e.ticketId && Number.isInteger(score))
      await svc.onChatRated(e.workspaceId, e.ticketId, score, comment);
  });
}
