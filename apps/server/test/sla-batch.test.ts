import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlaService } from '../src/modules/sla/index.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// The inbox asks for the SLA state of a whole page of tickets in one call (no request per row).

let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Batch SLA Shop');
  other = await t.workspace('Other Batch Shop');
  for (const w of [ws, other]) {
    const res = await call('POST', '/api/v1/sla/policies', w.lead.headers, {
      name: 'Normal and up',
      match: { priorities: ['normal', 'high', 'urgent'] },
      targets: {
        firstResponse: { minutes: 60, business: false },
        resolution: { minutes: 1440, business: false },
      },
    });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

const newTicket = async (w: TestWorkspace, over: Record<string, unknown> = {}) => {
  const res = await call('POST', '/api/v1/tickets', w.agent.headers, ticketBody(over));
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number; createdAt: string };
};

type Item = {
  id: number;
  breached: boolean;
  policy: { name: string } | null;
  active: { metric: string; state: string; dueAt: string | null; warning: boolean } | null;
};
const batch = async (w: TestWorkspace, ids: number[]) => {
  const res = await call('GET', `/api/v1/sla/tickets?ids=${ids.join(',')}`, w.readonly.headers);
  expect(res.statusCode).toBe(200);
  return res.json().items as Item[];
};

describe('GET /api/v1/sla/tickets?ids=', () => {
  it('returns the active target, due time and state of each ticket, leaving out tickets without an SLA', async () => {
    const a = await newTicket(ws);
    const b = await newTicket(ws, { priority: 'urgent' });
    const low = await newTicket(ws, { priority: 'low' }); // no policy matches
    const items = await batch(ws, [a.id, b.id, low.id]);
    expect(items.map((i) => i.id).sort()).toEqual([a.id, b.id].sort());
    const first = items.find((i) => i.id === a.id)!;
    expect(first).toMatchObject({
      breached: false,
      policy: { name: 'Normal and up' },
      active: { metric: 'first_response', state: 'running', warning: false },
    });
    // Calendar time: due exactly 60 minutes after the ticket was created.
    expect(Date.parse(first.active!.dueAt!)).toBe(Date.parse(a.createdAt) + 60 * 60_000);
  });

  it('moves on to the next target once the first response is met', async () => {
    const a = await newTicket(ws);
    const reply = await call('POST', `/api/v1/tickets/${a.id}/replies`, ws.agent.headers, {
      body: 'On it!',
    });
    expect(reply.statusCode).toBeLessThan(300);
    const [item] = await batch(ws, [a.id]);
    expect(item!.active).toMatchObject({ metric: 'resolution', state: 'running' });
    expect(Date.parse(item!.active!.dueAt!)).toBe(Date.parse(a.createdAt) + 1440 * 60_000);
  });

  it('shows a warning past the threshold and a breach past the due time', async () => {
    const a = await newTicket(ws);
    const svc = createSlaService(t.deps);
    const created = Date.parse(a.createdAt);
    // 50 of 60 minutes used is past the default 75% warning threshold.
    await svc.recompute(ws.workspaceId, a.id, created + 50 * 60_000);
    const warned = (await svc.dueTickets(ws, { ids: [a.id], limit: 10 }, created + 50 * 60_000))[0]!;
    expect(warned.active).toMatchObject({ state: 'running', warning: true });
    expect(warned.breached).toBe(false);
    await svc.recompute(ws.workspaceId, a.id, created + 61 * 60_000);
    const [item] = await batch(ws, [a.id]);
    expect(item).toMatchObject({ breached: true, active: { metric: 'first_response', state: 'breached' } });
    const breachedList = (await call('GET', '/api/v1/sla/tickets?filter=breached', ws.agent.headers)).json();
    expect(breachedList.items.map((i: Item) => i.id)).toContain(a.id);
  });

  it("never returns another workspace's tickets, and rejects malformed ids", async () => {
    const mine = await newTicket(ws);
    const theirs = await newTicket(other);
    expect(await batch(other, [mine.id])).toEqual([]);
    expect((await batch(ws, [mine.id, theirs.id])).map((i) => i.id)).toEqual([mine.id]);
    for (const bad of ['abc', '1,,2', '-1', Array.from({ length: 201 }, (_, i) => i + 1).join(',')]) {
      const res = await call('GET', `/api/v1/sla/tickets?ids=${bad}`, ws.agent.headers);
      expect(res.statusCode).toBe(400);
    }
    expect((await call('GET', `/api/v1/sla/tickets?ids=${mine.id}`, {})).statusCode).toBe(401);
  });
});
