import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlaService } from '../src/modules/sla/index.ts';
import type { DomainEvent } from '../src/platform/events/bus.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
const seen: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('SLA Shop');
  t.bus.on('sla.warning', (e) => void seen.push(e));
  t.bus.on('sla.breached', (e) => void seen.push(e));
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

const policy = (over: Record<string, unknown> = {}) => ({
  name: 'Standard',
  targets: {
    firstResponse: { minutes: 60, business: false },
    nextResponse: { minutes: 120, business: false },
    resolution: { minutes: 1440, business: false },
  },
  ...over,
});

describe('business hours API', () => {
  it('stores the workspace calendar and answers "are we open"', async () => {
    const bad = await call('PUT', '/api/v1/business-hours', ws.lead.headers, {
      timezone: 'Mars/Olympus',
      weekly: {},
    });
    expect(bad.statusCode).toBe(400);
    const backwards = await call('PUT', '/api/v1/business-hours', ws.lead.headers, {
      timezone: 'Europe/Berlin',
      weekly: { mon: [{ start: '17:00', end: '09:00' }] },
    });
    expect(backwards.statusCode).toBe(400);
    expect((await call('GET', '/api/v1/business-hours', ws.agent.headers)).json().items).toEqual([]);

    const forbidden = await call('PUT', '/api/v1/business-hours', ws.agent.headers, {
      timezone: 'UTC',
      weekly: {},
    });
    expect(forbidden.statusCode).toBe(403);

    const allWeek = [{ start: '00:00', end: '24:00' }];
    const ok = await call('PUT', '/api/v1/business-hours', ws.lead.headers, {
      name: 'Always',
      timezone: 'Europe/Berlin',
      weekly: {
        mon: allWeek,
        tue: allWeek,
        wed: allWeek,
        thu: allWeek,
        fri: allWeek,
        sat: allWeek,
        sun: allWeek,
      },
      holidays: [{ date: '2030-12-25', yearly: true, name: 'Christmas' }],
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ teamId: null, timezone: 'Europe/Berlin', name: 'Always' });
    // Open around the clock except on 25 December (a yearly holiday) in Berlin: "today" is the calendar's
    // date, which differs from the UTC date for an hour or two around midnight.
    const berlinDay = () =>
      new Intl.DateTimeFormat('en-CA', {
        timeZone: 'Europe/Berlin',
        month: '2-digit',
        day: '2-digit',
      }).format(new Date());
    const before = berlinDay();
    const status = await call('GET', '/api/v1/business-hours/status', ws.readonly.headers);
    const after = berlinDay();
    expect(status.json().timezone).toBe('Europe/Berlin');
    // The request ran between the two readings; at midnight either day's answer is right.
    expect([before !== '12-25', after !== '12-25']).toContain(status.json().open);
  });

  it('refuses hours for another workspace’s team', async () => {
    const res = await call('PUT', '/api/v1/business-hours/teams/999999', ws.lead.headers, {
      timezone: 'UTC',
      weekly: {},
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('SLA policies and ticket clocks', () => {
  let standardId: number;

  it('validates and creates policies; only leads may', async () => {
    const bad = await call('POST', '/api/v1/sla/policies', ws.lead.headers, {
      name: 'x',
      targets: { firstResponse: { minutes: 0 } },
    });
    expect(bad.statusCode).toBe(400);
    expect((await call('POST', '/api/v1/sla/policies', ws.agent.headers, policy())).statusCode).toBe(403);
    const urgent = await call(
      'POST',
      '/api/v1/sla/policies',
      ws.lead.headers,
      policy({
        name: 'Urgent',
        match: { priorities: ['urgent'] },
        targets: { firstResponse: { minutes: 15, business: false } },
      }),
    );
    expect(urgent.statusCode).toBe(201);
    const standard = await call('POST', '/api/v1/sla/policies', ws.lead.headers, policy());
    expect(standard.statusCode).toBe(201);
    standardId = standard.json().id;
    const list = (await call('GET', '/api/v1/sla/policies', ws.agent.headers)).json().items;
    expect(list.map((p: { name: string }) => p.name)).toEqual(['Urgent', 'Standard']);
  });

  it('shows a running first-response timer that turns met when an agent replies', async () => {
    const ticket = (await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody())).json();
    const before = (await call('GET', `/api/v1/tickets/${ticket.id}/sla`, ws.agent.headers)).json();
    expect(before.policy).toMatchObject({ id: standardId, name: 'Standard' });
    const first = before.clocks.find((c: { metric: string }) => c.metric === 'first_response');
    expect(first).toMatchObject({ state: 'running', targetMinutes: 60, completedAt: null });
    expect(Date.parse(first.dueAt) - Date.parse(ticket.createdAt)).toBeGreaterThanOrEqual(59 * 60_000);
    expect(first.remainingMinutes).toBeGreaterThan(55);

    const reply = await call('POST', `/api/v1/tickets/${ticket.id}/replies`, ws.agent.headers, {
      body: 'Looking into it now!',
    });
    expect(reply.statusCode).toBeLessThan(300);
    const after = (await call('GET', `/api/v1/tickets/${ticket.id}/sla`, ws.agent.headers)).json();
    expect(after.clocks.find((c: { metric: string }) => c.metric === 'first_response')).toMatchObject({
      state: 'met',
      remainingMinutes: null,
    });
    expect(after.clocks.find((c: { metric: string }) => c.metric === 'resolution').state).toBe('running');
  });

  it('re-times the ticket when its priority changes and announces a breach exactly once', async () => {
    const ticket = (await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody())).json();
    const patched = await call('PATCH', `/api/v1/tickets/${ticket.id}`, ws.agent.headers, {
      priority: 'urgent',
    });
    expect(patched.statusCode).toBe(200);
    const sla = (await call('GET', `/api/v1/tickets/${ticket.id}/sla`, ws.agent.headers)).json();
    expect(sla.policy.name).toBe('Urgent');
    expect(sla.clocks).toHaveLength(1);
    expect(sla.clocks[0]).toMatchObject({ metric: 'first_response', targetMinutes: 15, state: 'running' });

    // Run the clock forward: 12 minutes in (80%) is past the 75% warning, 20 minutes in is a breach.
    const svc = createSlaService(t.deps);
    const created = Date.parse(ticket.createdAt);
    seen.length = 0;
    await svc.recompute(ws.workspaceId, ticket.id, created + 12 * 60_000);
    expect(seen.map((e) => e.name)).toEqual(['sla.warning']);
    await svc.recompute(ws.workspaceId, ticket.id, created + 20 * 60_000);
    await svc.recompute(ws.workspaceId, ticket.id, created + 21 * 60_000);
    expect(seen.map((e) => e.name)).toEqual(['sla.warning', 'sla.breached']);
    expect(seen[1]).toMatchObject({ ticketId: ticket.id, data: { metric: 'first_response', cycle: 0 } });

    const breached = (await call('GET', '/api/v1/sla/tickets?filter=breached', ws.agent.headers)).json();
    expect(breached.items.map((x: { id: number }) => x.id)).toEqual([ticket.id]);
    // Due soonest first: the urgent ticket (15 min) comes before standard ones (60 min).
    const all = (await call('GET', '/api/v1/sla/tickets', ws.agent.headers)).json().items;
    expect(all[0].id).toBe(ticket.id);
    const dues = all.map((x: { nextDueAt: string | null }) => x.nextDueAt ?? '9999');
    expect([...dues].sort()).toEqual(dues);
  });

  it('keeps other workspaces out and records achievements for reporting', async () => {
    const other = await t.workspace('Other SLA Shop');
    const mine = (await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody())).json();
    expect((await call('GET', `/api/v1/tickets/${mine.id}/sla`, other.agent.headers)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/sla/tickets', other.agent.headers)).json().items).toEqual([]);
    expect((await call('DELETE', `/api/v1/sla/policies/${standardId}`, other.lead.headers)).statusCode).toBe(
      404,
    );

    const report = (await call('GET', '/api/v1/sla/report', ws.lead.headers)).json();
    const first = report.metrics.find((m: { metric: string }) => m.metric === 'first_response');
    expect(first.met).toBeGreaterThanOrEqual(1);
    expect(first.openBreached).toBeGreaterThanOrEqual(0);
    const bad = await call(
      'GET',
      '/api/v1/sla/report?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z',
      ws.lead.headers,
    );
    expect(bad.statusCode).toBe(400);
  });

  it('removes clocks when no policy applies any more', async () => {
    const ticket = (await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody())).json();
    const reorder = await call('POST', '/api/v1/sla/policies/reorder', ws.lead.headers, {
      ids: [standardId],
    });
    expect(reorder.statusCode).toBe(400);
    const policies = (await call('GET', '/api/v1/sla/policies', ws.lead.headers)).json().items;
    for (const p of policies)
      expect((await call('DELETE', `/api/v1/sla/policies/${p.id}`, ws.lead.headers)).statusCode).toBe(204);
    await t.jobs.drain();
    const sla = (await call('GET', `/api/v1/tickets/${ticket.id}/sla`, ws.agent.headers)).json();
    expect(sla).toMatchObject({ policy: null, clocks: [], breached: false });
    expect((await call('GET', '/api/v1/sla/tickets', ws.agent.headers)).json().items).toEqual([]);
  });
});
