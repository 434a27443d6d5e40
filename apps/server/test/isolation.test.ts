import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;
let a: TestWorkspace;
let b: TestWorkspace;
let bTicket: { id: number; contact: { id: number }; messages: { attachments: { url: string }[] }[] };
let bView: number;
let bToken: number;

beforeAll(async () => {
  t = await startTestApp();
  a = await t.workspace('Shop A');
  b = await t.workspace('Shop B');
  const png = Buffer.from('hello attachment').toString('base64');
  bTicket = (
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: b.admin.headers,
      payload: ticketBody({
        subject: 'Secret B subject quokka',
        contact: { email: 'b-customer@example.com' },
        message: {
          body: 'Only B may read quokka',
          attachments: [{ filename: 'b.txt', contentType: 'text/plain', contentBase64: png }],
        },
      }),
    })
  ).json();
  bView = (
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/views',
      headers: b.lead.headers,
      payload: { name: 'B shared', shared: true, filters: {} },
    })
  ).json().id;
  await t.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: a.admin.headers,
    payload: ticketBody({ subject: 'A ticket' }),
  });
  bToken = (await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: b.admin.headers })).json()
    .items[0].id;
});
afterAll(() => t?.stop());

const as = (h: Record<string, string>, method: string, url: string, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers: h, payload: payload as object });

describe('workspace isolation: an agent of A gets 404 for everything of B', () => {
  it.each([
    ['GET', () => `/api/v1/tickets/${bTicket.id}`],
    ['PATCH', () => `/api/v1/tickets/${bTicket.id}`],
    ['POST', () => `/api/v1/tickets/${bTicket.id}/replies`],
    ['POST', () => `/api/v1/tickets/${bTicket.id}/notes`],
    ['GET', () => `/api/v1/contacts/${bTicket.contact.id}`],
    ['PATCH', () => `/api/v1/contacts/${bTicket.contact.id}`],
    ['GET', () => `/api/v1/contacts/${bTicket.contact.id}/tickets`],
    ['GET', () => bTicket.messages[0]!.attachments[0]!.url],
    ['GET', () => `/api/v1/tickets?view=${bView}`],
    ['PATCH', () => `/api/v1/views/${bView}`],
    ['GET', () => `/api/v1/agents/${b.agent.agentId}`],
    ['DELETE', () => `/api/v1/tokens/${bToken}`],
  ])('%s %s', async (method, url) => {
    const path = url();
    const body =
      method === 'GET' || method === 'DELETE'
        ? undefined
        : path.includes('/tickets/') && method === 'PATCH'
          ? { status: 'solved' }
          : path.includes('/tickets/')
            ? { body: 'x' }
            : { name: 'x' };
    const res = await as(a.admin.headers, method, path, body);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('does not list, count or search B’s data', async () => {
    const list = (await as(a.admin.headers, 'GET', '/api/v1/tickets?limit=200')).json();
    expect(list.items.map((x: { id: number }) => x.id)).not.toContain(bTicket.id);
    const search = (await as(a.admin.headers, 'GET', '/api/v1/search?q=quokka')).json();
    expect(search.tickets).toEqual([]);
    const contacts = (await as(a.admin.headers, 'GET', '/api/v1/contacts?q=b-customer')).json();
    expect(contacts.items).toEqual([]);
    const agents = (await as(a.admin.headers, 'GET', '/api/v1/agents')).json().items;
    expect(agents.map((x: { id: number }) => x.id)).not.toContain(b.agent.agentId);
    // B still sees its own.
    expect((await as(b.agent.headers, 'GET', '/api/v1/search?q=quokka')).json().tickets).toHaveLength(1);
  });

  it('cannot touch B’s tickets through merge, bulk, links or assignment', async () => {
    const mine = (await as(a.admin.headers, 'POST', '/api/v1/tickets', ticketBody())).json();
    expect(
      (
        await as(a.admin.headers, 'POST', '/api/v1/tickets/merge', {
          sourceId: bTicket.id,
          targetId: mine.id,
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await as(a.admin.headers, 'POST', '/api/v1/tickets/bulk', {
          ids: [mine.id, bTicket.id],
          changes: { status: 'solved' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await as(a.admin.headers, 'POST', `/api/v1/tickets/${mine.id}/links`, { ticketId: bTicket.id }))
        .statusCode,
    ).toBe(404);
    const assign = await as(a.admin.headers, 'PATCH', `/api/v1/tickets/${mine.id}`, {
      assigneeId: b.agent.agentId,
    });
    expect(assign.statusCode).toBe(400);
    expect(
      (
        await as(a.admin.headers, 'POST', '/api/v1/contacts/merge', {
          sourceId: bTicket.contact.id,
          targetId: mine.contact.id,
        })
      ).statusCode,
    ).toBe(404);
    const bAfter = (await as(b.admin.headers, 'GET', `/api/v1/tickets/${bTicket.id}`)).json();
    expect(bAfter).toMatchObject({ status: 'new', mergedIntoId: null });
  });
});

describe('roles', () => {
  it('read-only agents can read but not write', async () => {
    expect((await as(a.readonly.headers, 'GET', '/api/v1/tickets')).statusCode).toBe(200);
    const res = await as(a.readonly.headers, 'POST', '/api/v1/tickets', ticketBody());
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });

  it('only admins manage agents, teams, custom fields and the audit log', async () => {
    const newAgent = { email: 'new@shop-a.test', name: 'New', role: 'agent', password: 'a-long-password' };
    expect((await as(a.agent.headers, 'POST', '/api/v1/agents', newAgent)).statusCode).toBe(403);
    expect((await as(a.lead.headers, 'POST', '/api/v1/teams', { name: 'X' })).statusCode).toBe(403);
    expect((await as(a.lead.headers, 'GET', '/api/v1/audit-log')).statusCode).toBe(403);
    expect(
      (await as(a.agent.headers, 'POST', '/api/v1/custom-fields', { key: 'k', label: 'K', type: 'text' }))
        .statusCode,
    ).toBe(403);
    expect((await as(a.admin.headers, 'POST', '/api/v1/agents', newAgent)).statusCode).toBe(201);
    expect((await as(a.admin.headers, 'POST', '/api/v1/teams', { name: 'Escalations' })).statusCode).toBe(
      201,
    );
  });

  it('leads manage tags and shared views, agents do not', async () => {
    expect((await as(a.agent.headers, 'POST', '/api/v1/tags', { name: 'fragile' })).statusCode).toBe(403);
    expect(
      (await as(a.lead.headers, 'POST', '/api/v1/tags', { name: 'fragile', color: '#aa0000' })).statusCode,
    ).toBe(201);
    expect(
      (
        await as(a.lead.headers, 'POST', '/api/v1/views', {
          name: 'Team view',
          shared: true,
          filters: { status: 'open' },
        })
      ).statusCode,
    ).toBe(201);
  });

  it('role changes are audited; an agent cannot promote themselves', async () => {
    expect(
      (await as(a.agent.headers, 'PATCH', `/api/v1/agents/${a.agent.agentId}`, { role: 'admin' })).statusCode,
    ).toBe(403);
    expect(
      (await as(a.admin.headers, 'PATCH', `/api/v1/agents/${a.readonly.agentId}`, { role: 'agent' }))
        .statusCode,
    ).toBe(200);
    const audit = (await as(a.admin.headers, 'GET', '/api/v1/audit-log')).json().items;
    expect(audit.find((e: { action: string }) => e.action === 'agent.role_changed')).toMatchObject({
      data: { from: 'read-only', to: 'agent' },
      actorAgentId: a.admin.agentId,
    });
    await as(a.admin.headers, 'PATCH', `/api/v1/agents/${a.readonly.agentId}`, { role: 'read-only' });
  });
});
