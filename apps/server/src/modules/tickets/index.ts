export { deliverMessageJob } from './tickets.jobs.ts';
export { registerTicketListeners } from './tickets.listeners.ts';
/** Other modules put entries on a ticket's timeline (e.g. commerce: refunds, approvals). */
export { insertEvent as recordTicketEvent } from './tickets.repository.ts';
export { registerTicketRoutes } from './tickets.routes.ts';
export {
  createTicketsService,
  type IncomingAttachment,
  type ReceiveInput,
  type SystemActor,
  type TicketsService,
  toSummary,
} from './tickets.service.ts';
