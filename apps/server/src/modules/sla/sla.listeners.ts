import type { EventBus } from '../../platform/events/bus.ts';
import type { SlaService } from './sla.service.ts';

/** Anything that can move a clock: a message either way, a status/priority/tag/team change, a merge. */
const triggers = [
  'ticket.created',
  'message.received',
  'message.created',
  'ticket.updated',
  'ticket.solved',
  'ticket.merged',
];

export function registerSlaListeners(bus: EventBus, svc: SlaService) {
  for (const name of triggers) {
    bus.on(name, async (e) => {
      if (!e.ticketId) return;
      // The first message of a new ticket was already counted by the ticket.created recompute.
      if (name === 'message.received' && (e.data as { newTicket?: boolean } | undefined)?.newTicket) return;
      // A ticket that was just created has no clocks to clear: without policies nothing is done at all.
      await svc.recompute(e.workspaceId, e.ticketId, Date.now(), { newTicket: name === 'ticket.created' });
      const source = (e.data as { sourceId?: number } | undefined)?.sourceId;
      if (name === 'ticket.merged' && source) await svc.recompute(e.workspaceId, source);
    });
  }
}
