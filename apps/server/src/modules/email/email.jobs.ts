import type { Logger } from 'pino';
import { z } from 'zod';
import { PermanentDeliveryError } from '../../channels/channel-adapter.ts';
import { defineJob } from '../../platform/jobs/queue.ts';
import { ACK_JOB, type EmailService, PROCESS_JOB } from './email.service.ts';

/** Step 2 of the pipeline for email: parse the stored raw message and land it in a ticket. */
export const processInboundEmailJob = (svc: EmailService) =>
  defineJob({
    name: PROCESS_JOB,
    schema: z.object({ inboundEventId: z.number().int() }),
    handler: async (p) => {
      await svc.processInbound(p.inboundEventId);
    },
  });

export const sendEmailAckJob = (svc: EmailService, log: Logger) =>
  defineJob({
    name: ACK_JOB,
    schema: z.object({
      workspaceId: z.number().int(),
      ticketId: z.number().int(),
      inboxId: z.number().int(),
      inReplyTo: z.string(),
      subject: z.string(),
      to: z.string().optional(),
      name: z.string().nullable().optional(),
    }),
    handler: async (p) => {
      try {
        await svc.sendAck(p);
      } catch (err) {
        // A refused address will not start working on retry; the ticket itself is unaffected.
        if (err instanceof PermanentDeliveryError) {
          log.warn({ ticketId: p.ticketId, err: err.message }, 'auto-acknowledgement refused');
          return;
        }
        throw err;
      }
    },
  });
