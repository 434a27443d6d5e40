import { createHmac } from 'node:crypto';
import { safeEqual } from '../../platform/security/crypto.ts';

/**
 * X-Hub-Signature-256 as Meta documents it (Graph API webhooks, "validate payloads"): `sha256=` + lowercase
 * hex HMAC-SHA256 of the raw request body keyed with the app secret. Meta escapes non-ASCII characters as
 * \uXXXX in the body it signs, so only the bytes as received verify, never a re-serialised parse.
 */
export const metaSignature = (appSecret: string, body: Buffer | string) =>
  `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;

export function validMetaSignature(appSecret: string, header: string | undefined, body: Buffer): boolean {
  if (!header?.startsWith('sha256=')) return false;
  return safeEqual(metaSignature(appSecret, body), header.trim().toLowerCase());
}
