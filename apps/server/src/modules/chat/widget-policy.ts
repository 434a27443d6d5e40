import { createHmac } from 'node:crypto';
import type { WidgetIdentity } from '@shopdesk/contracts';
import { safeEqual } from '../../platform/security/crypto.ts';

/**
 * Whether a page origin may use the widget. An empty allow-list admits every site; the Shopdesk
 * server's own pages (demo shop) are always allowed.
 */
export function originAllowed(origin: string | null, allowed: string[], ownHosts: string[]): boolean {
  if (origin === null) return allowed.length === 0;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (ownHosts.includes(url.host)) return true;
  if (allowed.length === 0) return true;
  const o = `${url.protocol}//${url.host}`.toLowerCase();
  return allowed.some((a) => {
    if (a === o) return true;
    const m = /^(https?:\/\/)\*\.(.+)$/.exec(a);
    return !!m && o.startsWith(m[1]!) && o.slice(m[1]!.length).endsWith(`.${m[2]}`);
  });
}

/** The page origin of a request: Origin, or the Referer's origin (same-origin GETs send no Origin). */
export function requestOrigin(headers: { origin?: string; referer?: string }): string | null {
  if (headers.origin && headers.origin !== 'null') return headers.origin;
  if (headers.referer) {
    try {
      return new URL(headers.referer).origin;
    } catch {
      return null;
    }
  }
  return null;
}

/** What a shop's backend signs: the e-mail (lower-cased), prefixed by its own user id when it sends one. */
export const identityPayload = (i: Pick<WidgetIdentity, 'email' | 'userId'>) =>
  i.userId ? `${i.userId}:${i.email.trim().toLowerCase()}` : i.email.trim().toLowerCase();

export const identityHash = (secret: string, i: Pick<WidgetIdentity, 'email' | 'userId'>) =>
  createHmac('sha256', secret).update(identityPayload(i)).digest('hex');

export const identityValid = (secret: string, i: WidgetIdentity) =>
  safeEqual(identityHash(secret, i), i.hash.toLowerCase());

/** Magic numbers of the allowed upload types: the declared type must match the bytes. */
export function sniffMatches(contentType: string, data: Buffer): boolean {
  const starts = (...b: number[]) => b.every((x, i) => data[i] === x);
  switch (contentType) {
    case 'image/png':
      return starts(0x89, 0x50, 0x4e, 0x47);
    case 'image/jpeg':
      return starts(0xff, 0xd8, 0xff);
    case 'image/gif':
      return starts(0x47, 0x49, 0x46, 0x38);
    case 'image/webp':
      return starts(0x52, 0x49, 0x46, 0x46) && data.subarray(8, 12).toString('latin1') === 'WEBP';
    case 'application/pdf':
      return starts(0x25, 0x50, 0x44, 0x46);
    case 'text/plain':
      return !data.subarray(0, 4096).includes(0);
    default:
      return false;
  }
}
