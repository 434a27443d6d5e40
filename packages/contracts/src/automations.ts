import { z } from 'zod';
import { AutomationEvents, ConditionFields, ConditionOps } from './automation-vocabulary.ts';
import { Id, Timestamp } from './common.ts';
import { Priority, TicketStatus } from './tickets.ts';

export { AutomationEvents, ConditionFields, ConditionOps } from './automation-vocabulary.ts';

export const AutomationEvent = z.enum(AutomationEvents);

export const Condition = z.object({
  field: z
    .union([z.enum(ConditionFields), z.string().regex(/^custom\.[A-Za-z0-9_.-]{1,64}$/)])
    .describe('A ticket fact, or custom.<key> for a custom field'),
  op: z.enum(ConditionOps),
  value: z
    .union([z.string().max(2000), z.number(), z.boolean(), z.null(), z.array(z.string().max(200)).max(100)])
    .optional(),
});
export type Condition = z.infer<typeof Condition>;

export const Conditions = z.object({
  all: z.array(Condition).max(50).default([]),
  any: z.array(Condition).max(50).default([]),
});

const Tags = z.array(z.string().trim().min(1).max(64)).min(1).max(50);
export const AutomationAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('set_status'), status: TicketStatus }),
  z.object({ type: z.literal('set_priority'), priority: Priority }),
  z.object({ type: z.literal('add_tags'), tags: Tags }),
  z.object({ type: z.literal('remove_tags'), tags: Tags }),
  z.object({
    type: z.literal('set_field'),
    key: z.string().min(1).max(64),
    value: z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]),
  }),
  z.object({ type: z.literal('assign_agent'), agentId: Id.nullable() }),
  z.object({ type: z.literal('assign_team'), teamId: Id.nullable() }),
  z.object({
    type: z.literal('reply'),
    body: z
      .string()
      .min(1)
      .max(20_000)
      .describe('Template: {{ticket.id}}, {{ticket.subject}}, {{contact.name}}'),
  }),
  z.object({ type: z.literal('add_note'), body: z.string().min(1).max(20_000) }),
  z.object({
    type: z.literal('notify'),
    to: z.enum(['assignee', 'leads', 'agents']),
    agentIds: z.array(Id).max(50).default([]),
    body: z.string().min(1).max(2000),
  }),
  z.object({ type: z.literal('webhook'), url: z.url({ protocol: /^https?$/ }) }),
]);
export type AutomationAction = z.infer<typeof AutomationAction>;

export const AutomationInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(['trigger', 'scheduled']),
    events: z.array(AutomationEvent).max(5).default([]).describe('Triggers: the events that run it'),
    conditions: Conditions.default({ all: [], any: [] }),
    actions: z.array(AutomationAction).min(1).max(20),
    active: z.boolean().default(true),
    position: z.number().int().min(0).max(10_000).optional(),
  })
  .refine((a) => a.kind === 'scheduled' || a.events.length > 0, {
    message: 'a trigger needs at least one event',
    path: ['events'],
  })
  .refine((a) => a.kind === 'trigger' || a.conditions.all.length + a.conditions.any.length > 0, {
    message: 'a scheduled automation needs a condition (it scans every open ticket)',
    path: ['conditions'],
  });
export type AutomationInput = z.infer<typeof AutomationInput>;

export const Automation = z.object({
  id: Id,
  name: z.string(),
  kind: z.enum(['trigger', 'scheduled']),
  events: z.array(AutomationEvent),
  conditions: Conditions,
  actions: z.array(AutomationAction),
  active: z.boolean(),
  position: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Automation = z.infer<typeof Automation>;

/** A webhook URL automations call, with its own Standard Webhooks signing secret. */
export const WebhookEndpoint = z.object({
  id: Id,
  url: z.string(),
  createdAt: Timestamp,
  rotatedAt: Timestamp.nullable(),
  /** After a rotation the previous secret still signs (a second signature) until then. */
  previousValidUntil: Timestamp.nullable(),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;
/** Shown once, when the endpoint is created or its secret rotated. */
export const WebhookSecret = z.object({
  url: z.string(),
  secret: z.string().describe('whsec_… (Standard Webhooks): verify webhook-signature with it'),
});
/** Saving an automation answers with the secrets of the webhook endpoints that save created. */
export const AutomationSaved = Automation.extend({ webhookSecrets: z.array(WebhookSecret).optional() });

export const AutomationRun = z.object({
  id: Id,
  automationId: Id.nullable(),
  automationName: z.string().nullable(),
  ticketId: Id,
  trigger: z.string(),
  outcome: z.enum(['applied', 'loop_stopped', 'failed']),
  reason: z.string().nullable(),
  actions: z.array(z.string()),
  createdAt: Timestamp,
});

export const AutomationPreview = z.object({
  scanned: z.number().int(),
  matches: z.array(z.object({ ticketId: Id, subject: z.string(), status: TicketStatus })),
});

export const UrgencyResult = z.object({
  messageId: Id,
  score: z.number().int(),
  level: z.enum(['none', 'elevated', 'high', 'urgent']),
  reasons: z.array(z.object({ phrase: z.string(), weight: z.number() })),
  createdAt: Timestamp,
});
