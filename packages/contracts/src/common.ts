import { z } from 'zod';

/**
 * Ids are PostgreSQL bigints, read as JSON numbers: whole, positive and exact in JavaScript. zod's
 * int() already stops 1e23; the explicit bound keeps that true whatever zod does, and shows in OpenAPI.
 */
export const Id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** PostgreSQL `integer` (int4) range: counters, versions and positions stored in such columns. */
export const INT4_MAX = 2_147_483_647;
export const Int4 = z
  .number()
  .int()
  .min(-INT4_MAX - 1)
  .max(INT4_MAX);

const isIdText = (v: string) => /^[1-9]\d{0,15}$/.test(v) && Number.isSafeInteger(Number(v));

/**
 * A query parameter that names an id in decimal digits or one of a few words ("me", "none"):
 * `1e23`, `0x10`, `-1` and ids beyond the bigint range are refused here, before any SQL.
 */
export const idOr = (...words: string[]) =>
  z.string().refine((v) => words.includes(v) || isIdText(v), {
    message: `Expected an id (digits)${words.length ? ` or ${words.map((w) => `"${w}"`).join(', ')}` : ''}`,
  });
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
  'social',
] as const;
export const Channel = z.enum(Channels);
/** Channels every workspace has without connecting anything: email, the chat widget, web forms, the API. */
export const AlwaysAvailableChannels = ['email', 'chat', 'web', 'api'] as const;
export const UsableChannels = z.object({
  items: z
    .array(z.object({ channel: Channel, label: z.string() }))
    .describe('Channels this workspace can use: the always-available ones and those with a connector'),
});
export type Channel = z.infer<typeof Channel>;
