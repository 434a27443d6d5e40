import { z } from 'zod';
import { defineJob } from '../../platform/jobs/queue.ts';
import { IMPORT_PAGE_JOB, type ImportsService } from './imports.service.ts';

/** One page of an import run; the next page's job is queued with this page's checkpoint. */
export const importPageJob = (svc: ImportsService) =>
  defineJob({
    name: IMPORT_PAGE_JOB,
    schema: z.object({ runId: z.number().int(), page: z.number().int().min(0) }),
    // A page fetches up to 100 tickets' comments from the source: minutes, not seconds, under rate limits.
    leaseSeconds: 300,
    keepDoneForMs: 7 * 24 * 3_600_000,
    handler: (p, ctx) => svc.onJob(p, ctx),
  });
