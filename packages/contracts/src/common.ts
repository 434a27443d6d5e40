import { z } from 'zod';

export const Id = z.coerce.number().int().positive();
export const Timestamp = z.string().describe('ISO 8601 timestamp (UTC)');

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const Roles = ['admin', 'lead', 'agent', 'read-only'] as const;
export const Role = z.enum(Roles);
export type Role = z.infer<typeof Role>;

export const Channels = [
  'email',
  'chat',
  'sms',
  'voice',
  'messenger',
  'instagram',
  'whatsapp',
  'web',
  'api',
] as const;
export const Channel = z.enum(Channels);
export type Channel = z.infer<typeof Channel>;
