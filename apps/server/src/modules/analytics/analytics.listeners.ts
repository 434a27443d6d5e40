import { batcher } from '../../platform/batch.ts';
import type { Db } from '../../platform/db/db.ts';
import type { EventBus } from '../../platform/events/bus.ts';
import { flushScheduler } from './analytics.jobs.ts';
import * as repo from './analytics.repository.ts';

/**
 * Every change that can move a figure marks its ticket; the flush job (and any report, before it reads)
 * recomputes marked tickets. Marks of one event-loop turn share one statement, so the ticket write path
 * pays one small INSERT per batch of events, after its commit.
 */
const EVENTS = [
  'ticket.created',
  'ticket.updated',
  'ticket.merged',
  'message.created',
  'message.received',
  'sla.breached',
];

export function registerAnalyticsListeners(bus: EventBus, db: Db) {
  const mark = batcher(async (rows: { workspaceId: number; ticketId: number }[]) => {
    await repo.markDirty(db, rows);
    return rows.map(() => undefined);
  });
  const schedule = flushScheduler(db);
  for (const name of EVENTS)
    bus.on(name, async (e) => {
      if (!e.ticketId) return;
      const ids = [e.ticketId];
      const other = Number(e.data?.sourceId); // a merge changes the merged ticket too
      if (name === 'ticket.merged' && Number.isInteger(other)) ids.push(other);
      await Promise.all(ids.map((ticketId) => mark({ workspaceId: e.workspaceId, ticketId })));
      await schedule(e.workspaceId);
    });
}
