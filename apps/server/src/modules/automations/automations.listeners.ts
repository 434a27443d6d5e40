import type { EventBus } from '../../platform/events/bus.ts';
import type { AutomationsService } from './automations.service.ts';

export function registerAutomationListeners(bus: EventBus, svc: AutomationsService) {
  // Urgency first, so triggers on the same message already see the raised priority and the tag.
  bus.on('message.received', async (e) => {
    if (e.messageId) await svc.scoreMessage(e.workspaceId, e.messageId);
  });
  for (const name of ['ticket.created', 'ticket.updated', 'message.received', 'sla.warning', 'sla.breached'])
    bus.on(name, (e) => svc.onEvent(e));
}
