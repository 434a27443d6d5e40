import { z } from 'zod';
import { Id, Timestamp } from './common.ts';
import { ListTicketsQuery } from './tickets.ts';

export const ViewFilters = ListTicketsQuery.pick({
  status: true,
  assignee: true,
  team: true,
  channel: true,
  priority: true,
  tag: true,
  sla: true,
  sort: true,
}).partial();
export const View = z.object({
  id: Id,
  name: z.string(),
  shared: z.boolean().describe('Visible to every agent of the workspace'),
  ownerId: Id.nullable().describe('The agent who saved it; null for a workspace view nobody owns'),
  editable: z.boolean().describe('The caller may rename, share or delete it'),
  filters: ViewFilters,
  position: z.number().int(),
  count: z.number().int().optional(),
});
export type View = z.infer<typeof View>;
export const CreateView = z.object({
  name: z.string().trim().min(1).max(100),
  shared: z.boolean().default(false).describe('Share with the workspace (every agent sees it)'),
  filters: ViewFilters,
  position: z.number().int().optional(),
});
// Not CreateView.partial(): its `shared` default would unshare a view on every rename.
export const UpdateView = z
  .object({
    name: z.string().trim().min(1).max(100),
    shared: z.boolean(),
    filters: ViewFilters,
    position: z.number().int(),
  })
  .partial()
  .strict();

export const Tag = z.object({ name: z.string(), color: z.string().nullable(), count: z.number().int() });
export const CreateTag = z.object({
  name: z.string().trim().min(1).max(64),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .nullable()
    .optional(),
});

export const CustomFieldDef = z.object({
  id: Id,
  key: z.string(),
  label: z.string(),
  type: z.enum(['text', 'number', 'boolean', 'select', 'date']),
  options: z.array(z.string()),
});
export const CreateCustomField = CustomFieldDef.omit({ id: true }).extend({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  label: z.string().trim().min(1).max(100),
  options: z.array(z.string().max(100)).max(100).default([]),
});

export const SearchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export const SearchHit = z.object({
  ticketId: Id,
  subject: z.string(),
  status: z.string(),
  contactName: z.string().nullable(),
  rank: z.number(),
  highlight: z.string().describe('Snippet with <mark> around matches; everything else HTML-escaped'),
  messageId: Id.nullable(),
  lastMessageAt: Timestamp,
});
export const SearchResult = z.object({
  tickets: z.array(SearchHit),
  contacts: z.array(z.object({ id: Id, name: z.string().nullable(), email: z.string().nullable() })),
});

export const AuditEntry = z.object({
  id: Id,
  actorAgentId: Id.nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  createdAt: Timestamp,
});

export const Job = z.object({
  id: Id,
  name: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  lastError: z.string().nullable(),
  runAt: Timestamp,
  createdAt: Timestamp,
  /** When its last attempt ended (failed jobs: when it gave up). */
  updatedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});
