import { z } from 'zod';
import type { Db } from '../../platform/db/db.ts';
import { defineJob, enqueue } from '../../platform/jobs/queue.ts';
import type { AnalyticsService } from './analytics.service.ts';

export const FLUSH_JOB = 'analytics-flush';
/** Marked tickets of a workspace are recomputed at most this long after the change (one job per slot). */
export const FLUSH_SLOT_MS = 5_000;

/** One flush job per workspace and slot: many changes in a slot share it. */
export function flushScheduler(db: Db) {
  const lastSlot = new Map<number, number>();
  return async (workspaceId: number, now = Date.now()) => {
    const slot = Math.floor(now / FLUSH_SLOT_MS) + 1;
    if (lastSlot.get(workspaceId) === slot) return;
    lastSlot.set(workspaceId, slot);
    await enqueue(
      db,
      FLUSH_JOB,
      { workspaceId },
      {
        workspaceId,
        runAt: new Date(slot * FLUSH_SLOT_MS),
        uniqueKey: `${FLUSH_JOB}:${workspaceId}:${slot}`,
      },
    );
  };
}

export const flushJob = (svc: AnalyticsService) =>
  defineJob({
    name: FLUSH_JOB,
    schema: z.object({ workspaceId: z.number().int() }),
    keepDoneForMs: 10 * 60_000,
    leaseSeconds: 300,
    handler: async (p) => {
      await svc.flush(p.workspaceId, 200);
    },
  });
