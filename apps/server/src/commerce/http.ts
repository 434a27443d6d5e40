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
 * fetch with the retry rules every store API needs: 429 honours Retry-After, 502/503/504 back off,
 * everything else is returned for the connector to interpret (its error shape is platform-specific).
 */
export async function storeFetch(
  url: string,
  init: RequestInit,
  opts: HttpOptions = {},
): Promise<HttpResult> {
  const attempts = opts.attempts ?? 5;
  const maxWait = opts.maxWaitMs ?? 30_000;
  const wait = opts.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      if (attempt >= attempts)
        throw new StoreError(`The store could not be reached: ${(err as Error).message}`);
      await wait(Math.min(maxWait, 500 * 2 ** attempt));
      continue;
    }
    const text = await res.text();
    const retryable = res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504;
    if (retryable && attempt < attempts) {
      const after = Number(res.headers.get('retry-after'));
      const ms = Number.isFinite(after) && after > 0 ? after * 1000 : 500 * 2 ** attempt;
      if (ms > maxWait)
        throw new StoreError(`The store asked to wait ${Math.ceil(ms / 1000)} s (rate limited)`, res.status);
      await wait(ms);
      continue;
    }
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json };
  }
}
