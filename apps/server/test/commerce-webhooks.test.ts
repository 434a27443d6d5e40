import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
let shopifyId: number;
let wooId: number;
const SHOPIFY_SECRET = 'shpss_webhook_secret_for_tests';
const WOO_SECRET = 'woo webhook secret & "quotes"';

const sign = (secret: string, raw: Buffer | string) =>
  createHmac('sha256', secret).update(raw).digest('base64');
const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

function shopifyPost(
  raw: string | Buffer,
  topic: string,
  webhookId: string,
  signature = sign(SHOPIFY_SECRET, raw),
) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/commerce/webhooks/shopify/${shopifyId}`,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-webhook-id': webhookId,
      'x-shopify-hmac-sha256': signature,
      'x-shopify-shop-domain': 'test-shop.myshopify.com',
    },
    payload: raw,
  });
}
function wooPost(raw: string | Buffer, topic: string, deliveryId: string, signature = sign(WOO_SECRET, raw)) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/commerce/webhooks/woocommerce/${wooId}`,
    headers: {
      'content-type': 'application/json',
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-delivery-id': deliveryId,
      'x-wc-webhook-signature': signature,
      'x-wc-webhook-source': 'https://woo.example/',
    },
    payload: raw,
  });
}
const orderByNumber = async (n: string) =>
  (await call('GET', `/api/v1/commerce/orders?number=${encodeURIComponent(n)}`, ws.agent.headers)).json()
    .items as Record<string, unknown>[];

/**
 * A hand-written orders/* body in Shopify's REST shape. Written as text on purpose: the ids are 64-bit
 * and must survive parsing exactly (a JS number would round 5821093741027364353 to …4400).
 */
function shopifyOrderBody(opts: { updatedAt: string; financial: string; note: string }) {
  return `{"id":5821093741027364353,"admin_graphql_api_id":"gid://shopify/Order/5821093741027364353","name":"#1188","email":"lena@example.com",
"created_at":"2024-06-01T09:00:00+02:00","updated_at":"${opts.updatedAt}","currency":"EUR","financial_status":"${opts.financial}",
"fulfillment_status":null,"cancelled_at":null,"closed_at":null,"note":"${opts.note}","tags":"vip, repeat",
"subtotal_price":"89.90","total_discounts":"0.00","total_tax":"14.35","total_price":"94.80",
"total_shipping_price_set":{"shop_money":{"amount":"4.90","currency_code":"EUR"}},
"customer":{"id":7300154114361829120,"email":"lena@example.com","first_name":"Lena","last_name":"Vogel","updated_at":"2024-06-01T09:00:00+02:00"},
"shipping_address":{"first_name":"Lena","last_name":"Vogel","address1":"Ringstr. 5","city":"Köln","zip":"50667","country":"Germany","country_code":"DE"},
"line_items":[{"id":14222356897987654321,"admin_graphql_api_id":"gid://shopify/LineItem/14222356897987654321","title":"Rain Jacket","variant_title":"M","sku":"RJ-M","quantity":1,"price":"89.90","total_discount":"0.00","product_id":8800000000000000001,"variant_id":4400000000000000002,"fulfillable_quantity":1,"tax_lines":[{"price":"14.35"}]}],
"refunds":[],"fulfillments":[]}`;
}

beforeAll(async () => {
  t = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS });
  ws = await t.workspace('Webhook Shop');
  shopifyId = (
    await call('POST', '/api/v1/commerce/connections', ws.admin.headers, {
      platform: 'shopify',
      shopDomain: 'test-shop.myshopify.com',
      accessToken: 'shpat_never_used_here',
      webhookSecret: SHOPIFY_SECRET,
      currency: 'EUR',
    })
  ).json().id;
  wooId = (
    await call('POST', '/api/v1/commerce/connections', ws.admin.headers, {
      platform: 'woocommerce',
      url: 'https://woo.example',
      consumerKey: 'ck_never_used',
      consumerSecret: 'cs_never_used',
      webhookSecret: WOO_SECRET,
    })
  ).json().id;
});
afterAll(() => t?.stop());

describe('Shopify webhooks', () => {
  const v1 = shopifyOrderBody({ updatedAt: '2024-06-01T10:00:00+02:00', financial: 'paid', note: 'first' });
  const v2 = shopifyOrderBody({
    updatedAt: '2024-06-02T10:00:00+02:00',
    financial: 'partially_refunded',
    note: 'second',
  });

  it('rejects a wrong or missing signature and stores nothing', async () => {
    const wrong = await shopifyPost(v1, 'orders/create', 'wh-bad-1', sign('another-secret', v1));
    expect(wrong.statusCode).toBe(401);
    const none = await shopifyPost(v1, 'orders/create', 'wh-bad-2', '');
    expect(none.statusCode).toBe(401);
    // A body changed after signing (one byte) fails too.
    const tampered = await shopifyPost(
      v1.replace('94.80', '94.81'),
      'orders/create',
      'wh-bad-3',
      sign(SHOPIFY_SECRET, v1),
    );
    expect(tampered.statusCode).toBe(401);
    await t.jobs.drain();
    expect(await orderByNumber('#1188')).toHaveLength(0);
    const conn = (await call('GET', `/api/v1/commerce/connections/${shopifyId}`, ws.admin.headers)).json();
    expect(conn.lastWebhookAt).toBeNull();
  });

  it('accepts a correctly signed delivery, applies it once when delivered three times, with exact 64-bit ids', async () => {
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await shopifyPost(v1, 'orders/create', 'wh-create-1'));
    expect(replies.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(replies.map((r) => r.json().duplicate)).toEqual([false, true, true]);
    await t.jobs.drain();
    const orders = await orderByNumber('#1188');
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      externalId: '5821093741027364353',
      total: 9480,
      shipping: 490,
      tax: 1435,
      email: 'lena@example.com',
      financialStatus: 'paid',
      tags: ['vip', 'repeat'],
    });
    expect((orders[0]!.lineItems as { externalId: string }[])[0]!.externalId).toBe('14222356897987654321');
    const contacts = (await call('GET', '/api/v1/contacts?q=lena', ws.agent.headers)).json().items;
    expect(contacts).toHaveLength(1);
    expect(orders[0]!.contactId).toBe(contacts[0].id);
  });

  it('keeps the newer state when an older orders/updated arrives after a newer one', async () => {
    expect((await shopifyPost(v2, 'orders/updated', 'wh-upd-2')).statusCode).toBe(200);
    await t.jobs.drain();
    expect((await shopifyPost(v1, 'orders/updated', 'wh-upd-1-late')).statusCode).toBe(200);
    await t.jobs.drain();
    const [o] = await orderByNumber('#1188');
    expect(o).toMatchObject({ financialStatus: 'partially_refunded', updatedAt: '2024-06-02T08:00:00.000Z' });
  });

  it('adds refunds and shipments delivered on their own topics', async () => {
    const refund = `{"id":930000000000000001,"admin_graphql_api_id":"gid://shopify/Refund/930000000000000001","order_id":5821093741027364353,
"created_at":"2024-06-03T10:00:00+02:00","processed_at":"2024-06-03T10:00:00+02:00","note":"Too big","restock":true,
"refund_line_items":[{"id":1,"line_item_id":14222356897987654321,"quantity":1,"restock_type":"return","subtotal":"89.90","total_tax":"14.35",
"line_item":{"id":14222356897987654321,"admin_graphql_api_id":"gid://shopify/LineItem/14222356897987654321"}}],
"transactions":[{"id":1,"kind":"refund","status":"success","amount":"50.00","gateway":"shopify_payments"}]}`;
    expect((await shopifyPost(refund, 'refunds/create', 'wh-refund-1')).statusCode).toBe(200);
    const ship = `{"id":4100000000000000001,"admin_graphql_api_id":"gid://shopify/Fulfillment/4100000000000000001","order_id":5821093741027364353,
"status":"success","shipment_status":"in_transit","tracking_company":"DHL","tracking_number":"JJD000390007","tracking_numbers":["JJD000390007"],
"tracking_url":"https://www.dhl.de/track?id=JJD000390007","created_at":"2024-06-02T12:00:00+02:00","updated_at":"2024-06-02T12:00:00+02:00",
"line_items":[{"id":14222356897987654321,"admin_graphql_api_id":"gid://shopify/LineItem/14222356897987654321","quantity":1}]}`;
    expect((await shopifyPost(ship, 'fulfillments/create', 'wh-ful-1')).statusCode).toBe(200);
    await t.jobs.drain();
    const [o] = await orderByNumber('#1188');
    expect(o).toMatchObject({ refunded: 5000 });
    expect((o!.refunds as unknown[])[0]).toMatchObject({ amount: 5000, note: 'Too big', restock: true });
    expect((o!.fulfillments as unknown[])[0]).toMatchObject({
      carrier: 'DHL',
      trackingNumber: 'JJD000390007',
      trackingUrl: 'https://www.dhl.de/track?id=JJD000390007',
      shipmentStatus: 'in_transit',
    });
    expect((o!.lineItems as { refundedQuantity: number; fulfilledQuantity: number }[])[0]).toMatchObject({
      refundedQuantity: 1,
      fulfilledQuantity: 1,
    });
  });
});

describe('WooCommerce webhooks', () => {
  const order = (modified: string, status: string) =>
    JSON.stringify({
      id: 4321,
      number: '4321',
      status,
      currency: 'EUR',
      date_created_gmt: '2024-06-01T08:00:00',
      date_modified_gmt: modified,
      total: '25.00',
      total_tax: '0.00',
      shipping_total: '5.00',
      discount_total: '0.00',
      customer_id: 0,
      billing: { first_name: 'Jo', last_name: 'Doe', email: 'jo@example.com' },
      shipping: {},
      line_items: [
        {
          id: 1,
          name: 'Mug',
          product_id: 9,
          variation_id: 0,
          quantity: 1,
          subtotal: '20.00',
          total: '20.00',
          total_tax: '0.00',
        },
      ],
      refunds: [],
      meta_data: [],
    });

  it('answers the unsigned ping, rejects wrong signatures, applies signed ones once and in updated order', async () => {
    const ping = await t.app.inject({
      method: 'POST',
      url: `/api/v1/commerce/webhooks/woocommerce/${wooId}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'webhook_id=12',
    });
    expect(ping.statusCode).toBe(200);
    expect(ping.json().accepted).toBe(false);
    const newer = order('2024-06-02T08:00:00', 'completed');
    const older = order('2024-06-01T09:00:00', 'processing');
    expect((await wooPost(newer, 'order.updated', 'd-1', sign('wrong', newer))).statusCode).toBe(401);
    for (let i = 0; i < 3; i++) expect((await wooPost(newer, 'order.updated', 'd-2')).statusCode).toBe(200);
    expect((await wooPost(older, 'order.created', 'd-3')).statusCode).toBe(200);
    await t.jobs.drain();
    const orders = await orderByNumber('#4321');
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ status: 'closed', fulfillmentStatus: 'fulfilled', total: 2500 });
  });
});

const fixtures = resolve(process.cwd(), '../shared/fixtures/webhooks');
describe.runIf(existsSync(fixtures))('real captured payloads from ../shared/fixtures', () => {
  const load = (f: string) =>
    JSON.parse(readFileSync(join(fixtures, f), 'utf8')) as { headers: Record<string, string>; body: unknown };

  it("rejects the captures' recorded Shopify signatures (their bodies were re-serialised) and accepts our own", async () => {
    const files = readdirSync(join(fixtures, 'shopify')).filter((f) => f.endsWith('.hookdeck.json'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const cap = load(`shopify/${f}`);
      const raw = JSON.stringify(cap.body);
      const recorded = await shopifyPost(
        raw,
        cap.headers['x-shopify-topic']!,
        `${f}-recorded`,
        cap.headers['x-shopify-hmac-sha256'],
      );
      expect(recorded.statusCode, f).toBe(401);
      const ours = await shopifyPost(
        raw,
        cap.headers['x-shopify-topic']!,
        cap.headers['x-shopify-webhook-id']!,
      );
      expect(ours.statusCode, f).toBe(200);
    }
    await t.jobs.drain();
    const [o] = await orderByNumber('#9999');
    // The order's id comes from admin_graphql_api_id, which kept all its digits.
    expect(o).toMatchObject({ externalId: '820982911946154508' });
    expect((o!.lineItems as unknown[]).length).toBeGreaterThan(0);
  });

  it('accepts the WooCommerce REST v3 order example byte for byte', async () => {
    const raw = readFileSync(join(fixtures, 'woocommerce/order.wc-rest-v3-docs.retrieve-example.json'));
    expect((await wooPost(raw, 'order.created', 'docs-727')).statusCode).toBe(200);
    const product = load('woocommerce/product-created.hookdeck.json');
    const praw = JSON.stringify(product.body);
    expect(
      (
        await wooPost(
          praw,
          'product.created',
          product.headers['x-wc-webhook-delivery-id']!,
          product.headers['x-wc-webhook-signature'],
        )
      ).statusCode,
    ).toBe(401);
    expect(
      (await wooPost(praw, 'product.created', product.headers['x-wc-webhook-delivery-id']!)).statusCode,
    ).toBe(200);
    await t.jobs.drain();
    const [o] = await orderByNumber('#727');
    expect(o).toMatchObject({
      total: 2935,
      currency: 'USD',
      email: 'john.doe@example.com',
      status: 'open',
      financialStatus: 'paid',
    });
  });
});
