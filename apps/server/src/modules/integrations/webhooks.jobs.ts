import { z } from 'zod';
import { defineJob } from '../../platform/jobs/queue.ts';
import type { WebhooksService } from './webhooks.service.ts';

export const deliverWebhookJob = (svc: WebhooksService) =>
  defineJob({
    name: 'deliver-webhook',
    schema: z.object({ deliveryId: z.number().int(), manual: z.boolean().optional() }),
    // The delivery log (webhook_deliveries) is the record; the job rows need not stay.
    keepDoneForMs: 24 * 3_600_000,
    handler: (p, ctx) => svc.deliver(p, ctx),
  });
