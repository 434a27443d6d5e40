import { outboundFetch } from '../../platform/http/outbound.ts';
import {
  apiRoot,
  type CarrierAdapter,
  type CarrierContext,
  classify,
  jsonObject,
  type ParcelRef,
  type PollResult,
  type RateLimitState,
  readRateLimit,
} from '../carrier-adapter.ts';

/**
 * AfterShip Tracking API v4 (https://www.aftership.com/docs/tracking/api): `GET /v4/trackings/{slug}/
 * {tracking_number}` with the `aftership-api-key` header answers `{ meta, data: { tracking } }` — the same
 * Tracking object its `tracking_update` webhook carries. A parcel AfterShip does not track yet (404, meta
 * code 4004) is created with `POST /v4/trackings` (the courier detected when the slug is unknown); the slug
 * it settles on is kept as the parcel's reference. Rate limit: `X-RateLimit-Remaining` and
 * `X-RateLimit-Reset` (a Unix time), 429 when exceeded.
 */
export const aftershipAdapter: CarrierAdapter = {
  provider: 'aftership',
  async poll(ctx: CarrierContext, p: ParcelRef): Promise<PollResult> {
    const root = `${apiRoot(ctx.baseUrl)}/v4/trackings`;
    const headers = { 'aftership-api-key': ctx.apiKey, accept: 'application/json' };
    const slug = p.ref ?? (p.carrier ? p.carrier.toLowerCase().replace(/\s+/g, '-') : null);
    const policy = await ctx.outbound();
    if (slug) {
      const res = await outboundFetch(
        `${root}/${encodeURIComponent(slug)}/${encodeURIComponent(p.trackingNumber)}`,
        policy,
        { headers, timeoutMs: 15_000, maxBytes: 2_000_000 },
      );
      const bad = classify(res);
      if (!bad) return ok(res.text, readRateLimit(res.headers), slug);
      if (bad.kind !== 'unknown') return bad;
    }
    // Not tracked at AfterShip yet: create it (idempotent there: an existing one answers 4003).
    const created = await outboundFetch(root, policy, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        tracking: { tracking_number: p.trackingNumber, ...(slug ? { slug } : {}) },
      }),
      timeoutMs: 15_000,
      maxBytes: 2_000_000,
    });
    const limit = readRateLimit(created.headers);
    if (created.status === 400 || created.status === 422)
      return { kind: 'unknown', limit, message: 'AfterShip could not start tracking this number' };
    return classify(created) ?? ok(created.text, limit, slug);
  },
};

function ok(text: string, limit: RateLimitState, slug: string | null): PollResult {
  const body = jsonObject(text);
  const tracking = (body?.data as { tracking?: Record<string, unknown> } | undefined)?.tracking;
  if (!body || !tracking)
    return { kind: 'failed', permanent: false, message: 'answer was not a tracking', limit };
  return { kind: 'ok', body, ref: typeof tracking.slug === 'string' ? tracking.slug : slug, limit };
}
