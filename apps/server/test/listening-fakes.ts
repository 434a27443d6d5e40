import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * One local server speaking the listening sources' documented formats: Bluesky Jetstream
 * (`GET /subscribe` upgraded to a WebSocket of JSON commit events, `?cursor=` replays after a time_us),
 * a PDS (`/xrpc/com.atproto.server.createSession`, `/xrpc/com.atproto.repo.createRecord`), Mastodon
 * (`/api/v1/timelines/tag/:tag`, `POST /api/v1/statuses`), Reddit (`/search.json` with X-Ratelimit-*
 * headers) and RSS/Atom feeds. Tests change `state` to shape the next answers.
 */
export interface FakeSocial {
  url: string;
  wsUrl: string;
  /** Jetstream events (sent in order, those after the requested cursor); strings are sent raw. */
  jetstream: (Record<string, unknown> | string)[];
  /** Cursors the Jetstream clients asked for, in order ('' for none). */
  cursors: string[];
  /** Posts created on the PDS. */
  posts: { repo: string; record: Record<string, unknown>; auth: string | undefined }[];
  sessions: { identifier: string; password: string }[];
  mastodonTag: Record<string, unknown>[];
  mastodonSince: (string | null)[];
  statuses: Record<string, unknown>[];
  reddit: { status: number; headers: Record<string, string>; body: unknown };
  redditCalls: number;
  feeds: Record<string, string>;
  /** Trustpilot business-unit reviews and the replies posted to them. */
  trustpilot: Record<string, unknown>[];
  trustpilotReplies: { reviewId: string; message: string; auth: string | undefined }[];
  close(): Promise<void>;
}

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (c) => {
      s += c;
    });
    req.on('end', () => resolve(s));
  });

export async function startFakeSocial(): Promise<FakeSocial> {
  const f = {
    jetstream: [],
    cursors: [],
    posts: [],
    sessions: [],
    mastodonTag: [],
    mastodonSince: [],
    statuses: [],
    reddit: { status: 200, headers: {}, body: { kind: 'Listing', data: { children: [] } } },
    redditCalls: 0,
    feeds: {},
    trustpilot: [],
    trustpilotReplies: [],
  } as unknown as FakeSocial;
  const server: Server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, v: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(v));
    };
    if (u.pathname === '/xrpc/com.atproto.server.createSession' && req.method === 'POST') {
      const b = JSON.parse(await body(req)) as { identifier: string; password: string };
      f.sessions.push(b);
      if (b.password !== 'app-pass-1234') return json(401, { error: 'AuthenticationRequired' });
      return json(200, { accessJwt: 'jwt-abc', refreshJwt: 'r', did: 'did:plc:shop', handle: b.identifier });
    }
    if (u.pathname === '/xrpc/com.atproto.repo.createRecord' && req.method === 'POST') {
      const b = JSON.parse(await body(req)) as { repo: string; record: Record<string, unknown> };
      f.posts.push({ ...b, auth: req.headers.authorization });
      return json(200, {
        uri: `at://did:plc:shop/app.bsky.feed.post/reply${f.posts.length}`,
        cid: 'bafyreply',
      });
    }
    const tag = /^\/api\/v1\/timelines\/tag\/([a-z0-9_]+)$/.exec(u.pathname);
    if (tag) {
      const since = u.searchParams.get('since_id');
      f.mastodonSince.push(since);
      return json(
        200,
        f.mastodonTag.filter(
          (s) => !since || !/^\d+$/.test(String(s.id)) || BigInt(String(s.id)) > BigInt(since),
        ),
        {
          'x-ratelimit-limit': '300',
          'x-ratelimit-remaining': '299',
          'x-ratelimit-reset': new Date(Date.now() + 300_000).toISOString(),
        },
      );
    }
    if (u.pathname === '/api/v1/statuses' && req.method === 'POST') {
      const b = JSON.parse(await body(req)) as Record<string, unknown>;
      f.statuses.push({ ...b, auth: req.headers.authorization });
      return json(200, { id: `9${f.statuses.length}`, url: `${f.url}/@shop/9${f.statuses.length}` });
    }
    if (u.pathname === '/search.json' || u.pathname.endsWith('/search.json')) {
      f.redditCalls++;
      return json(f.reddit.status, f.reddit.body, f.reddit.headers);
    }
    if (/^\/v1\/business-units\/[\w-]+\/reviews$/.test(u.pathname)) {
      if (u.searchParams.get('apikey') !== 'tp-key') return json(401, { message: 'Unauthorized' });
      return json(200, { reviews: f.trustpilot, links: [] });
    }
    const tp = /^\/v1\/private\/reviews\/([\w-]+)\/reply$/.exec(u.pathname);
    if (tp && req.method === 'POST') {
      const b = JSON.parse(await body(req)) as { message: string };
      f.trustpilotReplies.push({ reviewId: tp[1]!, message: b.message, auth: req.headers.authorization });
      res.writeHead(201);
      return res.end();
    }
    const feed = f.feeds[u.pathname];
    if (feed !== undefined) {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      return res.end(feed);
    }
    json(404, { error: 'not found' });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/subscribe') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const cursor = u.searchParams.get('cursor');
      f.cursors.push(cursor ?? '');
      for (const e of f.jetstream) {
        if (typeof e === 'string') ws.send(e);
        else if (!cursor || Number(e.time_us) > Number(cursor)) ws.send(JSON.stringify(e));
      }
      // Jetstream keeps the socket open; the client's window closes it.
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  f.url = `http://127.0.0.1:${port}`;
  f.wsUrl = `ws://127.0.0.1:${port}`;
  f.close = async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return f;
}

let seq = 1_700_000_000_000_000;
/** A Jetstream v1 commit event creating a post (the shape of apis/bluesky/jetstream-v1.*). */
export function jetstreamPost(did: string, text: string, over: { langs?: string[] } = {}) {
  seq += 1000;
  const rkey = `3k${seq.toString(36)}`;
  return {
    did,
    time_us: seq,
    kind: 'commit',
    commit: {
      rev: `rev${seq}`,
      operation: 'create',
      collection: 'app.bsky.feed.post',
      rkey,
      record: {
        $type: 'app.bsky.feed.post',
        createdAt: new Date(seq / 1000).toISOString(),
        langs: over.langs ?? ['en'],
        text,
      },
      cid: `bafy${rkey}`,
    },
  };
}
