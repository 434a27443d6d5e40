import { z } from 'zod';
import { defineJob } from '../../platform/jobs/queue.ts';
import type { CommerceService } from './commerce.service.ts';

export const processStoreWebhookJob = (svc: CommerceService) =>
  defineJob({
    name: 'process-store-webhook',
    schema: z.object({ eventId: z.number().int() }),
    handler: (p, ctx) => svc.processWebhook(p.eventId, ctx.attempt >= ctx.maxAttempts),
  });

export const commerceBackfillJob = (svc: CommerceService) =>
  defineJob({
    name: 'commerce-backfill',
    schema: z.object({
      workspaceId: z.number().int(),
      connectionId: z.number().int(),
      cursor: z.string().nullable(),
      run: z.string(),
    }),
    leaseSeconds: 300,
    async handler(p, ctx) {
      try {
        await svc.backfillPage(p.workspaceId, p.connectionId, p.cursor, p.run);
      } catch (err) {
        if (ctx.attempt >= ctx.maxAttempts)
          await svc.failBackfill(p.workspaceId, p.connectionId, (err as Error).message);
        throw err;
      }
    },
  });

export const runOrderActionJob = (svc: CommerceService) =>
  defineJob({
    name: 'run-order-action',
    schema: z.object({ workspaceId: z.number().int(), actionId: z.number().int() }),
    handler: (p) => svc.recoverAction(p.workspaceId, p.actionId),
  });
