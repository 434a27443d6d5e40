import { createHmac } from 'node:crypto';
import { safeEqual } from '../../platform/security/crypto.ts';

/** What a visitor token proves: this browser is visitor `v` of workspace `w`. */
export interface VisitorClaims {
  w: number;
  v: string;
  /** Issued at, seconds since epoch. */
  iat: number;
  /**
   * Issued to a page that called identify() with a valid hash: the visitor is a signed-in shopper.
   * Such a token lives only as long as VERIFIED_TOKEN_TTL_SECONDS; every identified page load gets a
   * fresh one, so a shopper who signed out of the shop does not stay signed in to the chat.
   */
  id?: 1;
}

/** Tokens outlive page loads and tabs (chat history), but not forever. */
export const VISITOR_TOKEN_TTL_SECONDS = 180 * 24 * 3600;
export const VERIFIED_TOKEN_TTL_SECONDS = 24 * 3600;

/**
 * Per-workspace signing key: the server secret alone never signs a token, so a token of one workspace
 * cannot be replayed against another, and replacing a workspace's salt signs all its visitors out.
 */
export const visitorTokenKey = (serverSecret: string | Buffer, workspaceId: number, salt: string) =>
  createHmac('sha256', serverSecret).update(`chat-visitor-token:${workspaceId}:${salt}`).digest();

export function signVisitorToken(key: Buffer, claims: VisitorClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

/** Decodes without verifying, to learn which workspace's key to verify with. */
export function peekVisitorToken(token: string): VisitorClaims | null {
  const [body] = token.split('.');
  try {
    const c = JSON.parse(Buffer.from(body ?? '', 'base64url').toString('utf8')) as VisitorClaims;
    return Number.isInteger(c.w) && typeof c.v === 'string' && Number.isInteger(c.iat) ? c : null;
  } catch {
    return null;
  }
}

/** Verifies with any of `keys` (the current key first; older ones while a key rotation is under way). */
export function verifyVisitorToken(
  keys: Buffer | Buffer[],
  token: string,
  now = Date.now(),
): VisitorClaims | null {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return null;
  const ring = Array.isArray(keys) ? keys : [keys];
  if (!ring.some((key) => safeEqual(sig, createHmac('sha256', key).update(body).digest('base64url'))))
    return null;
  const claims = peekVisitorToken(token);
  if (!claims) return null;
  const ttl = claims.id === 1 ? VERIFIED_TOKEN_TTL_SECONDS : VISITOR_TOKEN_TTL_SECONDS;
  if (claims.iat * 1000 + ttl * 1000 < now) return null;
  return claims;
}
