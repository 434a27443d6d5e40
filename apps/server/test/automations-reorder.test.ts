import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Reorder Shop');
  other = await t.workspace('Other Reorder Shop');
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

const create = async (w: TestWorkspace, name: string, priority: string) => {
  const res = await call('POST', '/api/v1/automations', w.lead.headers, {
    name,
    kind: 'trigger',
    events: ['ticket.created'],
    actions: [{ type: 'set_priority', priority }],
  });
  expect(res.statusCode).toBe(201);
  return res.json().id as number;
};

const names = async () =>
  (await call('GET', '/api/v1/automations', ws.readonly.headers))
    .json()
    .items.map((a: { name: string }) => a.name);

const priorityOfNewTicket = async () => {
  const id = (await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody())).json().id;
  return (await call('GET', `/api/v1/tickets/${id}`, ws.agent.headers)).json().priority;
};

describe('POST /api/v1/automations/reorder', () => {
  it('sets the order automations run in, so the last one to act wins', async () => {
    const low = await create(ws, 'Make it low', 'low');
    const high = await create(ws, 'Make it high', 'high');
    const urgent = await create(ws, 'Make it urgent', 'urgent');
    expect(await names()).toEqual(['Make it low', 'Make it high', 'Make it urgent']);
    expect(await priorityOfNewTicket()).toBe('urgent');

    const res = await call('POST', '/api/v1/automations/reorder', ws.lead.headers, {
      ids: [urgent, low, high],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((a: { id: number; position: number }) => [a.id, a.position])).toEqual([
      [urgent, 0],
      [low, 1],
      [high, 2],
    ]);
    expect(await names()).toEqual(['Make it urgent', 'Make it low', 'Make it high']);
    expect(await priorityOfNewTicket()).toBe('high');
  });

  it('needs every automation of the workspace exactly once, and the lead role; nothing changes otherwise', async () => {
    const ids = (await call('GET', '/api/v1/automations', ws.lead.headers))
      .json()
      .items.map((a: { id: number }) => a.id);
    const theirs = await create(other, 'Theirs', 'low');
    const bad = [
      { ids: ids.slice(1) }, // one missing
      { ids: [...ids, ids[0]] }, // duplicate
      { ids: [...ids.slice(1), theirs] }, // another workspace's automation
      { ids: [] },
      { ids: ['x'] },
    ];
    for (const body of bad)
      expect((await call('POST', '/api/v1/automations/reorder', ws.lead.headers, body)).statusCode).toBe(400);
    const dup = await call('POST', '/api/v1/automations/reorder', ws.lead.headers, { ids: [...ids, ids[0]] });
    expect(dup.json().error.details[0].path).toBe('body.ids');
    expect(
      (await call('POST', '/api/v1/automations/reorder', ws.agent.headers, { ids: [...ids].reverse() }))
        .statusCode,
    ).toBe(403);
    expect(await names()).toEqual(['Make it urgent', 'Make it low', 'Make it high']);
    // The other workspace's own order is untouched.
    expect((await call('GET', '/api/v1/automations', other.lead.headers)).json().items).toHaveLength(1);
  });
});
