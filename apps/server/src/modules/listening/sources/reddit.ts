import { z } from 'zod';
import { withoutTrailingSlashes } from '../../../platform/http/outbound.ts';
import { matchKeywords } from '../sentiment.ts';
import { fetchSource } from './http-json.ts';
import { type ListeningAdapter, type ListeningItem, resetAt } from './source-port.ts';

/**
 * Reddit search listings: `GET /search.json?q=…&sort=new` (or `/r/<sub>/search.json` with
 * `restrict_sr=1`). Reddit's Data API terms ask for a descriptive User-Agent and allow 100 queries per
 * minute per OAuth client (10 without OAuth); every answer carries X-Ratelimit-Used/Remaining/Reset
 * (seconds until the window resets), honoured here: with nothing remaining the source pauses until the
 * reset. The cursor is the newest `created_utc` seen. Replying needs an approved app: not built.
 */
const Settings = z.object({
  baseUrl: z.string().url().default('https://www.reddit.com'),
  subreddit: z
    .string()
    .regex(/^[A-Za-z0-9_]{2,21}$/)
    .optional(),
});

const Listing = z.object({
  kind: z.literal('Listing'),
  data: z.object({ children: z.array(z.unknown()) }),
});
const Thing = z.object({
  kind: z.enum(['t1', 't3']),
  data: z.object({
    name: z.string(),
    author: z.string(),
    created_utc: z.number(),
    permalink: z.string(),
    title: z.string().optional(),
    selftext: z.string().optional(),
    body: z.string().optional(),
  }),
});

export const reddit: ListeningAdapter = {
  kind: 'reddit',
  label: 'Reddit',
  settings: Settings,
  canReply: false,

  async poll(ctx) {
    const s = Settings.parse(ctx.settings);
    const base = withoutTrailingSlashes(s.baseUrl);
    const q = ctx.keywords.map((k) => (k.includes(' ') ? `"${k.replace(/"/g, '')}"` : k)).join(' OR ');
    if (!q) return { items: [], cursor: ctx.cursor, skipped: 0 };
    const url = new URL(s.subreddit ? `${base}/r/${s.subreddit}/search.json` : `${base}/search.json`);
    url.searchParams.set('q', q);
    url.searchParams.set('sort', 'new');
    url.searchParams.set('limit', '100');
    url.searchParams.set('raw_json', '1');
    if (s.subreddit) url.searchParams.set('restrict_sr', '1');
    const res = await fetchSource('Reddit', url.toString(), ctx.policy, {
      headers: { accept: 'application/json' },
    });
    const since = ctx.cursor ? Number(ctx.cursor) : 0;
    let newest = since;
    const items: ListeningItem[] = [];
    let skipped = 0;
    let listing: z.infer<typeof Listing> | null = null;
    try {
      const parsed = Listing.safeParse(JSON.parse(res.text));
      if (parsed.success) listing = parsed.data;
    } catch {
      // handled below
    }
    if (!listing) {
      ctx.log.warn({ source: 'reddit' }, 'listening: a Reddit answer that is not a Listing was skipped');
      skipped++;
    }
    for (const raw of listing?.data.children ?? []) {
      const t = Thing.safeParse(raw);
      if (!t.success) {
        skipped++;
        ctx.log.warn({ source: 'reddit' }, 'listening: a malformed Reddit item was skipped');
        continue;
      }
      const d = t.data.data;
      newest = Math.max(newest, d.created_utc);
      if (d.created_utc <= since) continue;
      const text = [d.title, d.selftext ?? d.body].filter(Boolean).join('\n\n');
      if (!matchKeywords(text, ctx.keywords).length) continue;
      items.push({
        id: d.name,
        author: d.author,
        authorHandle: `u/${d.author}`,
        text: text.slice(0, 10_000),
        link: `https://www.reddit.com${d.permalink}`,
        postedAt: new Date(d.created_utc * 1000).toISOString(),
        language: null,
        rating: null,
        replyRef: null,
      });
    }
    const remaining = res.headers.get('x-ratelimit-remaining');
    const pauseUntil = remaining !== null && Number(remaining) < 1 ? resetAt(res.headers) : undefined;
    return { items, cursor: String(newest), skipped, ...(pauseUntil ? { pauseUntil } : {}) };
  },
};
