import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { demoOrder } from './commerce-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

/**
 * #28 item 6: every action that gives money counts against the caller's role limit, together with what
 * was given or is awaiting approval for the same order or customer in the policy's period; the same sum
 * decides who may approve. Agent limit 50.00 EUR, lead 250.00 EUR, admins unlimited.
 */
let t: TestApp;
let ws: TestWorkspace;
let store: { authorization: string };

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

/** A customer of their own per test, so each test's money adds up only with itself. */
async function customerOrders(who: string, orders: Record<string, unknown>[] = [{}]) {
  const placed = orders.map((over, i) =>
    demoOrder({
      externalId: `o-${who}-${i}`,
      number: `#${who}-${i}`,
      customer: { externalId: `c-${who}`, email: `${who}@shop.example`, firstName: who },
      ...over,
    }),
  );
  const res = await call('POST', '/api/v1/store/batch', store, { orders: placed });
  expect(res.statusCode).toBe(200);
  const out: { id: number; contactId: number; lineItems: { id: number; title: string }[] }[] = [];
  for (const o of placed)
    out.push(
      (
        await call('GET', `/api/v1/commerce/orders?number=${encodeURIComponent(o.number)}`, ws.agent.headers)
      ).json().items[0],
    );
  return out;
}
const act = (who: Record<string, string>, orderId: number, body: Record<string, unknown>) =>
  call('POST', `/api/v1/commerce/orders/${orderId}/actions`, who, body);
const refund = (who: Record<string, string>, orderId: number, amount: number, extra = {}) =>
  act(who, orderId, { kind: 'refund', mode: 'amount', amount, ...extra });
const approve = (who: Record<string, string>, id: number) =>
  call('POST', `/api/v1/commerce/actions/${id}/approve`, who, {});

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Money Limits Shop');
  const conn = await call('POST', '/api/v1/commerce/connections', ws.admin.headers, {
    platform: 'builtin',
    currency: 'EUR',
  });
  store = { authorization: `Bearer ${conn.json().token}` };
  // Only the money limits decide here: the discount caps are out of the way.
  const policy = await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, {
    currency: 'EUR',
    refundLimits: { agent: 5000, lead: 25000, admin: null },
    discountMaxPercent: 100,
    discountMaxAmount: 1_000_000,
    moneyWindowHours: 24,
  });
  expect(policy.statusCode).toBe(200);
});
afterAll(() => t?.stop());

describe('money limits count every action that gives money', () => {
  it("counts a fixed discount code: a lead's €1,000 code waits for an admin", async () => {
    const [o] = await customerOrders('disc');
    const big = await act(ws.lead.headers, o!.id, { kind: 'discount_code', amount: 100_000 });
    expect(big.statusCode).toBe(202);
    expect(big.json()).toMatchObject({
      status: 'pending_approval',
      approvalReasons: ['1000.00 EUR is above the lead limit of 250.00 EUR'],
    });
    // An agent's €60 code is above the agent's limit too.
    const agent = await act(ws.agent.headers, o!.id, { kind: 'discount_code', amount: 6000 });
    expect(agent.statusCode).toBe(202);
    // Nobody approves their own request.
    expect((await approve(ws.lead.headers, big.json().id)).statusCode).toBe(403);
    const ok = await approve(ws.admin.headers, big.json().id);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status).toBe('succeeded');
    // Now €1,000 was given to this customer today: the €60 is above what a lead may add.
    expect((await approve(ws.lead.headers, agent.json().id)).statusCode).toBe(403);
  });

  it('adds up a refund split into requests just under the limit, per order and per customer', async () => {
    const [a, b] = await customerOrders('split', [{}, {}]);
    expect((await refund(ws.agent.headers, a!.id, 4900)).statusCode).toBe(201);
    expect((await refund(ws.agent.headers, a!.id, 100)).statusCode).toBe(201); // exactly the limit
    const third = await refund(ws.agent.headers, a!.id, 100);
    expect(third.statusCode).toBe(202);
    expect(third.json().approvalReasons).toEqual([
      '1.00 EUR plus 50.00 EUR already given or awaiting approval for this order or customer in the last 24 h is 51.00 EUR, above the agent limit of 50.00 EUR',
    ]);
    // The same customer's other order is the same customer.
    const other = await refund(ws.agent.headers, b!.id, 100);
    expect(other.statusCode).toBe(202);
    expect((await call('GET', `/api/v1/commerce/orders/${a!.id}`, ws.agent.headers)).json().refunded).toBe(
      5000,
    );
    // A lead's limit covers 51.00 EUR: approved and done.
    const ok = await approve(ws.lead.headers, third.json().id);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status).toBe('succeeded');
  });

  it('counts requests awaiting approval; rejected ones stop counting', async () => {
    const [o] = await customerOrders('pending', [{ total: 40_000, subtotal: 39_500 }]);
    const big = await refund(ws.agent.headers, o!.id, 20_000);
    expect(big.statusCode).toBe(202);
    const small = await refund(ws.agent.headers, o!.id, 1000);
    expect(small.statusCode).toBe(202);
    expect(small.json().approvalReasons[0]).toContain('plus 200.00 EUR already given or awaiting approval');
    await call('POST', `/api/v1/commerce/actions/${big.json().id}/reject`, ws.lead.headers, {});
    // 10.00 EUR still waits (it counts), 200.00 EUR was rejected (it does not): 20.00 EUR fits.
    expect((await refund(ws.agent.headers, o!.id, 1000)).statusCode).toBe(201);
  });

  it('counts store credit, percentage discounts, free reships, cancellation refunds and return outcomes', async () => {
    const [o, cheap] = await customerOrders('kinds', [
      {},
      {
        subtotal: 800,
        shipping: 0,
        total: 800,
        lineItems: [{ externalId: 'li-kinds-c', title: 'Sticker', quantity: 1, price: 800 }],
        transactions: [
          {
            externalId: 't-kinds-c',
            kind: 'sale',
            gateway: 'stripe',
            amount: 800,
            processedAt: new Date().toISOString(),
          },
        ],
      },
    ]);
    const socks = o!.lineItems.find((l) => l.title === 'Merino Socks')!;
    // 10.00 store credit, 10 % of 158.00 = 15.80, one pair of socks 14.50, cancelling 8.00: 48.30 EUR.
    expect((await refund(ws.agent.headers, o!.id, 1000, { method: 'store_credit' })).statusCode).toBe(201);
    expect((await act(ws.agent.headers, o!.id, { kind: 'discount_code', percent: 10 })).statusCode).toBe(201);
    expect(
      (
        await act(ws.agent.headers, o!.id, {
          kind: 'resend',
          lines: [{ lineItemId: socks.id, quantity: 1 }],
        })
      ).statusCode,
    ).toBe(201);
    expect((await act(ws.agent.headers, cheap!.id, { kind: 'cancel', refund: true })).statusCode).toBe(201);
    // Another module (returns) gives 5.00 EUR through the same path: 53.30 EUR is above the agent limit.
    const outcome = await t.services.commerce.moneyPolicy.request(
      { workspaceId: ws.workspaceId, agentId: ws.agent.agentId, role: 'agent' },
      'return',
      { kind: 'return_outcome', value: 500, currency: 'EUR', orderId: o!.id, contactId: o!.contactId },
      async () => 4242,
    );
    expect(outcome).toMatchObject({ sourceId: 4242, status: 'pending' });
    expect(outcome.reasons[0]).toBe(
      '5.00 EUR plus 48.30 EUR already given or awaiting approval for this order or customer in the last 24 h is 53.30 EUR, above the agent limit of 50.00 EUR',
    );
    const kinds = await t.db.query<{ kind: string; value_minor: number }>(
      sql`SELECT kind, value_minor FROM money_grants WHERE contact_id = ${o!.contactId} ORDER BY id`,
    );
    expect(kinds.map((k) => [k.kind, Number(k.value_minor)])).toEqual([
      ['store_credit', 1000],
      ['discount_percent', 1580],
      ['reship', 1450],
      ['cancel_refund', 800],
      ['return_outcome', 500],
    ]);
  });

  it('lets an approver approve only what their own limit covers, counting what was already given', async () => {
    const [o] = await customerOrders('approver', [{ total: 60_000, subtotal: 59_500 }]);
    expect((await refund(ws.admin.headers, o!.id, 20_000)).statusCode).toBe(201); // admins are not limited
    const req = await refund(ws.agent.headers, o!.id, 6000);
    expect(req.statusCode).toBe(202);
    const lead = await approve(ws.lead.headers, req.json().id);
    expect(lead.statusCode).toBe(403);
    expect(lead.json().error.message).toContain('above your own limit');
    expect((await approve(ws.admin.headers, req.json().id)).json().status).toBe('succeeded');
  });

  it("counts only the policy's period, which the shop sets", async () => {
    const [o] = await customerOrders('window');
    const first = await refund(ws.agent.headers, o!.id, 4000);
    expect(first.statusCode).toBe(201);
    await t.db.query(sql`UPDATE money_grants SET created_at = now() - interval '25 hours'
      WHERE source = 'order_action' AND source_id = ${first.json().id}`);
    expect((await refund(ws.agent.headers, o!.id, 4000)).statusCode).toBe(201);
    const policy = (await call('GET', '/api/v1/commerce/policy', ws.admin.headers)).json();
    await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, { ...policy, moneyWindowHours: 48 });
    const third = await refund(ws.agent.headers, o!.id, 100);
    expect(third.statusCode).toBe(202);
    expect(third.json().approvalReasons[0]).toContain('plus 80.00 EUR already given');
    await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, policy);
  });

  it('counts two simultaneous requests one after the other', async () => {
    const [o] = await customerOrders('race');
    const res = await Promise.all([
      refund(ws.agent.headers, o!.id, 3000, { idempotencyKey: 'race-refund-a' }),
      refund(ws.agent.headers, o!.id, 3000, { idempotencyKey: 'race-refund-b' }),
    ]);
    expect(res.map((r) => r.statusCode).sort()).toEqual([201, 202]);
    expect((await call('GET', `/api/v1/commerce/orders/${o!.id}`, ws.agent.headers)).json().refunded).toBe(
      3000,
    );
  });
});
