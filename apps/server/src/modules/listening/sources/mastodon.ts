import { z } from 'zod';
import { htmlToText } from '../../../platform/html/sanitize.ts';
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
 * Mastodon (and Mastodon-API servers: Pleroma, Akkoma): the hashtag timeline of a chosen instance,
 * `GET /api/v1/timelines/tag/:tag?since_id=` per keyword (tags are the keywords without `#`). The cursor
 * is the newest status id per tag (JSON). Replies: `POST /api/v1/statuses` with `in_reply_to_id`, with
 * an access token of the shop's account (scope write:statuses). Mastodon allows 300 calls per 5 minutes
 * per account or IP; X-RateLimit-Remaining/Reset are honoured.
 */
const Settings = z.object({ instanceUrl: z.string().url() });
const Secrets = z.object({ accessToken: z.string().min(1).max(500) });

const Status = z.object({
  id: z.string(),
  created_at: z.string(),
  content: z.string(),
  url: z.string().nullable().optional(),
  uri: z.string().optional(),
  language: z.string().nullable().optional(),
  account: z.object({ acct: z.string(), display_name: z.string().optional() }),
});

const tagOf = (k: string) => k.trim().replace(/^#/, '').toLowerCase();

export const mastodon: ListeningAdapter = {
  kind: 'mastodon',
  label: 'Mastodon',
  settings: Settings,
  secrets: Secrets,
  canReply: true,

  async poll(ctx) {
    const s = Settings.parse(ctx.settings);
    const base = withoutTrailingSlashes(s.instanceUrl);
    const cursors = readCursor(ctx.cursor);
    const items: ListeningItem[] = [];
    let skipped = 0;
    let pauseUntil: Date | undefined;
    const tags = [...new Set(ctx.keywords.map(tagOf).filter((t) => /^[\p{L}\p{N}_]{1,100}$/u.test(t)))];
    for (const tag of tags) {
      const url = new URL(`${base}/api/v1/timelines/tag/${encodeURIComponent(tag)}`);
      url.searchParams.set('limit', '40');
      if (cursors[tag]) url.searchParams.set('since_id', cursors[tag]);
      const res = await fetchSource('Mastodon', url.toString(), ctx.policy, {
        headers: ctx.secrets.accessToken ? { authorization: `Bearer ${ctx.secrets.accessToken}` } : {},
      });
      let list: unknown[] = [];
      try {
        const body = JSON.parse(res.text) as unknown;
        list = Array.isArray(body) ? body : [];
      } catch {
        ctx.log.warn({ source: 'mastodon', tag }, 'listening: a timeline that is not JSON was skipped');
        skipped++;
      }
      for (const raw of list) {
        const st = Status.safeParse(raw);
        if (!st.success) {
          skipped++;
          ctx.log.warn({ source: 'mastodon', tag }, 'listening: a malformed status was skipped');
          continue;
        }
        const v = st.data;
        if (!cursors[tag] || compareIds(v.id, cursors[tag]) > 0) cursors[tag] = v.id;
        items.push({
          id: v.uri ?? `${base}/statuses/${v.id}`,
          author: v.account.display_name || v.account.acct,
          authorHandle: `@${v.account.acct}`,
          text: htmlToText(v.content).trim(),
          link: v.url ?? v.uri ?? null,
          postedAt: new Date(Date.parse(v.created_at) || Date.now()).toISOString(),
          language: v.language ?? null,
          rating: null,
          replyRef: { statusId: v.id, acct: v.account.acct },
        });
      }
      // The server said nothing is left in this window: stop before it answers 429.
      if (res.headers.get('x-ratelimit-remaining') === '0') {
        pauseUntil = resetAt(res.headers);
        break;
      }
    }
    return {
      items: dedupe(items),
      cursor: JSON.stringify(cursors),
      skipped,
      ...(pauseUntil ? { pauseUntil } : {}),
    };
  },

  async reply(ctx) {
    const s = Settings.parse(ctx.settings);
    const { accessToken } = Secrets.parse(ctx.secrets);
    const ref = z.object({ statusId: z.string(), acct: z.string() }).parse(ctx.ref);
    const res = await outboundFetch(`${withoutTrailingSlashes(s.instanceUrl)}/api/v1/statuses`, ctx.policy, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        status: `@${ref.acct} ${ctx.text}`.slice(0, 500),
        in_reply_to_id: ref.statusId,
        visibility: 'public',
      }),
      timeoutMs: 15_000,
    });
    if (res.status === 429) throw new SourceRateLimited(resetAt(res.headers), 'Mastodon answered 429');
    if (res.status === 401 || res.status === 403 || res.status === 422)
      throw new SourceConfigError(`Mastodon refused the reply (${res.status})`);
    if (res.status >= 300) throw new Error(`Mastodon answered ${res.status}`);
    const st = z
      .object({ id: z.string(), url: z.string().nullable().optional() })
      .parse(JSON.parse(res.text));
    return { externalId: st.id, link: st.url ?? null };
  },
};

function readCursor(c: string | null): Record<string, string> {
  if (!c) return {};
  try {
    const v = JSON.parse(c) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Snowflake ids are numeric strings longer than a double holds: compare by length, then text. */
const compareIds = (a: string, b: string) =>
  a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;

const dedupe = (items: ListeningItem[]) => [...new Map(items.map((i) => [i.id, i])).values()];
