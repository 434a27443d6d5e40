/*
 * All SQL of the commerce module, one file per use case; this file gathers them so callers write
 * `repo.findOrder(...)` without knowing which file holds it.
 */
export * from './actions.repository.ts';
export * from './connections.repository.ts';
export * from './ingest.repository.ts';
export * from './money.repository.ts';
export * from './orders.repository.ts';
export * from './store-webhooks.repository.ts';
