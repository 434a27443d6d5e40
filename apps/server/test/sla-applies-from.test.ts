import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// Adding an SLA policy to a desk with old tickets: the policy times them from when it exists, so they are
// not breached retroactively; only an explicit "apply to open tickets" counts from their own start.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

async function oldTicket(ws: TestWorkspace) {
  const res = await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody());
  expect(res.statusCode).toBe(201);
  const id = res.json().id as number;
  // Waiting three days for an answer.
  await t.db.query(sql`UPDATE tickets SET created_at = now() - interval '3 days' WHERE id = ${id}`);
  await t.db.query(sql`UPDATE messages SET created_at = now() - interval '3 days' WHERE ticket_id = ${id}`);
  return id;
}

async function firstResponse(ws: TestWorkspace, policy: Record<string, unknown>) {
  const id = await oldTicket(ws);
  const created = await call('POST', '/api/v1/sla/policies', ws.lead.headers, {
    name: 'Standard',
    targets: { firstResponse: { minutes: 60, business: false } },
    ...policy,
  });
  expect(created.statusCode).toBe(201);
  await t.jobs.drain();
  const sla = (await call('GET', `/api/v1/tickets/${id}/sla`, ws.agent.headers)).json();
  return {
    policy: created.json() as { appliesFrom: string | null; createdAt: string },
    clock: sla.clocks.find((c: { metric: string }) => c.metric === 'first_response') as {
      state: string;
      startedAt: string;
      dueAt: string;
    },
    ticketId: id,
  };
}

describe('a new SLA policy and old tickets', () => {
  it('by default times an old open ticket from when the policy was created: running, not breached', async () => {
    const ws = await t.workspace('Late policy shop');
    const r = await firstResponse(ws, {});
    expect(r.policy.appliesFrom).toBe(r.policy.createdAt);
    expect(r.clock.state).toBe('running');
    expect(Date.parse(r.clock.startedAt)).toBe(Date.parse(r.policy.appliesFrom!));
    expect(Date.parse(r.clock.dueAt) - Date.parse(r.clock.startedAt)).toBe(60 * 60_000);
  });

  it('"apply to open tickets" counts from the ticket\'s own start: breached', async () => {
    const ws = await t.workspace('Strict policy shop');
    const r = await firstResponse(ws, { applyToOpenTickets: true });
    expect(r.policy.appliesFrom).toBeNull();
    expect(r.clock.state).toBe('breached');
  });
});
