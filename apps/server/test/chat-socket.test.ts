import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_SOCKETS_PER_IP, TOO_MANY_SOCKETS_CODE } from '../src/channels/chat/index.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { connectRealtime } from './realtime-client.ts';

let t: TestApp;
let ws: TestWorkspace;
let base: string;

beforeAll(async () => {
  // Behind a proxy on loopback: X-Forwarded-For sets the client address the per-IP limit counts.
  t = await startTestApp({ TRUST_PROXY: '127.0.0.1' }, { workers: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  ws = await t.workspace('Socket Shop');
});
afterAll(() => t?.stop());

type Frame = { type: string; [k: string]: unknown };

async function session(slug = ws.slug) {
  const r = await t.app.inject({ method: 'POST', url: `/api/v1/widget/${slug}/session`, payload: {} });
  return r.json() as { token: string; visitorId: string };
}

/** A visitor socket that records frames; `hello` is sent when a token is given. */
async function visitorSocket(
  token: string | null,
  origin = 'https://shop.example',
  slug = ws.slug,
  ip = '192.0.2.1',
) {
  const sock = new WebSocket(`${base.replace('http', 'ws')}/api/v1/widget/${slug}/socket`, {
    headers: { origin, 'x-forwarded-for': ip },
  });
  const frames: Frame[] = [];
  const waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  sock.on('message', (raw) => {
    const f = JSON.parse(raw.toString()) as Frame;
    frames.push(f);
    for (const w of [...waiters])
      if (w.pred(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
  });
  const waitFor = (pred: (f: Frame) => boolean, ms = 5000) =>
    new Promise<Frame>((resolve, reject) => {
      const hit = frames.find(pred);
      if (hit) return resolve(hit);
      const timer = setTimeout(() => reject(new Error(`no frame; got ${JSON.stringify(frames)}`)), ms);
      waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  await new Promise<void>((resolve, reject) => {
    sock.once('open', () => resolve());
    sock.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    sock.once('error', reject);
  });
  const send = (f: unknown) => sock.send(JSON.stringify(f));
  if (token) {
    send({ type: 'hello', token });
    await waitFor((f) => f.type === 'ready' || f.type === 'error');
  }
  return { sock, frames, waitFor, send };
}

describe('visitor WebSocket', () => {
  it('acknowledges a stored message, dedupes a resend, and delivers the agent reply and typing live', async () => {
    const v = await session();
    const s = await visitorSocket(v.token);
    expect(s.frames[0]).toMatchObject({ type: 'ready', visitorId: v.visitorId });
    s.send({ type: 'message', clientId: 'client-000001', text: 'hi from the socket' });
    const ack = await s.waitFor((f) => f.type === 'ack');
    const message = ack.message as { id: number };
    s.send({ type: 'message', clientId: 'client-000001', text: 'hi from the socket' });
    const again = await s.waitFor((f) => f.type === 'ack' && f !== ack);
    expect(again).toMatchObject({ duplicate: true, message: { id: message.id } });

    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tickets?channel=chat',
      headers: ws.agent.headers,
    });
    const ticketId = list.json().items[0].id as number;
    const detail = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets/${ticketId}`,
      headers: ws.agent.headers,
    });
    expect(
      detail.json().messages.filter((m: { bodyText: string }) => m.bodyText === 'hi from the socket'),
    ).toHaveLength(1);

    // Agent typing (presence on the agent socket) becomes the visitor's typing indicator. The agent's
    // socket subscribes asynchronously, so the signal is repeated until the widget hears it.
    const agent = await connectRealtime(base, ws.agent.headers);
    agent.send({ type: 'subscribe', room: `ticket:${ticketId}` });
    await expect
      .poll(
        () => {
          agent.send({ type: 'presence', ticketId, state: 'typing' });
          return s.frames.some((f) => f.type === 'typing' && f.typing === true);
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(true);
    // Visitor typing reaches the agents as an event on the ticket.
    s.send({ type: 'typing', typing: true });
    await agent.waitFor(
      (f) => f.type === 'event' && f.event === 'chat.visitor_typing' && f.ticketId === ticketId,
    );

    await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'Hello! How can I help?' },
    });
    // A chat bot may answer first; the agent's reply is the one with this text.
    const pushed = await s.waitFor(
      (f) => f.type === 'message' && (f.message as { text: string }).text === 'Hello! How can I help?',
    );
    expect(pushed.message).toMatchObject({ from: 'agent', author: { name: 'agent of Socket Shop' } });
    // Reading it is recorded, so no e-mail fallback is needed.
    s.send({ type: 'read', upTo: (pushed.message as { id: number }).id });
    await agent.waitFor((f) => f.type === 'event' && f.event === 'chat.visitor_read');
    agent.close();
    s.sock.close();
  });

  it('answers a message it cannot take with an error naming the message', async () => {
    const v = await session();
    const s = await visitorSocket(v.token);
    s.send({ type: 'message', clientId: 'client-toolong', text: 'x'.repeat(5001) });
    expect(await s.waitFor((f) => f.type === 'error')).toMatchObject({
      code: 'validation_failed',
      clientId: 'client-toolong',
      message: 'Messages can be at most 5000 characters',
    });
    s.sock.close();
  });

  it('lets one address open only so many sockets at once, with a clear close code', async () => {
    const v = await session();
    const ip = '198.51.100.77';
    const open: Awaited<ReturnType<typeof visitorSocket>>[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_IP; i++)
      open.push(await visitorSocket(v.token, undefined, ws.slug, ip));
    expect(open.every((s) => s.frames[0]?.type === 'ready')).toBe(true);
    const extra = await visitorSocket(null, undefined, ws.slug, ip);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      extra.sock.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(await extra.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'too_many_connections' });
    expect(await closed).toEqual({
      code: TOO_MANY_SOCKETS_CODE,
      reason: 'too many connections from your network',
    });
    // Another address is not affected, and a closed socket frees its place.
    const other = await visitorSocket(v.token, undefined, ws.slug, '198.51.100.78');
    expect(other.frames[0]).toMatchObject({ type: 'ready' });
    const gone = new Promise((resolve) => open[0]!.sock.once('close', resolve));
    open[0]!.sock.close();
    await gone;
    await expect
      .poll(
        async () => {
          const again = await visitorSocket(v.token, undefined, ws.slug, ip);
          const ok = again.frames[0]?.type === 'ready';
          if (ok) open.push(again);
          else again.sock.close();
          return ok;
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
    for (const s of [...open, other]) s.sock.close();
  });

  it("never lets one visitor's socket hear another visitor's conversation", async () => {
    const a = await session();
    const b = await session();
    const sa = await visitorSocket(a.token);
    const sb = await visitorSocket(b.token);
    sa.send({ type: 'message', clientId: 'client-aaaaaa', text: 'private to A' });
    await sa.waitFor((f) => f.type === 'ack');
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tickets?channel=chat',
      headers: ws.agent.headers,
    });
    const ticketId = list.json().items[0].id as number;
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'only for A' },
    });
    await sa.waitFor((f) => f.type === 'message' && (f.message as { text: string }).text === 'only for A');
    expect(JSON.stringify(sb.frames)).not.toContain('private to A');
    expect(JSON.stringify(sb.frames)).not.toContain('only for A');
    sa.sock.close();
    sb.sock.close();
  });

  it('refuses a bad token, and sites that are not on the allow-list before the upgrade', async () => {
    const bad = await visitorSocket(null);
    const closed = new Promise<number>((resolve) => bad.sock.once('close', (code) => resolve(code)));
    bad.send({ type: 'hello', token: 'not-a-token' });
    expect(await bad.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'unauthorized' });
    expect(await closed).toBe(4401);

    const locked = await t.workspace('Locked Socket Shop');
    await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/chat/settings',
      headers: locked.admin.headers,
      payload: { allowedOrigins: ['https://shop.example'] },
    });
    await expect(visitorSocket(null, 'https://evil.example', locked.slug)).rejects.toThrow('HTTP 403');
    const ok = await visitorSocket(null, 'https://shop.example', locked.slug);
    ok.sock.close();
  });
});
