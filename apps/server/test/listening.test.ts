import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuiltinStore } from '../src/modules/commerce/index.ts';
import { sql } from '../src/platform/db/db.ts';
import { demoOrder } from './commerce-helpers.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { type FakeSocial, jetstreamPost, startFakeSocial } from './listening-fakes.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers read field by field in assertions
type Json = Record<string, any>;

let t: TestApp;
let f: FakeSocial;
let ws: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  f = await startFakeSocial();
  t = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS });
  ws = await t.workspace('Acme Listening');
  other = await t.workspace('Other Listening');
  const store = await createBuiltinStore(t.db, ws.workspaceId, 'Acme store', 'EUR');
  await store.push({ customers: [], products: [], orders: [demoOrder()] });
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await f?.close();
});

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: object, payload?: object) =>
  t.app.inject({ method, url, headers: headers as Record<string, string>, payload: payload as never });

async function addSource(w: TestWorkspace, body: Record<string, unknown>) {
  const res = await api('POST', '/api/v1/listening/sources', w.admin.headers, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; enabled: boolean };
}
const mentions = async (w: TestWorkspace, q = '') => {
  const res = await api('GET', `/api/v1/listening/mentions${q}`, w.agent.headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Json[];
};
const source = async (w: TestWorkspace, id: number) =>
  ((await api('GET', '/api/v1/listening/sources', w.admin.headers)).json().items as Json[]).find(
    (s) => s.id === id,
  )!;
/** Runs the source's pass now (its next pass is scheduled in the future), then the intake's jobs. */
async function pollNow(sourceId: number) {
  await t.db.query(sql`UPDATE jobs SET run_at = now() WHERE name = 'listening-poll' AND status = 'queued'
    AND (payload->>'sourceId')::int = ${sourceId}`);
  await t.jobs.drain();
}

describe('Bluesky (Jetstream)', () => {
  let id: number;
  it('matches keywords on our side, skips malformed events, keeps the cursor', async () => {
    f.jetstream.push(
      jetstreamPost('did:plc:happy', 'Just got my boots from Acme Shop, love them!'),
      jetstreamPost('did:plc:noise', 'Nothing to do with any shop'),
      '{"this is": not json',
      { did: 'did:plc:x', kind: 'commit' },
      jetstreamPost('did:plc:angry', 'Acme Shop is the worst, order #1001 never arrived. Scam!'),
      jetstreamPost('did:plc:meh', 'Looking at acme shop for a gift'),
    );
    const s = await addSource(ws, {
      kind: 'bluesky',
      name: 'Bluesky',
      enabled: true,
      keywords: ['Acme Shop'],
      settings: { jetstreamUrl: f.wsUrl, pdsUrl: f.url, handle: 'acme.example', windowSeconds: 1 },
      secrets: { appPassword: 'app-pass-1234' },
    });
    id = s.id;
    await t.jobs.drain();
    const items = await mentions(ws, '?source=bluesky');
    expect(items.map((m) => m.author).sort()).toEqual(['did:plc:angry', 'did:plc:happy', 'did:plc:meh']);
    const angry = items.find((m) => m.author === 'did:plc:angry')!;
    expect(angry.sentiment).toBe('negative');
    expect(angry.sentimentReasons.map((r: { phrase: string }) => r.phrase).join(' ')).toContain('worst');
    expect(angry.matchedKeywords).toEqual(['Acme Shop']);
    expect(angry.order.number).toBe('#1001');
    // Negative and naming one of the shop's orders: a ticket was opened on its own.
    expect(angry.ticketId).toBeTruthy();
    // …on the order's customer, whose handle is now known.
    const tk = await api('GET', `/api/v1/tickets/${angry.ticketId}`, ws.agent.headers);
    expect(JSON.stringify(tk.json())).toContain('emma@example.com');
    expect(items.find((m) => m.author === 'did:plc:happy')!.sentiment).toBe('positive');
    expect(items.find((m) => m.author === 'did:plc:meh')!.ticketId).toBeNull();
    const src = await source(ws, id);
    expect(src.cursor).toBe(String((f.jetstream.at(-1) as { time_us: number }).time_us));
    expect(src.lastError).toBeNull();
    expect(src).not.toHaveProperty('secrets');
  }, 60_000);

  it('resumes from the cursor after a restart and never stores an item twice', async () => {
    f.jetstream.push(jetstreamPost('did:plc:later', 'Acme Shop shipped fast, thanks'));
    // A new app on the same database (a restart) would schedule every enabled source at start.
    await pollNow(id);
    expect(f.cursors.at(-1)).toBe(String((f.jetstream.at(-2) as { time_us: number }).time_us));
    const items = await mentions(ws, '?source=bluesky');
    expect(items.filter((m) => m.author === 'did:plc:later')).toHaveLength(1);
    expect(items).toHaveLength(4);
    // A replay of everything (cursor lost) stores nothing new.
    await t.db.query(sql`UPDATE listening_sources SET cursor = NULL WHERE id = ${id}`);
    await pollNow(id);
    expect(await mentions(ws, '?source=bluesky')).toHaveLength(4);
  }, 60_000);

  it("posts the agent's reply back as a Bluesky reply and records it on the ticket", async () => {
    const angry = (await mentions(ws, '?sentiment=negative')).find((m) => m.author === 'did:plc:angry')!;
    const res = await api('POST', `/api/v1/listening/mentions/${angry.id}/reply`, ws.agent.headers, {
      body: 'Sorry about that! We have sent you a DM.',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().ticketId).toBe(angry.ticketId);
    await t.jobs.drain();
    const post = f.posts.at(-1)!;
    expect(post.auth).toBe('Bearer jwt-abc');
    expect(post.record.text).toBe('Sorry about that! We have sent you a DM.');
    const reply = post.record.reply as { parent: { uri: string }; root: { uri: string } };
    expect(reply.parent.uri).toBe(angry.externalId);
    expect(reply.root.uri).toBe(angry.externalId);
    const ticket = await api('GET', `/api/v1/tickets/${angry.ticketId}`, ws.agent.headers);
    const out = (
      ticket.json().messages as { kind: string; deliveryStatus: string; externalId: string }[]
    ).filter((m) => m.kind === 'outbound');
    expect(out.at(-1)!.deliveryStatus).toBe('sent');
    expect((await api('GET', `/api/v1/listening/mentions/${angry.id}`, ws.agent.headers)).json().status).toBe(
      'replied',
    );
  }, 60_000);

  it('opens a ticket on its own for a known customer complaining without an order number', async () => {
    f.jetstream.push(
      jetstreamPost('did:plc:angry', 'Acme Shop still has not answered me, terrible'),
      jetstreamPost('did:plc:stranger', 'Acme Shop is terrible'),
    );
    await pollNow(id);
    const items = await mentions(ws, '?source=bluesky&sentiment=negative');
    expect(items.find((m) => m.text.includes('still has not answered'))!.ticketId).toBeTruthy();
    expect(items.find((m) => m.author === 'did:plc:stranger')!.ticketId).toBeNull();
  }, 60_000);
});

describe('Mastodon, Reddit, feeds', () => {
  it('reads a hashtag timeline with since_id and replies with in_reply_to_id', async () => {
    f.mastodonTag.push(
      {
        id: '110000000000000001',
        created_at: '2026-12-01T10:00:00.000Z',
        content: '<p>Terrible service from <a href="#">#acmeshop</a>, still waiting</p>',
        url: 'https://mastodon.example/@sam/110000000000000001',
        uri: 'https://mastodon.example/users/sam/statuses/110000000000000001',
        language: 'en',
        account: { acct: 'sam@mastodon.example', display_name: 'Sam' },
      },
      { id: 'broken' },
    );
    const s = await addSource(ws, {
      kind: 'mastodon',
      name: 'Mastodon',
      enabled: true,
      keywords: ['#acmeshop'],
      settings: { instanceUrl: f.url },
      secrets: { accessToken: 'masto-token' },
    });
    await t.jobs.drain();
    const items = await mentions(ws, '?source=mastodon');
    expect(items).toHaveLength(1);
    expect(items[0]!.text).toContain('Terrible service');
    expect(items[0]!.authorHandle).toBe('@sam@mastodon.example');
    await pollNow(s.id);
    expect(f.mastodonSince.at(-1)).toBe('110000000000000001');
    const res = await api('POST', `/api/v1/listening/mentions/${items[0]!.id}/reply`, ws.agent.headers, {
      body: 'We are on it',
    });
    expect(res.statusCode, res.body).toBe(200);
    await t.jobs.drain();
    expect(f.statuses.at(-1)).toMatchObject({
      in_reply_to_id: '110000000000000001',
      status: '@sam@mastodon.example We are on it',
      auth: 'Bearer masto-token',
    });
  }, 60_000);

  it('honours Reddit rate-limit headers: a 429 with a reset pauses the source', async () => {
    f.reddit = {
      status: 429,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '100', 'x-ratelimit-reset': '120' },
      body: { message: 'Too Many Requests', error: 429 },
    };
    const s = await addSource(ws, {
      kind: 'reddit',
      name: 'Reddit',
      enabled: true,
      keywords: ['acme shop'],
      settings: { baseUrl: f.url },
    });
    await t.jobs.drain();
    const src = await source(ws, s.id);
    expect(src.lastError).toContain('429');
    const paused = Date.parse(src.pausedUntil) - Date.now();
    expect(paused).toBeGreaterThan(60_000);
    expect(paused).toBeLessThanOrEqual(120_000);
    // While paused, a pass that comes early does not call Reddit.
    const calls = f.redditCalls;
    await pollNow(s.id);
    expect(f.redditCalls).toBe(calls);
    // After the reset: the listing is read, a malformed child skipped, the remaining=0 answer pauses again.
    await t.db.query(
      sql`UPDATE listening_sources SET paused_until = now() - interval '1 second' WHERE id = ${s.id}`,
    );
    f.reddit = {
      status: 200,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '300' },
      body: {
        kind: 'Listing',
        data: {
          children: [
            {
              kind: 't3',
              data: {
                name: 't3_abc',
                author: 'redditor',
                created_utc: 1764000000,
                permalink: '/r/shops/comments/abc/x/',
                title: 'Is Acme Shop legit?',
                selftext: 'Thinking of buying',
              },
            },
            { kind: 't3', data: { name: 't3_bad' } },
          ],
        },
      },
    };
    await pollNow(s.id);
    expect((await mentions(ws, '?source=reddit')).map((m) => m.link)).toEqual([
      'https://www.reddit.com/r/shops/comments/abc/x/',
    ]);
    expect(Date.parse((await source(ws, s.id)).pausedUntil)).toBeGreaterThan(Date.now() + 200_000);
  }, 60_000);

  it('reads RSS and Atom feeds, and says in Settings when a URL is not a feed', async () => {
    f.feeds['/reviews.rss'] = `<?xml version="1.0"?><rss version="2.0"><channel><title>Reviews</title>
      <item><guid>r-1</guid><title>Great shop</title><description>&lt;p&gt;Acme Shop was excellent&lt;/p&gt;</description><link>https://reviews.example/r-1</link><pubDate>Mon, 01 Dec 2026 10:00:00 GMT</pubDate><author>pat@example.com (Pat)</author></item>
      <item><title></title></item>
      </channel></rss>`;
    f.feeds['/forum.atom'] =
      `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Forum</title>
      <entry><id>tag:forum,2026:1</id><title>Acme Shop refund?</title><link rel="alternate" href="https://forum.example/t/1"/><updated>2026-12-02T10:00:00Z</updated><author><name>Lee</name></author><content type="html">Still no refund, disappointed</content></entry>
      </feed>`;
    f.feeds['/not-a-feed'] = '<html><body>hello</body></html>';
    await addSource(ws, {
      kind: 'rss',
      name: 'Reviews',
      enabled: true,
      settings: { feedUrl: `${f.url}/reviews.rss` },
    });
    await addSource(ws, {
      kind: 'rss',
      name: 'Forum',
      enabled: true,
      keywords: ['acme shop'],
      settings: { feedUrl: `${f.url}/forum.atom` },
    });
    const bad = await addSource(ws, {
      kind: 'rss',
      name: 'Broken',
      enabled: true,
      settings: { feedUrl: `${f.url}/not-a-feed` },
    });
    await t.jobs.drain();
    const items = await mentions(ws, '?source=rss');
    expect(items.map((m) => m.link).sort()).toEqual([
      'https://forum.example/t/1',
      'https://reviews.example/r-1',
    ]);
    expect(items.find((m) => m.link === 'https://forum.example/t/1')!.sentiment).toBe('negative');
    expect((await source(ws, bad.id)).lastError).toContain('Not an RSS or Atom feed');
  }, 60_000);
});

describe('Trustpilot reviews', () => {
  it('reads reviews with their stars, links an invited review to its order, and replies', async () => {
    f.trustpilot.push(
      {
        id: 'tp-1',
        stars: 1,
        title: 'Never again',
        text: 'Parcel came broken and support is slow.',
        language: 'en',
        createdAt: '2026-12-05T09:00:00Z',
        referenceId: '1001',
        consumer: { id: 'c-77', displayName: 'Jo Review' },
      },
      {
        id: 'tp-2',
        stars: 5,
        text: 'Lovely shop',
        createdAt: '2026-12-05T10:00:00Z',
        consumer: { displayName: 'Kim' },
      },
      { id: 'tp-bad', stars: 9 },
    );
    const s = await addSource(ws, {
      kind: 'trustpilot',
      name: 'Trustpilot',
      enabled: true,
      settings: { apiUrl: f.url, businessUnitId: 'bu-123' },
      secrets: { apiKey: 'tp-key', accessToken: 'tp-oauth' },
    });
    await t.jobs.drain();
    const items = await mentions(ws, '?source=trustpilot');
    expect(items.map((m) => [m.author, m.rating, m.sentiment]).sort()).toEqual([
      ['Jo Review', 1, 'negative'],
      ['Kim', 5, 'positive'],
    ]);
    const jo = items.find((m) => m.author === 'Jo Review')!;
    expect(jo.order.number).toBe('#1001');
    expect(jo.ticketId).toBeTruthy();
    expect((await source(ws, s.id)).cursor).toBe('2026-12-05T10:00:00.000Z');
    await api('POST', `/api/v1/listening/mentions/${jo.id}/reply`, ws.agent.headers, {
      body: 'We are sorry, a replacement is on its way.',
    });
    await t.jobs.drain();
    expect(f.trustpilotReplies).toEqual([
      { reviewId: 'tp-1', message: 'We are sorry, a replacement is on its way.', auth: 'Bearer tp-oauth' },
    ]);
  }, 60_000);
});

describe('inbox, isolation, roles', () => {
  it('filters, bulk actions, the recovery queue and manual tickets', async () => {
    const all = await mentions(ws);
    const neutral = all.find((m) => m.sentiment !== 'negative' && !m.ticketId)!;
    const bulk = await api('POST', '/api/v1/listening/mentions/bulk', ws.agent.headers, {
      ids: [neutral.id],
      action: 'ignore',
    });
    expect(bulk.json().updated).toBe(1);
    expect((await mentions(ws, '?status=ignored')).map((m) => m.id)).toEqual([neutral.id]);
    const recovery = await mentions(ws, '?recovery=true');
    expect(recovery.every((m) => m.sentiment === 'negative' && !m.ticketId)).toBe(true);
    expect(recovery.length).toBeGreaterThan(0);
    const tk = await api('POST', `/api/v1/listening/mentions/${recovery[0]!.id}/ticket`, ws.agent.headers);
    expect(tk.statusCode).toBe(200);
    const again = await api('POST', `/api/v1/listening/mentions/${recovery[0]!.id}/ticket`, ws.agent.headers);
    expect(again.json().ticketId).toBe(tk.json().ticketId);
    expect((await mentions(ws, '?recovery=true')).map((m) => m.id)).not.toContain(recovery[0]!.id);
    const report = await api('GET', '/api/v1/listening/report?days=365', ws.readonly.headers);
    expect(report.json().items.length).toBeGreaterThan(0);
  });

  it('keeps workspaces apart and checks roles on every route', async () => {
    const mine = await mentions(ws);
    expect(await mentions(other)).toEqual([]);
    const id = mine[0]!.id;
    expect((await api('GET', `/api/v1/listening/mentions/${id}`, other.agent.headers)).statusCode).toBe(404);
    expect(
      (await api('POST', `/api/v1/listening/mentions/${id}/ticket`, other.agent.headers)).statusCode,
    ).toBe(404);
    expect(
      (
        await api('POST', '/api/v1/listening/mentions/bulk', other.agent.headers, {
          ids: [id],
          action: 'ignore',
        })
      ).json().updated,
    ).toBe(0);
    expect((await api('GET', '/api/v1/listening/sources', other.admin.headers)).json().items).toEqual([]);
    const srcId = (await api('GET', '/api/v1/listening/sources', ws.admin.headers)).json().items[0].id;
    expect(
      (await api('PATCH', `/api/v1/listening/sources/${srcId}`, other.admin.headers, { enabled: false }))
        .statusCode,
    ).toBe(404);
    expect((await api('DELETE', `/api/v1/listening/sources/${srcId}`, other.admin.headers)).statusCode).toBe(
      404,
    );
    // Roles: sources are admin-only, acting on mentions needs an agent, reading is open to read-only.
    expect((await api('GET', '/api/v1/listening/sources', ws.lead.headers)).statusCode).toBe(403);
    expect(
      (await api('POST', '/api/v1/listening/sources', ws.agent.headers, { kind: 'rss', name: 'x' }))
        .statusCode,
    ).toBe(403);
    expect((await api('PATCH', `/api/v1/listening/sources/${srcId}`, ws.agent.headers, {})).statusCode).toBe(
      403,
    );
    expect((await api('DELETE', `/api/v1/listening/sources/${srcId}`, ws.lead.headers)).statusCode).toBe(403);
    expect((await api('GET', '/api/v1/listening/mentions', ws.readonly.headers)).statusCode).toBe(200);
    expect((await api('GET', `/api/v1/listening/mentions/${id}`, ws.readonly.headers)).statusCode).toBe(200);
    for (const [url, payload] of [
      ['/api/v1/listening/mentions/bulk', { ids: [id], action: 'ignore' }],
      [`/api/v1/listening/mentions/${id}/ticket`, undefined],
      [`/api/v1/listening/mentions/${id}/reply`, { body: 'x' }],
    ] as const)
      expect((await api('POST', url, ws.readonly.headers, payload)).statusCode).toBe(403);
    expect((await api('GET', '/api/v1/listening/mentions', {})).statusCode).toBe(401);
  });

  it('refuses a private address that is not allowed', async () => {
    const plain = await startTestApp();
    try {
      const w = await plain.workspace('Guarded');
      const res = await plain.app.inject({
        method: 'POST',
        url: '/api/v1/listening/sources',
        headers: w.admin.headers,
        payload: { kind: 'rss', name: 'Local', enabled: true, settings: { feedUrl: `${f.url}/reviews.rss` } },
      });
      expect(res.statusCode).toBe(201);
      await plain.jobs.drain();
      const src = (
        await plain.app.inject({ method: 'GET', url: '/api/v1/listening/sources', headers: w.admin.headers })
      ).json().items[0];
      expect(src.lastError).toMatch(/loopback|public addresses/);
    } finally {
      await plain.stop();
    }
  }, 60_000);
});
