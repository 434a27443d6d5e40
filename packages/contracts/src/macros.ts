import { z } from 'zod';
import { Id, Timestamp } from './common.ts';
import { Priority, TicketStatus } from './tickets.ts';

export const MacroActions = z
  .object({
    status: TicketStatus.optional(),
    priority: Priority.optional(),
    addTags: z.array(z.string().trim().min(1).max(64)).max(20).optional(),
  })
  .strict();

export const Macro = z.object({
  id: Id,
  name: z.string(),
  body: z.string().describe('Reply text; {{customer.first_name}}-style variables are filled by /render'),
  actions: MacroActions,
  shared: z.boolean().describe('Shared with the workspace (else personal to its author)'),
  createdBy: Id.nullable(),
  usageCount: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Macro = z.infer<typeof Macro>;

export const CreateMacro = z.object({
  name: z.string().trim().min(1).max(120),
  body: z.string().min(1).max(20_000),
  actions: MacroActions.default({}),
  shared: z.boolean().default(true),
});
export const UpdateMacro = CreateMacro.partial().strict();

export const RenderMacroInput = z.object({ ticketId: Id });
export const RenderedMacro = z.object({
  body: z.string(),
  actions: MacroActions,
  missing: z.array(z.string()).describe('Variables that had no value for this ticket (left blank)'),
});
export const MacroVariables = z.object({
  variables: z.array(z.object({ name: z.string(), description: z.string() })),
});

/** Counts for the dashboard's built-in views; "open" means new, open, pending or on-hold. */
export const InboxCounts = z.object({
  myOpen: z.number().int(),
  unassigned: z.number().int(),
  allOpen: z.number().int(),
  pending: z.number().int(),
  onHold: z.number().int(),
  solved: z.number().int(),
  byChannel: z.record(z.string(), z.number().int()),
  byTeam: z.record(z.string(), z.number().int()).describe('Open tickets per team id'),
});
