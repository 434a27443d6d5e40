import { createHash } from 'node:crypto';
import { type AddressObject, type Attachment, type HeaderValue, simpleParser } from 'mailparser';
import { normalizeMessageId, splitMessageIds } from './addresses.ts';
import type { EmailAddress, ParsedAttachment, ParsedEmail } from './email-types.ts';

export type { BounceInfo, EmailAddress, ParsedAttachment, ParsedEmail } from './email-types.ts';

import { classifyAutomatic, findBounce, findReadReceipt } from './classify.ts';

/**
 * NUL (U+0000) is legal once MIME is decoded (quoted-printable =00, base64, encoded words) but
 * PostgreSQL refuses it in text: it is removed from every string the inbox keeps, so such mail still
 * becomes a ticket instead of failing processing on every retry.
 */
export const stripNul = (s: string) => (s.includes('\0') ? s.replaceAll('\0', '') : s);

const addressList = (v: AddressObject | AddressObject[] | undefined): EmailAddress[] =>
  (Array.isArray(v) ? v : v ? [v] : [])
    .flatMap((o) => flattenGroups(o.value))
    .filter((a) => a.address && /^[^@\s]+@[^@\s]+$/.test(a.address))
    .map((a) => ({
      address: stripNul(a.address!.toLowerCase()),
      name: stripNul(a.name ?? '').trim() || null,
    }));

function flattenGroups(
  list: { address?: string; name?: string; group?: { address?: string; name?: string }[] }[],
): { address?: string; name?: string }[] {
  return list.flatMap((a) => (a.group ? a.group : [a]));
}

/** Unfolded raw header lines of the top-level header block (mailparser decodes too eagerly for some rules). */
export function readRawHeaders(raw: Buffer): Map<string, string[]> {
  let end = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (end < 0 || (lf >= 0 && lf < end)) end = lf;
  const block = raw.subarray(0, end < 0 ? Math.min(raw.length, 256 * 1024) : end).toString('latin1');
  // Header lines are split on real line ends only; a NUL inside a value is dropped with the value's.
  const out = new Map<string, string[]>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    out.set(key, [...(out.get(key) ?? []), stripNul(m[2]!.trim())]);
  }
  return out;
}

function headerText(v: HeaderValue | undefined): string {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => headerText(x as HeaderValue)).join(' ');
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && 'value' in v) return String((v as { value: unknown }).value);
  return '';
}

/**
 * Old clients send 8-bit text with no charset at all; mailparser then decodes it as UTF-8 and the
 * accents turn into U+FFFD. Such mail is almost always Windows-1252, which is a superset of Latin-1.
 */
function recoverUndeclaredCharset(raw: Buffer, text: string, headers: Map<string, string[]>): string {
  if (!text.includes('\uFFFD')) return text;
  const ct = headers.get('content-type')?.[0] ?? '';
  if (/charset\s*=/i.test(ct) || /multipart\//i.test(ct)) return text;
  const cte = (headers.get('content-transfer-encoding')?.[0] ?? '').toLowerCase();
  if (cte.includes('base64') || cte.includes('quoted')) return text;
  let start = raw.indexOf('\r\n\r\n');
  start = start >= 0 ? start + 4 : raw.indexOf('\n\n') + 2;
  if (start < 2) return text;
  return new TextDecoder('windows-1252').decode(raw.subarray(start)).replace(/\r\n/g, '\n');
}

function toAttachment(a: Attachment, index: number): ParsedAttachment {
  const ext = a.contentType === 'message/rfc822' ? '.eml' : '';
  return {
    filename: (stripNul(a.filename ?? '').trim() || `attachment-${index + 1}${ext || ''}`).slice(0, 255),
    contentType: stripNul(a.contentType || '') || 'application/octet-stream',
    data: a.content,
    contentId: a.cid ? stripNul(a.cid) : null,
    inline: Boolean(a.related && a.cid),
  };
}

/** Parses raw MIME into what the inbox needs; never throws for malformed mail (a parse error still yields headers). */
export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  const rawHeaders = readRawHeaders(raw);
  const m = await simpleParser(raw, {
    skipTextToHtml: true,
    skipImageLinks: true,
    keepCidLinks: true,
    maxHtmlLengthToParse: 2 * 1024 * 1024,
  });
  const headerMessageId = normalizeMessageId(
    stripNul(m.messageId ?? rawHeaders.get('message-id')?.[0] ?? ''),
  );
  const messageId =
    headerMessageId ?? `<sha256.${createHash('sha256').update(raw).digest('hex')}@shopdesk.invalid>`;
  const from = addressList(m.from)[0] ?? null;
  const reportParts = m.attachments.filter((a) =>
    /^(message\/(delivery-status|disposition-notification|rfc822|global|global-headers)|text\/rfc822-headers)$/i.test(
      a.contentType,
    ),
  );
  const text = stripNul(recoverUndeclaredCharset(raw, m.text ?? '', rawHeaders));
  const parsed: ParsedEmail = {
    messageId,
    hasMessageId: headerMessageId !== null,
    inReplyTo: splitMessageIds(stripNul(headerText(m.headers.get('in-reply-to')))),
    references: splitMessageIds(
      stripNul(Array.isArray(m.references) ? m.references.join(' ') : (m.references ?? '')),
    ),
    subject: stripNul(m.subject ?? '')
      .replace(/\s+/g, ' ')
      .trim(),
    from,
    replyTo: addressList(m.replyTo)[0] ?? null,
    to: addressList(m.to),
    cc: addressList(m.cc),
    date: m.date && !Number.isNaN(m.date.getTime()) ? m.date : null,
    text,
    html: typeof m.html === 'string' && m.html.trim() ? stripNul(m.html) : null,
    attachments: [],
    automatic: null,
    bounce: null,
    receiptFor: null,
    rawHeaders,
  };
  const contentType = (rawHeaders.get('content-type')?.[0] ?? '').toLowerCase();
  parsed.receiptFor = findReadReceipt(contentType, reportParts, parsed);
  parsed.bounce = parsed.receiptFor ? null : findBounce(contentType, reportParts, parsed);
  if (parsed.bounce) {
    const b = parsed.bounce;
    b.originalMessageIds = b.originalMessageIds.map(stripNul);
    b.recipients = b.recipients.map(stripNul);
    b.status = b.status && stripNul(b.status);
    b.diagnostic = b.diagnostic && stripNul(b.diagnostic);
  }
  if (parsed.receiptFor) parsed.receiptFor = parsed.receiptFor.map(stripNul);
  parsed.automatic = classifyAutomatic(parsed);
  // Report parts of a bounce or receipt are evidence, not customer attachments.
  const keep = parsed.bounce || parsed.receiptFor ? [] : m.attachments;
  parsed.attachments = keep.map(toAttachment);
  return parsed;
}
