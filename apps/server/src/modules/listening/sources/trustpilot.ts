import { z } from 'zod';
import { outboundFetch, withoutTrailingSlashes } from '../../../platform/http/outbound.ts';
import { fetchSource } from './http-json.ts';
import {
  type ListeningAdapter,
  type ListeningItem,
  resetAt,
  SourceConfigError,
  SourceRateLimited,
} from './source-port.ts';

/**
 * Trustpilot service reviews of one business unit: `GET /v1/business-units/{id}/reviews?apikey=…`
 * (newest first, 100 per page). Every review is about the shop, so no keyword filter; the stars feed the
 * sentiment and an invited review's `referenceId` (the order number the shop sent with the invitation)
 * links it to the order. Replies: `POST /v1/private/reviews/{id}/reply` with a Business OAuth token.
 * Cursor: the newest `createdAt` seen. Limits: Trustpilot throttles per API key (429 + Retry-After).
 */
const Settings = z.object({
  apiUrl: z.string().url().default('https://api.trustpilot.com'),
  businessUnitId: z.string().min(1).max(64),
});
const Secrets = z.object({
  apiKey: z.string().min(1).max(200),
  accessToken: z.string().max(2000).optional(),
});

const Review = z.object({
  id: z.string(),
  stars: z.number().int().min(1).max(5),
  title: z.string().nullable().optional(),
  text: z.string().nullable().optional(),
  language: z.string().nullable().optional(),
  createdAt: z.string(),
  referenceId: z.string().nullable().optional(),
  consumer: z.object({ displayName: z.string(), id: z.string().optional() }),
});

export const trustpilot: ListeningAdapter = {
  kind: 'trustpilot',
  label: 'Trustpilot',
  settings: Settings,
  secrets: Secrets,
  canReply: true,

  async poll(ctx) {
    const s = Settings.parse(ctx.settings);
    const { apiKey } = Secrets.parse(ctx.secrets);
    const url = new URL(
      `${withoutTrailingSlashes(s.apiUrl)}/v1/business-units/${encodeURIComponent(s.businessUnitId)}/reviews`,
    );
    url.searchParams.set('apikey', apiKey);
    url.searchParams.set('orderBy', 'createdat.desc');
    url.searchParams.set('perPage', '100');
    const res = await fetchSource('Trustpilot', url.toString(), ctx.policy, {
      headers: { accept: 'application/json' },
    });
    let list: unknown[] = [];
    let skipped = 0;
    try {
      const body = JSON.parse(res.text) as { reviews?: unknown };
      list = Array.isArray(body.reviews) ? body.reviews : [];
    } catch {
      ctx.log.warn({ source: 'trustpilot' }, 'listening: a Trustpilot answer that is not JSON was skipped');
      skipped++;
    }
    const since = ctx.cursor ? Date.parse(ctx.cursor) : Number.NEGATIVE_INFINITY;
    let newest = since;
    const items: ListeningItem[] = [];
    for (const raw of list) {
      const r = Review.safeParse(raw);
      if (!r.success) {
        skipped++;
        ctx.log.warn({ source: 'trustpilot' }, 'listening: a malformed Trustpilot review was skipped');
        continue;
      }
      const v = r.data;
      const at = Date.parse(v.createdAt);
      if (!Number.isFinite(at) || at <= since) continue;
      newest = Math.max(newest, at);
      // The invitation's reference (an order number) goes into the text the order matcher reads.
      const ref = v.referenceId ? `\n\nOrder #${v.referenceId.replace(/^#/, '')}` : '';
      items.push({
        id: v.id,
        author: v.consumer.displayName,
        authorHandle: v.consumer.id ?? v.consumer.displayName,
        text: `${[v.title, v.text].filter(Boolean).join('\n\n')}${ref}`.slice(0, 10_000),
        link: `https://www.trustpilot.com/reviews/${v.id}`,
        postedAt: new Date(at).toISOString(),
        language: v.language ?? null,
        rating: v.stars,
        replyRef: { reviewId: v.id },
      });
    }
    return { items, cursor: Number.isFinite(newest) ? new Date(newest).toISOString() : ctx.cursor, skipped };
  },

  async reply(ctx) {
    const s = Settings.parse(ctx.settings);
    const { accessToken } = Secrets.parse(ctx.secrets);
    if (!accessToken) throw new SourceConfigError('Replying on Trustpilot needs a Business API access token');
    const { reviewId } = z.object({ reviewId: z.string() }).parse(ctx.ref);
    const res = await outboundFetch(
      `${withoutTrailingSlashes(s.apiUrl)}/v1/private/reviews/${encodeURIComponent(reviewId)}/reply`,
      ctx.policy,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: ctx.text }),
        timeoutMs: 15_000,
      },
    );
    if (res.status === 429) throw new SourceRateLimited(resetAt(res.headers), 'Trustpilot answered 429');
    if (res.status === 401 || res.status === 403 || res.status === 404)
      throw new SourceConfigError(`Trustpilot refused the reply (${res.status})`);
    if (res.status >= 300) throw new Error(`Trustpilot answered ${res.status}`);
    return { externalId: `reply:${reviewId}`, link: `https://www.trustpilot.com/reviews/${reviewId}` };
  },
};
