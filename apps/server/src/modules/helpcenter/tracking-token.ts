import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed order-tracking links (`/help/<slug>/track-link/<token>`, or `/track-link/<token>` on the shop's
 * own domain; sent as `{{order.tracking_page_url}}`, see tracking-link.ts): whoever holds the link sees
 * that one order, nobody can forge one for another order, and it expires.
 */
const sign = (secret: string, payload: string) =>
  createHmac('sha256', `${secret}:order-tracking`).update(payload).digest('base64url').slice(0, 32);

export function signTrackingToken(
  secret: string,
  workspaceId: number,
  orderId: number,
  ttlDays = 120,
  now = Date.now(),
) {
  const exp = Math.floor(now / 1000) + ttlDays * 86400;
  const payload = `${workspaceId.toString(36)}.${orderId.toString(36)}.${exp.toString(36)}`;
  return `${payload}.${sign(secret, payload)}`;
}

export function verifyTrackingToken(secret: string, token: string, now = Date.now()) {
  const m = token.match(/^([0-9a-z]{1,13})\.([0-9a-z]{1,13})\.([0-9a-z]{1,10})\.([\w-]{32})$/);
  if (!m) return null;
  const payload = `${m[1]}.${m[2]}.${m[3]}`;
  const want = Buffer.from(sign(secret, payload));
  const got = Buffer.from(m[4]!);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  if (Number.parseInt(m[3]!, 36) * 1000 < now) return null;
  return { workspaceId: Number.parseInt(m[1]!, 36), orderId: Number.parseInt(m[2]!, 36) };
}
