import type { EventBus } from '../../platform/events/bus.ts';
import type { TicketsService } from './tickets.service.ts';

export function registerTicketListeners(bus: EventBus, svc: TicketsService) {
  bus.on('contact.merged', async (e) => {
    const { sourceId, targetId } = (e.data ?? {}) as { sourceId?: number; targetId?: number };
    if (sourceId && targetId) await svc.repointContact(e.workspaceId, sourceId, targetId);
  });
}
