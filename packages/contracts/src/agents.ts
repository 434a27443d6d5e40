import { z } from 'zod';
import { Id, Role, Timestamp } from './common.ts';

export const Agent = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  role: Role,
  active: z.boolean(),
  away: z.boolean(),
  avatarUrl: z.string().nullable(),
  totpEnabled: z.boolean(),
  teamIds: z.array(Id),
  skills: z.array(z.string()),
  languages: z.array(z.string()),
  createdAt: Timestamp,
  lastLoginAt: Timestamp.nullable(),
});
export type Agent = z.infer<typeof Agent>;

const Password = z.string().min(10, 'at least 10 characters').max(200);

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
