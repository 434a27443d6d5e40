/*
 * All SQL of the tickets module's own tables, one file per use case; this file gathers them so callers
 * write `repo.findTicket(...)` without knowing which file holds it.
 */
export * from './messages.repository.ts';
export * from './notifications.repository.ts';
export * from './tags-fields.repository.ts';
export * from './ticket-core.repository.ts';
export * from './ticket-create.repository.ts';
export * from './timeline.repository.ts';
