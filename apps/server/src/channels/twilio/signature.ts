import { createHmac } from 'node:crypto';
import { safeEqual } from '../../platform/security/crypto.ts';

/** Form fields as Twilio posts them; a name may repeat. */
export type TwilioParams = Record<string, string | string[]>;

/**
 * X-Twilio-Signature as Twilio documents it (docs/sms-voice.md): base64 HMAC-SHA1, keyed with the
 * account's auth token, of the full URL followed by every POST field sorted by name, each as name+value
 * (a repeated name contributes each distinct value, sorted). Written here rather than taking the `twilio`
 * package (its validator is these lines, the package brings a REST client with a dozen dependencies).
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const v = params[name]!;
    const values = Array.isArray(v) ? [...new Set(v)].sort() : [v];
    for (const value of values) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * Whether the signature matches the URL as given, or with the default port added or removed: Twilio
 * signs the URL as configured in its console, and a proxy may add or drop ":443" (twilio-node does the same).
 */
export function validTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: TwilioParams,
): boolean {
  if (!signature) return false;
  return urlVariants(url).some((u) => safeEqual(twilioSignature(authToken, u, params), signature));
}

function urlVariants(raw: string): string[] {
  const out = [raw];
  try {
    const u = new URL(raw);
    const rest = `${u.pathname}${u.search}`;
    const standard = u.protocol === 'https:' ? '443' : '80';
    // URL drops a standard port itself, so u.port is empty for ":443" on https: rebuild both forms by hand.
    const explicit = raw.match(/^[a-z]+:\/\/[^/]*:(\d+)(?:[/?#]|$)/i)?.[1];
    out.push(`${u.protocol}//${u.hostname}${rest}`); // without any port (Twilio's validators strip it)
    if (!explicit) out.push(`${u.protocol}//${u.hostname}:${standard}${rest}`);
  } catch {
    // not a URL: only the string itself can match
  }
  return [...new Set(out)];
}

/** application/x-www-form-urlencoded body → fields (repeated names become arrays). */
export function parseTwilioForm(body: Buffer | string): TwilioParams {
  const out: TwilioParams = {};
  for (const [k, v] of new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** One value of a field (the first, when repeated). */
export const field = (p: TwilioParams, name: string): string | undefined => {
  const v = p[name];
  return Array.isArray(v) ? v[0] : v;
};
