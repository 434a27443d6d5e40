import { replyAddress } from '../../channels/email/addresses.ts';
import { domainOf, sendAndRecord } from '../../channels/email/email-adapter.ts';
import { newMessageId } from '../../channels/email/email-sender.ts';
import { batcher } from '../../platform/batch.ts';
import { textToHtml } from '../../platform/html/sanitize.ts';
import * as repo from './email.repository.ts';
import type { EmailContext } from './email-context.ts';
import type { EmailOutbound } from './outbound.ts';

const DEFAULT_ACK_BODY = `Hi {{contact.name}},

Thank you for writing to {{inbox.name}}. We have received your message and opened ticket #{{ticket.id}} for it.

{{expected_response}}

If you have anything to add, simply reply to this email.`;

function humanizeDuration(seconds: number): string {
  if (seconds < 3600) return `within about ${Math.max(5, Math.ceil(seconds / 60 / 5) * 5)} minutes`;
  if (seconds < 48 * 3600) {
    const h = Math.ceil(seconds / 3600);
    return `within about ${h} hour${h === 1 ? '' : 's'}`;
  }
  return `within about ${Math.ceil(seconds / 86400)} days`;
}
export const renderTemplate = (tpl: string, vars: Record<string, string>) =>
  tpl.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, k: string) => vars[k] ?? '');

/** The automatic acknowledgement of a new ticket, with an honest expected reply time (RFC 3834 limits). */
export function createAcknowledgements(c: EmailContext, outbound: EmailOutbound) {
  const { tickets, db, relay, keys, cachedInbox } = c;
  const { profileOf, ports } = outbound;

  const ackState = batcher((keys: { workspaceId: number; ticketId: number; to: string }[]) =>
    repo.ackStates(db, keys, 3600),
  );

  // The median over a month of tickets barely moves within minutes; one query per workspace per 5 min
  // instead of one per acknowledgement keeps a burst of new tickets from re-reading the month each time.
  const statsCache = new Map<number, { s: { medianSeconds: number | null; samples: number }; at: number }>();
  async function expectedResponse(workspaceId: number, fallback: string) {
    let hit = statsCache.get(workspaceId);
    if (!hit || Date.now() - hit.at > 5 * 60_000) {
      hit = { s: await tickets.firstResponseStats(workspaceId, 'email', 30), at: Date.now() };
      if (statsCache.size > 10_000) statsCache.clear();
      statsCache.set(workspaceId, hit);
    }
    const s = hit.s;
    // Promise only what the last month's replies show; with too few to judge, the shop's own words.
    if (s.samples >= 5 && s.medianSeconds !== null)
      return `Our team usually replies ${humanizeDuration(s.medianSeconds)}.`;
    return `We aim to reply ${fallback}.`;
  }

  async function sendAck(p: {
    workspaceId: number;
    ticketId: number;
    inboxId: number;
    inReplyTo: string;
    subject: string;
    /** The sender it answers (jobs enqueued since ingest carries it); else read from the ticket. */
    to?: string;
    name?: string | null;
  }) {
    const { workspaceId, ticketId } = p;
    const inbox = await cachedInbox(workspaceId, p.inboxId);
    if (!inbox?.auto_ack_enabled || !inbox.active) return 'disabled';
    // The summary (one query) has all an acknowledgement needs; the full ticket would read every message.
    const ticket = p.to
      ? {
          id: ticketId,
          subject: p.subject.slice(0, 500) || '(no subject)',
          contact: { email: p.to, name: p.name },
        }
      : await tickets.findSummary(workspaceId, ticketId);
    const contact = ticket?.contact;
    const to = contact?.email?.toLowerCase();
    if (!ticket || !to) return 'no recipient';
    const sent = await ackState({ workspaceId, ticketId, to });
    if (sent.forTicket) return 'already sent';
    // RFC 3834: one automatic answer per sender per period, whatever the sender does.
    if (sent.recent) return 'recently acknowledged';
    const vars = {
      'contact.name': contact?.name ?? 'there',
      'ticket.id': String(ticket.id),
      'ticket.subject': ticket.subject,
      'inbox.name': inbox.from_name ?? inbox.name,
      expected_response: await expectedResponse(workspaceId, inbox.expected_response_fallback),
    };
    const text = renderTemplate(inbox.auto_ack_body.trim() || DEFAULT_ACK_BODY, vars);
    const profile = await profileOf(inbox);
    await sendAndRecord(
      ports,
      relay,
      profile,
      {
        from: { name: profile.fromName, address: inbox.address },
        replyTo: replyAddress(inbox.address, keys(), workspaceId, ticket.id),
        to: [to],
        subject: renderTemplate(inbox.auto_ack_subject, vars).replace(/\s+/g, ' ').trim(),
        text,
        html: textToHtml(text),
        messageId: newMessageId(domainOf(inbox.address), `${workspaceId}.ack.${ticket.id}`),
        inReplyTo: p.inReplyTo,
        references: [p.inReplyTo],
        headers: {
          'Auto-Submitted': 'auto-replied',
          'X-Auto-Response-Suppress': 'All',
          'X-Shopdesk-Ticket': String(ticket.id),
        },
      },
      { workspaceId, ticketId: ticket.id, messageId: null, kind: 'auto-ack' },
    );
    return 'sent';
  }

  return { sendAck };
}
