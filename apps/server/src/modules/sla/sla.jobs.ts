import { z } from 'zod';
import { defineJob } from '../../platform/jobs/queue.ts';
import type { SlaService } from './sla.service.ts';

/** Runs at a clock's warning or due time: recomputing announces what has become due. */
export const slaCheckJob = (svc: SlaService) =>
  defineJob({
    name: 'sla-check',
    schema: z.object({ workspaceId: z.number().int(), ticketId: z.number().int() }),
    // One per ticket and warning/due instant; a finished one is never re-enqueued (its instant is past).
    keepDoneForMs: 24 * 60 * 60_000,
    handler: async (p) => svc.recompute(p.workspaceId, p.ticketId),
  });

export const slaRecomputeWorkspaceJob = (svc: SlaService) =>
  defineJob({
    name: 'sla-recompute-workspace',
    schema: z.object({ workspaceId: z.number().int() }),
    leaseSeconds: 600,
    handler: async (p) => svc.recomputeWorkspace(p.workspaceId),
  });
