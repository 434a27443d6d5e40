import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../src/channels/channel-adapter.ts';
import { signVisitorToken, VERIFIED_TOKEN_TTL_SECONDS, visitorTokenKey } from '../src/channels/chat/index.ts';
import { sql } from '../src/platform/db/db.ts';
import { keyRing } from '../src/platform/security/keys.ts';
import { startTestApp, TEST_CAPABILITIES, type TestApp, type TestWorkspace } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
const sentMail: OutboundMessage[] = [];

beforeAll(async () => {
  // Behind a proxy on loopback: the per-IP tests vary the client address with X-Forwarded-For.
  t = await startTestApp({ TRUST_PROXY: '127.0.0.1' });
  ws = await t.workspace('Chat Shop');
  other = await t.workspace('Other Shop');
  // Stands in for the e-mail channel: the chat hands replies over through the registry.
  t.channels.register({
    channel: 'email',
    capabilities: TEST_CAPABILITIES,
    deliver: async (m) => {
      sentMail.push(m);
      return { externalId: `<mail-${m.messageId}@test>` };
    },
  });
});
afterAll(() => t?.stop());

// biome-ignore lint/suspicious/noExplicitAny: test code walks JSON bodies freely
type Json = Record<string, any>;
const inject = async (
  method: string,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) => {
  const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object, headers });
  return { status: res.statusCode, body: (res.body ? res.json() : null) as Json, headers: res.headers };
};
const widget = (slug: string, path: string) => `/api/v1/widget/${slug}/${path}`;
const clientId = () => randomBytes(9).toString('base64url');

async function visitor(slug = ws.slug, body: Json = {}) {
  const r = await inject('POST', widget(slug, 'session'), body);
  expect(r.status).toBe(200);
  return r.body as { token: string; visitorId: string; verified: boolean; messages: Json[] };
}
const say = (token: string, text: string, extra: Json = {}, slug = ws.slug) =>
  inject('POST', widget(slug, 'messages'), { token, clientId: clientId(), text, ...extra });

describe('widget config and sessions', () => {
  it('serves the public config with defaults, and 404 for an unknown shop', async () => {
    const r = await inject('GET', widget(ws.slug, 'config'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      workspace: { slug: ws.slug, name: 'Chat Shop' },
      enabled: true,
      open: true,
      typicalReplySeconds: null,
      emailChannel: true,
    });
    expect((await inject('GET', widget('no-such-shop', 'config'))).status).toBe(404);
  });

  it('resumes a visitor from its token, and a tampered token starts a stranger', async () => {
    const a = await visitor();
    const again = await visitor(ws.slug, { token: a.token });
    expect(again.visitorId).toBe(a.visitorId);
    const [body, sig] = a.token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, v: 'v_someone_else' })).toString('base64url')}.${sig}`;
    const stranger = await visitor(ws.slug, { token: forged });
    expect(stranger.visitorId).not.toBe(a.visitorId);
    expect(stranger.visitorId).not.toBe('v_someone_else');
  });
});

describe('visitor messages', () => {
  it('lands a message as a chat ticket the agents see, with HTML kept as text', async () => {
    const v = await visitor();
    const r = await say(v.token, '<script>alert(1)</script> <b>where</b> is my order?', {
      pageUrl: 'https://shop.example/products/boots',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ duplicate: false, message: { from: 'visitor' } });
    const ticketId = (await inject('GET', `/api/v1/tickets?channel=chat`, undefined, ws.agent.headers)).body
      .items[0].id;
    const ticket = await inject('GET', `/api/v1/tickets/${ticketId}`, undefined, ws.agent.headers);
    expect(ticket.body.channel).toBe('chat');
    const m = ticket.body.messages[0];
    expect(m.bodyText).toBe('<script>alert(1)</script> <b>where</b> is my order?');
    expect(m.bodyHtml).toBeNull();
    const info = await inject(
      'GET',
      `/api/v1/chat/tickets/${ticketId}/visitor`,
      undefined,
      ws.readonly.headers,
    );
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      visitorId: v.visitorId,
      pageUrl: 'https://shop.example/products/boots',
    });
    // Another workspace cannot read it.
    const foreign = await inject(
      'GET',
      `/api/v1/chat/tickets/${ticketId}/visitor`,
      undefined,
      other.agent.headers,
    );
    expect(foreign.status).toBe(404);
  });

  it('stores a resent message (same client id) once', async () => {
    const v = await visitor();
    const id = clientId();
    const first = await inject('POST', widget(ws.slug, 'messages'), {
      token: v.token,
      clientId: id,
      text: 'hello?',
    });
    const again = await inject('POST', widget(ws.slug, 'messages'), {
      token: v.token,
      clientId: id,
      text: 'hello?',
    });
    expect(first.status).toBe(201);
    expect(again.body.duplicate).toBe(true);
    expect(again.body.message.id).toBe(first.body.message.id);
    const history = await visitor(ws.slug, { token: v.token });
    expect(history.messages.filter((m) => m.text === 'hello?')).toHaveLength(1);
  });

  it("keeps visitors apart: one visitor's token never shows or reaches another's conversation", async () => {
    const a = await visitor();
    const b = await visitor();
    await say(a.token, 'secret order details of A');
    const bView = await visitor(ws.slug, { token: b.token });
    expect(bView.messages).toHaveLength(0);
    await say(b.token, 'hello from B');
    const aView = await visitor(ws.slug, { token: a.token });
    // (Only the visitor's own messages are compared: a chat bot may have answered.)
    expect(aView.messages.filter((m) => m.from === 'visitor').map((m) => m.text)).toEqual([
      'secret order details of A',
    ]);
    expect(JSON.stringify(aView.messages)).not.toContain('hello from B');
    // A token is bound to its workspace.
    const cross = await say(a.token, 'sneaking into another shop', {}, other.slug);
    expect(cross.status).toBe(401);
    const garbage = await say(`${a.token}x`, 'forged');
    expect(garbage.status).toBe(401);
  });

  it('refuses oversize messages and files, and file types that are not allowed', async () => {
    const v = await visitor();
    const long = await say(v.token, 'x'.repeat(5001));
    expect(long.status).toBe(400);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const big = Buffer.concat([png, Buffer.alloc(5 * 1024 * 1024)]);
    const tooBig = await say(v.token, '', {
      attachment: { filename: 'big.png', contentType: 'image/png', dataBase64: big.toString('base64') },
    });
    expect(tooBig.status).toBe(413);
    const exe = await say(v.token, '', {
      attachment: {
        filename: 'x.exe',
        contentType: 'application/x-msdownload',
        dataBase64: 'TVqQAAMAAAAEAAAA',
      },
    });
    expect(exe.status).toBe(415);
    const fake = await say(v.token, '', {
      attachment: {
        filename: 'x.png',
        contentType: 'image/png',
        dataBase64: Buffer.from('<html>').toString('base64'),
      },
    });
    expect(fake.status).toBe(415);
    const ok = await say(v.token, 'my receipt', {
      attachment: { filename: 'receipt.png', contentType: 'image/png', dataBase64: png.toString('base64') },
    });
    expect(ok.status).toBe(201);
    const file = ok.body.message.attachments[0];
    const download = await t.app.inject({ method: 'GET', url: file.url });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.rawPayload.equals(png)).toBe(true);
    const tampered = await t.app.inject({ method: 'GET', url: file.url.replace(/sig=\w/, 'sig=0') });
    expect(tampered.statusCode).toBe(404);
    // Nothing was stored for the refused ones.
    const history = await visitor(ws.slug, { token: v.token });
    expect(history.messages.filter((m) => m.from === 'visitor').map((m) => m.text)).toEqual(['my receipt']);
  });

  it('rate-limits messages per visitor', async () => {
    const v = await visitor();
    const codes: number[] = [];
    for (let i = 0; i < 32; i++) codes.push((await say(v.token, `spam ${i}`)).status);
    expect(codes.slice(0, 30).every((c) => c === 201)).toBe(true);
    expect(codes.at(-1)).toBe(429);
  });
});

describe('identity', () => {
  const sign = (secret: string, email: string) => createHmac('sha256', secret).update(email).digest('hex');

  it('rejects a forged identity hash and links a verified shopper to the existing contact', async () => {
    const contact = await inject(
      'POST',
      '/api/v1/contacts',
      { name: 'Jane Buyer', email: 'jane@buyer.test' },
      ws.agent.headers,
    );
    expect(contact.status).toBe(201);
    // The secret is shown only by the request that rotates it.
    const rotated = await inject(
      'PATCH',
      '/api/v1/chat/settings',
      { rotateIdentitySecret: true },
      ws.admin.headers,
    );
    const secret = rotated.body.identitySecret as string;

    const forged = await inject('POST', widget(ws.slug, 'session'), {
      identity: { email: 'jane@buyer.test', hash: sign('guessed-secret', 'jane@buyer.test') },
    });
    expect(forged.status).toBe(401);
    expect(forged.body.error.details.reason).toBe('identity_rejected');

    const v = await visitor(ws.slug, {
      identity: { email: 'Jane@Buyer.test', name: 'Jane', hash: sign(secret, 'jane@buyer.test') },
    });
    expect(v.verified).toBe(true);
    const sent = await say(v.token, 'verified hello');
    const ticket = (await inject('GET', '/api/v1/tickets?channel=chat&limit=1', undefined, ws.agent.headers))
      .body.items[0];
    expect(sent.status).toBe(201);
    expect(ticket.contact.id).toBe(contact.body.id);
  });

  it('never links an unverified visitor to a contact through the e-mail they typed', async () => {
    const contact = await inject(
      'POST',
      '/api/v1/contacts',
      { name: 'Victim', email: 'victim@buyer.test' },
      ws.agent.headers,
    );
    const v = await visitor();
    const pre = await inject('POST', widget(ws.slug, 'prechat'), {
      token: v.token,
      name: 'Mallory',
      email: 'victim@buyer.test',
    });
    expect(pre.status).toBe(200);
    await say(v.token, 'show me my orders');
    const ticket = (await inject('GET', '/api/v1/tickets?channel=chat&limit=1', undefined, ws.agent.headers))
      .body.items[0];
    expect(ticket.contact.id).not.toBe(contact.body.id);
    const victimTickets = await inject(
      'GET',
      `/api/v1/contacts/${contact.body.id}/tickets`,
      undefined,
      ws.agent.headers,
    );
    expect(victimTickets.body.items ?? victimTickets.body).toHaveLength(0);
  });
});

describe('signing out', () => {
  const sign = (secret: string, email: string) => createHmac('sha256', secret).update(email).digest('hex');

  it('forgets a signed-in shopper on a page load that does not identify them, and keeps their chats theirs', async () => {
    const w = await t.workspace('Sign Out Shop');
    const secret = (
      await inject('PATCH', '/api/v1/chat/settings', { rotateIdentitySecret: true }, w.admin.headers)
    ).body.identitySecret as string;
    const identity = { email: 'kim@buyer.test', name: 'Kim', hash: sign(secret, 'kim@buyer.test') };
    const signedIn = await visitor(w.slug, { identity });
    expect(signedIn.verified).toBe(true);
    expect((await say(signedIn.token, 'my private order question', {}, w.slug)).status).toBe(201);

    // The same browser after the shop signed Kim out: the page calls no identify().
    const after = await visitor(w.slug, { token: signedIn.token });
    expect(after.verified).toBe(false);
    expect(after.visitorId).not.toBe(signedIn.visitorId);
    expect(JSON.stringify(after.messages)).not.toContain('my private order question');
    // Signing in again (from the anonymous token the widget now holds) brings the chat back.
    const back = await visitor(w.slug, { token: after.token, identity });
    expect(back.visitorId).toBe(signedIn.visitorId);
    expect(back.messages.map((m) => m.text)).toContain('my private order question');

    // A signed-in shopper's token lives one day, and only as issued to an identified page.
    const claims = JSON.parse(Buffer.from(signedIn.token.split('.')[0]!, 'base64url').toString());
    const row = await t.db.one<{ token_salt: string }>(
      sql`SELECT token_salt FROM chat_settings WHERE workspace_id = ${w.workspaceId}`,
    );
    const key = visitorTokenKey(keyRing(t.config).key('chat-visitor-tokens'), w.workspaceId, row!.token_salt);
    const stale = signVisitorToken(key, { ...claims, iat: claims.iat - VERIFIED_TOKEN_TTL_SECONDS - 60 });
    expect((await say(stale, 'still me?', {}, w.slug)).status).toBe(401);
    const unmarked = signVisitorToken(key, { w: claims.w, v: claims.v, iat: claims.iat });
    const refused = await say(unmarked, 'still me?', {}, w.slug);
    expect(refused.status).toBe(401);
    expect(refused.body.error.details.reason).toBe('identity_required');
    expect((await say(back.token, 'signed in again', {}, w.slug)).status).toBe(201);
  });
});

describe('per-IP limits', () => {
  const sessionFrom = (ip: string, slug = ws.slug, app = t) =>
    app.app.inject({
      method: 'POST',
      url: widget(slug, 'session'),
      payload: {},
      headers: { 'x-forwarded-for': ip },
    });

  it('limits new chat sessions per client address behind a trusted proxy', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 61; i++) codes.push((await sessionFrom('198.51.100.7')).statusCode);
    expect(codes.slice(0, 60).every((c) => c === 200)).toBe(true);
    const over = await sessionFrom('198.51.100.7');
    expect(over.statusCode).toBe(429);
    expect(over.json().error.details.retryAfterSeconds).toBeGreaterThan(0);
    // Another shopper's address is not affected.
    expect((await sessionFrom('198.51.100.8')).statusCode).toBe(200);
  });

  it('does not believe a spoofed X-Forwarded-For with the default configuration', async () => {
    const plain = await startTestApp();
    try {
      const w = await plain.workspace('Spoofing Shop');
      const codes: number[] = [];
      // Every request claims another address; the socket's own address is what counts.
      for (let i = 0; i < 61; i++)
        codes.push((await sessionFrom(`203.0.113.${i}`, w.slug, plain)).statusCode);
      expect(codes.slice(0, 60).every((c) => c === 200)).toBe(true);
      expect(codes[60]).toBe(429);
    } finally {
      await plain.stop();
    }
  });
});

describe('origins', () => {
  it('refuses sites that are not on the allow-list, with CORS only for allowed ones', async () => {
    const slug = (await t.workspace('Locked Shop')).slug;
    const lockedAdmin = await t.app.inject({ method: 'GET', url: '/api/v1/chat/settings', headers: {} });
    expect(lockedAdmin.statusCode).toBe(401);
    const w2 = await t.workspace('Origin Shop');
    const patch = await inject(
      'PATCH',
      '/api/v1/chat/settings',
      { allowedOrigins: ['https://shop.example', 'https://*.brand.example'] },
      w2.admin.headers,
    );
    expect(patch.status).toBe(200);
    const evil = await inject('GET', widget(w2.slug, 'config'), undefined, {
      origin: 'https://evil.example',
    });
    expect(evil.status).toBe(403);
    expect(evil.body.error.message).toContain('not allowed');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const evilPost = await inject('POST', widget(w2.slug, 'session'), {}, { origin: 'https://evil.example' });
    expect(evilPost.status).toBe(403);
    const good = await inject('GET', widget(w2.slug, 'config'), undefined, {
      origin: 'https://shop.example',
    });
    expect(good.status).toBe(200);
    expect(good.headers['access-control-allow-origin']).toBe('https://shop.example');
    const sub = await inject('GET', widget(w2.slug, 'config'), undefined, {
      origin: 'https://eu.brand.example',
    });
    expect(sub.status).toBe(200);
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: widget(w2.slug, 'messages'),
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('content-type');
    // An open workspace answers any site.
    const open = await inject('GET', widget(slug, 'config'), undefined, {
      origin: 'https://anything.example',
    });
    expect(open.status).toBe(200);
  });

  it('lets only admins read and change settings, and rejects bad values without changing anything', async () => {
    expect((await inject('GET', '/api/v1/chat/settings', undefined, ws.agent.headers)).status).toBe(403);
    const bad = await inject('PATCH', '/api/v1/chat/settings', { color: 'red' }, ws.admin.headers);
    expect(bad.status).toBe(400);
    const badOrigin = await inject(
      'PATCH',
      '/api/v1/chat/settings',
      { allowedOrigins: ['not a url'] },
      ws.admin.headers,
    );
    expect(badOrigin.status).toBe(400);
    const now = await inject('GET', '/api/v1/chat/settings', undefined, ws.admin.headers);
    expect(now.body.color).toBe('#1f6feb');
    expect(now.body.installSnippet).toContain(`data-workspace="${ws.slug}"`);
  });
});

describe('agent replies, ratings, reply time, e-mail fallback', () => {
  it('e-mails a reply at once when the visitor has left, through the e-mail channel', async () => {
    const v = await visitor();
    await inject('POST', widget(ws.slug, 'prechat'), {
      token: v.token,
      name: 'Ola',
      email: 'ola@shopper.test',
    });
    await say(v.token, 'are you there?');
    const ticketId = (
      await inject('GET', '/api/v1/tickets?channel=chat&limit=1', undefined, ws.agent.headers)
    ).body.items[0].id;
    const reply = await inject(
      'POST',
      `/api/v1/tickets/${ticketId}/replies`,
      { body: 'Yes! Your parcel ships today.' },
      ws.agent.headers,
    );
    expect(reply.status).toBe(201);
    await t.jobs.drain();
    const mail = sentMail.find((m) => m.ticketId === ticketId && m.bodyText.includes('ships today'));
    expect(mail?.to.email).toBe('ola@shopper.test');
    expect(mail?.bodyText).toContain('Your parcel ships today.');
    const msg = (
      await inject('GET', `/api/v1/tickets/${ticketId}`, undefined, ws.agent.headers)
    ).body.messages.at(-1);
    expect(msg.deliveryStatus).toBe('sent');
    // The reply is in the widget history too.
    const h = await visitor(ws.slug, { token: v.token });
    const shown = h.messages.find((m) => m.text === 'Yes! Your parcel ships today.');
    expect(shown).toMatchObject({
      from: 'agent',
      author: { name: expect.stringContaining('agent of Chat Shop') },
    });
  });

  it('asks for a rating when the chat is solved and stores it', async () => {
    const v = await visitor();
    await say(v.token, 'rate me later');
    const ticketId = (
      await inject('GET', '/api/v1/tickets?channel=chat&limit=1', undefined, ws.agent.headers)
    ).body.items[0].id;
    const early = await inject('POST', widget(ws.slug, 'rating'), { token: v.token, score: 5 });
    expect(early.status).toBe(409);
    await inject('PATCH', `/api/v1/tickets/${ticketId}`, { status: 'solved' }, ws.agent.headers);
    const bad = await inject('POST', widget(ws.slug, 'rating'), { token: v.token, score: 9 });
    expect(bad.status).toBe(400);
    const rated = await inject('POST', widget(ws.slug, 'rating'), {
      token: v.token,
      score: 4,
      comment: 'quick!',
    });
    expect(rated.status).toBe(200);
    expect(rated.body.rating).toEqual({ score: 4, comment: 'quick!' });
    const list = await inject('GET', '/api/v1/chat/ratings', undefined, ws.lead.headers);
    expect(list.body.items[0]).toMatchObject({ ticketId, score: 4, comment: 'quick!' });
  });

  it('shows a typical reply time once enough chats were answered in the last 7 days', async () => {
    const w3 = await t.workspace('Reply Time Shop');
    for (let i = 0; i < 3; i++) {
      const v = await visitor(w3.slug);
      await say(v.token, `question ${i}`, {}, w3.slug);
      const id = (await inject('GET', '/api/v1/tickets?channel=chat&limit=1', undefined, w3.agent.headers))
        .body.items[0].id;
      await inject('POST', `/api/v1/tickets/${id}/replies`, { body: 'answer' }, w3.agent.headers);
    }
    const stats = await inject('GET', '/api/v1/chat/stats', undefined, w3.agent.headers);
    expect(stats.body.chatsAnsweredLast7Days).toBe(3);
    expect(stats.body.typicalReplySeconds).toBeGreaterThanOrEqual(0);
    const cfg = await inject('GET', widget(w3.slug, 'config'));
    expect(typeof cfg.body.typicalReplySeconds).toBe('number');
  });

  it('counts only human first replies in the typical reply time, each at the time it was sent', async () => {
    const w = await t.workspace('Human Reply Shop');
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const v = await visitor(w.slug);
      await say(v.token, `do the boots come in size ${40 + i}?`, {}, w.slug);
      ids.push(
        (await inject('GET', '/api/v1/tickets?channel=chat&limit=1', undefined, w.agent.headers)).body
          .items[0].id,
      );
    }
    // The bot answers every chat at once: nobody has waited for a person yet.
    for (const id of ids)
      await expect
        .poll(
          async () =>
            (await inject('GET', `/api/v1/tickets/${id}`, undefined, w.agent.headers)).body.messages.filter(
              (m: Json) => m.kind === 'outbound',
            ).length,
          { timeout: 15_000 },
        )
        .toBeGreaterThan(0);
    const botOnly = await inject('GET', '/api/v1/chat/stats', undefined, w.agent.headers);
    expect(botOnly.body).toEqual({ typicalReplySeconds: null, chatsAnsweredLast7Days: 0 });

    // Then an agent answers each; the shoppers had been waiting 60 s, 2 min and 5 min.
    const waited = [60, 120, 300];
    for (const [i, id] of ids.entries()) {
      const reply = await inject(
        'POST',
        `/api/v1/tickets/${id}/replies`,
        { body: 'Yes, all sizes.' },
        w.agent.headers,
      );
      expect(reply.status).toBe(201);
      await t.db.query(sql`
        UPDATE chat_conversations c SET started_at = m.created_at - make_interval(secs => ${waited[i]!})
        FROM messages m WHERE m.id = ${reply.body.id} AND c.ticket_id = ${id}`);
    }
    await expect
      .poll(async () => (await inject('GET', '/api/v1/chat/stats', undefined, w.agent.headers)).body)
      .toEqual({ typicalReplySeconds: 120, chatsAnsweredLast7Days: 3 });
    expect((await inject('GET', widget(w.slug, 'config'))).body.typicalReplySeconds).toBe(120);
  });

  it('outside business hours takes an e-mail address for the reply, even with the e-mail field off', async () => {
    const w = await t.workspace('Closed Shop');
    const patch = await inject(
      'PATCH',
      '/api/v1/chat/settings',
      { emailField: 'off', businessHours: { enabled: true, timezone: 'UTC', days: {}, holidays: [] } },
      w.admin.headers,
    );
    expect(patch.status).toBe(200);
    const cfg = await inject('GET', widget(w.slug, 'config'));
    expect(cfg.body).toMatchObject({ open: false, nextOpenAt: null, emailField: 'off' });

    const v = await visitor(w.slug);
    const bad = await inject('POST', widget(w.slug, 'email'), { token: v.token, email: 'not an address' });
    expect(bad.status).toBe(400);
    const left = await inject('POST', widget(w.slug, 'email'), {
      token: v.token,
      email: 'Late@Shopper.test',
    });
    expect(left.status).toBe(200);
    expect(left.body.email).toBe('late@shopper.test');
    // The pre-chat form takes it too while the team is away.
    const v2 = await visitor(w.slug);
    const pre = await inject('POST', widget(w.slug, 'prechat'), {
      token: v2.token,
      email: 'pre@shopper.test',
    });
    expect(pre.body.email).toBe('pre@shopper.test');

    // The agent's reply next morning reaches the shopper by e-mail.
    await say(v.token, 'is the red jacket back in stock?', {}, w.slug);
    const id = (await inject('GET', '/api/v1/tickets?channel=chat&limit=1', undefined, w.agent.headers)).body
      .items[0].id;
    await inject('POST', `/api/v1/tickets/${id}/replies`, { body: 'It is, since today.' }, w.agent.headers);
    await t.jobs.drain();
    const mail = sentMail.find((m) => m.ticketId === id && m.bodyText.includes('since today'));
    expect(mail?.to.email).toBe('late@shopper.test');
  });

  it('an anonymous visitor cannot have the transcript mailed to an address it has not proved', async () => {
    const v = await visitor();
    await say(v.token, 'BUY CHEAP PILLS at spam.example');
    const before = sentMail.length;
    const r = await inject('POST', widget(ws.slug, 'transcript'), {
      token: v.token,
      email: 'victim@elsewhere.test',
    });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ queued: false, email: 'victim@elsewhere.test', codeSent: true });
    await t.jobs.drain();
    // Only the fixed code mail went out: none of the visitor's words reached the address.
    const mails = sentMail.slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to.email).toBe('victim@elsewhere.test');
    expect(mails[0]!.subject).toContain('code');
    expect(mails[0]!.bodyText).not.toContain('PILLS');
    expect(mails[0]!.notice).toBe(true);
    // Guessing the code does not work, and a wrong code never sends the transcript.
    const wrong = await inject('POST', widget(ws.slug, 'transcript'), {
      token: v.token,
      email: 'victim@elsewhere.test',
      code: '000000' === /\d{6}/.exec(mails[0]!.bodyText)![0] ? '111111' : '000000',
    });
    expect(wrong.status).toBe(400);
    await t.jobs.drain();
    expect(sentMail.slice(before).some((m) => m.bodyText.includes('PILLS'))).toBe(false);
    // Asking again and again for codes to the same address is limited per address, whoever asks.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const other = await visitor();
      await say(other.token, `hello ${i}`);
      statuses.push(
        (
          await inject('POST', widget(ws.slug, 'transcript'), {
            token: other.token,
            email: 'flood@elsewhere.test',
          })
        ).status,
      );
    }
    expect(statuses.slice(0, 3)).toEqual([202, 202, 202]);
    expect(statuses[3]).toBe(429);
  });

  it('e-mails the transcript once the visitor proves the address with the mailed code', async () => {
    const v = await visitor();
    await say(v.token, 'please send me this chat');
    const ask = await inject('POST', widget(ws.slug, 'transcript'), {
      token: v.token,
      email: 'Me@Shopper.test',
    });
    expect(ask.body.codeSent).toBe(true);
    await t.jobs.drain();
    const codeMail = sentMail.filter((m) => m.to.email === 'me@shopper.test').at(-1)!;
    const code = /\b(\d{6})\b/.exec(codeMail.bodyText)![1]!;
    const r = await inject('POST', widget(ws.slug, 'transcript'), {
      token: v.token,
      email: 'me@shopper.test',
      code,
    });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ queued: true, email: 'me@shopper.test', codeSent: false });
    await t.jobs.drain();
    const mail = sentMail.find((m) => m.to.email === 'me@shopper.test' && m.subject.includes('Transcript'));
    expect(mail?.bodyText).toContain('please send me this chat');
    // The code is spent; the proved address keeps working for this visitor without a new code.
    const again = await inject('POST', widget(ws.slug, 'transcript'), {
      token: v.token,
      email: 'me@shopper.test',
      code,
    });
    expect(again.body).toMatchObject({ queued: true });
  });

  it('sends an identified shopper the transcript at once, to their own address only', async () => {
    const rotated = await inject(
      'PATCH',
      '/api/v1/chat/settings',
      { rotateIdentitySecret: true },
      ws.admin.headers,
    );
    const secret = rotated.body.identitySecret as string;
    const hash = createHmac('sha256', secret).update('ivy@buyer.test').digest('hex');
    const v = await visitor(ws.slug, { identity: { email: 'ivy@buyer.test', name: 'Ivy', hash } });
    await say(v.token, 'transcript please');
    const r = await inject('POST', widget(ws.slug, 'transcript'), {
      token: v.token,
      email: 'someone@else.test',
    });
    expect(r.body).toEqual({ queued: true, email: 'ivy@buyer.test', codeSent: false });
    await t.jobs.drain();
    expect(sentMail.some((m) => m.to.email === 'someone@else.test')).toBe(false);
    expect(sentMail.find((m) => m.to.email === 'ivy@buyer.test')?.bodyText).toContain('transcript please');
  });
});
