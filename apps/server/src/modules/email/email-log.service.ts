import type { EmailOutboundItem } from '@shopdesk/contracts';
import { parseEmail } from '../../channels/email/parse-email.ts';
import { notFound } from '../../platform/errors.ts';
import { sanitizeMessageHtml } from '../../platform/html/sanitize.ts';
import type { Auth } from '../../platform/http/router.ts';
import * as repo from './email.repository.ts';
import { type EmailContext, toBuffer } from './email-context.ts';

/** What came in and went out: the inbound log, sent mail with its headers, the raw originals. */
export function createEmailLogService(c: EmailContext) {
  const { tickets, db } = c;
  return {
    pendingInbound: (auth: Auth) => repo.countPending(db, auth.workspaceId),
    async inboundLog(auth: Auth, limit: number, outcome?: string) {
      return (await repo.listInbound(db, auth.workspaceId, limit, outcome)).map((r) => ({
        inboundEventId: r.inbound_event_id,
        inboxId: r.inbox_id,
        from: r.from_address,
        subject: r.subject,
        messageIdHeader: r.message_id_header,
        outcome: r.outcome as repo.InboundOutcome,
        reason: r.reason,
        ticketId: r.ticket_id,
        messageId: r.message_id,
        senderAuth: (r.sender_auth ?? null) as 'pass' | 'fail' | 'none' | null,
        createdAt: r.created_at.toISOString(),
      }));
    },
    async listOutbound(auth: Auth, transport: 'dev' | null, limit: number): Promise<EmailOutboundItem[]> {
      return (await repo.listOutbound(db, auth.workspaceId, transport, limit)).map(toOutbound);
    },
    async outboundDetail(auth: Auth, id: number) {
      const r = await repo.findOutbound(db, auth.workspaceId, id);
      // An empty raw: housekeeping dropped the bytes after RETAIN_SENT_MAIL_DAYS.
      if (!r?.raw.length) throw notFound('Email');
      const p = await parseEmail(toBuffer(r.raw));
      const headers: Record<string, string> = {};
      for (const k of [
        'from',
        'to',
        'cc',
        'reply-to',
        'subject',
        'date',
        'message-id',
        'in-reply-to',
        'references',
        'auto-submitted',
        'dkim-signature',
      ])
        if (p.rawHeaders.has(k)) headers[k] = p.rawHeaders.get(k)!.join(', ');
      return {
        ...toOutbound(r),
        text: p.text,
        html: p.html ? sanitizeMessageHtml(p.html) : null,
        headers,
        attachments: p.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          sizeBytes: a.data.length,
        })),
        rawUrl: `/api/v1/email/outbound/${r.id}/raw`,
      };
    },
    async outboundRaw(auth: Auth, id: number) {
      const r = await repo.findOutbound(db, auth.workspaceId, id);
      // An empty raw: housekeeping dropped the bytes after RETAIN_SENT_MAIL_DAYS.
      if (!r?.raw.length) throw notFound('Email');
      return { raw: toBuffer(r.raw), filename: `email-${r.id}.eml` };
    },
    /** The original of a ticket message as an .eml file (what the customer sent, or what we sent). */
    async messageRaw(auth: Auth, messageId: number) {
      const raw = await repo.rawOfMessage(db, auth.workspaceId, messageId);
      if (!raw?.length) throw notFound('Original email');
      return { raw: toBuffer(raw), filename: `message-${messageId}.eml` };
    },
    async inboundRaw(auth: Auth, eventId: number) {
      const r = await repo.rawOfInboundEvent(db, auth.workspaceId, eventId);
      if (!r) throw notFound('Inbound email');
      return { raw: toBuffer(r.payload), filename: `inbound-${eventId}.eml` };
    },
    inline: (auth: Auth, sha: string) => tickets.attachmentBySha(auth, sha),
  };
}

function toOutbound(r: repo.OutboundRow): EmailOutboundItem {
  return {
    id: r.id,
    inboxId: r.inbox_id,
    ticketId: r.ticket_id,
    messageId: r.message_id,
    kind: r.kind as EmailOutboundItem['kind'],
    messageIdHeader: r.message_id_header,
    from: r.from_address,
    to: r.to_addresses,
    subject: r.subject,
    transport: r.transport as EmailOutboundItem['transport'],
    relayResponse: r.relay_response,
    createdAt: r.created_at.toISOString(),
  };
}
