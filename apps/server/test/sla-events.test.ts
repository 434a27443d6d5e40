import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlaService } from '../src/modules/sla/index.ts';
import { sql } from '../src/platform/db/db.ts';
import type { DomainEvent } from '../src/platform/events/bus.ts';
import { startTestApp, type TestApp, ticketBody } from './harness.ts';

// Warnings and breaches go through the event outbox like every other change: the claim and the staged event
// commit together, so a node that dies before publishing leaves the event to be replayed, once.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

async function setUp(name: string) {
  const ws = await t.workspace(name);
  const policy = await call('POST', '/api/v1/sla/policies', ws.lead.headers, {
    name: 'Fast',
    targets: { firstResponse: { minutes: 15, business: false } },
  });
  expect(policy.statusCode).toBe(201);
  const res = await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody());
  expect(res.statusCode).toBe(201);
  return { ws, ticket: res.json() as { id: number; createdAt: string } };
}

const outboxRows = async (name?: string) =>
  (await t.db.one<{ n: number }>(
    name
      ? sql`SELECT count(*)::int AS n FROM event_outbox WHERE event->>'name' = ${name}`
      : sql`SELECT count(*)::int AS n FROM event_outbox`,
  ))!.n;

describe('SLA warning and breach events', () => {
  it('are replayed exactly once when the node dies between the claim and the publish', async () => {
    const { ws, ticket } = await setUp('SLA outbox shop');
    const seen: DomainEvent[] = [];
    for (const name of ['sla.warning', 'sla.breached'])
      t.bus.on(name, (e) => {
        if (e.workspaceId === ws.workspaceId) seen.push(e);
      });
    // Whatever the ticket's creation staged has been published and cleaned up.
    await expect.poll(() => outboxRows(), { timeout: 15_000 }).toBe(0);

    // 16 minutes in, the 15-minute first response is past its warning (75%) and breached. The node commits
    // the claims and dies before publishing: nothing is announced.
    const svc = createSlaService(t.deps);
    const at = Date.parse(ticket.createdAt) + 16 * 60_000;
    const { publish, publishMany } = t.bus;
    t.bus.publish = async () => {};
    t.bus.publishMany = async () => {};
    try {
      await svc.recompute(ws.workspaceId, ticket.id, at);
    } finally {
      t.bus.publish = publish;
      t.bus.publishMany = publishMany;
    }
    expect(seen).toHaveLength(0);
    expect(await outboxRows('sla.warning')).toBe(1);
    expect(await outboxRows('sla.breached')).toBe(1);
    // The claim was committed: a later recompute does not announce it again.
    await svc.recompute(ws.workspaceId, ticket.id, at + 60_000);
    expect(seen).toHaveLength(0);

    // Recovery (at start on the embedded database, by any live node on PostgreSQL) replays it once.
    expect(await t.bus.recover(0)).toBe(2);
    expect(seen.map((e) => e.name)).toEqual(['sla.warning', 'sla.breached']);
    expect(seen[1]).toMatchObject({ ticketId: ticket.id, data: { metric: 'first_response', cycle: 0 } });
    await expect.poll(() => outboxRows(), { timeout: 15_000 }).toBe(0);
    expect(await t.bus.recover(0)).toBe(0);
    expect(seen).toHaveLength(2);
  });

  it('drive an automation: on SLA breached, raise the priority and tag the ticket', async () => {
    const { ws, ticket } = await setUp('SLA escalation shop');
    const rule = await call('POST', '/api/v1/automations', ws.lead.headers, {
      name: 'Escalate breaches',
      kind: 'trigger',
      events: ['sla.breached'],
      actions: [
        { type: 'set_priority', priority: 'urgent' },
        { type: 'add_tags', tags: ['escalated'] },
      ],
    });
    expect(rule.statusCode).toBe(201);
    const detail = async () =>
      (await call('GET', `/api/v1/tickets/${ticket.id}`, ws.agent.headers)).json() as {
        priority: string;
        tags: string[];
      };
    expect(await detail()).toMatchObject({ priority: 'normal', tags: [] });

    // The sla-check job would run this at the due time; here the clock is replayed 16 minutes ahead.
    await createSlaService(t.deps).recompute(
      ws.workspaceId,
      ticket.id,
      Date.parse(ticket.createdAt) + 16 * 60_000,
    );
    await expect.poll(detail, { timeout: 15_000 }).toMatchObject({ priority: 'urgent', tags: ['escalated'] });
    const runs = (await call('GET', `/api/v1/tickets/${ticket.id}/automation-runs`, ws.agent.headers)).json()
      .items;
    expect(runs).toEqual([
      expect.objectContaining({
        automationName: 'Escalate breaches',
        trigger: 'sla.breached',
        outcome: 'applied',
      }),
    ]);
  });
});
