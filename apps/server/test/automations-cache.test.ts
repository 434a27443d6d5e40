import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';
import { statements } from './statements-helper.ts';

// Triggers are kept per workspace in memory: every write through the API must show on the very next
// ticket, and a warm cache must cost no query.
let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Trigger cache');
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

const trigger = (name: string, actions: unknown[], over: Record<string, unknown> = {}) => ({
  name,
  kind: 'trigger',
  events: ['ticket.created'],
  conditions: { all: [], any: [] },
  actions,
  ...over,
});

const newTicket = async () => {
  const res = await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody());
  expect(res.statusCode).toBe(201);
  return (await call('GET', `/api/v1/tickets/${res.json().id}`, ws.agent.headers)).json() as {
    tags: string[];
    priority: string;
  };
};

describe('automation trigger cache', () => {
  it('applies every create, update, deactivation, reorder and delete to the next ticket', async () => {
    expect((await newTicket()).tags).toEqual([]); // warms the (empty) cache

    const a = (
      await call(
        'POST',
        '/api/v1/automations',
        ws.lead.headers,
        trigger('Tag', [{ type: 'add_tags', tags: ['first'] }]),
      )
    ).json();
    expect((await newTicket()).tags).toContain('first');

    const put = (id: number, body: unknown) =>
      call('PUT', `/api/v1/automations/${id}`, ws.lead.headers, body);
    expect((await put(a.id, trigger('Tag', [{ type: 'add_tags', tags: ['second'] }]))).statusCode).toBe(200);
    const second = await newTicket();
    expect(second.tags).toContain('second');
    expect(second.tags).not.toContain('first');

    await put(a.id, trigger('Tag', [{ type: 'add_tags', tags: ['second'] }], { active: false }));
    expect((await newTicket()).tags).toEqual([]);

    // Another event name only: not run on ticket.created.
    await put(a.id, trigger('Tag', [{ type: 'add_tags', tags: ['second'] }], { events: ['ticket.updated'] }));
    expect((await newTicket()).tags).toEqual([]);
    await put(a.id, trigger('High', [{ type: 'set_priority', priority: 'high' }]));

    const b = (
      await call(
        'POST',
        '/api/v1/automations',
        ws.lead.headers,
        trigger('Low', [{ type: 'set_priority', priority: 'low' }]),
      )
    ).json();
    expect((await newTicket()).priority).toBe('low'); // High runs first, Low last and wins
    const order = await call('POST', '/api/v1/automations/reorder', ws.lead.headers, { ids: [b.id, a.id] });
    expect(order.statusCode).toBe(200);
    expect((await newTicket()).priority).toBe('high');

    await call('DELETE', `/api/v1/automations/${a.id}`, ws.lead.headers);
    await call('DELETE', `/api/v1/automations/${b.id}`, ws.lead.headers);
    expect((await newTicket()).priority).toBe('normal');
  });

  it('reads triggers once, not per event, while nothing changes', async () => {
    const other = await t.workspace('Trigger cache quiet');
    const create = () => call('POST', '/api/v1/tickets', other.agent.headers, ticketBody());
    await create();
    const loads = await statements(t.db, /FROM automations/, async () => {
      for (let i = 0; i < 3; i++) expect((await create()).statusCode).toBe(201);
    });
    expect(loads).toEqual([]);
  });
});
