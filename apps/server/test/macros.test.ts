import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Macro Shop');
  other = await t.workspace('Other Shop');
});
afterAll(async () => t?.stop());

const inject = (
  actor: { headers: Record<string, string> },
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) => t.app.inject({ method, url, headers: actor.headers, payload: payload as never });

describe('macros', () => {
  it('fills customer, ticket and agent variables, with fallbacks, and reports the missing ones', async () => {
    const ticket = (
      await inject(
        ws.agent,
        'POST',
        '/api/v1/tickets',
        ticketBody({ contact: { email: 'ana@example.com', name: 'Ana Lopez' } }),
      )
    ).json();
    const created = await inject(ws.lead, 'POST', '/api/v1/macros', {
      name: 'Where is my order',
      body: 'Hi {{customer.first_name}}, about ticket #{{ticket.id}}: {{order.number | your order}} ships soon. {{ nope.value }}— {{agent.name}}',
      actions: { status: 'pending', addTags: ['wismo'] },
    });
    expect(created.statusCode).toBe(201);
    const macro = created.json();
    expect(macro.shared).toBe(true);

    const r = await inject(ws.agent, 'POST', `/api/v1/macros/${macro.id}/render`, { ticketId: ticket.id });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      body: `Hi Ana, about ticket #${ticket.id}: your order ships soon. — agent of Macro Shop`,
      actions: { status: 'pending', addTags: ['wismo'] },
      missing: ['nope.value'],
    });
    const list = (await inject(ws.agent, 'GET', '/api/v1/macros')).json();
    expect(list.items.find((m: { id: number }) => m.id === macro.id).usageCount).toBe(1);
  });

  it('lets agents keep personal macros but only leads change shared ones', async () => {
    const shared = await inject(ws.agent, 'POST', '/api/v1/macros', { name: 'x', body: 'y', shared: true });
    expect(shared.statusCode).toBe(403);
    const mine = await inject(ws.agent, 'POST', '/api/v1/macros', {
      name: 'Mine',
      body: 'Thanks!',
      shared: false,
    });
    expect(mine.statusCode).toBe(201);
    // Another agent's personal macro is invisible to the lead.
    expect(
      (await inject(ws.lead, 'GET', '/api/v1/macros')).json().items.map((m: { name: string }) => m.name),
    ).not.toContain('Mine');
    const teamMacro = (
      await inject(ws.lead, 'POST', '/api/v1/macros', { name: 'Team', body: 'Hello' })
    ).json();
    expect(
      (await inject(ws.agent, 'PATCH', `/api/v1/macros/${teamMacro.id}`, { body: 'changed' })).statusCode,
    ).toBe(403);
    expect(
      (await inject(ws.lead, 'PATCH', `/api/v1/macros/${teamMacro.id}`, { body: 'Hello there' })).json().body,
    ).toBe('Hello there');
    expect(
      (await inject(ws.readonly, 'POST', '/api/v1/macros', { name: 'r', body: 'r', shared: false }))
        .statusCode,
    ).toBe(403);
    expect((await inject(ws.agent, 'DELETE', `/api/v1/macros/${mine.json().id}`)).statusCode).toBe(204);
    const audit = (await inject(ws.admin, 'GET', '/api/v1/audit-log')).json();
    expect(audit.items.map((a: { action: string }) => a.action)).toContain('macro.updated');
  });

  it('rejects bad input without storing anything and keeps workspaces apart', async () => {
    const before = (await inject(ws.lead, 'GET', '/api/v1/macros')).json().items.length;
    const bad = await inject(ws.lead, 'POST', '/api/v1/macros', {
      name: '',
      body: 'x',
      actions: { status: 'nope' },
    });
    expect(bad.statusCode).toBe(400);
    expect((await inject(ws.lead, 'GET', '/api/v1/macros')).json().items.length).toBe(before);
    const m = (await inject(ws.lead, 'GET', '/api/v1/macros')).json().items[0];
    expect(
      (await inject(other.admin, 'PATCH', `/api/v1/macros/${m.id}`, { name: 'stolen' })).statusCode,
    ).toBe(404);
    const foreignTicket = (await inject(other.agent, 'POST', '/api/v1/tickets', ticketBody())).json();
    expect(
      (await inject(ws.agent, 'POST', `/api/v1/macros/${m.id}/render`, { ticketId: foreignTicket.id }))
        .statusCode,
    ).toBe(404);
  });
});

describe('inbox counts', () => {
  it('counts the built-in views for the caller, per channel and per team', async () => {
    const fresh = await t.workspace('Counting Shop');
    const team = (await inject(fresh.admin, 'POST', '/api/v1/teams', { name: 'Returns' })).json();
    const mk = (over: Record<string, unknown>) =>
      inject(fresh.agent, 'POST', '/api/v1/tickets', ticketBody(over)).then((r) => r.json());
    await mk({ assigneeId: fresh.agent.agentId });
    await mk({ channel: 'chat', teamId: team.id });
    const p = await mk({});
    await inject(fresh.agent, 'PATCH', `/api/v1/tickets/${p.id}`, { status: 'pending' });
    const s = await mk({});
    await inject(fresh.agent, 'PATCH', `/api/v1/tickets/${s.id}`, { status: 'solved' });

    const asAgent = (await inject(fresh.agent, 'GET', '/api/v1/inbox/counts')).json();
    expect(asAgent).toEqual({
      myOpen: 1,
      unassigned: 2,
      allOpen: 3,
      pending: 1,
      onHold: 0,
      solved: 1,
      byChannel: { api: 2, chat: 1 },
      byTeam: { [team.id]: 1 },
    });
    expect((await inject(fresh.lead, 'GET', '/api/v1/inbox/counts')).json().myOpen).toBe(0);
  });
});
