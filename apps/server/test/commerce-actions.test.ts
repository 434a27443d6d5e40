import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeShopify, fakeWoo, graphqlOrder } from './commerce-fake-stores.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
let shop: Awaited<ReturnType<typeof fakeShopify>>;
let woo: Awaited<ReturnType<typeof fakeWoo>>;
let ticketId: number;

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });
const orderByNumber = async (n: string) =>
  (await call('GET', `/api/v1/commerce/orders?number=${encodeURIComponent(n)}`, ws.agent.headers)).json()
    .items[0];
const events = async (id: number) =>
  (await call('GET', `/api/v1/tickets/${id}`, ws.agent.headers)).json().events as {
    type: string;
    data: Record<string, unknown>;
  }[];

beforeAll(async () => {
  shop = await fakeShopify('shpat_test_token_123');
  woo = await fakeWoo('ck_test_key', 'cs_test_secret');
  t = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS });
  ws = await t.workspace('Actions Shop');
  await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, {
    currency: 'EUR',
    refundWindowDays: 30,
    refundLimits: { agent: 5000, lead: 20000, admin: null },
  });
  ticketId = (
    await call('POST', '/api/v1/tickets', ws.agent.headers, {
      subject: 'Problem with #2001',
      contact: { email: 'emma@shop.example' },
      message: { body: 'My order #2001 has the wrong socks.' },
    })
  ).json().id;
});
afterAll(async () => {
  await t?.stop();
  await shop?.close();
  await woo?.close();
});

describe('Shopify: backfill and actions through the Admin GraphQL API', () => {
  let connId: number;
  it('imports orders page by page, waiting out cost-based throttling', async () => {
    shop.pages.push([graphqlOrder(1, 'emma@shop.example')], [graphqlOrder(2, 'emma@shop.example')]);
    shop.throttle.set('Backfill', 1);
    const c = await call('POST', '/api/v1/commerce/connections', ws.admin.headers, {
      platform: 'shopify',
      shopDomain: shop.url,
      accessToken: 'shpat_test_token_123',
      webhookSecret: 'shopify-secret-1',
      currency: 'EUR',
    });
    expect(c.statusCode).toBe(201);
    connId = c.json().id;
    expect(
      (await call('POST', `/api/v1/commerce/connections/${connId}/backfill`, ws.admin.headers)).statusCode,
    ).toBe(202);
    await t.jobs.drain();
    const calls = shop.ops('Backfill');
    expect(calls).toHaveLength(3); // throttled, page 1, page 2
    expect(calls.map((r) => (r.body!.variables as { cursor: string | null }).cursor)).toEqual([
      null,
      null,
      'cursor-1',
    ]);
    const conn = (await call('GET', `/api/v1/commerce/connections/${connId}`, ws.admin.headers)).json();
    expect(conn).toMatchObject({ syncStatus: 'idle', backfilledOrders: 2, orderCount: 2 });
    const o = await orderByNumber('#2001');
    expect(o).toMatchObject({
      total: 16300,
      currency: 'EUR',
      externalId: '5000000000001',
      financialStatus: 'paid',
    });
    expect(o.lineItems[0]).toMatchObject({
      title: 'Trail Runner 2',
      imageUrl: 'https://cdn.shopify.example/tr2.jpg',
    });
  });

  it('refunds one line within the agent limit: one refundCreate, on the timeline and in the audit log', async () => {
    const o = await orderByNumber('#2001');
    const socks = o.lineItems.find((l: { title: string }) => l.title === 'Merino Socks');
    const body = {
      kind: 'refund',
      mode: 'lines',
      lines: [{ lineItemId: socks.id, quantity: 2 }],
      ticketId,
      idempotencyKey: 'click-refund-socks-1',
    };
    const res = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.agent.headers, body);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'succeeded', amount: 2900, kind: 'refund' });
    const sent = shop.ops('RefundCreate');
    expect(sent).toHaveLength(1);
    expect((sent[0]!.body!.variables as { input: unknown }).input).toMatchObject({
      orderId: 'gid://shopify/Order/5000000000001',
      refundLineItems: [{ lineItemId: 'gid://shopify/LineItem/102', quantity: 2, restockType: 'RETURN' }],
      transactions: [
        {
          parentId: 'gid://shopify/OrderTransaction/222',
          gateway: 'shopify_payments',
          kind: 'REFUND',
          amount: '29.00',
        },
      ],
    });
    // A double click (same key) acts once.
    const again = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.agent.headers, body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(res.json().id);
    expect(shop.ops('RefundCreate')).toHaveLength(1);

    const after = await orderByNumber('#2001');
    expect(after).toMatchObject({ refunded: 2900, refundable: 13400, financialStatus: 'partially_refunded' });
    expect(after.lineItems.find((l: { title: string }) => l.title === 'Merino Socks').refundedQuantity).toBe(
      2,
    );
    const ev = (await events(ticketId)).find((e) => e.type === 'order_action_succeeded');
    expect(ev?.data).toMatchObject({ kind: 'refund', orderNumber: '#2001', amount: 2900 });
    const audit = (await call('GET', '/api/v1/audit-log', ws.admin.headers)).json();
    const items = Array.isArray(audit) ? audit : audit.items;
    expect(items.some((a: { action: string }) => a.action === 'order.refund')).toBe(true);
  });

  it('sends a refund above the agent limit for approval; nothing reaches Shopify until a lead approves', async () => {
    const o = await orderByNumber('#2001');
    const res = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.agent.headers, {
      kind: 'refund',
      mode: 'amount',
      amount: 9000,
      ticketId,
      idempotencyKey: 'click-refund-big-1',
    });
    expect(res.statusCode).toBe(202);
    const action = res.json();
    expect(action.status).toBe('pending_approval');
    expect(action.approvalReasons[0]).toContain('above the agent limit of 50.00 EUR');
    expect(shop.ops('RefundCreate')).toHaveLength(1);

    const queue = (
      await call('GET', '/api/v1/commerce/actions?status=pending_approval', ws.lead.headers)
    ).json();
    expect(queue.map((a: { id: number }) => a.id)).toContain(action.id);
    expect(
      (await call('POST', `/api/v1/commerce/actions/${action.id}/approve`, ws.agent.headers, {})).statusCode,
    ).toBe(403);
    const ok = await call('POST', `/api/v1/commerce/actions/${action.id}/approve`, ws.lead.headers, {
      note: 'Goodwill',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'succeeded', decidedBy: { id: ws.lead.agentId } });
    expect(shop.ops('RefundCreate')).toHaveLength(2);
    expect(
      (await call('POST', `/api/v1/commerce/actions/${action.id}/approve`, ws.lead.headers, {})).statusCode,
    ).toBe(409);
    const types = (await events(ticketId)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['order_action_requested', 'order_action_approved']));
  });

  it("shows Shopify's own message when it refuses, and retries a throttled mutation", async () => {
    const o = await orderByNumber('#2002');
    shop.overrides.set('DiscountCreate', () => ({
      body: {
        data: {
          discountCodeBasicCreate: {
            codeDiscountNode: null,
            userErrors: [
              {
                field: ['basicCodeDiscount', 'code'],
                message: 'Code must be unique. Please try a different code.',
                code: 'TAKEN',
              },
            ],
          },
        },
      },
    }));
    // An admin (never limited): Emma was already given 119.00 EUR today, above the agent and lead limits.
    const bad = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.admin.headers, {
      kind: 'discount_code',
      percent: 10,
      code: 'SORRY10',
      ticketId,
    });
    expect(bad.statusCode).toBe(502);
    expect(bad.json().error.message).toBe('Code must be unique. Please try a different code.');
    expect((await events(ticketId)).some((e) => e.type === 'order_action_failed')).toBe(true);

    shop.throttle.set('OrderCancel', 2);
    const cancel = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.admin.headers, {
      kind: 'cancel',
      reason: 'customer',
      refund: true,
      restock: true,
      ticketId,
    });
    expect(cancel.statusCode).toBe(201);
    expect(shop.ops('OrderCancel')).toHaveLength(3);
    expect(shop.ops('OrderCancel')[2]!.body!.variables).toMatchObject({
      reason: 'CUSTOMER',
      refund: true,
      restock: true,
    });
    expect((await orderByNumber('#2002')).status).toBe('cancelled');
    // Rules are checked before anything is sent.
    const again = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.lead.headers, {
      kind: 'cancel',
    });
    expect(again.statusCode).toBe(400);
    expect(shop.ops('OrderCancel')).toHaveLength(3);
  });
});

describe('WooCommerce: actions through REST v3', () => {
  it('refunds through /orders/{id}/refunds with basic auth, retrying after HTTP 429', async () => {
    woo.orders.set(727, {
      id: 727,
      number: '727',
      status: 'processing',
      currency: 'EUR',
      date_created_gmt: new Date(Date.now() - 86400_000).toISOString().slice(0, 19),
      date_modified_gmt: new Date(Date.now() - 86400_000).toISOString().slice(0, 19),
      discount_total: '0.00',
      shipping_total: '5.00',
      total: '45.00',
      total_tax: '0.00',
      customer_id: 3,
      billing: {
        first_name: 'Emma',
        last_name: 'Shop',
        email: 'emma@shop.example',
        address_1: 'Hauptstr. 1',
      },
      shipping: {
        first_name: 'Emma',
        last_name: 'Shop',
        address_1: 'Hauptstr. 1',
        city: 'Berlin',
        postcode: '10115',
        country: 'DE',
      },
      payment_method: 'stripe',
      payment_method_title: 'Card',
      transaction_id: 'ch_1',
      date_paid_gmt: new Date(Date.now() - 86400_000).toISOString().slice(0, 19),
      line_items: [
        {
          id: 315,
          name: 'Beanie',
          product_id: 93,
          variation_id: 0,
          quantity: 2,
          subtotal: '40.00',
          total: '40.00',
          total_tax: '0.00',
          sku: 'BEANIE',
          price: 20,
        },
      ],
      refunds: [],
      meta_data: [],
    });
    const c = await call('POST', '/api/v1/commerce/connections', ws.admin.headers, {
      platform: 'woocommerce',
      url: woo.url,
      consumerKey: 'ck_test_key',
      consumerSecret: 'cs_test_secret',
      webhookSecret: 'woo-secret-1',
      currency: 'EUR',
    });
    expect(c.statusCode).toBe(201);
    await call('POST', `/api/v1/commerce/connections/${c.json().id}/backfill`, ws.admin.headers);
    await t.jobs.drain();
    const o = await orderByNumber('#727');
    expect(o).toMatchObject({ total: 4500, financialStatus: 'paid', contactId: expect.any(Number) });

    woo.queue.push({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { code: 'too_many_requests', message: 'Slow down', data: { status: 429 } },
    });
    const before = woo.requests.length;
    // An admin: the money already given to Emma today puts any agent refund above the limit.
    const res = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.admin.headers, {
      kind: 'refund',
      mode: 'lines',
      lines: [{ lineItemId: o.lineItems[0].id, quantity: 1 }],
      ticketId,
    });
    expect(res.statusCode).toBe(201);
    const sent = woo.requests.slice(before).filter((r) => r.path === '/wp-json/wc/v3/orders/727/refunds');
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body).toMatchObject({
      amount: '20.00',
      api_refund: true,
      line_items: [{ id: 315, quantity: 1, refund_total: '20.00' }],
    });
    expect((await orderByNumber('#727')).refunded).toBe(2000);
  });

  it("reports WooCommerce's error message and changes nothing locally", async () => {
    const o = await orderByNumber('#727');
    woo.queue.push({
      status: 400,
      body: {
        code: 'woocommerce_rest_cannot_create_order_refund',
        message: 'Refund amount must be greater than zero.',
        data: { status: 400 },
      },
    });
    const res = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.admin.headers, {
      kind: 'refund',
      mode: 'amount',
      amount: 100,
    });
    expect(res.statusCode).toBe(502);
    expect(res.json().error.message).toBe('WooCommerce: Refund amount must be greater than zero.');
    expect((await orderByNumber('#727')).refunded).toBe(2000);
  });
});
