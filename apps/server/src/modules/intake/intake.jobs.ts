import { z } from 'zod';
import { defineJob } from '../../platform/jobs/queue.ts';
import { PROCESS_INBOUND_JOB } from './intake.repository.ts';
import type { IntakeService } from './intake.service.ts';

/** Step 2 of the pipeline for every intake source: the stored delivery through its source. */
export const processInboundEventJob = (svc: IntakeService) =>
  defineJob({
    name: PROCESS_INBOUND_JOB,
    schema: z.object({ eventId: z.number().int() }),
    handler: async (p, ctx) => {
      await svc.processEvent(p.eventId, ctx.attempt >= ctx.maxAttempts);
    },
  });
