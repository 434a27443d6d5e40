import { type OutboundPolicy, type OutboundResponse, retryAfterMs } from '../platform/http/outbound.ts';

/**
 * The port a carrier-tracking provider (an aggregator like AfterShip, EasyPost or Shippo, or one
 * carrier's own API) implements for polling (docs/tracking.md "Polling"). An adapter knows the
 * provider's wire format and its rate-limit headers; it returns the provider's own tracking object,
 * which modules/tracking maps with the same tables as the provider's webhooks (one mapping per source).
 * Adding a provider is a new folder here plus one `register` line in app.ts.
 */
export interface CarrierContext {
  workspaceId: number;
  apiKey: string;
  /** The provider's API root (a config setting, so tests point it at a local server). */
  baseUrl: string;
  outbound: () => Promise<OutboundPolicy>;
}
export interface ParcelRef {
  trackingNumber: string;
  /** The carrier as the store or a webhook named it (AfterShip slug, EasyPost/Shippo carrier code). */
  carrier: string | null;
  /** What this provider called the parcel last time (an EasyPost tracker id), when it has one. */
  ref: string | null;
}
/** How much of the provider's rate limit is left, from its answer's headers. */
export interface RateLimitState {
  remaining: number | null;
  resetAt: Date | null;
}
export type PollResult =
  | { kind: 'ok'; body: Record<string, unknown>; ref: string | null; limit: RateLimitState }
  /** The provider does not know the parcel (yet): try again later, with backoff. */
  | { kind: 'unknown'; limit: RateLimitState; message: string }
  /** Too many requests: nothing more until `retryAt`. */
  | { kind: 'rate_limited'; retryAt: Date }
  /** permanent: the key is refused (401/403) — no parcel can be polled until an admin fixes it. */
  | { kind: 'failed'; permanent: boolean; message: string; limit: RateLimitState };

export interface CarrierAdapter {
  provider: string;
  poll(ctx: CarrierContext, parcel: ParcelRef): Promise<PollResult>;
}

export class CarrierRegistry {
  private adapters = new Map<string, CarrierAdapter>();
  register(a: CarrierAdapter) {
    this.adapters.set(a.provider, a);
  }
  get(provider: string): CarrierAdapter | undefined {
    return this.adapters.get(provider);
  }
  providers() {
    return [...this.adapters.keys()];
  }
}

/**
 * The rate-limit headers providers send: `X-RateLimit-Remaining`/`RateLimit-Remaining`, and a reset
 * given either as seconds to wait (`RateLimit-Reset`, IETF draft) or as a Unix time
 * (`X-RateLimit-Reset` at AfterShip), or `Retry-After`.
 */
export function readRateLimit(headers: Headers, now = Date.now()): RateLimitState {
  const num = (...names: string[]) => {
    for (const n of names) {
      const v = headers.get(n);
      if (v !== null && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    }
    return null;
  };
  const remaining = num('x-ratelimit-remaining', 'ratelimit-remaining');
  const reset = num('x-ratelimit-reset', 'ratelimit-reset');
  let resetAt: Date | null = null;
  // A value beyond a day in seconds is a Unix time (seconds, or milliseconds when larger still).
  if (reset !== null && reset > 86_400) resetAt = new Date(reset > 1e12 ? reset : reset * 1000);
  else if (reset !== null && reset >= 0) resetAt = new Date(now + reset * 1000);
  const after = retryAfterMs(headers, now);
  if (after !== null && (!resetAt || now + after > resetAt.getTime())) resetAt = new Date(now + after);
  return { remaining, resetAt };
}

/** The usual reading of an answer: 429 → rate limited, 401/403 → the key, 404 → unknown, 5xx → retry. */
export function classify(res: OutboundResponse, now = Date.now()): PollResult | null {
  const limit = readRateLimit(res.headers, now);
  if (res.status === 429) return { kind: 'rate_limited', retryAt: limit.resetAt ?? new Date(now + 60_000) };
  if (res.status === 401 || res.status === 403)
    return { kind: 'failed', permanent: true, message: `refused the API key (${res.status})`, limit };
  if (res.status === 404) return { kind: 'unknown', limit, message: 'not known to the provider yet' };
  if (res.status >= 400)
    return { kind: 'failed', permanent: false, message: `answered ${res.status}`, limit };
  return null;
}

/** Parses a JSON object answer; null when the body is not one. */
export function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const apiRoot = (baseUrl: string) => {
  let end = baseUrl.length;
  while (end > 0 && baseUrl.charCodeAt(end - 1) === 47) end--;
  return baseUrl.slice(0, end);
};
