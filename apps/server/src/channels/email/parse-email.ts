import { createHash } from 'node:crypto';
import { type AddressObject, type Attachment, type HeaderValue, simpleParser } from 'mailparser';
import { normalizeMessageId, splitMessageIds } from './addresses.ts';
import type { EmailAddress, ForwardedMessage, ParsedAttachment, ParsedEmail } from './email-types.ts';
import { repairBoundaries } from './mime-repair.ts';

export type {
  BounceInfo,
  EmailAddress,
  ForwardedMessage,
  ParsedAttachment,
  ParsedEmail,
} from './email-types.ts';

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
    const m = /^([!-9;-~]+):(.*)$/.exec(line);
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

/**
 * The name an attachment is stored and shown under: the last path part only (`../../x` and
 * `C:\\evil\\x` are `x`), never `.`/`..`, without control characters.
 */
export function baseFilename(name: string | undefined): string {
  const last = stripNul(name ?? '')
    .split(/[/\\]/)
    .pop()!
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return /^\.*$/.test(last) ? '' : last;
}

function toAttachment(a: Attachment, index: number): ParsedAttachment {
  const ext = a.contentType === 'message/rfc822' ? '.eml' : '';
  return {
    filename: (baseFilename(a.filename) || `attachment-${index + 1}${ext || ''}`).slice(0, 255),
    contentType: stripNul(a.contentType || '') || 'application/octet-stream',
    data: a.content,
    contentId: a.cid ? stripNul(a.cid) : null,
    inline: Boolean(a.related && a.cid),
  };
}

const PARSE_OPTIONS = {
  skipTextToHtml: true,
  skipImageLinks: true,
  keepCidLinks: true,
  maxHtmlLengthToParse: 2 * 1024 * 1024,
} as const;

const isMessagePart = (a: Attachment) => /^message\/(rfc822|global)$/i.test(a.contentType);
/** Forwarded messages are read this deep (a forward of a forward of a forward …) and this many per level. */
const FORWARD_DEPTH = 5;
const FORWARD_PER_LEVEL = 10;
const FORWARD_TEXT_MAX = 100_000;

/** Reads attached messages (message/rfc822) for display; a part that cannot be parsed is left out. */
async function readForwarded(parts: Attachment[], depth: number): Promise<ForwardedMessage[]> {
  if (depth > FORWARD_DEPTH) return [];
  const out: ForwardedMessage[] = [];
  for (const a of parts.filter(isMessagePart).slice(0, FORWARD_PER_LEVEL)) {
    const m = await simpleParser(a.content, PARSE_OPTIONS).catch(() => null);
    if (!m) continue;
    out.push({
      from: addressList(m.from)[0] ?? null,
      to: addressList(m.to).map((x) => x.address),
      cc: addressList(m.cc).map((x) => x.address),
      date: m.date && !Number.isNaN(m.date.getTime()) ? m.date.toISOString() : null,
      subject: stripNul(m.subject ?? '')
        .replace(/\s+/g, ' ')
        .trim(),
      text: stripNul(m.text ?? '').slice(0, FORWARD_TEXT_MAX),
      html: typeof m.html === 'string' && m.html.trim() ? stripNul(m.html) : null,
      attachments: m.attachments
        .filter((x) => !isMessagePart(x))
        .map((x, i) => ({
          filename: (baseFilename(x.filename) || `attachment-${i + 1}`).slice(0, 255),
          contentType: stripNul(x.contentType || '') || 'application/octet-stream',
          sizeBytes: x.size ?? x.content.length,
        })),
      forwarded: await readForwarded(m.attachments, depth + 1),
    });
  }
  return out;
}

/** Raw MIME lines (a delimiter and a part header) in decoded text: a part the parser could not split. */
const RAW_MIME_IN_TEXT = /^--[^\s]{1,200}[ \t]*\r?\n[Cc]ontent-[\w-]+:/m;

/** Parses raw MIME into what the inbox needs; never throws for malformed mail (a parse error still yields headers). */
export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  const rawHeaders = readRawHeaders(raw);
  let m = await simpleParser(raw, PARSE_OPTIONS);
  let problems: string[] = [];
  // A multipart whose boundary is broken reads as nothing (or as raw MIME lines): re-read it with the
  // delimiters the message really uses, and say so on the message.
  const topType = rawHeaders.get('content-type')?.[0] ?? '';
  const unread = !m.text?.trim() && !(typeof m.html === 'string' && m.html.trim());
  const rawInText = RAW_MIME_IN_TEXT.test(m.text ?? '');
  if ((/^\s*multipart\//i.test(topType) && unread) || rawInText) {
    const fix = repairBoundaries(raw);
    if (fix) {
      problems = fix.problems;
      if (fix.raw !== raw) m = await simpleParser(fix.raw, PARSE_OPTIONS);
    }
    if (RAW_MIME_IN_TEXT.test(m.text ?? '') && !problems.length)
      problems.push(
        'Part of this message is raw MIME that could not be split into its parts (a broken part).',
      );
  }
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
    forwarded: [],
    problems,
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
  parsed.forwarded = await readForwarded(keep, 1);
  return parsed;
}
