import { z } from 'zod';
import { PermanentDeliveryError } from '../../channels/channel-adapter.ts';
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
        const permanent = err instanceof PermanentDeliveryError;
        // Last attempt, or retrying cannot help: show the agent a failed message instead of a silent queue.
        if (permanent || ctx.attempt >= ctx.maxAttempts)
          await svc.markDeliveryFailed(
            p.workspaceId,
            p.messageId,
            err instanceof Error ? err.message : String(err),
          );
        if (!permanent) throw err;
      }
    },
  });
