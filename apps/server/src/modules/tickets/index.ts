/** Reads other modules need on their hot paths (automations' facts, routing's source, inbox counts). */

/** Metrics for the analytics registry (definitions, rollup function, dimensions, drill-down rows). */
export {
  ticketAnalyticsContributions,
  ticketAnalyticsDescribe,
  ticketAnalyticsDims,
  ticketIdsAfter,
  ticketMetricDefinitions,
} from './analytics-source.ts';
/** Erasure of a contact (modules/integrations, right to be forgotten). */
export { ERASED, eraseTicketsOfContacts } from './erasure.repository.ts';
/** Reads for QA reviews (modules/quality): what a review is about and the conversations samples draw from. */
export {
  type ReviewCandidate,
  type ReviewFacts,
  reviewCandidates,
  reviewFacts,
  ticketSubjects,
} from './quality-reads.repository.ts';
/** Imports from other helpdesks (modules/integrations): one ticket with its history, silently. */
export {
  type ImportedMessage,
  type ImportedTicket,
  insertImportedTicket,
} from './ticket-import.repository.ts';
export {
  activeTicketFacts,
  type FactTicketRow,
  inboxCounts,
  messageTexts,
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
/** The customer-facing thread, as the chat widget shows it. */
export {
  attachmentWithTicket,
  lastInboundMessageId,
  messageCreatedAt,
  type TranscriptMessageRow,
  transcriptMessage,
  transcriptMessages,
} from './transcript.repository.ts';
