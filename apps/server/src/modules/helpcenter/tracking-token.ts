import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from '../../platform/security/keys.ts';
import { signShopperLink, verifyShopperLink } from './shopper-links.ts';

/**
 * Signed order-tracking links (`/help/<slug>/track-link/<token>`, or `/track-link/<token>` on the shop's
 * own domain; sent as `{{order.tracking_page_url}}`, see tracking-link.ts): whoever holds the link sees
 * that one order, nobody can forge one for another order, and it expires. New links are shopper links
 * (shopper-links.ts) with purpose `tracking` and subject `order`; the two formats before them still
 * open until they expire (120 days), so nothing already mailed breaks.
 */
const OLD_SIG_HEX = 32;
// Links sent before key ids existed: 32 base64url characters keyed by the master key itself.
const legacySign = (secret: string, payload: string) =>
  createHmac('sha256', `${secret}:order-tracking`).update(payload).digest('base64url').slice(0, 32);

export function signTrackingToken(
  keys: KeyRing,
  workspaceId: number,
  orderId: number,
  ttlDays = 120,
  now = Date.now(),
) {
  return signShopperLink(
    keys,
    { purpose: 'tracking', workspaceId, subject: { type: 'order', id: orderId }, ttlDays },
    now,
  );
}

export function verifyTrackingToken(keys: KeyRing, token: string, now = Date.now()) {
  const link = verifyShopperLink(keys, token, 'tracking', now);
  if (link)
    return link.subject.type === 'order' ? { workspaceId: link.workspaceId, orderId: link.subject.id } : null;
  // `ws.order.exp.sig`: the format before shopper links (key id + 32 hex) and before key ids (base64url).
  const m = token.match(/^([0-9a-z]{1,13})\.([0-9a-z]{1,13})\.([0-9a-z]{1,10})\.([\w-]{32}|[0-9a-f]{36})$/);
  if (!m) return null;
  const payload = `${m[1]}.${m[2]}.${m[3]}`;
  const sig = m[4]!;
  const ok =
    sig.length === 32
      ? keys.legacyMasters().some((s) => {
          const want = Buffer.from(legacySign(s, payload));
          return timingSafeEqual(want, Buffer.from(sig));
        })
      : keys.verify('shopper-links', payload, sig, OLD_SIG_HEX);
  if (!ok) return null;
  if (Number.parseInt(m[3]!, 36) * 1000 < now) return null;
  return { workspaceId: Number.parseInt(m[1]!, 36), orderId: Number.parseInt(m[2]!, 36) };
}
