import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

/**
 * Outgoing webhooks (docs/integrations.md). Event types are public names, versioned by the envelope's
 * `version`: a change that removes or retypes a field gets a new version, never an edit of v1.
 */
export const WEBHOOK_EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.solved',
  'ticket.merged',
  'message.received',
  'message.created',
  'contact.merged',
  'order_action.changed',
  'return.changed',
  'survey.answered',
] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** The JSON body every delivery carries (v1), signed as the Standard Webhooks spec describes. */
export const WebhookPayload = z.object({
  type: z.union([WebhookEventType, z.literal('webhook.test')]),
  version: z.literal(1),
  timestamp: Timestamp,
  workspaceId: Id,
  data: z
    .object({
      ticketId: Id.optional(),
      messageId: Id.optional(),
      actorAgentId: Id.nullable().optional(),
      ticket: z
        .object({
          id: Id,
          subject: z.string(),
          status: z.string(),
          priority: z.string(),
          channel: z.string(),
          contact: z.object({ id: Id, name: z.string().nullable(), email: z.string().nullable() }).nullable(),
          assigneeId: Id.nullable(),
          tags: z.array(z.string()),
          createdAt: Timestamp,
          updatedAt: Timestamp,
        })
        .optional()
        .describe('The ticket as it was when the event was sent'),
      message: z
        .object({ id: Id, kind: z.string(), bodyText: z.string() })
        .optional()
        .describe('For message events'),
    })
    .catchall(z.unknown())
    .describe(
      'The ids the event is about, a snapshot of its ticket, and the event’s own fields (e.g. returnId, status)',
    ),
});
export type WebhookPayload = z.infer<typeof WebhookPayload>;

export const WebhookSubscription = z.object({
  id: Id,
  url: z.string(),
  description: z.string(),
  events: z.array(WebhookEventType),
  active: z.boolean(),
  /** Why it was switched off automatically (null while on, or when an admin switched it off). */
  disabledReason: z.string().nullable(),
  failingSince: Timestamp.nullable(),
  failedDeliveries: z.number().int(),
  lastSuccessAt: Timestamp.nullable(),
  rotatedAt: Timestamp.nullable(),
  previousValidUntil: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;
/** Creating a subscription or rotating its secret: the secret is in this answer and nowhere else. */
export const WebhookSubscriptionWithSecret = WebhookSubscription.extend({
  secret: z.string().describe('whsec_… (Standard Webhooks): verify webhook-signature with it'),
});

const HttpsUrl = z.url({ protocol: /^https?$/ }).max(2000);
export const CreateWebhookSubscription = z.object({
  url: HttpsUrl,
  description: z.string().max(200).default(''),
  events: z.array(WebhookEventType).min(1).max(WEBHOOK_EVENT_TYPES.length),
  active: z.boolean().default(true),
});
export const UpdateWebhookSubscription = z
  .object({
    url: HttpsUrl,
    description: z.string().max(200),
    events: z.array(WebhookEventType).min(1).max(WEBHOOK_EVENT_TYPES.length),
    active: z.boolean(),
  })
  .partial();

export const WebhookDeliveryStatus = z.enum(['pending', 'succeeded', 'failed']);
export const WebhookDelivery = z.object({
  id: Id,
  subscriptionId: Id,
  messageId: z.string().describe('The webhook-id header: the same on every attempt and redelivery'),
  eventType: z.string(),
  status: WebhookDeliveryStatus,
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
export const WebhookAttempt = z.object({
  id: Id,
  manual: z.boolean(),
  requestHeaders: z.record(z.string(), z.string()),
  responseStatus: z.number().int().nullable(),
  responseHeaders: z.record(z.string(), z.string()).nullable(),
  responseBody: z.string().nullable().describe('The first 4 KB of the answer'),
  error: z.string().nullable(),
  durationMs: z.number().int(),
  createdAt: Timestamp,
});
export const WebhookDeliveryDetail = WebhookDelivery.extend({
  payload: WebhookPayload,
  attempts_log: z.array(WebhookAttempt),
});
export type WebhookDeliveryDetail = z.infer<typeof WebhookDeliveryDetail>;
