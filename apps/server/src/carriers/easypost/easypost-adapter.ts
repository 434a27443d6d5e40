import { outboundFetch } from '../../platform/http/outbound.ts';
import {
  apiRoot,
  type CarrierAdapter,
  type CarrierContext,
  classify,
  jsonObject,
  type ParcelRef,
  type PollResult,
  readRateLimit,
} from '../carrier-adapter.ts';

/**
 * EasyPost Trackers (https://docs.easypost.com/docs/trackers): HTTP Basic auth with the API key as the
 * user name. The first poll creates the tracker with `POST /v2/trackers { tracker: { tracking_code,
 * carrier } }` (EasyPost answers the existing tracker for a code it already follows, at no charge); its
 * `trk_…` id is kept and later polls `GET /v2/trackers/{id}`. Both answer the Tracker object its
 * `tracker.updated` webhook carries in `result`. 429 when over the limit (Retry-After honoured).
 */
export const easypostAdapter: CarrierAdapter = {
  provider: 'easypost',
  async poll(ctx: CarrierContext, p: ParcelRef): Promise<PollResult> {
    const root = `${apiRoot(ctx.baseUrl)}/v2/trackers`;
    const headers = {
      authorization: `Basic ${Buffer.from(`${ctx.apiKey}:`).toString('base64')}`,
      accept: 'application/json',
    };
    const policy = await ctx.outbound();
    const res = p.ref
      ? await outboundFetch(`${root}/${encodeURIComponent(p.ref)}`, policy, {
          headers,
          timeoutMs: 15_000,
          maxBytes: 2_000_000,
        })
      : await outboundFetch(root, policy, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({
            tracker: { tracking_code: p.trackingNumber, ...(p.carrier ? { carrier: p.carrier } : {}) },
          }),
          timeoutMs: 15_000,
          maxBytes: 2_000_000,
        });
    const limit = readRateLimit(res.headers);
    // An unknown tracker id (deleted at EasyPost): forget it, the next poll creates one again.
    if (res.status === 404 && p.ref) return { kind: 'unknown', limit, message: 'tracker not found' };
    if (res.status === 422) return { kind: 'unknown', limit, message: 'EasyPost refused the tracking code' };
    const bad = classify(res);
    if (bad) return bad;
    const body = jsonObject(res.text);
    if (body?.object === 'Tracker')
      return { kind: 'ok', body, ref: typeof body.id === 'string' ? body.id : null, limit };
    return { kind: 'failed', permanent: false, message: 'answer was not a Tracker', limit };
  },
};
