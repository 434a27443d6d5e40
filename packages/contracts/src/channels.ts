import { z } from 'zod';

/** What a channel can do (its adapter declares it; docs/channels.md). */
export const ChannelCapabilities = z.object({
  messagingWindowHours: z
    .number()
    .nullable()
    .describe(
      "Hours after the customer's last message in which a free-form reply may be sent; null: no window",
    ),
  media: z.boolean(),
  deliveryReceipts: z.boolean(),
  templates: z.boolean(),
  maxLength: z.number().int().nullable().describe('Longest message in characters; null: no practical limit'),
});
export type ChannelCapabilities = z.infer<typeof ChannelCapabilities>;

export const ChannelInfo = z.object({
  channel: z.string(),
  capabilities: ChannelCapabilities,
  /** Customers write in through a provider webhook: accounts are connected under /channels/{channel}/accounts. */
  inbound: z.boolean(),
});

export const ChannelAccountView = z.object({
  id: z.number(),
  channel: z.string(),
  name: z.string(),
  address: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()),
  secretsSet: z.array(z.string()).describe('Which secret fields are stored (never their values)'),
  publicUrl: z.string().nullable(),
  active: z.boolean(),
  webhooks: z
    .record(z.string(), z.string())
    .describe('The URL to give the provider for each kind of delivery'),
  pendingDeliveries: z.number(),
  failingDeliveries: z.number(),
  lastInboundAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  createdAt: z.string(),
});
export type ChannelAccountView = z.infer<typeof ChannelAccountView>;

export const CreateChannelAccount = z.object({
  name: z.string().trim().min(1).max(120),
  settings: z.record(z.string(), z.unknown()).default({}),
  secrets: z
    .record(z.string(), z.string().max(2000))
    .default({})
    .describe('Write-only (auth tokens); on update, fields left out keep their stored value'),
  publicUrl: z
    .url()
    .nullable()
    .optional()
    .describe(
      'The base URL the provider calls when it differs from PUBLIC_URL (a proxy or tunnel): signatures cover it',
    ),
  active: z.boolean().optional(),
});
export const UpdateChannelAccount = z.object({
  name: z.string().trim().min(1).max(120).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  secrets: z.record(z.string(), z.string().max(2000)).optional(),
  publicUrl: z.url().nullable().optional(),
  active: z.boolean().optional(),
});
