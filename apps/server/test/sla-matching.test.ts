import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlaService } from '../src/modules/sla/index.ts';
import { sql } from '../src/platform/db/db.ts';
import { demoOrder } from './commerce-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

async function ticket(ws: TestWorkspace, over: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody(over));
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number; createdAt: string };
}
const policyOf = async (ws: TestWorkspace, id: number) =>
  (await call('GET', `/api/v1/tickets/${id}/sla`, ws.agent.headers)).json().policy?.name ?? null;

describe('SLA policy matching', () => {
  it('picks the first policy that fits by channel, tags, customer tier and lifetime order value', async () => {
    const ws = await t.workspace('Matching shop');
    const target = (minutes: number) => ({ firstResponse: { minutes, business: false } });
    for (const p of [
      { name: 'Chat', match: { channels: ['chat'] }, targets: target(5) },
      { name: 'Wholesale', match: { tags: ['wholesale', 'b2b'] }, targets: target(10) },
      { name: 'VIP', match: { tiers: ['VIP', 'gold'] }, targets: target(15) },
      { name: 'Big spenders', match: { minLifetimeValue: 10_000 }, targets: target(20) },
      { name: 'Everyone', targets: target(60) },
    ])
      expect((await call('POST', '/api/v1/sla/policies', ws.lead.headers, p)).statusCode).toBe(201);

    // Emma has bought for 163.00 EUR (16300 minor units) in the shop's store; nothing on her contact says so.
    const conn = await call('POST', '/api/v1/commerce/connections', ws.admin.headers, {
      platform: 'builtin',
      currency: 'EUR',
    });
    expect(conn.statusCode).toBe(201);
    const store = { authorization: `Bearer ${conn.json().token}` };
    expect((await call('POST', '/api/v1/store/batch', store, { orders: [demoOrder()] })).statusCode).toBe(
      200,
    );
    // A contact whose custom field claims a high value but who never ordered is no big spender.
    const claimed = await call('POST', '/api/v1/contacts', ws.agent.headers, {
      email: 'claims@example.com',
      customFields: { lifetimeValue: 999_999 },
    });
    const vipByTag = await call('POST', '/api/v1/contacts', ws.agent.headers, {
      email: 'vip@example.com',
      tags: ['vip'],
    });
    const goldByField = await call('POST', '/api/v1/contacts', ws.agent.headers, {
      email: 'gold@example.com',
      customFields: { tier: 'Gold' },
    });
    for (const r of [claimed, vipByTag, goldByField]) expect(r.statusCode).toBe(201);

    const cases: [Record<string, unknown>, string][] = [
      [{ channel: 'chat' }, 'Chat'],
      [{ tags: ['b2b'] }, 'Wholesale'],
      [{ contact: { id: vipByTag.json().id } }, 'VIP'],
      [{ contact: { id: goldByField.json().id } }, 'VIP'],
      [{ contact: { email: 'emma@example.com' } }, 'Big spenders'],
      [{ contact: { id: claimed.json().id } }, 'Everyone'],
      [{ contact: { email: 'nobody@example.com' } }, 'Everyone'],
      // The first fitting policy wins: a chat from a big spender is a chat.
      [{ channel: 'chat', contact: { email: 'emma@example.com' } }, 'Chat'],
    ];
    for (const [over, expected] of cases)
      expect({ over, policy: await policyOf(ws, (await ticket(ws, over)).id) }).toEqual({
        over,
        policy: expected,
      });

    // A refund of 100.00 EUR lowers her value to 63.00, below the threshold: the next recompute moves her ticket to "Everyone".
    const emma = await ticket(ws, { contact: { email: 'emma@example.com' } });
    const refunded = await call('POST', '/api/v1/store/batch', store, {
      orders: [
        demoOrder({
          updatedAt: new Date().toISOString(),
          financialStatus: 'partially_refunded',
          refunds: [{ externalId: 'r-1', amount: 10_000, createdAt: new Date().toISOString() }],
        }),
      ],
    });
    expect(refunded.statusCode).toBe(200);
    await createSlaService(t.deps).recompute(ws.workspaceId, emma.id);
    expect(await policyOf(ws, emma.id)).toBe('Everyone');
  });
});

describe('business-hours targets through the API', () => {
  it('times a first response in business hours, and a team calendar moves its due time', async () => {
    const ws = await t.workspace('Business hours shop');
    const nineToFive = [{ start: '09:00', end: '17:00' }];
    const weekdays = { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive };
    const cal = await call('PUT', '/api/v1/business-hours', ws.lead.headers, {
      timezone: 'Europe/Berlin',
      weekly: weekdays,
    });
    expect(cal.statusCode).toBe(200);
    const policy = await call('POST', '/api/v1/sla/policies', ws.lead.headers, {
      name: 'Office hours',
      targets: { firstResponse: { minutes: 120, business: true } },
    });
    expect(policy.statusCode).toBe(201);
    const team = await call('POST', '/api/v1/teams', ws.admin.headers, { name: 'US support' });
    expect(team.statusCode).toBe(201);
    const teamId = team.json().id as number;

    const created = await ticket(ws, { teamId });
    // The ticket arrives on Fri 29 Mar 2030 at 16:00 CET (15:00Z), an instant the test controls; it is
    // in the future, so the clock is still running whenever this runs.
    await t.db.query(sql`UPDATE tickets SET created_at = '2030-03-29T15:00:00Z' WHERE id = ${created.id}`);
    await t.db.query(
      sql`UPDATE messages SET created_at = '2030-03-29T15:00:00Z' WHERE ticket_id = ${created.id}`,
    );
    await createSlaService(t.deps).recompute(ws.workspaceId, created.id);
    const first = async () =>
      (await call('GET', `/api/v1/tickets/${created.id}/sla`, ws.agent.headers))
        .json()
        .clocks.find((c: { metric: string }) => c.metric === 'first_response');
    const stored = async () =>
      (await call('GET', `/api/v1/sla/tickets?ids=${created.id}`, ws.agent.headers)).json().items[0]
        ?.nextDueAt;
    // 120 business minutes: 60 on Friday (16:00–17:00 CET), the weekend (Europe changes to summer time on
    // Sun 31 Mar), Mon 1 Apr 09:00 CEST + 60 = 10:00 CEST = 08:00Z.
    expect(await first()).toMatchObject({
      business: true,
      state: 'running',
      dueAt: '2030-04-01T08:00:00.000Z',
    });
    expect(await stored()).toBe('2030-04-01T08:00:00.000Z');

    // The team works New York hours: Fri 15:00Z is 11:00 EDT (US summer time began 10 Mar), so the 120
    // minutes end at 13:00 EDT = 17:00Z the same day. The edit re-times open tickets in a job.
    const own = await call('PUT', `/api/v1/business-hours/teams/${teamId}`, ws.lead.headers, {
      timezone: 'America/New_York',
      weekly: weekdays,
    });
    expect(own.statusCode).toBe(200);
    await t.jobs.drain();
    expect(await first()).toMatchObject({ business: true, dueAt: '2030-03-29T17:00:00.000Z' });
    expect(await stored()).toBe('2030-03-29T17:00:00.000Z');

    // Removing the team's own hours falls back to the workspace calendar.
    expect((await call('DELETE', `/api/v1/business-hours/teams/${teamId}`, ws.lead.headers)).statusCode).toBe(
      204,
    );
    await t.jobs.drain();
    expect(await stored()).toBe('2030-04-01T08:00:00.000Z');
  });
});
