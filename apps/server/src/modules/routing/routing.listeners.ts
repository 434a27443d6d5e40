import type { EventBus } from '../../platform/events/bus.ts';
import type { RoutingService } from './routing.service.ts';

type Changes = Record<string, { from: unknown; to: unknown }>;

export function registerRoutingListeners(bus: EventBus, svc: RoutingService) {
  bus.on('ticket.created', async (e) => {
    if (e.ticketId) await svc.offer(e.workspaceId, e.ticketId, { isNew: true });
  });
  // A customer writing again reopens a solved/pending ticket without a ticket.updated: if nobody holds it,
  // it needs someone now (offer ignores assigned and manual tickets).
  bus.on('message.received', async (e) => {
    if (e.ticketId && (e.data as { newTicket?: boolean } | undefined)?.newTicket === false)
      await svc.offer(e.workspaceId, e.ticketId);
  });
  // Signing out is going offline: no new tickets, live chats handed back.
  bus.on('agent.signed_out', async (e) => {
    const agentId = (e.data as { agentId?: number } | undefined)?.agentId;
    if (agentId)
      await svc.changeStatus(
        e.workspaceId,
        agentId,
        { status: 'offline' },
        { actorAgentId: agentId, present: false, why: 'Agent signed out' },
      );
  });
  bus.on('ticket.updated', async (e) => {
    // Routing's own assignments need no reaction (and would re-drain after every assignment).
    if (!e.ticketId || (e.data as { via?: { kind?: string } } | undefined)?.via?.kind === 'routing') return;
    const changes = ((e.data as { changes?: Changes } | undefined)?.changes ?? {}) as Changes;
    // Moved to another team, or handed back: find it someone (offer ignores assigned/manual tickets).
    if (changes.teamId || (changes.assigneeId && changes.assigneeId.to === null) || changes.status)
      await svc.offer(e.workspaceId, e.ticketId);
    if (changes.priority) await svc.refreshDue(e.workspaceId, e.ticketId);
    // Capacity may have been freed (solved, pending, reassigned): let the queue move.
    if (changes.status || changes.assigneeId) await svc.drain(e.workspaceId);
  });
}
