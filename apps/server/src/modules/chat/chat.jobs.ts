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
    }),
    handler: (p) => svc.sendTranscript(p),
  });
