import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, TEST_CAPABILITIES, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';
import { connectRealtime as connect } from './realtime-client.ts';

let t: TestApp;
let base: string;
let a: TestWorkspace;
let b: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  a = await t.workspace('RT A');
  b = await t.workspace('RT B');
});
afterAll(() => t?.stop());

describe('realtime WebSocket', () => {
  it('refuses a socket without credentials', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/realtime`);
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect(code).toBe(4401);
  });

  it('delivers ticket and message events of the workspace within a second, never another workspace’s', async () => {
    const sa = await connect(base, a.agent.headers);
    const sb = await connect(base, b.agent.headers);
    const tk = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: a.admin.headers,
        payload: ticketBody(),
      })
    ).json();
    const created = await sa.waitFor((f) => f.event === 'ticket.created' && f.ticketId === tk.id);
    expect(created.ticketId).toBe(tk.id);
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${tk.id}/replies`,
      headers: a.admin.headers,
      payload: { body: 'hello' },
    });
    await sa.waitFor((f) => f.event === 'message.created' && f.ticketId === tk.id);
    await new Promise((r) => setTimeout(r, 100));
    expect(sb.frames.filter((f) => f.type === 'event')).toEqual([]);
    sa.close();
    sb.close();
  });

  it('shares presence per ticket (viewing, typing) and clears it when the socket closes', async () => {
    const tk = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: a.admin.headers,
        payload: ticketBody(),
      })
    ).json();
    const one = await connect(base, a.agent.headers);
    const two = await connect(base, a.lead.headers);
    one.send({ type: 'subscribe', room: `ticket:${tk.id}` });
    two.send({ type: 'subscribe', room: `ticket:${tk.id}` });
    await one.waitFor((f) => f.type === 'subscribed');
    await two.waitFor((f) => f.type === 'subscribed');
    two.send({ type: 'presence', ticketId: tk.id, state: 'typing' });
    const seen = await one.waitFor(
      (f) =>
        f.type === 'presence' &&
        !!f.agents?.some((x) => x.agentId === a.lead.agentId && x.state === 'typing'),
    );
    expect(seen.ticketId).toBe(tk.id);
    two.close();
    await one.waitFor((f) => f.type === 'presence' && f.agents?.length === 0);
    one.close();
  });

  it('answers bad frames with an error frame and keeps the connection', async () => {
    const s = await connect(base, a.agent.headers);
    s.send({ type: 'subscribe', room: 'ticket:abc' });
    await s.waitFor((f) => f.type === 'error');
    s.send({ type: 'ping' });
    await s.waitFor((f) => f.type === 'pong');
    s.close();
  });
  it('tells agents at once when a reply failed to send and will be retried', async () => {
    const attempted: number[] = [];
    t.channels.register({
      channel: 'api',
      capabilities: TEST_CAPABILITIES,
      deliver: async (m) => {
        attempted.push(m.messageId);
        throw new Error('451 4.3.0 relay busy, try later');
      },
    });
    const tk = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: a.agent.headers,
        payload: ticketBody(),
      })
    ).json();
    const s = await connect(base, a.agent.headers);
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${tk.id}/replies`,
      headers: a.agent.headers,
      payload: { body: 'Your parcel is on its way.' },
    });
    expect(reply.statusCode).toBe(201);
    await t.jobs.drain();
    expect(attempted.filter((id) => id === reply.json().id)).toHaveLength(1);
    await s.waitFor((f) => f.event === 'message.delivery_changed' && f.ticketId === tk.id);
    const msg = (
      await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${tk.id}`, headers: a.agent.headers })
    )
      .json()
      .messages.find((m: { id: number }) => m.id === reply.json().id);
    expect(msg).toMatchObject({ deliveryStatus: 'queued', deliveryError: '451 4.3.0 relay busy, try later' });
    s.close();
  });
});
