import { z } from 'zod';
import { defineJob } from '../../platform/jobs/queue.ts';
import type { TicketsService } from './tickets.service.ts';

export const deliverMessageJob = (svc: TicketsService) =>
  defineJob({
    name: 'deliver-message',
    schema: z.object({ workspaceId: z.number().int(), messageId: z.number().int() }),
    handler: async (p, ctx) => {
      try {
        await svc.deliver(p.workspaceId, p.messageId);
      } catch (err) {
        // Last attempt: show the agent a failed message instead of a silent queue.
        if (ctx.attempt >= ctx.maxAttempts)
          await svc.markDeliveryFailed(
            p.workspaceId,
            p.messageId,
            err instanceof Error ? err.message : String(err),
          );
        throw err;
      }
    },
  });
