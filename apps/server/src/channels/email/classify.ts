import type { Attachment } from 'mailparser';
import { isNoReplyAddress, splitMessageIds } from './addresses.ts';
import type { BounceInfo, ParsedEmail } from './email-types.ts';

type Parsed = Pick<
  ParsedEmail,
  'messageId' | 'subject' | 'from' | 'inReplyTo' | 'references' | 'text' | 'rawHeaders'
>;

const header = (p: Parsed, name: string) => p.rawHeaders.get(name)?.[0]?.trim() ?? null;

const AUTO_REPLY_SUBJECT =
  /^\s*(auto(matic)?[\s_-]*(reply|response|antwort|respons)|autorespons|out[\s-]+of[\s-]+(the[\s-]+)?office|ooo\b|abwesenheit|r[ée]ponse automatique|risposta automatica|respuesta autom[áa]tica|vacation|away from|i am away|i'm away|on holiday|absence)/i;

/**
 * An auto-response to somebody's mail (vacation, out of office), known by its headers. These never open
 * tickets, and the `automatic` reasons below never get our auto-acknowledgement: that is what stops
 * mail loops. A subject alone is not enough to drop a message ("On holiday next week – can you ship
 * earlier?" is a customer): see `autoReplySubject`.
 */
export function isAutoReply(p: Parsed): string | null {
  const autoSubmitted = header(p, 'auto-submitted')?.toLowerCase();
  if (autoSubmitted?.startsWith('auto-replied')) return `Auto-Submitted: ${autoSubmitted}`;
  if (p.rawHeaders.has('x-autoreply')) return 'X-Autoreply header';
  if (p.rawHeaders.has('x-autorespond')) return 'X-Autorespond header';
  if (/^auto_reply$/i.test(header(p, 'precedence') ?? '')) return 'Precedence: auto_reply';
  return null;
}

/** A subject that reads like an out-of-office reply: the mail still becomes a ticket, but unacknowledged. */
export function autoReplySubject(p: Pick<Parsed, 'subject'>): string | null {
  return AUTO_REPLY_SUBJECT.test(p.subject)
    ? `possibly automatic: out-of-office subject "${p.subject.slice(0, 60)}"`
    : null;
}

/**
 * Mass-sent mail (newsletters, list mail, notifications from systems): it still becomes a ticket, is
 * never acknowledged, and is tagged `bulk` so the inbox can filter it out or in.
 */
export function isBulk(p: Pick<Parsed, 'rawHeaders'>): string | null {
  const precedence = p.rawHeaders.get('precedence')?.[0]?.trim().toLowerCase();
  if (precedence && /^(bulk|junk|list)$/.test(precedence)) return `Precedence: ${precedence}`;
  if (p.rawHeaders.has('list-id')) return 'List-Id';
  if (p.rawHeaders.has('list-unsubscribe')) return 'List-Unsubscribe';
  const autoSubmitted = p.rawHeaders.get('auto-submitted')?.[0]?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  return null;
}

/** Any sign that a machine wrote or mass-sent this message; such mail is never auto-acknowledged. */
export function classifyAutomatic(p: Parsed & Pick<ParsedEmail, 'bounce' | 'receiptFor'>): string | null {
  if (p.bounce) return 'delivery status notification';
  if (p.receiptFor) return 'read receipt';
  const reply = isAutoReply(p);
  if (reply) return reply;
  const autoSubmitted = header(p, 'auto-submitted')?.toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = header(p, 'precedence')?.toLowerCase();
  if (precedence && /^(bulk|junk|list)$/.test(precedence)) return `Precedence: ${precedence}`;
  if (p.rawHeaders.has('list-id') || p.rawHeaders.has('list-unsubscribe')) return 'mailing list';
  // The sender asks not to be auto-answered (Exchange sets this on its own automatic mail).
  const suppress = header(p, 'x-auto-response-suppress');
  if (suppress && /\b(all|oof|autoreply)\b/i.test(suppress)) return `X-Auto-Response-Suppress: ${suppress}`;
  const returnPath = p.rawHeaders.get('return-path');
  if (returnPath?.some((v) => /^<?\s*>?$/.test(v.trim()))) return 'empty Return-Path';
  if (p.from && isNoReplyAddress(p.from.address)) return `sender ${p.from.address}`;
  return autoReplySubject(p);
}

const partText = (a: Attachment) => a.content.toString('utf8');

function field(text: string, name: string): string[] {
  const re = new RegExp(`^${name}:\\s*(.+(?:\\r?\\n[ \\t].+)*)`, 'gim');
  return [...text.matchAll(re)].map((m) => m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim());
}

function originalIdsFrom(parts: Attachment[], p: Parsed): string[] {
  const ids: string[] = [];
  for (const a of parts) {
    if (
      /^(message\/rfc822|text\/rfc822-headers|message\/global|message\/global-headers)$/i.test(a.contentType)
    ) {
      const head = partText(a).split(/\r?\n\r?\n/)[0] ?? '';
      for (const v of field(head, 'message-id')) ids.push(...splitMessageIds(v));
    }
  }
  // Bounces without a returned copy: the original's headers are often quoted in the body.
  for (const v of field(p.text, 'message-id')) ids.push(...splitMessageIds(v));
  ids.push(...p.inReplyTo, ...p.references);
  return [...new Set(ids)].filter((id) => id !== p.messageId);
}

const BOUNCE_SUBJECT =
  /(undeliver|delivery status notification|returned mail|mail delivery fail|delivery failure|failure notice|undelivered mail|could not be delivered|non[- ]?delivery)/i;

export function findBounce(contentType: string, parts: Attachment[], p: Parsed): BounceInfo | null {
  const isReport =
    /multipart\/report/.test(contentType) && /report-type\s*=\s*"?delivery-status/.test(contentType);
  const fromDaemon = p.from ? /^(mailer-daemon|postmaster)@/i.test(p.from.address) : !p.from;
  if (!isReport && !(fromDaemon && BOUNCE_SUBJECT.test(p.subject))) return null;
  const status = parts.find((a) => /^message\/(global-)?delivery-status$/i.test(a.contentType));
  const statusText = status ? partText(status) : isReport ? p.text : '';
  const actions = field(statusText, 'action').map((a) => a.toLowerCase());
  // "delayed" reports are warnings: the relay is still trying, nothing failed yet.
  if (actions.length && actions.every((a) => a !== 'failed')) return null;
  const recipients = field(statusText, 'final-recipient')
    .concat(field(statusText, 'original-recipient'))
    .map((v) => v.replace(/^[a-z0-9-]+;\s*/i, '').toLowerCase());
  return {
    originalMessageIds: originalIdsFrom(parts, p),
    recipients: [...new Set(recipients)],
    status: field(statusText, 'status')[0] ?? null,
    diagnostic:
      field(statusText, 'diagnostic-code')[0]?.replace(/^smtp;\s*/i, '') ??
      p.text
        .trim()
        .split(/\r?\n/)
        .find((l) => /\b5\d\d\b|\b5\.\d\.\d\b/.test(l))
        ?.trim() ??
      null,
  };
}

export function findReadReceipt(contentType: string, parts: Attachment[], p: Parsed): string[] | null {
  if (!/multipart\/report/.test(contentType) || !/disposition-notification/.test(contentType)) return null;
  const mdn = parts.find((a) => /^message\/disposition-notification$/i.test(a.contentType));
  const ids = mdn ? field(partText(mdn), 'original-message-id').flatMap(splitMessageIds) : [];
  return [...new Set([...ids, ...originalIdsFrom(parts, p)])];
}
