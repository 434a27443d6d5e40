export { deliverMessageJob } from './tickets.jobs.ts';
export { registerTicketListeners } from './tickets.listeners.ts';
export { registerTicketRoutes } from './tickets.routes.ts';
export {
  createTicketsService,
  type IncomingAttachment,
  type ReceiveInput,
  type SystemActor,
  type TicketsService,
  toSummary,
} from './tickets.service.ts';
