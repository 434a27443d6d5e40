import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// The achievement record: once a target is met or breached, the outcome is kept as it was. Live clocks are
// replayed against the current policy; the report and the ticket's record are not.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

type Metric = { metric: string; met: number; breached: number; completed: number };
const report = async (ws: TestWorkspace) => {
  const res = await call('GET', '/api/v1/sla/report', ws.lead.headers);
  expect(res.statusCode).toBe(200);
  const m = res.json().metrics as Metric[];
  return Object.fromEntries(m.map((x) => [x.metric, { met: x.met, breached: x.breached }]));
};
const slaOf = async (ws: TestWorkspace, id: number) => {
  const res = await call('GET', `/api/v1/tickets/${id}/sla`, ws.agent.headers);
  expect(res.statusCode).toBe(200);
  return res.json();
};
type Clock = { metric: string; cycle: number; state: string; startedAt: string; dueAt: string | null };
const clock = (sla: { clocks: Clock[] }, metric: string, cycle = 0) =>
  sla.clocks.find((c) => c.metric === metric && c.cycle === cycle);

async function newTicket(ws: TestWorkspace, over: Record<string, unknown> = {}) {
  const res = await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody(over));
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number; createdAt: string };
}
async function reply(ws: TestWorkspace, id: number) {
  const res = await call('POST', `/api/v1/tickets/${id}/replies`, ws.agent.headers, { body: 'On it!' });
  expect(res.statusCode).toBeLessThan(300);
}
async function createPolicy(ws: TestWorkspace, body: Record<string, unknown>) {
  // Tickets here are backdated to before the policy: they count from their own start.
  const res = await call('POST', '/api/v1/sla/policies', ws.lead.headers, {
    applyToOpenTickets: true,
    ...body,
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number };
}

describe('SLA achievement record', () => {
  it('keeps a met first response met after the policy is tightened', async () => {
    const ws = await t.workspace('Outcome edit shop');
    const standard = {
      name: 'Standard',
      targets: { firstResponse: { minutes: 60, business: false } },
    };
    const p = await createPolicy(ws, standard);
    const ticket = await newTicket(ws);
    // The customer wrote 30 minutes ago; the agent answers now: met within 60 minutes.
    await t.db.query(
      sql`UPDATE tickets SET created_at = created_at - interval '30 minutes' WHERE id = ${ticket.id}`,
    );
    await t.db.query(
      sql`UPDATE messages SET created_at = created_at - interval '30 minutes' WHERE ticket_id = ${ticket.id}`,
    );
    await reply(ws, ticket.id);
    expect(clock(await slaOf(ws, ticket.id), 'first_response')).toMatchObject({ state: 'met' });
    expect((await report(ws)).first_response).toEqual({ met: 1, breached: 0 });

    // Tightened to 10 minutes: replayed under it, the 30-minute answer would be late. Every active ticket
    // is recomputed by the workspace job.
    const edit = await call('PUT', `/api/v1/sla/policies/${p.id}`, ws.lead.headers, {
      ...standard,
      targets: { firstResponse: { minutes: 10, business: false } },
    });
    expect(edit.statusCode).toBe(200);
    await t.jobs.drain();
    expect((await report(ws)).first_response).toEqual({ met: 1, breached: 0 });
    const sla = await slaOf(ws, ticket.id);
    expect(clock(sla, 'first_response')).toMatchObject({ state: 'met', targetMinutes: 60 });
    expect(sla.outcomes).toEqual([
      expect.objectContaining({
        metric: 'first_response',
        cycle: 0,
        outcome: 'met',
        policy: { id: p.id, name: 'Standard' },
        targetMinutes: 60,
        business: false,
      }),
    ]);
  });

  it('keeps the resolution met on a reopen and runs a new resolution cycle', async () => {
    const ws = await t.workspace('Outcome reopen shop');
    await createPolicy(ws, {
      name: 'Standard',
      targets: {
        firstResponse: { minutes: 60, business: false },
        resolution: { minutes: 1440, business: false },
      },
    });
    const ticket = await newTicket(ws);
    await reply(ws, ticket.id);
    const solved = await call('PATCH', `/api/v1/tickets/${ticket.id}`, ws.agent.headers, {
      status: 'solved',
    });
    expect(solved.statusCode).toBe(200);
    expect((await report(ws)).resolution).toEqual({ met: 1, breached: 0 });

    const reopened = await call('PATCH', `/api/v1/tickets/${ticket.id}`, ws.agent.headers, {
      status: 'open',
    });
    expect(reopened.statusCode).toBe(200);
    const sla = await slaOf(ws, ticket.id);
    expect(clock(sla, 'resolution', 0)).toMatchObject({ state: 'met' });
    // The new cycle runs from the reopen with the full day.
    const again = clock(sla, 'resolution', 1)!;
    expect(again).toMatchObject({ state: 'running', completedAt: null, targetMinutes: 1440 });
    expect(Date.parse(again.dueAt!) - Date.parse(again.startedAt)).toBe(1440 * 60_000);
    expect(Date.parse(again.startedAt)).toBeGreaterThan(Date.parse(ticket.createdAt));
    expect(sla.outcomes.map((o: { metric: string; cycle: number }) => `${o.metric}#${o.cycle}`)).toEqual([
      'first_response#0',
      'resolution#0',
    ]);
    expect(await report(ws)).toMatchObject({
      first_response: { met: 1, breached: 0 },
      resolution: { met: 1, breached: 0 },
    });
  });

  it('keeps the record of a ticket whose policy no longer matches', async () => {
    const ws = await t.workspace('Outcome unmatched shop');
    await createPolicy(ws, {
      name: 'VIP care',
      match: { tags: ['vip-care'] },
      targets: { firstResponse: { minutes: 60, business: false } },
    });
    const ticket = await newTicket(ws, { tags: ['vip-care'] });
    await reply(ws, ticket.id);
    const untag = await call('PATCH', `/api/v1/tickets/${ticket.id}`, ws.agent.headers, { tags: [] });
    expect(untag.statusCode).toBe(200);

    const sla = await slaOf(ws, ticket.id);
    expect(sla).toMatchObject({ policy: null, clocks: [] });
    expect(sla.outcomes).toEqual([
      expect.objectContaining({
        metric: 'first_response',
        outcome: 'met',
        policy: expect.objectContaining({ name: 'VIP care' }),
      }),
    ]);
    expect((await report(ws)).first_response).toEqual({ met: 1, breached: 0 });
    // And the record stays when the policy itself is deleted (its name is kept).
    const [p] = (await call('GET', '/api/v1/sla/policies', ws.lead.headers)).json().items;
    expect((await call('DELETE', `/api/v1/sla/policies/${p.id}`, ws.lead.headers)).statusCode).toBe(204);
    await t.jobs.drain();
    expect((await slaOf(ws, ticket.id)).outcomes[0].policy).toEqual({ id: null, name: 'VIP care' });
    expect((await report(ws)).first_response).toEqual({ met: 1, breached: 0 });
  });

  it('counts only the workspace’s own outcomes', async () => {
    const ws = await t.workspace('Outcome empty shop');
    expect(await report(ws)).toEqual({
      first_response: { met: 0, breached: 0 },
      next_response: { met: 0, breached: 0 },
      resolution: { met: 0, breached: 0 },
    });
  });
});
