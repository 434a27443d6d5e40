import { z } from 'zod';
import { defineJob } from '../../platform/jobs/queue.ts';
import type { ChatService } from './chat.service.ts';

export const sendChatTranscriptJob = (svc: ChatService) =>
  defineJob({
    name: 'send-chat-transcript',
    schema: z.object({
      workspaceId: z.number().int(),
      visitorId: z.number().int(),
      ticketId: z.number().int(),
      email: z.string(),
      /** Set: mail this one-time code (the address is being verified), not the transcript. */
      code: z.string().optional(),
    }),
    handler: (p) => svc.sendTranscript(p),
  });
