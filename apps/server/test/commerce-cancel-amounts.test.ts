import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeShopify, fakeWoo, graphqlOrder } from './commerce-fake-stores.ts';
import { demoOrder } from './commerce-helpers.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

/**
 * #24 item 4: a cancellation refunds what the store has not refunded yet, which can be less than the
 * order total or than our copy's estimate. The action, the ticket timeline, the audit log and the
 * approvals list show what the store reports it refunded.
 */
let t: TestApp;
let ws: TestWorkspace;
let shop: Awaited<ReturnType<typeof fakeShopify>>;
let woo: Awaited<ReturnType<typeof fakeWoo>>;

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });
const orderByNumber = async (n: string) =>
  (await call('GET', `/api/v1/commerce/orders?number=${encodeURIComponent(n)}`, ws.agent.headers)).json()
    .items[0];
const ticketFor = async (email: string, number: string) =>
  (
    await call('POST', '/api/v1/tickets', ws.agent.headers, {
      subject: `Cancel ${number}`,
      contact: { email },
      message: { body: `Please cancel ${number}.` },
    })
  ).json().id as number;

/** What the three places say about the cancellation of this order. */
async function reported(ticketId: number, orderId: number) {
  const events = (await call('GET', `/api/v1/tickets/${ticketId}`, ws.agent.headers)).json().events as {
    type: string;
    data: { kind?: string; amount?: number; summary?: string };
  }[];
  const done = events.find((e) => e.type === 'order_action_succeeded' && e.data.kind === 'cancel');
  const audit = (await call('GET', '/api/v1/audit-log?limit=100', ws.admin.headers)).json();
  const entry = (audit.items ?? audit).find(
    (a: { action: string; targetId: number | string }) =>
      a.action === 'order.cancel' && Number(a.targetId) === orderId,
  );
  const action = (await call('GET', `/api/v1/commerce/actions?orderId=${orderId}`, ws.admin.headers))
    .json()
    .find((a: { kind: string }) => a.kind === 'cancel');
  return {
    timeline: done?.data.amount,
    summary: done?.data.summary,
    audit: entry?.data.amount,
    action: action?.amount,
    result: action?.result,
  };
}

beforeAll(async () => {
  shop = await fakeShopify('shpat_cancel_token_1');
  woo = await fakeWoo('ck_cancel_key', 'cs_cancel_secret');
  // The fake stores listen on loopback: reached through the outbound allow-list, as a shop would allow them.
  t = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS });
  ws = await t.workspace('Cancel Amounts Shop');
  await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, {
    currency: 'EUR',
    refundLimits: { agent: 5000, lead: 100_000, admin: null },
    cancelNeedsApprovalAbove: 1000,
  });
});
afterAll(async () => {
  await t?.stop();
  await shop?.close();
  await woo?.close();
});

describe('cancellation amounts are what the store refunded', () => {
  it('built-in store: a cancellation approved after a partial refund reports what was left', async () => {
    const conn = await call('POST', '/api/v1/commerce/connections', ws.admin.headers, {
      platform: 'builtin',
      currency: 'EUR',
    });
    const store = { authorization: `Bearer ${conn.json().token}` };
    await call('POST', '/api/v1/store/batch', store, {
      orders: [
        demoOrder({
          externalId: 'o-c1',
          number: '#C1',
          customer: { externalId: 'c-c1', email: 'c1@shop.example' },
        }),
      ],
    });
    const o = await orderByNumber('#C1');
    const ticketId = await ticketFor('c1@shop.example', '#C1');
    // The agent asks to cancel (163.00 EUR not yet refunded): it waits for approval …
    const req = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.agent.headers, {
      kind: 'cancel',
      refund: true,
      ticketId,
    });
    expect(req.statusCode).toBe(202);
    // … meanwhile 29.00 EUR is refunded, so cancelling refunds 134.00 EUR.
    expect(
      (
        await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.admin.headers, {
          kind: 'refund',
          mode: 'amount',
          amount: 2900,
        })
      ).statusCode,
    ).toBe(201);
    const ok = await call('POST', `/api/v1/commerce/actions/${req.json().id}/approve`, ws.lead.headers, {});
    expect(ok.json()).toMatchObject({ status: 'succeeded', amount: 13_400 });
    expect((await orderByNumber('#C1')).refunded).toBe(16_300);
    const r = await reported(ticketId, o.id);
    expect(r).toMatchObject({ timeline: 13_400, audit: 13_400, action: 13_400 });
    expect(r.summary).toBe('Cancel #C1 (refund 134.00 EUR)');
    expect(r.result).toMatchObject({ refunded: 13_400, requestedAmount: 16_300 });
  });

  it('Shopify: reports what Shopify had received and not refunded, not our copy', async () => {
    shop.pages.push([graphqlOrder(31, 'c2@shop.example')]);
    const c = await call('POST', '/api/v1/commerce/connections', ws.admin.headers, {
      platform: 'shopify',
      shopDomain: shop.url,
      accessToken: 'shpat_cancel_token_1',
      webhookSecret: 'shopify-secret-cancel',
      currency: 'EUR',
    });
    await call('POST', `/api/v1/commerce/connections/${c.json().id}/backfill`, ws.admin.headers);
    await t.jobs.drain();
    const o = await orderByNumber('#2031');
    expect(o.refunded).toBe(0);
    // A 50.00 EUR refund was made in Shopify's admin and has not reached us yet.
    shop.orderMoney.set('gid://shopify/Order/5000000000031', { received: '163.00', refunded: '50.00' });
    const ticketId = await ticketFor('c2@shop.example', '#2031');
    const res = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.admin.headers, {
      kind: 'cancel',
      refund: true,
      ticketId,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'succeeded', amount: 11_300 });
    expect(shop.ops('OrderCancel').at(-1)!.body!.variables).toMatchObject({ refund: true });
    const r = await reported(ticketId, o.id);
    expect(r).toMatchObject({ timeline: 11_300, audit: 11_300, action: 11_300 });
    expect(r.summary).toBe('Cancel #2031 (refund 113.00 EUR)');
  });

  it('WooCommerce: refunds and reports what WooCommerce says is left, not our copy', async () => {
    const at = new Date(Date.now() - 86400_000).toISOString().slice(0, 19);
    woo.orders.set(931, {
      id: 931,
      number: '931',
      status: 'processing',
      currency: 'EUR',
      date_created_gmt: at,
      date_modified_gmt: at,
      discount_total: '0.00',
      shipping_total: '5.00',
      total: '45.00',
      total_tax: '0.00',
      customer_id: 9,
      billing: { first_name: 'Cleo', last_name: 'Shop', email: 'c3@shop.example' },
      shipping: {
        first_name: 'Cleo',
        last_name: 'Shop',
        address_1: 'Hauptstr. 3',
        city: 'Berlin',
        country: 'DE',
      },
      payment_method: 'stripe',
      transaction_id: 'ch_931',
      date_paid_gmt: at,
      line_items: [
        {
          id: 931,
          name: 'Beanie',
          product_id: 93,
          quantity: 2,
          subtotal: '40.00',
          total: '40.00',
          total_tax: '0.00',
          price: 20,
        },
      ],
      refunds: [],
      meta_data: [],
    });
    const c = await call('POST', '/api/v1/commerce/connections', ws.admin.headers, {
      platform: 'woocommerce',
      url: woo.url,
      consumerKey: 'ck_cancel_key',
      consumerSecret: 'cs_cancel_secret',
      webhookSecret: 'woo-secret-cancel',
      currency: 'EUR',
    });
    await call('POST', `/api/v1/commerce/connections/${c.json().id}/backfill`, ws.admin.headers);
    await t.jobs.drain();
    const o = await orderByNumber('#931');
    expect(o).toMatchObject({ total: 4500, refunded: 0 });
    // 15.00 EUR was refunded in WooCommerce itself; our copy does not know yet.
    woo.orders.set(931, {
      ...woo.orders.get(931)!,
      refunds: [{ id: 77, reason: 'In the shop', total: '-15.00' }],
    });
    const ticketId = await ticketFor('c3@shop.example', '#931');
    const before = woo.requests.length;
    const res = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.admin.headers, {
      kind: 'cancel',
      refund: true,
      ticketId,
    });
    expect(res.statusCode).toBe(201);
    const sent = woo.requests.slice(before).filter((r) => r.path === '/wp-json/wc/v3/orders/931/refunds');
    expect(sent.map((r) => r.body?.amount)).toEqual(['30.00']);
    expect(res.json()).toMatchObject({ status: 'succeeded', amount: 3000 });
    const r = await reported(ticketId, o.id);
    expect(r).toMatchObject({ timeline: 3000, audit: 3000, action: 3000 });
  });
});
