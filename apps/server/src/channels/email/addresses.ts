import { createHmac } from 'node:crypto';
import { safeEqual } from '../../platform/security/crypto.ts';
import type { KeyRing } from '../../platform/security/keys.ts';

/** `<id@host>` with the angle brackets, or null when the value holds no usable id. */
export function normalizeMessageId(v: string): string | null {
  const m = /<([^<>\s]+)>/.exec(v) ?? /^\s*([^<>\s@]+@[^<>\s]+)\s*$/.exec(v);
  return m ? `<${m[1]}>` : null;
}

/** All `<…>` ids in a References / In-Reply-To value, in order, without duplicates. */
export function splitMessageIds(v: string): string[] {
  const ids = [...v.matchAll(/<([^<>\s]+)>/g)].map((m) => `<${m[1]}>`);
  if (!ids.length) {
    const one = normalizeMessageId(v);
    if (one) ids.push(one);
  }
  return [...new Set(ids)];
}

export function splitAddress(address: string): { local: string; tag: string | null; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  const localFull = address.slice(0, at).toLowerCase();
  const plus = localFull.indexOf('+');
  return {
    local: plus >= 0 ? localFull.slice(0, plus) : localFull,
    tag: plus >= 0 ? localFull.slice(plus + 1) : null,
    domain: address.slice(at + 1).toLowerCase(),
  };
}

/** support+anything@shop.com → support@shop.com: the address an inbox is registered under. */
export function baseAddress(address: string): string | null {
  const p = splitAddress(address.trim().replace(/^<|>$/g, ''));
  return p ? `${p.local}@${p.domain}` : null;
}

// Tags sent before key ids existed: 10 hex characters of an HMAC keyed by the master key itself.
const legacyTokenOf = (secret: string, workspaceId: number, ticketId: number) =>
  createHmac('sha256', secret).update(`email-reply:${workspaceId}:${ticketId}`).digest('hex').slice(0, 10);
const TAG_HEX = 10;

/**
 * The Reply-To of our replies: support+t1234-<keyid><mac>@shop.com. The MAC means a reply to this address
 * threads into ticket 1234 whoever sends it (forwarded, other alias) while a guessed tag does not. The
 * key id keeps replies to mail sent before a master-key rotation threading while the old key is in the ring.
 */
export function replyAddress(inboxAddress: string, keys: KeyRing, workspaceId: number, ticketId: number) {
  const p = splitAddress(inboxAddress);
  if (!p) return inboxAddress;
  return `${p.local}+t${ticketId}-${keys.sign('reply-tags', `${workspaceId}:${ticketId}`, TAG_HEX)}@${p.domain}`;
}

/** The ticket id carried by a verified sub-address tag, or null. */
export function ticketFromTag(tag: string | null, keys: KeyRing, workspaceId: number): number | null {
  const m = tag ? /^t(\d{1,15})-([0-9a-f]{10}|[0-9a-f]{14})$/.exec(tag) : null;
  if (!m) return null;
  const id = Number(m[1]);
  const mac = m[2]!;
  const ok =
    mac.length === TAG_HEX
      ? keys.legacyMasters().some((s) => safeEqual(legacyTokenOf(s, workspaceId, id), mac))
      : keys.verify('reply-tags', `${workspaceId}:${id}`, mac, TAG_HEX);
  return ok ? id : null;
}

/** `[#1234]` anywhere in the subject (the last one wins: forwarded subjects keep older refs first). */
export function ticketFromSubject(subject: string): number | null {
  const all = [...subject.matchAll(/\[#(\d{1,15})\]/g)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : null;
}

/** Subject of our outgoing mail: `Re: <subject> [#id]`, without stacking prefixes or refs. */
export function replySubject(subject: string, ticketId: number): string {
  const clean = subject
    .replace(/\[#\d+\]/g, '')
    .replace(/^\s*((re|fwd?|aw|sv|antw)\s*:\s*)+/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  return `Re: ${clean || '(no subject)'} [#${ticketId}]`;
}

/** Mailboxes that never get an automatic answer (RFC 3834 §2 and common practice). */
export function isNoReplyAddress(address: string): boolean {
  const local = address.split('@')[0]?.toLowerCase() ?? '';
  return /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|listserv|majordomo|owner-.*|.*-(request|owner|bounces?))$/.test(
    local,
  );
}
