import { z } from 'zod';
import { Channel, Id, idOr, Timestamp } from './common.ts';
import { TemplateReply } from './meta.ts';

export const TicketStatuses = ['new', 'open', 'pending', 'on-hold', 'solved', 'closed'] as const;
export const TicketStatus = z.enum(TicketStatuses);
export type TicketStatus = z.infer<typeof TicketStatus>;
export const Priorities = ['low', 'normal', 'high', 'urgent'] as const;
export const Priority = z.enum(Priorities);
export type Priority = z.infer<typeof Priority>;

const Tag = z.string().trim().min(1).max(64);
const CustomFields = z.record(
  z.string().max(64),
  z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]),
);

export const AttachmentRef = z.object({
  id: Id,
  filename: z.string(),
  contentType: z.string(),
  sizeBytes: z.number(),
  url: z.string(),
  inline: z.boolean(),
});
export type AttachmentRef = z.infer<typeof AttachmentRef>;

export const MessageKind = z.enum(['inbound', 'outbound', 'note']);
export const Message = z.object({
  id: Id,
  ticketId: Id,
  kind: MessageKind,
  channel: z.string(),
  author: z.object({
    type: z.enum(['agent', 'contact', 'system']),
    id: Id.nullable(),
    name: z.string().nullable(),
  }),
  bodyText: z.string(),
  bodyHtml: z.string().nullable(),
  deliveryStatus: z.string(),
  deliveryError: z.string().nullable(),
  channelMeta: z.record(z.string(), z.unknown()),
  attachments: z.array(AttachmentRef),
  createdAt: Timestamp,
});
export type Message = z.infer<typeof Message>;

export const TicketSummary = z.object({
  id: Id,
  subject: z.string(),
  status: TicketStatus,
  priority: Priority,
  channel: z.string(),
  contact: z.object({ id: Id, name: z.string().nullable(), email: z.string().nullable() }).nullable(),
  assigneeId: Id.nullable(),
  teamId: Id.nullable(),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.unknown()),
  version: z.number().int(),
  messageCount: z.number().int(),
  lastMessagePreview: z.string(),
  lastMessageAt: Timestamp,
  lastInboundAt: Timestamp.nullable(),
  firstResponseAt: Timestamp.nullable(),
  solvedAt: Timestamp.nullable(),
  mergedIntoId: Id.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type TicketSummary = z.infer<typeof TicketSummary>;

export const TicketEvent = z.object({
  id: Id,
  type: z.string(),
  actorAgentId: Id.nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: Timestamp,
});

export const TicketDetail = TicketSummary.extend({
  messages: z.array(Message),
  events: z.array(TicketEvent),
  links: z.array(z.object({ ticketId: Id, kind: z.string(), subject: z.string(), status: TicketStatus })),
  followers: z.array(z.string()),
});
export type TicketDetail = z.infer<typeof TicketDetail>;

export const NewAttachment = z.object({
  filename: z.string().min(1).max(255),
  contentType: z.string().min(1).max(255),
  contentBase64: z.string().max(14_000_000),
});

export const CreateTicket = z.object({
  subject: z.string().trim().min(1).max(500),
  channel: Channel.default('api'),
  priority: Priority.default('normal'),
  status: TicketStatus.optional(),
  contact: z
    .object({
      id: Id.optional(),
      email: z.email().optional(),
      name: z.string().max(200).optional(),
      phone: z.string().max(50).optional(),
    })
    .refine((c) => c.id || c.email || c.phone, 'needs id, email or phone'),
  message: z.object({
    body: z.string().min(1).max(1_000_000),
    html: z.string().max(2_000_000).optional(),
    attachments: z.array(NewAttachment).max(20).optional(),
  }),
  assigneeId: Id.nullable().optional(),
  teamId: Id.nullable().optional(),
  tags: z.array(Tag).max(50).optional(),
  customFields: CustomFields.optional(),
});
export type CreateTicket = z.infer<typeof CreateTicket>;

export const UpdateTicket = z
  .object({
    version: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Optimistic concurrency: the version you last read'),
    subject: z.string().trim().min(1).max(500).optional(),
    status: TicketStatus.optional(),
    priority: Priority.optional(),
    assigneeId: Id.nullable().optional(),
    teamId: Id.nullable().optional(),
    tags: z.array(Tag).max(50).optional(),
    addTags: z.array(Tag).max(50).optional(),
    removeTags: z.array(Tag).max(50).optional(),
    customFields: CustomFields.optional(),
  })
  .strict();
export type UpdateTicket = z.infer<typeof UpdateTicket>;

export const ReplyInput = z.object({
  body: z.string().min(1).max(1_000_000),
  html: z.string().max(2_000_000).optional(),
  attachments: z.array(NewAttachment).max(20).optional(),
  status: TicketStatus.optional().describe('Set the ticket status in the same action (e.g. Send + Solved)'),
  template: TemplateReply.optional().describe(
    'Send an approved template instead of free text (WhatsApp outside the 24-hour window); body is its rendered preview',
  ),
});
export type ReplyInput = z.infer<typeof ReplyInput>;

export const NoteInput = z.object({
  body: z.string().min(1).max(200_000),
  mentions: z.array(Id).max(50).optional().describe('Agent ids to notify'),
});

export const ListTicketsQuery = z.object({
  status: z
    .string()
    .optional()
    .describe('Comma-separated statuses, or "active" for new/open/pending/on-hold'),
  assignee: idOr('me', 'none').optional().describe('Agent id, "me" or "none"'),
  team: idOr('none').optional().describe('Team id or "none"'),
  channel: Channel.optional(),
  priority: Priority.optional(),
  tag: z.string().optional(),
  contact: Id.optional(),
  view: Id.optional().describe('Apply a saved view'),
  sla: z
    .enum(['breached'])
    .optional()
    .describe(
      'breached: tickets past an SLA due time (a target missed and still open, or recorded as breached)',
    ),
  sort: z
    .enum(['last_message_desc', 'last_message_asc', 'created_desc', 'created_asc', 'sla_due_asc'])
    .default('last_message_desc')
    .describe('sla_due_asc: the SLA target due soonest first; tickets without an SLA last'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type ListTicketsQuery = z.infer<typeof ListTicketsQuery>;

export const MergeTickets = z.object({
  sourceId: Id.describe('Ticket that is merged and closed'),
  targetId: Id.describe('Ticket that receives the messages'),
});

export const BulkUpdate = z.object({
  ids: z.array(Id).min(1).max(500),
  changes: UpdateTicket.omit({ version: true }),
});

export const LinkTickets = z.object({
  ticketId: Id,
  kind: z.enum(['related', 'incident', 'follow-up']).default('related'),
});
