import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  type AllowList,
  type LookupAll,
  NO_PRIVATE_TARGETS,
  OutboundRefusedError,
  resolveTarget,
  UnresolvedHostError,
} from '../net/outbound-guard.ts';

/**
 * The one client for calls to the outside (store APIs, webhooks): every hop goes through the
 * private-address guard and connects to the address that was checked (the DNS answer is pinned through
 * the socket's `lookup`, so it cannot change between check and connect); redirects are followed by hand
 * and each new location is checked again; timeouts; retries with full jitter on network errors,
 * 429 and 502/503/504, honouring Retry-After (and RateLimit-Reset) up to `maxWaitMs`.
 */
export interface OutboundPolicy {
  allow: AllowList;
  /** Tests answer DNS themselves; production uses the system resolver. */
  lookup?: LookupAll;
}
export const PUBLIC_ONLY: OutboundPolicy = { allow: NO_PRIVATE_TARGETS };

export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Per attempt, connect to last byte. */
  timeoutMs?: number;
  /** 0 = a 3xx is returned as it is (webhooks); otherwise followed up to this many hops. */
  maxRedirects?: number;
  /** Attempts on network errors and retryable statuses (1 = no retry). */
  attempts?: number;
  /** Longest single wait before a retry; a server asking for more gets its answer returned instead. */
  maxWaitMs?: number;
  /** Answer bodies larger than this are cut off with an error. */
  maxBytes?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface OutboundResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The same answer as bytes (media downloads). */
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

export { OutboundRefusedError };
export class OutboundNetworkError extends Error {}

const RETRYABLE = new Set([429, 502, 503, 504]);
/** A base URL without its trailing slashes (a loop: `/\/+$/` backtracks quadratically on untrusted input). */
export function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 47) end--;
  return url.slice(0, end);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Seconds from Retry-After (seconds or an HTTP date) or RateLimit-Reset, as milliseconds. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const ra = headers.get('retry-after');
  if (ra) {
    const s = Number(ra);
    if (Number.isFinite(s) && s >= 0) return s * 1000;
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const reset = Number(headers.get('ratelimit-reset') ?? headers.get('x-ratelimit-reset'));
  // RateLimit-Reset is seconds to wait; some APIs send an epoch instead (far larger): not a wait.
  if (Number.isFinite(reset) && reset > 0 && reset < 86_400) return reset * 1000;
  return null;
}

/** Full jitter: a random wait up to the exponential step, so many clients do not retry in lockstep. */
const backoff = (attempt: number) => Math.round(Math.random() * Math.min(30_000, 250 * 2 ** attempt));

export async function outboundFetch(
  url: string,
  policy: OutboundPolicy,
  req: OutboundRequest = {},
): Promise<OutboundResponse> {
  const attempts = req.attempts ?? 1;
  const maxWait = req.maxWaitMs ?? 30_000;
  const wait = req.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    let res: OutboundResponse;
    try {
      res = await followRedirects(url, policy, req);
    } catch (err) {
      if (err instanceof OutboundRefusedError || attempt >= attempts) throw err;
      await wait(Math.min(maxWait, backoff(attempt)));
      continue;
    }
    if (!RETRYABLE.has(res.status) || attempt >= attempts) return res;
    const asked = retryAfterMs(res.headers);
    if (asked !== null && asked > maxWait) return res;
    await wait(asked ?? Math.min(maxWait, backoff(attempt)));
  }
}

async function followRedirects(url: string, policy: OutboundPolicy, req: OutboundRequest) {
  let current = url;
  let method = (req.method ?? 'GET').toUpperCase();
  let body = req.body;
  const headers = { ...req.headers };
  for (let hop = 0; ; hop++) {
    const res = await once(current, method, headers, body, policy, req);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location || hop >= (req.maxRedirects ?? 0)) return res;
    const next = new URL(location, current);
    // Credentials never travel to another origin.
    if (next.origin !== new URL(current).origin) {
      delete headers.authorization;
      delete headers.cookie;
      for (const k of Object.keys(headers)) if (/token|secret|key/i.test(k)) delete headers[k];
    }
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
    }
    current = next.toString();
  }
}

/**
 * Checks a URL before it is saved (a store, a webhook): http(s) only, no credentials in it, and a host
 * that is or resolves to an address the policy allows. Throws OutboundRefusedError with a message for
 * the person who typed it. The call itself checks again (DNS may have changed since).
 */
export async function assertOutboundUrl(
  raw: string,
  policy: OutboundPolicy,
  opts: { allowUnresolved?: boolean } = {},
): Promise<void> {
  const url = parseOutboundUrl(raw);
  try {
    await resolveTarget(url.hostname, policy);
  } catch (err) {
    // A store or relay being set up may not be in DNS yet; the call is checked again anyway.
    if (!(opts.allowUnresolved && err instanceof UnresolvedHostError)) throw err;
  }
}

function parseOutboundUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefusedError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OutboundRefusedError(`only http and https URLs may be called, not ${url.protocol}`);
  if (url.username || url.password) throw new OutboundRefusedError('credentials in the URL are not allowed');
  return url;
}

async function once(
  raw: string,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  policy: OutboundPolicy,
  req: OutboundRequest,
): Promise<OutboundResponse> {
  const url = parseOutboundUrl(raw);
  const target = await resolveTarget(url.hostname, policy);
  // The socket asks this instead of DNS: it gets the address that was checked, whatever DNS says now.
  const pinned: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all) cb(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  };
  const mod = url.protocol === 'https:' ? https : http;
  const timeoutMs = req.timeoutMs ?? 30_000;
  const maxBytes = req.maxBytes ?? 20 * 1024 * 1024;
  return new Promise((ok, fail) => {
    const r = mod.request(
      url,
      {
        method,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinned,
        // TLS checks the certificate against the name, not the pinned address.
        servername:
          url.protocol === 'https:' && target.hostname !== target.address ? target.hostname : undefined,
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes)
            r.destroy(new OutboundNetworkError(`the answer is larger than ${maxBytes} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          const bytes = Buffer.concat(chunks);
          ok({
            status: res.statusCode ?? 0,
            headers: h,
            text: bytes.toString('utf8'),
            body: bytes,
            url: raw,
          });
        });
        res.on('error', fail);
      },
    );
    r.setTimeout(timeoutMs, () => r.destroy(new OutboundNetworkError(`no answer within ${timeoutMs} ms`)));
    r.on('error', (e) => fail(e instanceof OutboundNetworkError ? e : new OutboundNetworkError(e.message)));
    r.end(body);
  });
}
