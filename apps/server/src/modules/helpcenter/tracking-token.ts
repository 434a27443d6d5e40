import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from '../../platform/security/keys.ts';

/**
 * Signed order-tracking links (`/help/<slug>/track-link/<token>`, or `/track-link/<token>` on the shop's
 * own domain; sent as `{{order.tracking_page_url}}`, see tracking-link.ts): whoever holds the link sees
 * that one order, nobody can forge one for another order, and it expires. The signature starts with
 * the id of the key that made it (the shopper-links key of the key ring), so links sent before a
 * master-key rotation still open while the old key is in the ring.
 */
const SIG_HEX = 32;
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
  const exp = Math.floor(now / 1000) + ttlDays * 86400;
  const payload = `${workspaceId.toString(36)}.${orderId.toString(36)}.${exp.toString(36)}`;
  return `${payload}.${keys.sign('shopper-links', payload, SIG_HEX)}`;
}

export function verifyTrackingToken(keys: KeyRing, token: string, now = Date.now()) {
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
      : keys.verify('shopper-links', payload, sig, SIG_HEX);
  if (!ok) return null;
  if (Number.parseInt(m[3]!, 36) * 1000 < now) return null;
  return { workspaceId: Number.parseInt(m[1]!, 36), orderId: Number.parseInt(m[2]!, 36) };
}
