import { z } from 'zod';

/** Client → server frames on /api/v1/realtime. */
export const ClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), room: z.string().regex(/^(workspace|ticket:\d+|view:\d+)$/) }),
  z.object({ type: z.literal('unsubscribe'), room: z.string().max(50) }),
  z.object({
    type: z.literal('presence'),
    ticketId: z.number().int().positive(),
    state: z.enum(['viewing', 'typing', 'left']),
  }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

/** Server → client frames. */
export type ServerFrame =
  | { type: 'ready'; agentId: number; workspaceId: number }
  | { type: 'subscribed'; room: string }
  | {
      type: 'event';
      event: string;
      ticketId?: number;
      messageId?: number;
      data?: Record<string, unknown>;
      at: string;
    }
  | {
      type: 'presence';
      ticketId: number;
      agents: { agentId: number; name: string; state: 'viewing' | 'typing' }[];
    }
  | { type: 'error'; code: string; message: string }
  | { type: 'pong' };
