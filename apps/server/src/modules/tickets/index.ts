/** Reads other modules need on their hot paths (automations' facts, SLA replays, routing's source). */
export {
  activeTicketFacts,
  type ClockTicketRow,
  type FactTicketRow,
  inboxCounts,
  messageTexts,
  ticketClockFacts,
  ticketExists,
  ticketFacts,
  ticketFactsAfter,
  ticketSource,
} from './ticket-reads.repository.ts';
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
