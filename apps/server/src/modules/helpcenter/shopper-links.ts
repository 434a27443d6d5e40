import type { KeyRing } from '../../platform/security/keys.ts';

/**
 * Shopper links: the one token format for every page a shopper opens from a message without signing
 * in — order tracking, returns, survey answers, notice options (docs/shared-services.md). A token is
 *
 *   `<purpose>.<subject type>.<workspace>.<subject id>.<expiry>.<signature>`
 *
 * (numbers in base 36, expiry in Unix seconds) signed with the key ring's `shopper-links` purpose key;
 * the signature starts with the id of the key that made it, so links sent before a master-key rotation
 * still open while the old key is in the ring. The purpose and the subject are inside the signed text:
 * a return link can never open a survey, nor an order link another order. Verification happens here
 * and only here (the help center's `/l/<token>` route and the tracking page call it).
 */
export type ShopperLinkPurpose = 'tracking' | 'return' | 'survey' | 'notice-options' | (string & {});
export type ShopperLinkSubjectType = 'order' | 'return' | 'survey' | 'ticket' | 'contact' | (string & {});

export interface ShopperLinkClaims {
  purpose: ShopperLinkPurpose;
  workspaceId: number;
  subject: { type: ShopperLinkSubjectType; id: number };
  expiresAt: Date;
  /** Id of the master key that signed the link (rotation: which key it needs). */
  keyId: string;
}

export interface ShopperLinkRequest {
  purpose: ShopperLinkPurpose;
  workspaceId: number;
  subject: { type: ShopperLinkSubjectType; id: number };
  /** Lifetime in days (default 120), or an explicit expiry. */
  ttlDays?: number;
  expiresAt?: Date;
}

/** 128 bits of HMAC after the 4-character key id. */
const SIG_HEX = 32;
const NAME = /^[a-z][a-z-]{0,23}$/;
const TOKEN =
  /^([a-z][a-z-]{0,23})\.([a-z][a-z-]{0,23})\.([0-9a-z]{1,13})\.([0-9a-z]{1,13})\.([0-9a-z]{1,10})\.([0-9a-f]{36})$/;
export const DEFAULT_SHOPPER_LINK_DAYS = 120;

// Domain-separated from every other use of the purpose key (the old tracking format signed `ws.id.exp`).
const signed = (p: string, t: string, ws: string, id: string, exp: string) =>
  `shopper-link/v1|${p}|${t}|${ws}|${id}|${exp}`;

export function signShopperLink(keys: KeyRing, r: ShopperLinkRequest, now = Date.now()): string {
  if (!NAME.test(r.purpose)) throw new Error(`shopper link purpose must match ${NAME}: ${r.purpose}`);
  if (!NAME.test(r.subject.type))
    throw new Error(`shopper link subject must match ${NAME}: ${r.subject.type}`);
  if (!Number.isSafeInteger(r.workspaceId) || r.workspaceId < 0) throw new Error('bad workspace id');
  if (!Number.isSafeInteger(r.subject.id) || r.subject.id < 0) throw new Error('bad subject id');
  const expMs = r.expiresAt
    ? r.expiresAt.getTime()
    : now + (r.ttlDays ?? DEFAULT_SHOPPER_LINK_DAYS) * 86_400_000;
  const exp = Math.floor(expMs / 1000).toString(36);
  const ws = r.workspaceId.toString(36);
  const id = r.subject.id.toString(36);
  const sig = keys.sign('shopper-links', signed(r.purpose, r.subject.type, ws, id, exp), SIG_HEX);
  return `${r.purpose}.${r.subject.type}.${ws}.${id}.${exp}.${sig}`;
}

/**
 * The claims of a valid, unexpired link made for `purpose`; null for anything else (forged, altered,
 * expired, signed by a key no longer in the ring, or made for another purpose). Callers still check
 * the workspace against the page's own.
 */
export function verifyShopperLink(
  keys: KeyRing,
  token: string,
  purpose: ShopperLinkPurpose,
  now = Date.now(),
): ShopperLinkClaims | null {
  const c = readShopperLink(keys, token, now);
  return c && c.purpose === purpose ? c : null;
}

/** Like verifyShopperLink for whatever purpose the link names (the `/l/<token>` route dispatches on it). */
export function readShopperLink(keys: KeyRing, token: string, now = Date.now()): ShopperLinkClaims | null {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const [, p, t, ws, id, exp, sig] = m as unknown as [string, string, string, string, string, string, string];
  if (!keys.verify('shopper-links', signed(p, t, ws, id, exp), sig, SIG_HEX)) return null;
  const expiresAt = new Date(Number.parseInt(exp, 36) * 1000);
  if (expiresAt.getTime() < now) return null;
  return {
    purpose: p,
    workspaceId: Number.parseInt(ws, 36),
    subject: { type: t, id: Number.parseInt(id, 36) },
    expiresAt,
    keyId: sig.slice(0, 4),
  };
}

/** What a page opened from a shopper link gets: the verified claims (this workspace, this purpose). */
export interface ShopperPageInput {
  claims: ShopperLinkClaims;
  method: 'GET' | 'POST';
  /** Form fields of a POST (strings only), query parameters of either. */
  fields: Record<string, string>;
  /** Files of a multipart POST (the page checks their size and bytes). */
  files: { field: string; filename: string; contentType: string; data: Buffer }[];
  query: Record<string, string>;
  /** The page's language (the help center's locale choice). */
  locale: string;
  /** This page's own path on the current host: forms post back to it. */
  path: string;
  clientIp: string;
}

/** An HTML fragment shown inside the help center's layout (escape what you interpolate), or a redirect. */
export type ShopperPageResult = { status?: number; title: string; html: string } | { redirect: string };

export interface ShopperPage {
  purpose: ShopperLinkPurpose;
  render(input: ShopperPageInput): Promise<ShopperPageResult>;
}

/** The shopper-links service other modules get from `installHelpCenter` (docs/shared-services.md). */
export interface ShopperLinks {
  sign(r: ShopperLinkRequest): string;
  /** Claims of a valid link made for `purpose`, else null. */
  verify(token: string, purpose: ShopperLinkPurpose): ShopperLinkClaims | null;
  /** Absolute URL of the link's page: `<help center root>/l/<token>` (the shop's domain when it has one). */
  url(r: ShopperLinkRequest): Promise<string>;
  /** Serve the pages of one purpose at `/l/<token>`; one page per purpose. */
  registerPage(page: ShopperPage): void;
  /** The registered page for a purpose (the portal's router). */
  pageFor(purpose: string): ShopperPage | undefined;
}

export function createShopperLinks(o: {
  keys: KeyRing;
  rootOf: (workspaceId: number) => Promise<string>;
}): ShopperLinks {
  const pages = new Map<string, ShopperPage>();
  const sign = (r: ShopperLinkRequest) => signShopperLink(o.keys, r);
  return {
    sign,
    verify: (token, purpose) => verifyShopperLink(o.keys, token, purpose),
    async url(r) {
      const root = await o.rootOf(r.workspaceId);
      // Tracking links keep their own page (and their older formats) at /track-link/.
      return `${root}/${r.purpose === 'tracking' ? 'track-link' : 'l'}/${sign(r)}`;
    },
    registerPage(page) {
      if (pages.has(page.purpose))
        throw new Error(`a shopper page for "${page.purpose}" is already registered`);
      pages.set(page.purpose, page);
    },
    pageFor: (purpose) => pages.get(purpose),
  };
}
