import { z } from 'zod';
import { outboundFetch, withoutTrailingSlashes } from '../../../platform/http/outbound.ts';
import { matchKeywords } from '../sentiment.ts';
import {
  type ListeningAdapter,
  type ListeningItem,
  resetAt,
  SourceConfigError,
  SourceRateLimited,
} from './source-port.ts';
import { guardedWebSocket } from './ws-connect.ts';

/**
 * Bluesky through Jetstream (github.com/bluesky-social/jetstream): JSON commit events over a WebSocket,
 * filtered to `app.bsky.feed.post`. Jetstream has no search, so keywords are matched here. The cursor
 * is the last event's `time_us`: `?cursor=` replays from there, so a restart resumes where it stopped
 * (Jetstream keeps about a day). Replies are posts with a `reply` ref, created with an app password
 * session (com.atproto.server.createSession → com.atproto.repo.createRecord) on the account's PDS.
 */
const Settings = z.object({
  jetstreamUrl: z.string().url().default('wss://jetstream2.us-east.bsky.network'),
  pdsUrl: z.string().url().default('https://bsky.social'),
  /** The shop's own account (handle or DID): its posts are not mentions. */
  handle: z.string().max(253).optional(),
  /** Seconds a pass stays subscribed before it stores what it read and moves the cursor. */
  windowSeconds: z.number().int().min(1).max(120).default(20),
});
const Secrets = z.object({ appPassword: z.string().min(1).max(200) });

const Event = z.object({
  did: z.string().min(1),
  time_us: z.number().int(),
  kind: z.string(),
  commit: z
    .object({
      operation: z.string(),
      collection: z.string(),
      rkey: z.string(),
      cid: z.string().optional(),
      record: z
        .object({
          text: z.string(),
          createdAt: z.string().optional(),
          langs: z.array(z.string()).optional(),
          reply: z
            .object({ root: z.object({ uri: z.string(), cid: z.string() }) })
            .passthrough()
            .optional(),
        })
        .passthrough()
        .optional(),
    })
    .optional(),
});

/** Most events a pass keeps (the window ends early when reached). */
const MAX_ITEMS = 500;

export const bluesky: ListeningAdapter = {
  kind: 'bluesky',
  label: 'Bluesky',
  settings: Settings,
  secrets: Secrets,
  canReply: true,

  async poll(ctx) {
    const s = Settings.parse(ctx.settings);
    const url = new URL(`${withoutTrailingSlashes(s.jetstreamUrl)}/subscribe`);
    url.searchParams.set('wantedCollections', 'app.bsky.feed.post');
    if (ctx.cursor) url.searchParams.set('cursor', ctx.cursor);
    const ws = await guardedWebSocket(url.toString(), ctx.policy);
    const items: ListeningItem[] = [];
    let cursor = ctx.cursor;
    let skipped = 0;
    await new Promise<void>((resolve, reject) => {
      let opened = false;
      const timer = setTimeout(() => ws.close(1000), ctx.windowMs);
      ws.on('open', () => {
        opened = true;
      });
      ws.on('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        const headers = new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
        reject(
          res.statusCode === 429
            ? new SourceRateLimited(resetAt(headers), 'Jetstream answered 429 Too Many Requests')
            : new SourceConfigError(`Jetstream refused the subscription (HTTP ${res.statusCode})`),
        );
        ws.terminate();
      });
      ws.on('message', (data) => {
        const e = readEvent(data.toString());
        if (!e) {
          skipped++;
          ctx.log.warn(
            { source: 'bluesky' },
            'listening: a Jetstream message that is not an event was skipped',
          );
          return;
        }
        // Every event advances the cursor, matched or not: a restart must not read them again.
        cursor = String(e.time_us);
        const c = e.commit;
        if (e.kind !== 'commit' || c?.operation !== 'create' || c.collection !== 'app.bsky.feed.post') return;
        const rec = c.record;
        if (!rec || !c.cid) {
          skipped++;
          ctx.log.warn({ source: 'bluesky', did: e.did }, 'listening: a post without a record was skipped');
          return;
        }
        if (s.handle && (e.did === s.handle || e.did === s.handle.toLowerCase())) return;
        if (!matchKeywords(rec.text, ctx.keywords).length) return;
        const uri = `at://${e.did}/app.bsky.feed.post/${c.rkey}`;
        items.push({
          id: uri,
          author: e.did,
          authorHandle: e.did,
          text: rec.text,
          link: `https://bsky.app/profile/${e.did}/post/${c.rkey}`,
          postedAt: validDate(rec.createdAt) ?? new Date(e.time_us / 1000).toISOString(),
          language: rec.langs?.[0] ?? null,
          rating: null,
          replyRef: { uri, cid: c.cid, root: rec.reply?.root ?? { uri, cid: c.cid } },
        });
        if (items.length >= MAX_ITEMS) ws.close(1000);
      });
      ws.on('close', () => {
        clearTimeout(timer);
        if (opened) resolve();
        else reject(new Error('Jetstream closed the connection before it opened'));
      });
      ws.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    return { items, cursor, skipped };
  },

  async reply(ctx) {
    const s = Settings.parse(ctx.settings);
    const { appPassword } = Secrets.parse(ctx.secrets);
    if (!s.handle) throw new SourceConfigError('Set the shop’s Bluesky handle to reply');
    const pds = withoutTrailingSlashes(s.pdsUrl);
    const session = await xrpc(pds, 'com.atproto.server.createSession', ctx.policy, {
      identifier: s.handle,
      password: appPassword,
    });
    const parsed = z.object({ accessJwt: z.string(), did: z.string() }).safeParse(session);
    if (!parsed.success) throw new SourceConfigError('Bluesky did not return a session');
    const ref = z
      .object({ uri: z.string(), cid: z.string(), root: z.object({ uri: z.string(), cid: z.string() }) })
      .parse(ctx.ref);
    const out = await xrpc(
      pds,
      'com.atproto.repo.createRecord',
      ctx.policy,
      {
        repo: parsed.data.did,
        collection: 'app.bsky.feed.post',
        record: {
          $type: 'app.bsky.feed.post',
          text: ctx.text.slice(0, 300),
          createdAt: new Date().toISOString(),
          reply: { root: ref.root, parent: { uri: ref.uri, cid: ref.cid } },
        },
      },
      parsed.data.accessJwt,
    );
    const uri = z.object({ uri: z.string() }).parse(out).uri;
    const rkey = uri.split('/').pop() ?? '';
    return { externalId: uri, link: `https://bsky.app/profile/${parsed.data.did}/post/${rkey}` };
  },
};

function readEvent(raw: string) {
  try {
    const r = Event.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const validDate = (s: string | undefined) => {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
};

async function xrpc(
  pds: string,
  method: string,
  policy: Parameters<typeof outboundFetch>[1],
  body: unknown,
  token?: string,
) {
  const res = await outboundFetch(`${pds}/xrpc/${method}`, policy, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
    timeoutMs: 15_000,
  });
  if (res.status === 429) throw new SourceRateLimited(resetAt(res.headers), `Bluesky ${method}: 429`);
  if (res.status === 401 || res.status === 400)
    throw new SourceConfigError(`Bluesky ${method} refused (${res.status}): ${res.text.slice(0, 200)}`);
  if (res.status >= 300) throw new Error(`Bluesky ${method} answered ${res.status}`);
  return JSON.parse(res.text) as unknown;
}
