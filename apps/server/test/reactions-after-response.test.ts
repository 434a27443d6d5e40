import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

/**
 * A ticket created through the API is answered after the one statement that stores it; its reactions
 * (SLA clocks, routing, automations, urgency) run afterwards from the outbox. They must come out the
 * same as when they ran before the answer (REACTIONS=inline, the old path).
 */
describe('reactions after the response', () => {
  const apps: Record<'inline' | 'deferred', TestApp> = {} as never;
  beforeAll(async () => {
    apps.inline = await startTestApp({ REACTIONS: 'inline' });
    apps.deferred = await startTestApp({ REACTIONS: 'after-response' });
  });
  afterAll(async () => {
    await apps.inline?.stop();
    await apps.deferred?.stop();
  });

  async function desk(t: TestApp) {
    const ws = await t.workspace('Reaction Shop');
    const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
      t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });
    expect(
      (
        await call('POST', '/api/v1/sla/policies', ws.lead.headers, {
          name: 'Everyone',
          match: { priorities: ['low', 'normal', 'high', 'urgent'] },
          targets: {
            firstResponse: { minutes: 60, business: false },
            resolution: { minutes: 1440, business: false },
          },
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await call('POST', '/api/v1/automations', ws.lead.headers, {
          name: 'Refunds are high',
          kind: 'trigger',
          events: ['ticket.created'],
          conditions: { all: [{ field: 'subject', op: 'contains', value: 'refund' }] },
          actions: [
            { type: 'set_priority', priority: 'high' },
            { type: 'add_tags', tags: ['refund-auto'] },
          ],
        })
      ).statusCode,
    ).toBe(201);
    await call('PUT', '/api/v1/routing/config', ws.lead.headers, { mode: 'round_robin' });
    for (let i = 0; i < 2; i++) {
      const a = await call('POST', '/api/v1/agents', ws.admin.headers, {
        email: `router-${randomBytes(4).toString('hex')}@example.com`,
        name: `Router ${i}`,
      });
      expect(a.statusCode).toBe(201);
      await call('PATCH', `/api/v1/routing/agents/${a.json().id}`, ws.lead.headers, { status: 'online' });
    }
    return { ws, call };
  }

  const bodies = Array.from({ length: 8 }, (_, i) => ({
    subject: i % 2 ? `I want a refund for order #${1000 + i}` : `Where is my order #${1000 + i}?`,
    channel: 'api',
    contact: { email: `shopper-${i % 3}@example.com`, name: `Shopper ${i % 3}` },
    message: {
      body:
        i === 3
          ? 'This is urgent, I will call my lawyer and the bank about a chargeback!'
          : 'Hi, can you check?',
    },
  }));

  async function outcome(t: TestApp, deferred: boolean) {
    const { ws, call } = await desk(t);
    const created = [];
    for (const b of bodies) {
      const r = await call('POST', '/api/v1/tickets', ws.agent.headers, b);
      expect(r.statusCode).toBe(201);
      created.push(r.json());
    }
    if (deferred) await t.bus.reactionsSettled();
    const sla = (
      await call('GET', `/api/v1/sla/tickets?ids=${created.map((c) => c.id).join(',')}`, ws.agent.headers)
    ).json().items as {
      id: number;
      policy: { name: string } | null;
      active: { metric: string; dueAt: string } | null;
    }[];
    const tickets = [];
    for (const c of created) {
      const d = (await call('GET', `/api/v1/tickets/${c.id}`, ws.agent.headers)).json();
      const runs = (await call('GET', `/api/v1/tickets/${c.id}/automation-runs`, ws.agent.headers)).json()
        .items;
      const s = sla.find((x) => x.id === c.id)!;
      tickets.push({
        status: d.status,
        priority: d.priority,
        tags: [...d.tags].sort(),
        assigned: d.assigneeId !== null,
        events: d.events.map((e: { type: string }) => e.type).sort(),
        automation: runs.map((r: { outcome: string; actions: string[] }) => [r.outcome, r.actions]),
        slaPolicy: s.policy?.name ?? null,
        slaMetric: s.active?.metric ?? null,
        // The first-response clock runs from the ticket's creation: 60 minutes.
        slaMinutes: s.active
          ? Math.round((Date.parse(s.active.dueAt) - Date.parse(d.createdAt)) / 60_000)
          : null,
      });
    }
    // Round robin spreads the tickets evenly; which agent got which one depends on timing.
    const per = new Map<number, number>();
    for (const c of created) {
      const a = (await call('GET', `/api/v1/tickets/${c.id}`, ws.agent.headers)).json().assigneeId;
      per.set(a, (per.get(a) ?? 0) + 1);
    }
    return { tickets, spread: [...per.values()].sort() };
  }

  it('gives the same SLA clocks, routing and automation results as running them before the answer', async () => {
    const inline = await outcome(apps.inline, false);
    const deferred = await outcome(apps.deferred, true);
    // The refund automation raised four; urgency scoring raised the threatening one to urgent.
    expect(inline.tickets.filter((x) => x.priority === 'high' || x.priority === 'urgent')).toHaveLength(4);
    expect(inline.tickets.filter((x) => x.tags.includes('refund-auto'))).toHaveLength(4);
    expect(inline.tickets.every((x) => x.assigned && x.slaMinutes === 60)).toBe(true);
    expect(deferred).toEqual(inline);
  });

  it('answers with the ticket as stored, before its reactions ran', async () => {
    const { ws, call } = await desk(apps.deferred);
    const r = await call('POST', '/api/v1/tickets', ws.agent.headers, bodies[1]);
    expect(r.statusCode).toBe(201);
    const answered = r.json();
    expect(answered).toMatchObject({
      status: 'new',
      priority: 'normal',
      messageCount: 1,
      contact: { name: 'Shopper 1', email: 'shopper-1@example.com' },
      links: [],
      followers: [],
    });
    expect(answered.messages).toHaveLength(1);
    expect(answered.messages[0]).toMatchObject({
      kind: 'inbound',
      author: { type: 'contact', name: 'Shopper 1' },
    });
    expect(answered.events.map((e: { type: string }) => e.type)).toEqual(['created']);
    await apps.deferred.bus.reactionsSettled();
    const later = (await call('GET', `/api/v1/tickets/${answered.id}`, ws.agent.headers)).json();
    expect(later).toMatchObject({ priority: 'high', tags: ['refund-auto'] });
    expect(later.assigneeId).not.toBeNull();
    // What the answer showed is what a read of the stored ticket shows, field for field, before reactions.
    const { messages: _m, events: _e, ...fields } = answered;
    expect(Object.keys(later).sort()).toEqual(Object.keys(fields).concat('messages', 'events').sort());
  });
});
