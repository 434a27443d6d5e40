import type { AttachmentRef, Message, TicketStatus, TicketSummary } from '@shopdesk/contracts';
import type * as repo from './tickets.repository.ts';

/** How tickets, messages and attachments leave the module: rows to API shapes. */
export const iso = (d: Date | null) => d?.toISOString() ?? null;
export const preview = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 200);

export function toSummary(t: repo.TicketRow): TicketSummary {
  return {
    id: t.id,
    subject: t.subject,
    status: t.status as TicketStatus,
    priority: t.priority as TicketSummary['priority'],
    channel: t.channel,
    contact: t.contact_id ? { id: t.contact_id, name: t.contact_name, email: t.contact_email } : null,
    assigneeId: t.assignee_id,
    teamId: t.team_id,
    tags: t.tags,
    customFields: t.custom_fields,
    version: t.version,
    messageCount: t.message_count,
    lastMessagePreview: t.last_message_preview,
    lastMessageAt: t.last_message_at.toISOString(),
    lastInboundAt: iso(t.last_inbound_at),
    firstResponseAt: iso(t.first_response_at),
    solvedAt: iso(t.solved_at),
    mergedIntoId: t.merged_into_id,
    createdAt: t.created_at.toISOString(),
    updatedAt: t.updated_at.toISOString(),
  };
}

export function toAttachment(a: repo.AttachmentRow): AttachmentRef {
  return {
    id: a.id,
    filename: a.filename,
    contentType: a.content_type,
    sizeBytes: a.size_bytes,
    url: `/api/v1/attachments/${a.id}`,
    inline: a.inline,
  };
}

const viaName = (meta: Record<string, unknown> | null) => {
  const via = meta?.via as { name?: unknown } | undefined;
  return typeof via?.name === 'string' ? via.name : null;
};

export function toMessage(m: repo.MessageRow, attachments: repo.AttachmentRow[]): Message {
  return {
    id: m.id,
    ticketId: m.ticket_id,
    kind: m.kind,
    channel: m.channel,
    author: {
      type: m.author_agent_id ? 'agent' : m.author_contact_id ? 'contact' : 'system',
      id: m.author_agent_id ?? m.author_contact_id,
      // A system message says who wrote it (the bot, an automation) instead of showing as "System".
      name: m.author_name ?? viaName(m.channel_meta),
    },
    bodyText: m.body_text,
    bodyHtml: m.body_html,
    deliveryStatus: m.delivery_status,
    deliveryError: m.delivery_error,
    channelMeta: m.channel_meta,
    attachments: attachments.filter((a) => a.message_id === m.id).map(toAttachment),
    createdAt: m.created_at.toISOString(),
  };
}
