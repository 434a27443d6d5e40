import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

const Minor0 = z.number().int().describe('Minor units (cents)');

/*
 * Callback tasks and click-to-call (issue #18, docs/sms-voice.md): a voicemail or a missed call opens a
 * task due inside business hours; an agent calls back from the ticket (Twilio dials the agent's own
 * phone, then bridges to the customer) and closes the task with an outcome.
 */

/** How a call back went (the customer leg, or the agent's own record of it). */
export const CallbackOutcome = z.enum(['answered', 'no-answer', 'busy', 'failed']);
export type CallbackOutcome = z.infer<typeof CallbackOutcome>;

export const CallbackCall = z.object({
  id: Id,
  agentId: Id.nullable(),
  callSid: z.string().nullable(),
  customerPhone: z.string(),
  /** Twilio's CallStatus of the agent's leg (dialing until Twilio answers). */
  status: z.string(),
  /** The customer leg's result, or `agent-missed` when the agent's own phone did not answer. */
  outcome: z.string().nullable(),
  durationSeconds: z.number().int().nullable(),
  error: z.string().nullable(),
  createdAt: Timestamp,
  endedAt: Timestamp.nullable(),
});
export type CallbackCall = z.infer<typeof CallbackCall>;

export const CallbackTask = z.object({
  id: Id,
  ticketId: Id,
  ticketSubject: z.string(),
  reason: z.enum(['voicemail', 'missed-call', 'manual']),
  phone: z.string().nullable(),
  dueAt: Timestamp,
  overdue: z.boolean(),
  status: z.enum(['open', 'done']),
  outcome: CallbackOutcome.nullable(),
  note: z.string(),
  completedBy: Id.nullable(),
  completedAt: Timestamp.nullable(),
  createdAt: Timestamp,
  calls: z.array(CallbackCall),
});
export type CallbackTask = z.infer<typeof CallbackTask>;

export const ListCallbacksQuery = z.object({
  /** `open` (default): the callbacks due, soonest first; `done`: the latest completed first. */
  status: z.enum(['open', 'done', 'all']).default('open'),
  /** Only open tasks already past their due time. */
  overdue: z.enum(['true', 'false']).optional(),
  ticketId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListCallbacksQuery = z.infer<typeof ListCallbacksQuery>;

export const CreateCallback = z
  .object({
    /** Absent: the workspace's callback target counted in business hours from now. */
    dueAt: z.iso.datetime({ offset: true }).optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();
export type CreateCallback = z.infer<typeof CreateCallback>;

export const CompleteCallback = z
  .object({ outcome: CallbackOutcome, note: z.string().trim().max(2000).default('') })
  .strict();
export type CompleteCallback = z.infer<typeof CompleteCallback>;

/** The agent's own phone for click-to-call (E.164). */
export const AgentCallPhone = z
  .object({
    phone: z
      .string()
      .trim()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550100')
      .nullable(),
  })
  .strict();
export type AgentCallPhone = z.infer<typeof AgentCallPhone>;

/** What an agent sees first on a voice ticket (docs/sms-voice.md "Voicemail triage"). */
export const VoiceTriage = z.object({
  transcript: z.string().nullable(),
  /** The bot's classifier on the transcript; null until a transcript arrived. */
  intent: z
    .object({
      name: z.string(),
      confidence: z.number(),
      damage: z.boolean(),
      angry: z.boolean(),
      orderNumber: z.string().nullable(),
    })
    .nullable(),
  /** The order named in the conversation, else the caller's latest. */
  order: z
    .object({
      id: Id,
      number: z.string(),
      status: z.string(),
      fulfillmentStatus: z.string(),
      total: Minor0,
      currency: z.string(),
      placedAt: Timestamp,
      items: z.string(),
    })
    .nullable(),
  shipments: z.array(
    z.object({
      carrier: z.string().nullable(),
      trackingNumber: z.string(),
      status: z.string(),
      estimatedDeliveryAt: Timestamp.nullable(),
    }),
  ),
  delay: z.object({ kind: z.enum(['late', 'problem']), estimate: Timestamp.nullable() }).nullable(),
  /** A macro matching the intent (most used first); null when none fits. */
  macro: z.object({ id: Id, name: z.string(), why: z.string() }).nullable(),
});
export type VoiceTriage = z.infer<typeof VoiceTriage>;
