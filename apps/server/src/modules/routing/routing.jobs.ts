import { z } from 'zod';
import type { Db } from '../../platform/db/db.ts';
import { defineJob, enqueue, pruneDoneJobs } from '../../platform/jobs/queue.ts';
import type { RoutingService } from './routing.service.ts';

const EVERY_MS = 60_000;
/** Finished sweeps are kept this long (one row a minute would otherwise pile up: 525,600 a year). */
export const SWEEP_RETENTION_MS = 3_600_000;

/** One sweep per minute across all nodes: the unique key makes the slot's job exist once. */
export const scheduleRoutingSweep = (db: Db, now = Date.now()) => {
  const slot = Math.floor(now / EVERY_MS) + 1;
  return enqueue(
    db,
    'routing-sweep',
    {},
    { runAt: new Date(slot * EVERY_MS), uniqueKey: `routing-sweep:${slot}` },
  );
};

/** Safety net: assigns anything left queued (a crash between enqueue and drain, a node that died). */
export const routingSweepJob = (svc: RoutingService, db: Db) =>
  defineJob({
    name: 'routing-sweep',
    schema: z.object({}),
    handler: async () => {
      await svc.sweep();
      await scheduleRoutingSweep(db);
      await pruneDoneJobs(db, 'routing-sweep', SWEEP_RETENTION_MS);
    },
  });
