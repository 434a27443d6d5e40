import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeShopify, fakeWoo, graphqlOrder } from './commerce-fake-stores.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { builtinStore, deliveredOrder } from './returns-helpers.ts';

/**
 * Every outcome reaching the store: against local servers speaking Shopify's Admin GraphQL and
 * WooCommerce's REST v3 (commerce-fake-stores.ts) and the built-in store — the refund with its lines and
 * restock, store credit, an exchange as a free replacement order, and a store refusal shown on the
 * return and retried.
 */
let t: TestApp;
let ws: TestWorkspace;
let shop: Awaited<ReturnType<typeof fakeShopify>>;
let woo: Awaited<ReturnType<typeof fakeWoo>>;

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });
const orderByNumber = async (n: string) =>
  (await call('GET', `/api/v1/commerce/orders?number=${encodeURIComponent(n)}`, ws.agent.headers)).json()
    .items[0] as { id: number; refunded: number; lineItems: { id: number; title: string }[] };
async function returnAndReceive(orderId: number, lineItemId: number, quantity: number, outcome: string) {
  const r = await call('POST', '/api/v1/returns', ws.admin.headers, {
    orderId,
    outcome,
    lines: [{ lineItemId, quantity, reason: 'size_too_small' }],
  });
  expect(r.statusCode, r.body).toBe(201);
  expect(r.json().status).toBe('approved');
  return call('POST', `/api/v1/returns/${r.json().id}/receive`, ws.admin.headers, {
    lines: [{ id: r.json().lines[0].id, condition: 'as_new', restock: true }],
  });
}

beforeAll(async () => {
  shop = await fakeShopify('shpat_returns_token');
  woo = await fakeWoo('ck_returns_key', 'cs_returns_secret');
  t = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS });
  ws = await t.workspace('Returns Stores');
  await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, {
    currency: 'EUR',
    refundLimits: { agent: 5000, lead: 100_000, admin: null },
  });
});
afterAll(async () => {
  await t?.stop();
  await shop?.close();
  await woo?.close();
});

describe('returns reach the store', () => {
  it('Shopify: a refund with the returned line and restock, then store credit through refundMethods', async () => {
    shop.pages.push([
      { ...graphqlOrder(51, 's1@shop.example'), displayFulfillmentStatus: 'FULFILLED' },
      { ...graphqlOrder(52, 's2@shop.example'), displayFulfillmentStatus: 'FULFILLED' },
    ]);
    const c = await call('POST', '/api/v1/commerce/connections', ws.admin.headers, {
      platform: 'shopify',
      shopDomain: shop.url,
      accessToken: 'shpat_returns_token',
      webhookSecret: 'shopify-secret-returns',
      currency: 'EUR',
    });
    await call('POST', `/api/v1/commerce/connections/${c.json().id}/backfill`, ws.admin.headers);
    await t.jobs.drain();
    const o = await orderByNumber('#2051');
    const shoes = o.lineItems.find((l) => l.title === 'Trail Runner 2')!.id;
    const done = await returnAndReceive(o.id, shoes, 1, 'refund');
    expect(done.json()).toMatchObject({ status: 'refunded', error: null });
    const calls = shop.ops('RefundCreate');
    expect(calls).toHaveLength(1);
    const input = (calls[0]!.body!.variables as { input: Record<string, unknown> }).input;
    expect(JSON.stringify(input)).toContain('gid://shopify/LineItem/5101');
    expect(JSON.stringify(input)).toContain('129.00');
    expect(JSON.stringify(input)).toMatch(/RETURN|restock/i);
    expect((await orderByNumber('#2051')).refunded).toBe(12900);

    const o2 = await orderByNumber('#2052');
    const socks = o2.lineItems.find((l) => l.title === 'Merino Socks')!.id;
    const credit = await returnAndReceive(o2.id, socks, 2, 'store_credit');
    expect(credit.json().status).toBe('credited');
    const last = shop.ops('RefundCreate').at(-1)!.body!.variables as { input: { refundMethods?: unknown } };
    expect(JSON.stringify(last.input.refundMethods)).toContain('29.00');
  });

  it('WooCommerce: the refunds API with line items and restock_items', async () => {
    const at = new Date(Date.now() - 3 * 86400_000).toISOString().slice(0, 19);
    woo.orders.set(961, {
      id: 961,
      number: '961',
      status: 'completed',
      currency: 'EUR',
      date_created_gmt: at,
      date_modified_gmt: at,
      discount_total: '0.00',
      shipping_total: '5.00',
      total: '45.00',
      total_tax: '0.00',
      customer_id: 9,
      billing: { first_name: 'Wanda', last_name: 'Woo', email: 'w1@shop.example' },
      shipping: {
        first_name: 'Wanda',
        last_name: 'Woo',
        address_1: 'Hauptstr. 9',
        city: 'Berlin',
        country: 'DE',
      },
      payment_method: 'stripe',
      transaction_id: 'ch_961',
      date_paid_gmt: at,
      line_items: [
        {
          id: 9611,
          name: 'Beanie',
          product_id: 96,
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
      consumerKey: 'ck_returns_key',
      consumerSecret: 'cs_returns_secret',
      webhookSecret: 'woo-secret-returns',
      currency: 'EUR',
    });
    await call('POST', `/api/v1/commerce/connections/${c.json().id}/backfill`, ws.admin.headers);
    await t.jobs.drain();
    const o = await orderByNumber('#961');
    const done = await returnAndReceive(o.id, o.lineItems[0]!.id, 1, 'refund');
    expect(done.json()).toMatchObject({ status: 'refunded', error: null });
    const refund = woo.requests.filter((r) => r.method === 'POST' && r.path.includes('/orders/961/refunds'));
    expect(refund).toHaveLength(1);
    expect(refund[0]!.body).toMatchObject({
      amount: '20.00',
      restock_items: true,
      line_items: [{ id: 9611, quantity: 1, refund_total: '20.00' }],
    });
  });

  it('WooCommerce refusing: the return shows the store’s words and is retried once fixed', async () => {
    const o = await orderByNumber('#961');
    const r = await call('POST', '/api/v1/returns', ws.admin.headers, {
      orderId: o.id,
      outcome: 'refund',
      lines: [{ lineItemId: o.lineItems[0]!.id, quantity: 1, reason: 'unwanted' }],
    });
    woo.queue.push({
      status: 400,
      body: {
        code: 'woocommerce_rest_cannot_create_order_refund',
        message: 'Refund amount is invalid.',
        data: { status: 400 },
      },
    });
    const failed = await call('POST', `/api/v1/returns/${r.json().id}/receive`, ws.admin.headers, {});
    expect(failed.json()).toMatchObject({
      status: 'received',
      error: expect.stringContaining('Refund amount is invalid.'),
    });
    const retried = await call('POST', `/api/v1/returns/${r.json().id}/receive`, ws.admin.headers, {});
    expect(retried.json()).toMatchObject({ status: 'refunded', error: null });
    expect(retried.json().events.map((e: { type: string }) => e.type)).toEqual([
      'requested',
      'approved',
      'received',
      'failed',
      'resolved',
    ]);
  });

  it('built-in store: an exchange is a free replacement order the shop reads from its actions', async () => {
    const store = await builtinStore(t, ws);
    await call('POST', '/api/v1/store/batch', store, { orders: [deliveredOrder('5001', 'b1@shop.example')] });
    const o = await orderByNumber('#5001');
    const shoes = o.lineItems.find((l) => l.title === 'Trail Runner 2')!.id;
    const done = await returnAndReceive(o.id, shoes, 1, 'exchange');
    expect(done.json().status).toBe('exchanged');
    const actions = (await call('GET', '/api/v1/store/actions?after=0', store)).json();
    const list = (actions.items ?? actions) as { kind: string; command?: { free?: boolean } }[];
    expect(list.some((a) => a.kind === 'resend')).toBe(true);
    expect((await orderByNumber('#5001')).refunded).toBe(0);
  });
});
