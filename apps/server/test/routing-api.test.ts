import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

async function addAgents(ws: TestWorkspace, n: number, extra: Record<string, unknown> = {}) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await call('POST', '/api/v1/agents', ws.admin.headers, {
      email: `router-${randomBytes(4).toString('hex')}@example.com`,
      name: `Agent ${i}`,
      ...extra,
    });
    expect(res.statusCode).toBe(201);
    ids.push(res.json().id);
  }
  return ids;
}

const setStatus = (ws: TestWorkspace, id: number, body: Record<string, unknown>) =>
  call('PATCH', `/api/v1/routing/agents/${id}`, ws.lead.headers, body);

const newTicket = async (ws: TestWorkspace, over: Record<string, unknown> = {}) => {
  const res = await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody(over));
  expect(res.statusCode).toBe(201);
  return (await call('GET', `/api/v1/tickets/${res.json().id}`, ws.agent.headers)).json();
};

const assignee = async (ws: TestWorkspace, id: number) =>
  (await call('GET', `/api/v1/tickets/${id}`, ws.agent.headers)).json().assigneeId as number | null;

describe('routing settings and presence', () => {
  it('validates config and status changes and keeps them per workspace', async () => {
    const ws = await t.workspace();
    const bad = await call('PUT', '/api/v1/routing/config', ws.lead.headers, { mode: 'lottery' });
    expect(bad.statusCode).toBe(400);
    expect(
      (await call('PUT', '/api/v1/routing/config', ws.agent.headers, { mode: 'round_robin' })).statusCode,
    ).toBe(403);
    const ok = await call('PUT', '/api/v1/routing/config', ws.lead.headers, { mode: 'round_robin' });
    expect(ok.json()).toMatchObject({
      teamId: null,
      mode: 'round_robin',
      defaultCapacity: { chat: 3, email: 20 },
    });
    expect(
      (await call('PUT', '/api/v1/routing/config/teams/999999', ws.lead.headers, { mode: 'manual' }))
        .statusCode,
    ).toBe(404);

    // An agent may set their own status, not someone else's, and not their capacity.
    const me = await call('PUT', '/api/v1/routing/presence', ws.agent.headers, { status: 'away' });
    expect(me.json()).toMatchObject({ agentId: ws.agent.agentId, status: 'away' });
    expect(
      (
        await call('PATCH', `/api/v1/routing/agents/${ws.lead.agentId}`, ws.agent.headers, {
          status: 'online',
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await call('PATCH', `/api/v1/routing/agents/${ws.agent.agentId}`, ws.agent.headers, {
          capacity: { chat: 9 },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await call('PUT', '/api/v1/routing/presence', ws.agent.headers, { status: 'busy' })).statusCode,
    ).toBe(400);

    const other = await t.workspace();
    expect((await setStatus(other, ws.agent.agentId, { status: 'online' })).statusCode).toBe(404);
    const list = (await call('GET', '/api/v1/routing/agents', ws.readonly.headers)).json().items;
    expect(list.find((a: { agentId: number }) => a.agentId === ws.agent.agentId).status).toBe('away');
  });
});

describe('assignment', () => {
  it('round-robins among online agents only and never to someone away', async () => {
    const ws = await t.workspace();
    await call('PUT', '/api/v1/routing/config', ws.lead.headers, { mode: 'round_robin' });
    const [a, b, c] = await addAgents(ws, 3);
    await setStatus(ws, a!, { status: 'online' });
    await setStatus(ws, b!, { status: 'online' });
    await setStatus(ws, c!, { status: 'away' });
    const got: number[] = [];
    for (let i = 0; i < 6; i++) got.push((await newTicket(ws)).assigneeId);
    expect(got.filter((x) => x === a)).toHaveLength(3);
    expect(got.filter((x) => x === b)).toHaveLength(3);
    expect(got).not.toContain(c);
    const detail = (
      await call('GET', `/api/v1/tickets/${(await newTicket(ws)).id}`, ws.agent.headers)
    ).json();
    const assigned = detail.events.find((e: { type: string }) => e.type === 'assigned');
    expect(assigned).toMatchObject({ actorAgentId: null, data: { via: { kind: 'routing' } } });
  });

  it('matches skills and languages', async () => {
    const ws = await t.workspace();
    await call('PUT', '/api/v1/routing/config', ws.lead.headers, {
      mode: 'least_loaded',
      skillTags: ['refunds'],
    });
    const [generalist] = await addAgents(ws, 1, { languages: ['en'] });
    const [refunder] = await addAgents(ws, 1, { skills: ['refunds'], languages: ['en'] });
    const [german] = await addAgents(ws, 1, { languages: ['de'] });
    for (const id of [generalist!, refunder!, german!]) await setStatus(ws, id, { status: 'online' });
    for (let i = 0; i < 3; i++)
      expect((await newTicket(ws, { tags: ['refunds'] })).assigneeId).toBe(refunder);
    expect((await newTicket(ws, { customFields: { language: 'de-AT' } })).assigneeId).toBe(german);
    // Nobody speaks Japanese: the ticket waits instead of going to the wrong person.
    const ja = await newTicket(ws, { customFields: { language: 'ja' } });
    expect(ja.assigneeId).toBeNull();
    expect(
      (await call('GET', '/api/v1/routing/queue', ws.lead.headers))
        .json()
        .items.map((q: { ticketId: number }) => q.ticketId),
    ).toEqual([ja.id]);
  });

  it('queues beyond capacity, first by SLA due time, and assigns the moment capacity frees', async () => {
    const ws = await t.workspace();
    await call('POST', '/api/v1/sla/policies', ws.lead.headers, {
      name: 'Urgent chats',
      match: { priorities: ['urgent'] },
      targets: { firstResponse: { minutes: 5, business: false } },
    });
    await call('POST', '/api/v1/sla/policies', ws.lead.headers, {
      name: 'Chats',
      targets: { firstResponse: { minutes: 30, business: false } },
    });
    await call('PUT', '/api/v1/routing/config', ws.lead.headers, {
      mode: 'least_loaded',
      defaultCapacity: { chat: 2, '*': 5 },
    });
    const [a, b] = await addAgents(ws, 2);
    await setStatus(ws, a!, { status: 'online' });
    await setStatus(ws, b!, { status: 'online', capacity: { chat: 1 } });
    const first = [];
    for (let i = 0; i < 3; i++) first.push(await newTicket(ws, { channel: 'chat' }));
    expect(first.map((x) => x.assigneeId).sort()).toEqual([a, a, b].sort());
    const waitingNormal = await newTicket(ws, { channel: 'chat' });
    const waitingUrgent = await newTicket(ws, { channel: 'chat', priority: 'urgent' });
    expect(waitingNormal.assigneeId).toBeNull();
    expect(waitingUrgent.assigneeId).toBeNull();
    // Email has its own capacity, so it is not stuck behind the chats.
    expect((await newTicket(ws, { channel: 'email' })).assigneeId).not.toBeNull();
    const queue = (await call('GET', '/api/v1/routing/queue', ws.lead.headers)).json().items;
    expect(queue.map((q: { ticketId: number }) => q.ticketId)).toEqual([waitingUrgent.id, waitingNormal.id]);

    const agents = (await call('GET', '/api/v1/routing/agents', ws.lead.headers)).json().items;
    expect(agents.find((x: { agentId: number }) => x.agentId === a).load.chat).toBe(2);

    // b solves their chat: the urgent one (due sooner) goes to b at once, the other keeps waiting.
    const bs = first.find((x) => x.assigneeId === b)!;
    expect(
      (await call('PATCH', `/api/v1/tickets/${bs.id}`, ws.lead.headers, { status: 'solved' })).statusCode,
    ).toBe(200);
    expect(await assignee(ws, waitingUrgent.id)).toBe(b);
    expect(await assignee(ws, waitingNormal.id)).toBeNull();
  });

  it('re-routes open chats when their agent goes offline', async () => {
    const ws = await t.workspace();
    await call('PUT', '/api/v1/routing/config', ws.lead.headers, { mode: 'round_robin' });
    const [a, b] = await addAgents(ws, 2);
    await setStatus(ws, a!, { status: 'online' });
    const chat = await newTicket(ws, { channel: 'chat' });
    const mail = await newTicket(ws, { channel: 'email' });
    expect(chat.assigneeId).toBe(a);
    expect(mail.assigneeId).toBe(a);
    await setStatus(ws, b!, { status: 'online' });
    await setStatus(ws, a!, { status: 'offline' });
    expect(await assignee(ws, chat.id)).toBe(b);
    // Email is not live: it stays with its owner.
    expect(await assignee(ws, mail.id)).toBe(a);
  });

  it('under concurrent load assigns each ticket once, within capacity and fairly', async () => {
    const ws = await t.workspace();
    await call('PUT', '/api/v1/routing/config', ws.lead.headers, {
      mode: 'round_robin',
      defaultCapacity: { '*': 30 },
    });
    const ids = await addAgents(ws, 4);
    for (const id of ids) await setStatus(ws, id, { status: 'online' });
    const created = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(
          'POST',
          '/api/v1/tickets',
          ws.agent.headers,
          ticketBody({ subject: `Load ${i}`, channel: 'email' }),
        ),
      ),
    );
    expect(created.every((r) => r.statusCode === 201)).toBe(true);
    await t.jobs.drain();
    const counts = await t.db.query<{ assignee_id: number | null; n: number }>(sql`
      SELECT assignee_id, count(*)::int AS n FROM tickets WHERE workspace_id = ${ws.workspaceId} GROUP BY assignee_id`);
    const per = ids.map((id) => counts.find((c) => c.assignee_id === id)?.n ?? 0);
    expect(per.reduce((x, y) => x + y, 0)).toBe(60);
    expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    const twice = await t.db.query(sql`
      SELECT ticket_id FROM ticket_events WHERE workspace_id = ${ws.workspaceId} AND type = 'assigned'
      GROUP BY ticket_id HAVING count(*) > 1`);
    expect(twice).toEqual([]);
  });
});
