import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

export const IdentityKind = z.enum([
  'email',
  'phone',
  'chat',
  'messenger',
  'instagram',
  'whatsapp',
  'external',
]);
export const Identity = z.object({
  kind: IdentityKind,
  value: z.string().min(1).max(320),
  verified: z.boolean(),
});

export const Contact = z.object({
  id: Id,
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  notes: z.string(),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.unknown()),
  identities: z.array(Identity),
  ticketCount: z.number().int().optional(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Contact = z.infer<typeof Contact>;

export const CreateContact = z.object({
  name: z.string().trim().max(200).optional(),
  email: z.email().optional(),
  phone: z.string().trim().min(3).max(50).optional(),
  notes: z.string().max(20_000).optional(),
  tags: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
  customFields: z.record(z.string(), z.unknown()).optional(),
  identities: z
    .array(Identity.omit({ verified: true }))
    .max(20)
    .optional(),
});
export type CreateContact = z.infer<typeof CreateContact>;
export const UpdateContact = CreateContact.strict();
export type UpdateContact = z.infer<typeof UpdateContact>;

export const MergeContacts = z.object({ sourceId: Id, targetId: Id });

export const ListContactsQuery = z.object({
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional(),
});
