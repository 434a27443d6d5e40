import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local stand-ins for the parts of Shopify's Admin GraphQL API and WooCommerce's REST API v3 that the
 * connectors use, answering with the documented shapes — including Shopify's cost-based THROTTLED
 * errors and userErrors, and WooCommerce's {code, message, data} errors and HTTP 429.
 */
export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | null;
  operation?: string;
}

type Handler = (
  r: Recorded,
) => { status?: number; headers?: Record<string, string>; body: unknown } | undefined;

async function start(
  handle: (r: Recorded) => { status: number; headers?: Record<string, string>; body: unknown },
) {
  const requests: Recorded[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const r: Recorded = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    };
    const q = typeof r.body?.query === 'string' ? (r.body.query as string) : '';
    r.operation = q.match(/^\s*(?:query|mutation)\s+(\w+)/)?.[1];
    requests.push(r);
    const out = handle(r);
    res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
    res.end(JSON.stringify(out.body));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

const cost = (requested: number, available: number) => ({
  cost: {
    requestedQueryCost: requested,
    actualQueryCost: null,
    throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate: 100 },
  },
});

export async function fakeShopify(token: string) {
  /** Operation name → how many of the next calls answer THROTTLED. */
  const throttle = new Map<string, number>();
  const overrides = new Map<string, Handler>();
  const pages: unknown[][] = [];
  /** Order gid → what Shopify has received and refunded (decimal strings), for CancelRefundable. */
  const orderMoney = new Map<string, { received: string; refunded: string }>();
  const srv = await start((r) => {
    if (r.path !== '/admin/api/2024-10/graphql.json' || r.method !== 'POST')
      return { status: 404, body: { errors: 'Not Found' } };
    if (r.headers['x-shopify-access-token'] !== token)
      return {
        status: 401,
        body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' },
      };
    const op = r.operation ?? '';
    const left = throttle.get(op) ?? 0;
    if (left > 0) {
      throttle.set(op, left - 1);
      return {
        status: 200,
        body: {
          errors: [
            {
              message: 'Throttled',
              extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
            },
          ],
          extensions: cost(52, 10),
        },
      };
    }
    const custom = overrides.get(op)?.(r);
    if (custom) return { status: custom.status ?? 200, headers: custom.headers, body: custom.body };
    const vars = (r.body?.variables ?? {}) as Record<string, unknown>;
    const ok = (data: unknown) => ({ status: 200, body: { data, extensions: cost(10, 1990) } });
    switch (op) {
      case 'Backfill': {
        const i = vars.cursor ? Number(String(vars.cursor).replace('cursor-', '')) : 0;
        return ok({
          orders: {
            pageInfo: { hasNextPage: i + 1 < pages.length, endCursor: `cursor-${i + 1}` },
            nodes: pages[i] ?? [],
          },
        });
      }
      case 'RefundParent':
        return ok({
          order: {
            id: vars.id,
            transactions: [
              {
                id: 'gid://shopify/OrderTransaction/111',
                kind: 'AUTHORIZATION',
                status: 'SUCCESS',
                gateway: 'shopify_payments',
              },
              {
                id: 'gid://shopify/OrderTransaction/222',
                kind: 'CAPTURE',
                status: 'SUCCESS',
                gateway: 'shopify_payments',
              },
            ],
          },
        });
      case 'RefundCreate': {
        const input = vars.input as {
          transactions?: { amount: string }[];
          refundMethods?: { storeCreditRefund: { amount: { amount: string } } }[];
        };
        const amount =
          input.transactions?.[0]?.amount ??
          input.refundMethods?.[0]?.storeCreditRefund.amount.amount ??
          '0.00';
        return ok({
          refundCreate: {
            refund: {
              id: `gid://shopify/Refund/${9000 + srv.requests.length}`,
              createdAt: new Date().toISOString(),
              totalRefundedSet: { shopMoney: { amount, currencyCode: 'EUR' } },
            },
            userErrors: [],
          },
        });
      }
      case 'CancelRefundable': {
        const m = orderMoney.get(String(vars.id)) ?? { received: '0.00', refunded: '0.00' };
        return ok({
          order: {
            totalReceivedSet: { shopMoney: { amount: m.received } },
            totalRefundedSet: { shopMoney: { amount: m.refunded } },
          },
        });
      }
      case 'OrderCancel':
        return ok({
          orderCancel: { job: { id: 'gid://shopify/Job/1', done: false }, orderCancelUserErrors: [] },
        });
      case 'OrderUpdate':
        return ok({ orderUpdate: { order: { id: (vars.input as { id: string }).id }, userErrors: [] } });
      case 'DraftOrderCreate':
        return ok({ draftOrderCreate: { draftOrder: { id: 'gid://shopify/DraftOrder/5' }, userErrors: [] } });
      case 'DraftOrderComplete':
        return ok({
          draftOrderComplete: {
            draftOrder: { id: vars.id, order: { id: 'gid://shopify/Order/777', name: '#1077' } },
            userErrors: [],
          },
        });
      case 'DiscountCreate':
        return ok({
          discountCodeBasicCreate: {
            codeDiscountNode: { id: 'gid://shopify/DiscountCodeNode/1' },
            userErrors: [],
          },
        });
      default:
        return {
          status: 200,
          body: { errors: [{ message: `Field '${op}' doesn't exist on type 'QueryRoot'` }] },
        };
    }
  });
  return {
    ...srv,
    throttle,
    overrides,
    pages,
    orderMoney,
    ops: (name: string) => srv.requests.filter((r) => r.operation === name),
  };
}

export async function fakeWoo(key: string, secret: string) {
  const orders = new Map<number, Record<string, unknown>>();
  const queue: { status: number; headers?: Record<string, string>; body: unknown }[] = [];
  const srv = await start((r) => {
    const auth = `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
    if (r.headers.authorization !== auth)
      return {
        status: 401,
        body: {
          code: 'woocommerce_rest_cannot_view',
          message: 'Sorry, you cannot list resources.',
          data: { status: 401 },
        },
      };
    const next = queue.shift();
    if (next) return next;
    const path = r.path.split('?')[0]!.replace('/wp-json/wc/v3', '');
    const refundPath = path.match(/^\/orders\/(\d+)\/refunds$/);
    const orderPath = path.match(/^\/orders\/(\d+)$/);
    if (r.method === 'GET' && path === '/orders') {
      const page = Number(new URL(r.path, 'http://x').searchParams.get('page') ?? '1');
      const all = [...orders.values()];
      const slice = all.slice((page - 1) * 50, page * 50);
      return {
        status: 200,
        headers: { 'x-wp-total': String(all.length), 'x-wp-totalpages': String(Math.ceil(all.length / 50)) },
        body: slice,
      };
    }
    if (refundPath && r.method === 'POST') {
      const o = orders.get(Number(refundPath[1]));
      if (!o)
        return {
          status: 404,
          body: {
            code: 'woocommerce_rest_shop_order_invalid_id',
            message: 'Invalid ID.',
            data: { status: 404 },
          },
        };
      const b = r.body as { amount: string; reason: string };
      return {
        status: 201,
        body: {
          id: 800 + srv.requests.length,
          date_created_gmt: '2024-05-03T10:00:00',
          amount: b.amount,
          reason: b.reason,
          refunded_payment: true,
          line_items: [],
        },
      };
    }
    if (orderPath && r.method === 'PUT') {
      const o = orders.get(Number(orderPath[1]));
      if (!o)
        return {
          status: 404,
          body: {
            code: 'woocommerce_rest_shop_order_invalid_id',
            message: 'Invalid ID.',
            data: { status: 404 },
          },
        };
      const updated = {
        ...o,
        ...(r.body as object),
        date_modified_gmt: new Date().toISOString().slice(0, 19),
      };
      orders.set(Number(orderPath[1]), updated);
      return { status: 200, body: updated };
    }
    if (path === '/coupons' && r.method === 'POST')
      return { status: 201, body: { id: 55, ...(r.body as object) } };
    return {
      status: 404,
      body: {
        code: 'rest_no_route',
        message: 'No route was found matching the URL and request method.',
        data: { status: 404 },
      },
    };
  });
  return { ...srv, orders, queue };
}

const daysAgo = (d: number) => new Date(Date.now() - d * 86400_000).toISOString();

/** A Shopify Admin GraphQL Order node as the Backfill query selects it. */
export function graphqlOrder(n: number, email: string) {
  const money = (amount: string) => ({ shopMoney: { amount } });
  return {
    id: `gid://shopify/Order/${5000000000000 + n}`,
    name: `#${2000 + n}`,
    email,
    phone: null,
    createdAt: daysAgo(3),
    processedAt: daysAgo(3),
    updatedAt: daysAgo(2),
    cancelledAt: null,
    cancelReason: null,
    closedAt: null,
    displayFinancialStatus: 'PAID',
    displayFulfillmentStatus: 'UNFULFILLED',
    currencyCode: 'EUR',
    tags: ['vip'],
    discountCodes: [],
    note: null,
    subtotalPriceSet: money('158.00'),
    totalPriceSet: money('163.00'),
    totalTaxSet: money('0.00'),
    totalDiscountsSet: money('0.00'),
    totalShippingPriceSet: money('5.00'),
    customer: {
      id: `gid://shopify/Customer/${700 + n}`,
      email,
      phone: null,
      firstName: 'Emma',
      lastName: 'Shop',
      updatedAt: '2024-05-01T10:00:00Z',
    },
    shippingAddress: {
      name: 'Emma Shop',
      company: null,
      address1: 'Hauptstr. 1',
      address2: null,
      city: 'Berlin',
      province: null,
      zip: '10115',
      country: 'Germany',
      countryCodeV2: 'DE',
      phone: null,
    },
    lineItems: {
      nodes: [
        {
          id: `gid://shopify/LineItem/${n}01`,
          title: 'Trail Runner 2',
          variantTitle: '42',
          sku: 'TR2-42',
          quantity: 1,
          currentQuantity: 1,
          originalUnitPriceSet: money('129.00'),
          totalDiscountSet: money('0.00'),
          image: { url: 'https://cdn.shopify.example/tr2.jpg' },
          product: { id: 'gid://shopify/Product/1' },
          variant: { id: 'gid://shopify/ProductVariant/11' },
        },
        {
          id: `gid://shopify/LineItem/${n}02`,
          title: 'Merino Socks',
          variantTitle: null,
          sku: 'MS',
          quantity: 2,
          currentQuantity: 2,
          originalUnitPriceSet: money('14.50'),
          totalDiscountSet: money('0.00'),
          image: null,
          product: { id: 'gid://shopify/Product/2' },
          variant: { id: 'gid://shopify/ProductVariant/22' },
        },
      ],
    },
    transactions: [
      {
        id: 'gid://shopify/OrderTransaction/222',
        kind: 'CAPTURE',
        status: 'SUCCESS',
        gateway: 'shopify_payments',
        amountSet: money('163.00'),
        processedAt: '2024-05-01T10:00:00Z',
        createdAt: '2024-05-01T10:00:00Z',
      },
    ],
    refunds: [],
    fulfillments: [],
  };
}
