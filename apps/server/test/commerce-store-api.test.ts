import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOrder } from './commerce-helpers.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
let store: { authorization: string };
let token: string;
let other: TestWorkspace;

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

beforeAll(async () => {
  t = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS });
  ws = await t.workspace('Store API Shop');
  other = await t.workspace('Other Shop');
  const res = await call('POST', '/api/v1/commerce/connections', ws.admin.headers, {
    platform: 'builtin',
    currency: 'EUR',
  });
  expect(res.statusCode).toBe(201);
  token = res.json().token;
  expect(token).toMatch(/^sdstore_/);
  store = { authorization: `Bearer ${token}` };
});
afterAll(() => t?.stop());

describe('built-in store API', () => {
  it('needs the store token, and validates batches without changing anything', async () => {
    expect(
      (await call('POST', '/api/v1/store/batch', ws.admin.headers, { orders: [demoOrder()] })).statusCode,
    ).toBe(401);
    const bad = await call('POST', '/api/v1/store/batch', store, { orders: [{ ...demoOrder(), total: -5 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toContain('orders.0.total');
    const list = await call('GET', '/api/v1/commerce/orders?number=1001', ws.agent.headers);
    expect(list.json().items).toHaveLength(0);
  });

  it('upserts orders idempotently, links the customer to a contact, and keeps the newer state', async () => {
    const first = await call('POST', '/api/v1/store/batch', store, { orders: [demoOrder()] });
    expect(first.statusCode).toBe(200);
    expect(first.json().orders).toEqual({ applied: 1, skippedStale: 0 });
    // Same delivery again: still one order, one set of lines.
    await call('POST', '/api/v1/store/batch', store, { orders: [demoOrder()] });
    const newer = new Date(Date.now() - 4 * 86400_000).toISOString();
    await call('POST', '/api/v1/store/batch', store, {
      orders: [
        demoOrder({
          updatedAt: newer,
          fulfillmentStatus: 'fulfilled',
          fulfillments: [
            {
              externalId: 'f-1',
              carrier: 'DHL',
              trackingNumber: 'JD0001',
              trackingUrl: 'https://dhl.example/JD0001',
              updatedAt: newer,
            },
          ],
        }),
      ],
    });
    // An older update arriving late is skipped.
    const stale = await call('POST', '/api/v1/store/batch', store, {
      orders: [demoOrder({ fulfillmentStatus: 'unfulfilled' })],
    });
    expect(stale.json().orders).toEqual({ applied: 0, skippedStale: 1 });

    const contacts = await call('GET', '/api/v1/contacts?q=emma', ws.agent.headers);
    const contact = contacts.json().items.find((c: { email: string }) => c.email === 'emma@example.com');
    expect(contact).toBeTruthy();
    const orders = (
      await call('GET', `/api/v1/commerce/orders?contactId=${contact.id}`, ws.agent.headers)
    ).json();
    expect(orders.items).toHaveLength(1);
    const o = orders.items[0];
    expect(o).toMatchObject({
      number: '#1001',
      total: 16300,
      currency: 'EUR',
      fulfillmentStatus: 'fulfilled',
    });
    expect(o.lineItems.map((l: { title: string }) => l.title)).toEqual(['Trail Runner 2', 'Merino Socks']);
    expect(o.fulfillments[0]).toMatchObject({ carrier: 'DHL', trackingNumber: 'JD0001' });
    expect(orders.lifetimeValue).toEqual([{ currency: 'EUR', total: 16300 }]);

    // Another workspace sees nothing of it.
    expect((await call('GET', `/api/v1/commerce/orders/${o.id}`, other.admin.headers)).statusCode).toBe(404);
  });

  it('applies shipment updates to known orders and rejects unknown ones', async () => {
    const bad = await call('POST', '/api/v1/store/shipments', store, {
      shipments: [{ orderExternalId: 'nope', fulfillment: { externalId: 'f-x' } }],
    });
    expect(bad.statusCode).toBe(400);
    const ok = await call('POST', '/api/v1/store/shipments', store, {
      shipments: [
        {
          orderExternalId: 'o-1001',
          fulfillment: {
            externalId: 'f-1',
            carrier: 'DHL',
            trackingNumber: 'JD0001',
            shipmentStatus: 'delivered',
            deliveredAt: new Date().toISOString(),
            updatedAt: new Date().toISOString(),
          },
        },
      ],
    });
    expect(ok.statusCode).toBe(200);
    const o = (await call('GET', '/api/v1/commerce/orders?number=%231001', ws.agent.headers)).json().items[0];
    expect(o.fulfillments).toHaveLength(1);
    expect(o.fulfillments[0].shipmentStatus).toBe('delivered');
  });

  it("shows a ticket's orders newest first with the mentioned order highlighted", async () => {
    await call('POST', '/api/v1/store/batch', store, {
      orders: [
        demoOrder({
          externalId: 'o-1002',
          number: '#1002',
          placedAt: new Date(Date.now() - 86400_000).toISOString(),
          updatedAt: new Date().toISOString(),
        }),
      ],
    });
    const ticket = (
      await call('POST', '/api/v1/tickets', ws.agent.headers, {
        subject: 'Question about my order',
        contact: { email: 'emma@example.com' },
        message: { body: 'Hi, order #1001 arrived but the socks are missing.' },
      })
    ).json();
    const res = await call('GET', `/api/v1/commerce/tickets/${ticket.id}/orders`, ws.agent.headers);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((o: { number: string }) => o.number)).toEqual(['#1002', '#1001']);
    expect(body.items.map((o: { mentioned: boolean }) => o.mentioned)).toEqual([false, true]);
    expect(body.mentionedNumbers).toEqual(['#1001']);
    const vars = (
      await call('GET', `/api/v1/commerce/tickets/${ticket.id}/order-variables`, ws.agent.headers)
    ).json();
    expect(vars.order).toMatchObject({ number: '#1001', trackingNumber: 'JD0001', total: '163.00 EUR' });
  });

  it('fills order fields in macros from the order the conversation is about', async () => {
    const ticket = (
      await call('POST', '/api/v1/tickets', ws.agent.headers, {
        subject: 'Tracking?',
        contact: { email: 'emma@example.com' },
        message: { body: 'Where is #1001?' },
      })
    ).json();
    const macro = (
      await call('POST', '/api/v1/macros', ws.lead.headers, {
        name: 'Tracking',
        body: 'Hi {{customer.first_name}}, {{order.number}} ships with {{order.carrier}}: {{order.tracking_url}}',
        shared: true,
      })
    ).json();
    const vars = (await call('GET', '/api/v1/macros/variables', ws.agent.headers)).json();
    expect(JSON.stringify(vars)).toContain('order.tracking_url');
    const out = await call('POST', `/api/v1/macros/${macro.id}/render`, ws.agent.headers, {
      ticketId: ticket.id,
    });
    expect(out.statusCode).toBe(200);
    expect(out.json().body).toBe('Hi Emma, #1001 ships with DHL: https://dhl.example/JD0001');
  });

  it("shows another customer's order named by a new sender only as a number: no details, actions or macro fields", async () => {
    const ticket = (
      await call('POST', '/api/v1/tickets', ws.agent.headers, {
        subject: 'Where is order #1001?',
        contact: { email: 'stranger@mail.example' },
        message: { body: 'Please change the address of #1001 to my new flat.' },
      })
    ).json();
    const res = await call('GET', `/api/v1/commerce/tickets/${ticket.id}/orders`, ws.agent.headers);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items).toEqual([]);
    expect(body.mentionedNumbers).toEqual([]);
    expect(body.mentionedOtherCustomers).toEqual(['#1001']);
    for (const personal of ['Emma', 'Schmidt', 'Hauptstr', 'Trail Runner', 'emma@example.com'])
      expect(res.body).not.toContain(personal);
    const vars = (
      await call('GET', `/api/v1/commerce/tickets/${ticket.id}/order-variables`, ws.agent.headers)
    ).json();
    expect(vars.order).toBeNull();
    const macro = (
      await call('POST', '/api/v1/macros', ws.lead.headers, {
        name: 'Order details',
        body: 'Order {{order.number}} to {{order.shipping_address}}: {{order.items}}',
        shared: true,
      })
    ).json();
    const out = (
      await call('POST', `/api/v1/macros/${macro.id}/render`, ws.agent.headers, { ticketId: ticket.id })
    ).json();
    expect(out.body).not.toContain('1001');
    expect(out.body).not.toContain('Hauptstr');
    // Acting on it from this ticket is refused and reaches nothing.
    const o = (await call('GET', '/api/v1/commerce/orders?number=%231001', ws.agent.headers)).json().items[0];
    const act = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.agent.headers, {
      kind: 'update_address',
      address: { name: 'Mallory', address1: 'Elsewhere 9', city: 'Berlin' },
      ticketId: ticket.id,
    });
    expect(act.statusCode).toBe(403);
    expect(
      (await call('GET', `/api/v1/commerce/actions?orderId=${o.id}`, ws.agent.headers)).json(),
    ).toHaveLength(0);
  });

  it('lists the connection with its sync status, without secrets', async () => {
    const list = (await call('GET', '/api/v1/commerce/connections', ws.lead.headers)).json();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ platform: 'builtin', orderCount: 2, hasCredentials: true });
    expect(JSON.stringify(list)).not.toContain(token);
    expect((await call('GET', '/api/v1/commerce/connections', ws.agent.headers)).statusCode).toBe(403);
    expect(
      (await call('POST', '/api/v1/commerce/connections', ws.lead.headers, { platform: 'builtin' }))
        .statusCode,
    ).toBe(403);
  });
});

describe('OpenAPI', () => {
  it('documents the built-in store API with an example, and the webhook receivers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const batch = doc.paths['/api/v1/store/batch'].post;
    expect(batch.tags).toEqual(['Built-in store API']);
    const schema = batch.requestBody.content['application/json'].schema;
    expect(schema.examples[0].orders[0].number).toBe('#1042');
    expect(doc.paths['/api/v1/commerce/webhooks/shopify/{id}'].post.summary).toContain(
      'X-Shopify-Hmac-Sha256',
    );
    expect(doc.paths['/api/v1/commerce/orders/{id}/actions'].post).toBeTruthy();
  });
});

describe('actions on built-in store orders', () => {
  it('acts once for two simultaneous requests with the same key, and lists the action for the shop', async () => {
    await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, { currency: 'EUR' });
    const o = (await call('GET', '/api/v1/commerce/orders?number=1002', ws.agent.headers)).json().items[0];
    const body = { kind: 'refund', mode: 'amount', amount: 1000, idempotencyKey: 'double-click-0001' };
    const [a, b] = await Promise.all([
      call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.agent.headers, body),
      call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.agent.headers, body),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 201]);
    expect(a.json().id).toBe(b.json().id);
    const after = (await call('GET', `/api/v1/commerce/orders/${o.id}`, ws.agent.headers)).json();
    expect(after.refunds).toHaveLength(1);
    expect(after.refunded).toBe(1000);
    // The same key for a different action is refused.
    const clash = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.agent.headers, {
      ...body,
      kind: 'cancel',
    });
    expect(clash.statusCode).toBe(409);
    const outbox = (await call('GET', '/api/v1/store/actions', store)).json();
    expect(outbox.map((x: { id: number; kind: string }) => [x.id, x.kind])).toEqual([
      [a.json().id, 'refund'],
    ]);
  });

  it('refuses what the order does not allow, with a clear 400 that changes nothing', async () => {
    const o = (await call('GET', '/api/v1/commerce/orders?number=1001', ws.agent.headers)).json().items[0];
    const addr = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.agent.headers, {
      kind: 'update_address',
      address: { name: 'Emma Schmidt', address1: 'Neue Str. 2', city: 'Berlin' },
    });
    expect(addr.statusCode).toBe(400);
    expect(addr.json().error.message).toContain('can no longer change');
    const tooMuch = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.lead.headers, {
      kind: 'refund',
      mode: 'amount',
      amount: 999999,
    });
    expect(tooMuch.statusCode).toBe(400);
    const ro = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.readonly.headers, {
      kind: 'refund',
      mode: 'full',
    });
    expect(ro.statusCode).toBe(403);
    const bigDiscount = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.agent.headers, {
      kind: 'discount_code',
      percent: 50,
    });
    expect(bigDiscount.statusCode).toBe(202);
    // A percentage is valued as that share of the order's goods: 50 % of 158.00 EUR is 79.00 EUR.
    expect(bigDiscount.json().approvalReasons).toEqual([
      '79.00 EUR is above the agent limit of 50.00 EUR',
      '50% is above the 20% discount limit',
    ]);
    const rejected = await call(
      'POST',
      `/api/v1/commerce/actions/${bigDiscount.json().id}/reject`,
      ws.lead.headers,
      { note: 'Too generous' },
    );
    expect(rejected.json()).toMatchObject({ status: 'rejected', decisionNote: 'Too generous' });
    expect((await call('GET', `/api/v1/commerce/orders/${o.id}`, ws.agent.headers)).json().refunded).toBe(0);
  });
});
