import {
  OutboundNetworkError,
  type OutboundPolicy,
  OutboundRefusedError,
  outboundFetch,
  retryAfterMs,
} from '../platform/http/outbound.ts';
import { StoreError } from './store-connector.ts';

export interface HttpOptions {
  /** Attempts on throttling (429) and transient 5xx before giving up. */
  attempts?: number;
  /** Longest single wait; a store asking for more is reported as an error instead of blocking a worker. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/**
 * A store API call through the shared outbound client (private-address guard with the workspace's
 * allow-list, the address pinned, redirects re-checked, retries with jitter honouring Retry-After);
 * everything but a refused target or an exhausted retry is returned for the connector to interpret
 * (its error shape is platform-specific).
 */
export async function storeFetch(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  policy: OutboundPolicy | (() => Promise<OutboundPolicy>),
  opts: HttpOptions = {},
): Promise<HttpResult> {
  const maxWait = opts.maxWaitMs ?? 30_000;
  let res: Awaited<ReturnType<typeof outboundFetch>>;
  try {
    res = await outboundFetch(url, typeof policy === 'function' ? await policy() : policy, {
      ...init,
      attempts: opts.attempts ?? 5,
      maxWaitMs: maxWait,
      sleep: opts.sleep,
      timeoutMs: 30_000,
      maxRedirects: 3,
    });
  } catch (err) {
    if (err instanceof OutboundRefusedError)
      throw new StoreError(`The store address is refused: ${err.message}`);
    if (err instanceof OutboundNetworkError)
      throw new StoreError(`The store could not be reached: ${err.message}`);
    throw err;
  }
  if (res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504) {
    const asked = retryAfterMs(res.headers);
    if (asked !== null && asked > maxWait)
      throw new StoreError(`The store asked to wait ${Math.ceil(asked / 1000)} s (rate limited)`, res.status);
  }
  let json: unknown = null;
  try {
    json = res.text ? JSON.parse(res.text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text: res.text, json };
}
