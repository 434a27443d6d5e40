import { z } from 'zod';
import { Channel, Id, Timestamp } from './common.ts';

export const RoutingMode = z.enum(['manual', 'round_robin', 'least_loaded']);
export type RoutingMode = z.infer<typeof RoutingMode>;

/** Open tickets (new/open) an agent may hold per channel; "*" is the fallback for unlisted channels. */
export const ChannelCapacity = z.record(z.string().min(1).max(32), z.number().int().min(0).max(1000));

export const RoutingConfigInput = z.object({
  mode: RoutingMode,
  defaultCapacity: ChannelCapacity.default({ chat: 3, email: 20, '*': 20 }),
  skillTags: z
    .array(z.string().trim().min(1).max(64))
    .max(100)
    .default([])
    .describe('Ticket tags that are skills: only agents with all of a ticket’s skill tags get it'),
  matchLanguage: z
    .boolean()
    .default(true)
    .describe('Route tickets with customFields.language only to agents who speak it'),
});
export type RoutingConfigInput = z.infer<typeof RoutingConfigInput>;

export const RoutingConfig = RoutingConfigInput.extend({
  teamId: Id.nullable().describe('null: the workspace default (tickets without a team)'),
  updatedAt: Timestamp,
});
export type RoutingConfig = z.infer<typeof RoutingConfig>;

export const AgentStatus = z.enum(['online', 'away', 'offline']);
export type AgentStatus = z.infer<typeof AgentStatus>;

export const PresenceInput = z.object({ status: AgentStatus });

export const AgentRoutingInput = z
  .object({
    status: AgentStatus.optional(),
    capacity: ChannelCapacity.optional().describe('Per-channel overrides of the default capacity'),
  })
  .refine((x) => x.status !== undefined || x.capacity !== undefined, 'give status or capacity');

export const AgentRouting = z.object({
  agentId: Id,
  name: z.string(),
  status: AgentStatus.describe('The status the agent chose'),
  lapsedAt: Timestamp.nullable().describe(
    'Set while the agent has no live dashboard connection past the grace period (or signed out): routing treats them as offline until they reconnect',
  ),
  capacity: ChannelCapacity,
  load: z.record(z.string(), z.number().int()).describe('Open tickets assigned now, per channel'),
  statusChangedAt: Timestamp.nullable(),
});
export type AgentRouting = z.infer<typeof AgentRouting>;

export const QueuedTicket = z.object({
  ticketId: Id,
  subject: z.string(),
  channel: z.string(),
  teamId: Id.nullable(),
  dueAt: Timestamp.nullable(),
  enqueuedAt: Timestamp,
});

/** Tickets of a channel (for email: of one inbox, or of every inbox) go to a team; its routing mode applies. */
export const RoutingRuleInput = z.object({
  channel: Channel,
  inboxId: Id.nullable()
    .default(null)
    .describe('An email inbox id; null: every ticket of the channel (a specific inbox wins over this)'),
  teamId: Id,
});
export type RoutingRuleInput = z.infer<typeof RoutingRuleInput>;

export const RoutingRule = RoutingRuleInput.extend({ id: Id });
export type RoutingRule = z.infer<typeof RoutingRule>;

export const RoutingRulesInput = z.object({ rules: z.array(RoutingRuleInput).max(200) });
