import { z } from 'zod';
import { AVATAR_MAX_BYTES } from './avatar.ts';
import { Id, Role, Timestamp } from './common.ts';

export { AVATAR_CONTENT_TYPES, AVATAR_MAX_BYTES } from './avatar.ts';

export const Agent = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  role: Role,
  active: z.boolean(),
  away: z.boolean(),
  avatarUrl: z.string().nullable(),
  totpEnabled: z.boolean(),
  /** No password yet: invited (or created without one) and not signed in since. */
  invitePending: z.boolean(),
  teamIds: z.array(Id),
  skills: z.array(z.string()),
  languages: z.array(z.string()),
  createdAt: Timestamp,
  lastLoginAt: Timestamp.nullable(),
});
export type Agent = z.infer<typeof Agent>;

const Password = z.string().min(10, 'at least 10 characters').max(200);

/** An invitation or reset link, as the admin who made it sees it (shown when the mail could not go). */
export const AccountLink = z.object({
  url: z.string(),
  expiresAt: Timestamp,
  /** Whether the e-mail went out; when it did not, `mailError` says why and the admin hands the link on. */
  mailed: z.boolean(),
  mailError: z.string().nullable(),
});
export type AccountLink = z.infer<typeof AccountLink>;
/** A link's token as the opened page reads it from the URL fragment (never sent in a URL to the server). */
export const AccountLinkToken = z.object({ token: z.string().min(20).max(200) });
export const AccountLinkInfo = z.object({
  purpose: z.enum(['invite', 'reset']),
  email: z.string(),
  name: z.string(),
  workspace: z.string(),
  expiresAt: Timestamp,
});
export type AccountLinkInfo = z.infer<typeof AccountLinkInfo>;
export const UseAccountLink = AccountLinkToken.extend({ password: Password });
export const ForgotPassword = z.object({
  email: z.email().max(320),
  workspace: z.string().max(100).optional(),
});

export const CreateAgent = z.object({
  email: z.email(),
  name: z.string().trim().min(1).max(200),
  role: Role.default('agent'),
  password: Password.optional(),
  teamIds: z.array(Id).optional(),
  skills: z.array(z.string().max(64)).max(50).optional(),
  languages: z.array(z.string().max(16)).max(20).optional(),
});
export const UpdateAgent = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    role: Role.optional(),
    active: z.boolean().optional(),
    away: z.boolean().optional(),
    teamIds: z.array(Id).optional(),
    skills: z.array(z.string().max(64)).max(50).optional(),
    languages: z.array(z.string().max(16)).max(20).optional(),
  })
  .strict();

/** Agent avatars: small images the chat widget shows to shoppers beside the agent's name. */
export const UploadAvatar = z
  .object({
    contentType: z.string().trim().min(1).max(100).describe('image/png, image/jpeg or image/webp'),
    // Room for more than the limit, so an oversized image gets a clear 413 rather than a schema error.
    contentBase64: z
      .string()
      .min(1)
      .max(4_000_000)
      .describe(`The image, base64; at most ${AVATAR_MAX_BYTES / 1024} KB decoded`),
  })
  .strict();

export const Team = z.object({ id: Id, name: z.string(), memberIds: z.array(Id), createdAt: Timestamp });
export const CreateTeam = z.object({
  name: z.string().trim().min(1).max(100),
  memberIds: z.array(Id).optional(),
});
export const UpdateTeam = CreateTeam.partial().strict();

export const LoginInput = z.object({
  email: z.email(),
  password: z.string().min(1).max(200),
  workspace: z.string().max(100).optional().describe('Workspace slug, when the email belongs to several'),
});
export const TotpInput = z.object({ code: z.string().trim().min(6).max(20) });
export const Me = z.object({
  agent: Agent,
  workspace: z.object({ id: Id, name: z.string(), slug: z.string() }),
  csrfToken: z.string().nullable(),
  mfaPending: z.boolean(),
});
export type Me = z.infer<typeof Me>;

export const ApiToken = z.object({
  id: Id,
  name: z.string(),
  prefix: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export const CreateApiToken = z.object({ name: z.string().trim().min(1).max(100) });
export const CreatedApiToken = ApiToken.extend({ token: z.string().describe('Shown once') });
