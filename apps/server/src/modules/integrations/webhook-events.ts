import type { WebhookEventType, WebhookPayload } from '@shopdesk/contracts';
import type { DomainEvent } from '../../platform/events/bus.ts';

/** Domain events (internal names) → the public event types subscribers choose from. */
export const PUBLIC_TYPE: Record<string, WebhookEventType> = {
  'ticket.created': 'ticket.created',
  'ticket.updated': 'ticket.updated',
  'ticket.solved': 'ticket.solved',
  'ticket.merged': 'ticket.merged',
  'message.received': 'message.received',
  'message.created': 'message.created',
  'contact.merged': 'contact.merged',
  'order_action.changed': 'order_action.changed',
  'return.changed': 'return.changed',
  'feedback.survey_answered': 'survey.answered',
};

export const EVENT_DESCRIPTIONS: Record<WebhookEventType, string> = {
  'ticket.created': 'A ticket was opened (any channel, or by an agent)',
  'ticket.updated': 'A ticket’s status, priority, assignee, team, tags or fields changed',
  'ticket.solved': 'A ticket was solved',
  'ticket.merged': 'A ticket was merged into another (data.sourceId → ticketId)',
  'message.received': 'A customer wrote (email, chat, SMS …)',
  'message.created': 'An agent replied or added an internal note, or the system sent a message',
  'contact.merged': 'Two contacts were merged (data.sourceId → data.targetId)',
  'order_action.changed': 'An order action (refund, cancel, reship …) changed status',
  'return.changed': 'A return changed status',
  'survey.answered': 'A customer answered a satisfaction survey',
};

export type TicketSnapshot = NonNullable<WebhookPayload['data']['ticket']>;

/** The v1 body for one event; `ticket`/`message` are read once and shared by every subscription. */
export function buildPayload(
  e: DomainEvent,
  type: WebhookEventType | 'webhook.test',
  extra: { ticket?: TicketSnapshot; message?: { id: number; kind: string; bodyText: string } },
): WebhookPayload {
  const own = { ...(e.data ?? {}) };
  // Internal bookkeeping that means nothing outside (dedupe marks, channel routing hints).
  delete own.via;
  return {
    type,
    version: 1,
    timestamp: new Date().toISOString(),
    workspaceId: e.workspaceId,
    data: {
      ...own,
      ...(e.ticketId ? { ticketId: e.ticketId } : {}),
      ...(e.messageId ? { messageId: e.messageId } : {}),
      ...(e.actorAgentId !== undefined ? { actorAgentId: e.actorAgentId } : {}),
      ...(extra.ticket ? { ticket: extra.ticket } : {}),
      ...(extra.message ? { message: extra.message } : {}),
    },
  };
}
