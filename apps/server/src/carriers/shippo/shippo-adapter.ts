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
 * Shippo tracking (https://docs.goshippo.com/docs/tracking/tracking): `GET /tracks/{carrier}/
 * {tracking_number}` with `Authorization: ShippoToken <key>` answers the Track object its
 * `track_updated` webhook carries in `data`. Shippo needs the carrier token (`usps`, `fedex`,
 * `dhl_express` …); a parcel without a carrier cannot be polled there. 429 when over the limit.
 */
export const shippoAdapter: CarrierAdapter = {
  provider: 'shippo',
  async poll(ctx: CarrierContext, p: ParcelRef): Promise<PollResult> {
    if (!p.carrier)
      return {
        kind: 'unknown',
        limit: { remaining: null, resetAt: null },
        message: 'Shippo needs the carrier',
      };
    const carrier = p.carrier.toLowerCase().replace(/\s+/g, '_');
    const res = await outboundFetch(
      `${apiRoot(ctx.baseUrl)}/tracks/${encodeURIComponent(carrier)}/${encodeURIComponent(p.trackingNumber)}`,
      await ctx.outbound(),
      {
        headers: { authorization: `ShippoToken ${ctx.apiKey}`, accept: 'application/json' },
        timeoutMs: 15_000,
        maxBytes: 2_000_000,
      },
    );
    const bad = classify(res);
    if (bad) return bad;
    const limit = readRateLimit(res.headers);
    const body = jsonObject(res.text);
    if (!body || typeof body.tracking_number !== 'string')
      return { kind: 'failed', permanent: false, message: 'answer was not a Track', limit };
    return { kind: 'ok', body, ref: null, limit };
  },
};
