import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';
import { connectRealtime } from './realtime-client.ts';

// A short grace period so a lapse happens within the test; heartbeats well inside it, so a live socket
// is never mistaken for a dead one on a loaded machine.
let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await startTestApp({ PRESENCE_GRACE_SECONDS: '3', PRESENCE_HEARTBEAT_SECONDS: '0.25' });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

type Presence = { agentId: number; status: string; lapsedAt: string | null };
const presenceOf = async (ws: TestWorkspace, id: number) =>
  ((await call('GET', '/api/v1/routing/agents', ws.lead.headers)).json().items as Presence[]).find(
    (a) => a.agentId === id,
  )!;
const assignee = async (ws: TestWorkspace, id: number) =>
  (await call('GET', `/api/v1/tickets/${id}`, ws.lead.headers)).json().assigneeId as number | null;
const newChat = async (ws: TestWorkspace) => {
  const res = await call('POST', '/api/v1/tickets', ws.lead.headers, ticketBody({ channel: 'chat' }));
  expect(res.statusCode).toBe(201);
  return res.json().id as number;
};

/** A round-robin workspace with a second agent who works through the API only (never lapses). */
async function setup() {
  const ws = await t.workspace();
  await call('PUT', '/api/v1/routing/config', ws.lead.headers, { mode: 'round_robin' });
  const res = await call('POST', '/api/v1/agents', ws.admin.headers, {
    email: `backup-${randomBytes(4).toString('hex')}@example.com`,
    name: 'Backup',
  });
  return { ws, backup: res.json().id as number };
}
const online = (ws: TestWorkspace, id: number) =>
  call('PATCH', `/api/v1/routing/agents/${id}`, ws.lead.headers, { status: 'online' });

const POLL = { timeout: 30_000, interval: 100 };

describe('presence follows the agent', () => {
  it('signing out takes the agent offline: their chat is re-routed and new tickets go elsewhere', async () => {
    const { ws, backup } = await setup();
    const session = await t.login(ws.agent);
    await online(ws, ws.agent.agentId);
    const chat = await newChat(ws);
    expect(await assignee(ws, chat)).toBe(ws.agent.agentId);
    await online(ws, backup);

    const out = await call('POST', '/api/v1/auth/logout', {
      cookie: `sd_session=${session.cookie}`,
      'x-csrf-token': session.csrf,
    });
    expect(out.statusCode).toBeLessThan(300);
    expect((await presenceOf(ws, ws.agent.agentId)).status).toBe('offline');
    expect(await assignee(ws, chat)).toBe(backup);
    expect(await assignee(ws, await newChat(ws))).toBe(backup);
  });

  it('treats an agent whose last socket closed as offline after the grace period, and routes to them again on reconnect', async () => {
    const { ws, backup } = await setup();
    let socket = await connectRealtime(base, ws.agent.headers);
    await online(ws, ws.agent.agentId);
    const chat = await newChat(ws);
    expect(await assignee(ws, chat)).toBe(ws.agent.agentId);
    await online(ws, backup);

    socket.close();
    await expect.poll(async () => (await presenceOf(ws, ws.agent.agentId)).lapsedAt, POLL).not.toBeNull();
    // The choice is kept (to come back to); routing acts as if they were offline.
    expect((await presenceOf(ws, ws.agent.agentId)).status).toBe('online');
    await expect.poll(() => assignee(ws, chat), POLL).toBe(backup);
    expect(await assignee(ws, await newChat(ws))).toBe(backup);

    socket = await connectRealtime(base, ws.agent.headers);
    await expect.poll(async () => (await presenceOf(ws, ws.agent.agentId)).lapsedAt, POLL).toBeNull();
    // Round robin: the returning agent's turn is the oldest, so the next chat is theirs.
    expect(await assignee(ws, await newChat(ws))).toBe(ws.agent.agentId);
    socket.close();
  });

  it('closes a socket whose session expired, and the agent lapses', async () => {
    const { ws, backup } = await setup();
    const session = await t.login(ws.agent);
    const socket = await connectRealtime(base, { cookie: `sd_session=${session.cookie}` });
    const closed = new Promise<number>((resolve) => socket.ws.on('close', (code) => resolve(code)));
    await online(ws, ws.agent.agentId);
    const chat = await newChat(ws);
    expect(await assignee(ws, chat)).toBe(ws.agent.agentId);
    await online(ws, backup);

    await t.db.query(
      sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE agent_id = ${ws.agent.agentId}`,
    );
    expect(await closed).toBe(4401);
    await expect.poll(() => assignee(ws, chat), POLL).toBe(backup);
    expect((await presenceOf(ws, ws.agent.agentId)).lapsedAt).not.toBeNull();
  });

  it('leaves agents who never opened a socket alone (API clients)', async () => {
    const { ws, backup } = await setup();
    await online(ws, backup);
    // Another agent's lapse proves the heartbeat ran past the grace period meanwhile.
    const socket = await connectRealtime(base, ws.agent.headers);
    await online(ws, ws.agent.agentId);
    socket.close();
    await expect.poll(async () => (await presenceOf(ws, ws.agent.agentId)).lapsedAt, POLL).not.toBeNull();
    expect((await presenceOf(ws, backup)).lapsedAt).toBeNull();
    expect(await assignee(ws, await newChat(ws))).toBe(backup);
  });
});
