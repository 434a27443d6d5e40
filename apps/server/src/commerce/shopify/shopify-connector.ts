import { createHmac, timingSafeEqual } from 'node:crypto';
import { StoreOrderInput } from '@shopdesk/contracts';
import { type HttpOptions, sleep, storeFetch } from '../http.ts';
import { fromMinor } from '../money.ts';
import {
  type ActionCommand,
  type ActionOutcome,
  type ConnectionContext,
  header,
  type OrderSnapshot,
  type StoreChange,
  type StoreConnector,
  StoreError,
} from '../store-connector.ts';
import { amount, arr, mapGraphqlOrder, nodes, obj } from './shopify-graphql-map.ts';
import {
  gidTail,
  mapCustomer,
  mapFulfillment,
  mapOrder,
  mapProduct,
  mapRefund,
  shopifyId,
} from './shopify-map.ts';

export { mapGraphqlOrder };

export const SHOPIFY_API_VERSION = '2024-10';
type J = Record<string, unknown>;

/** https://my-shop.myshopify.com, or the configured base URL as given (tests point it at a local server). */
export function shopifyBaseUrl(domainOrUrl: string): string {
  const s = domainOrUrl.trim().replace(/(?<!\/)\/+$/, '');
  return /^https?:\/\//.test(s) ? s : `https://${s}`;
}

/**
 * Admin GraphQL with Shopify's cost-based throttling: a THROTTLED answer says how many points are
 * available and how fast they refill, so we wait exactly long enough and try again.
 */
export async function shopifyGraphql<T = J>(
  ctx: Pick<ConnectionContext, 'baseUrl' | 'credentials' | 'outbound'>,
  query: string,
  variables: Record<string, unknown>,
  opts: HttpOptions & { throttleAttempts?: number } = {},
): Promise<T> {
  if (!ctx.baseUrl || !ctx.credentials.accessToken)
    throw new StoreError('The Shopify connection has no shop domain or access token');
  const url = `${ctx.baseUrl}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`;
  const wait = opts.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    const res = await storeFetch(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-shopify-access-token': ctx.credentials.accessToken,
        },
        body: JSON.stringify({ query, variables }),
      },
      ctx.outbound,
      opts,
    );
    const body = obj(res.json);
    if (res.status === 401 || res.status === 403)
      throw new StoreError(`Shopify refused the access token: ${errorText(body) || res.status}`, res.status);
    if (res.status >= 400)
      throw new StoreError(
        `Shopify answered ${res.status}: ${errorText(body) || res.text.slice(0, 200)}`,
        res.status,
      );
    const errors = Array.isArray(body.errors) ? (body.errors as J[]) : [];
    if (errors.some((e) => obj(e.extensions).code === 'THROTTLED')) {
      const cost = obj(obj(body.extensions).cost);
      const status = obj(cost.throttleStatus);
      const needed = Number(cost.requestedQueryCost ?? 50) - Number(status.currentlyAvailable ?? 0);
      const rate = Number(status.restoreRate ?? 50) || 50;
      const ms = Math.max(250, Math.ceil((needed / rate) * 1000));
      if (attempt >= (opts.throttleAttempts ?? 6))
        throw new StoreError('Shopify is throttling requests; try again shortly', 429);
      await wait(Math.min(ms, opts.maxWaitMs ?? 30_000));
      continue;
    }
    if (errors.length)
      throw new StoreError(`Shopify: ${errors.map((e) => String(e.message)).join('; ')}`, res.status, errors);
    return obj(body.data) as T;
  }
}

function errorText(body: J): string {
  const e = body.errors;
  if (typeof e === 'string') return e;
  if (Array.isArray(e)) return e.map((x) => (typeof x === 'string' ? x : String(obj(x).message))).join('; ');
  if (e && typeof e === 'object') return JSON.stringify(e);
  return '';
}
/** Shopify answers business refusals as userErrors with HTTP 200: they become the agent-visible message. */
function checkUserErrors(payload: J, key = 'userErrors') {
  const errs = arr(payload[key]);
  if (errs.length) throw new StoreError(errs.map((e) => String(e.message)).join('; '), 422, errs);
}

const ORDER_FIELDS = `id name email phone createdAt processedAt updatedAt cancelledAt cancelReason closedAt
  displayFinancialStatus displayFulfillmentStatus currencyCode tags discountCodes note
  subtotalPriceSet { shopMoney { amount } } totalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } }
  totalDiscountsSet { shopMoney { amount } } totalShippingPriceSet { shopMoney { amount } }
  customer { id email phone firstName lastName updatedAt }
  shippingAddress { name company address1 address2 city province zip country countryCodeV2 phone }
  lineItems(first: 100) { nodes { id title variantTitle sku quantity currentQuantity
    originalUnitPriceSet { shopMoney { amount } } totalDiscountSet { shopMoney { amount } }
    image { url } product { id } variant { id } } }
  transactions(first: 20) { id kind status gateway amountSet { shopMoney { amount } } processedAt createdAt }
  refunds(first: 20) { id createdAt note totalRefundedSet { shopMoney { amount } }
    refundLineItems(first: 100) { nodes { lineItem { id } quantity restockType } } }
  fulfillments(first: 20) { id status createdAt updatedAt displayStatus estimatedDeliveryAt deliveredAt
    trackingInfo(first: 1) { company number url } fulfillmentLineItems(first: 100) { nodes { lineItem { id } quantity } } }`;

export const BACKFILL_QUERY = `query Backfill($cursor: String) {
  orders(first: 50, after: $cursor, sortKey: UPDATED_AT) { pageInfo { hasNextPage endCursor } nodes { ${ORDER_FIELDS} } }
}`;

const gid = (type: string, id: string) => `gid://shopify/${type}/${id}`;

function splitName(name?: string | null) {
  const parts = (name ?? '').trim().split(/\s+/);
  return {
    firstName: parts.slice(0, -1).join(' ') || parts[0] || null,
    lastName: parts.length > 1 ? parts.at(-1)! : null,
  };
}

export function createShopifyConnector(http: HttpOptions = {}): StoreConnector {
  const gql = <T = J>(ctx: ConnectionContext, q: string, v: Record<string, unknown>) =>
    shopifyGraphql<T>(ctx, q, v, http);

  async function refund(
    ctx: ConnectionContext,
    order: OrderSnapshot,
    cmd: Extract<ActionCommand, { kind: 'refund' }>,
  ): Promise<ActionOutcome> {
    const currency = order.currency;
    const input: J = {
      orderId: gid('Order', order.externalId),
      note: cmd.note ?? undefined,
      notify: cmd.notifyCustomer,
      refundLineItems: cmd.lines.map((l) => ({
        lineItemId: gid('LineItem', l.lineItemExternalId),
        quantity: l.quantity,
        restockType: cmd.restock ? 'RETURN' : 'NO_RESTOCK',
      })),
    };
    if (cmd.shipping > 0) input.shipping = { amount: fromMinor(cmd.shipping, currency) };
    if (cmd.method === 'store_credit') {
      input.refundMethods = [
        {
          storeCreditRefund: { amount: { amount: fromMinor(cmd.amount, currency), currencyCode: currency } },
        },
      ];
    } else {
      // A refund goes back against the payment that captured the money.
      const data = await gql<{ order: J | null }>(
        ctx,
        'query RefundParent($id: ID!) { order(id: $id) { id transactions(first: 20) { id kind status gateway } } }',
        { id: gid('Order', order.externalId) },
      );
      if (!data.order) throw new StoreError(`Shopify has no order ${order.number}`, 404);
      const parent = arr(data.order.transactions).find(
        (t) => (t.kind === 'SALE' || t.kind === 'CAPTURE') && t.status === 'SUCCESS',
      );
      if (!parent) throw new StoreError(`Order ${order.number} has no captured payment to refund`, 422);
      input.transactions = [
        {
          orderId: gid('Order', order.externalId),
          parentId: parent.id,
          gateway: parent.gateway,
          kind: 'REFUND',
          amount: fromMinor(cmd.amount, currency),
        },
      ];
    }
    const data = await gql<{ refundCreate: J }>(
      ctx,
      `mutation RefundCreate($input: RefundInput!) { refundCreate(input: $input) {
        refund { id createdAt totalRefundedSet { shopMoney { amount currencyCode } } } userErrors { field message } } }`,
      { input },
    );
    checkUserErrors(data.refundCreate);
    const r = obj(data.refundCreate.refund);
    const id = gidTail(String(r.id));
    const refunded = amount(r.totalRefundedSet, currency) || cmd.amount;
    return {
      summary: `Refunded ${fromMinor(refunded, currency)} ${currency}${cmd.method === 'store_credit' ? ' as store credit' : ''} in Shopify`,
      refunded,
      externalId: id,
      changes: [
        {
          type: 'refund',
          orderExternalId: order.externalId,
          refund: {
            externalId: id,
            amount: refunded,
            note: cmd.note,
            storeCredit: cmd.method === 'store_credit',
            restock: cmd.restock,
            lineItems: cmd.lines,
            createdAt: String(r.createdAt ?? new Date().toISOString()),
          },
        },
      ],
    };
  }

  return {
    platform: 'shopify',
    verifyWebhook(headers, raw, creds) {
      const sent = header(headers, 'x-shopify-hmac-sha256');
      if (!sent || !creds.webhookSecret || raw.length === 0) return false;
      const expected = createHmac('sha256', creds.webhookSecret).update(raw).digest();
      const got = Buffer.from(sent, 'base64');
      return got.length === expected.length && timingSafeEqual(got, expected);
    },
    describeWebhook(headers) {
      const topic = header(headers, 'x-shopify-topic');
      const id = header(headers, 'x-shopify-webhook-id') ?? header(headers, 'x-shopify-event-id');
      return topic && id ? { id, topic } : null;
    },
    parseWebhook(topic, body, ctx): StoreChange[] {
      const b = obj(body);
      switch (topic) {
        case 'orders/create':
        case 'orders/updated':
        case 'orders/cancelled':
        case 'orders/fulfilled':
        case 'orders/partially_fulfilled':
        case 'orders/paid':
          return [{ type: 'order', order: StoreOrderInput.parse(mapOrder(b)) }];
        case 'orders/delete':
          return [{ type: 'order_deleted', orderExternalId: shopifyId(b) }];
        case 'refunds/create':
          return [
            { type: 'refund', orderExternalId: String(b.order_id), refund: mapRefund(b, ctx.currency) },
          ];
        case 'fulfillments/create':
        case 'fulfillments/update':
          return [
            { type: 'fulfillment', orderExternalId: String(b.order_id), fulfillment: mapFulfillment(b) },
          ];
        case 'customers/create':
        case 'customers/update':
          return [{ type: 'customer', customer: mapCustomer(b) }];
        case 'products/create':
        case 'products/update':
          return [{ type: 'product', product: mapProduct(b, ctx.currency) }];
        default:
          return [];
      }
    },
    async backfill(ctx, cursor) {
      const data = await gql<{ orders: J }>(ctx, BACKFILL_QUERY, { cursor });
      const page = obj(data.orders);
      const info = obj(page.pageInfo);
      return {
        changes: nodes(page).map((o) => ({ type: 'order' as const, order: mapGraphqlOrder(o) })),
        nextCursor: info.hasNextPage ? String(info.endCursor) : null,
      };
    },
    async execute(ctx, order, cmd) {
      switch (cmd.kind) {
        case 'refund':
          return refund(ctx, order, cmd);
        case 'cancel': {
          // Shopify refunds what it has received and not refunded yet; ask it, rather than trusting our
          // copy (a refund made in Shopify's admin may not have reached us), so we report what it did.
          let refunded = 0;
          if (cmd.refund) {
            const q = await gql<{ order: J | null }>(
              ctx,
              'query CancelRefundable($id: ID!) { order(id: $id) { totalReceivedSet { shopMoney { amount } } totalRefundedSet { shopMoney { amount } } } }',
              { id: gid('Order', order.externalId) },
            );
            if (!q.order) throw new StoreError(`Shopify has no order ${order.number}`, 404);
            refunded = Math.max(
              0,
              amount(q.order.totalReceivedSet, order.currency) -
                amount(q.order.totalRefundedSet, order.currency),
            );
          }
          const data = await gql<{ orderCancel: J }>(
            ctx,
            `mutation OrderCancel($orderId: ID!, $reason: OrderCancelReason!, $refund: Boolean!, $restock: Boolean!, $notifyCustomer: Boolean, $staffNote: String) {
              orderCancel(orderId: $orderId, reason: $reason, refund: $refund, restock: $restock, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
                job { id done } orderCancelUserErrors { field message code } } }`,
            {
              orderId: gid('Order', order.externalId),
              reason: cmd.reason.toUpperCase(),
              refund: cmd.refund,
              restock: cmd.restock,
              notifyCustomer: cmd.notifyCustomer,
              staffNote: cmd.note,
            },
          );
          checkUserErrors(data.orderCancel, 'orderCancelUserErrors');
          return {
            summary: `Cancellation of ${order.number} accepted by Shopify${refunded ? ` (refunding ${fromMinor(refunded, order.currency)} ${order.currency})` : ''}`,
            refunded,
            externalId: gidTail(String(obj(data.orderCancel.job).id ?? '')),
            changes: [
              {
                type: 'order_patch',
                orderExternalId: order.externalId,
                patch: {
                  status: 'cancelled',
                  cancelledAt: new Date().toISOString(),
                  cancelReason: cmd.reason,
                },
              },
            ],
          };
        }
        case 'update_address': {
          const a = cmd.address;
          const data = await gql<{ orderUpdate: J }>(
            ctx,
            'mutation OrderUpdate($input: OrderInput!) { orderUpdate(input: $input) { order { id } userErrors { field message } } }',
            {
              input: {
                id: gid('Order', order.externalId),
                shippingAddress: {
                  ...splitName(a.name),
                  company: a.company ?? undefined,
                  address1: a.address1 ?? undefined,
                  address2: a.address2 ?? undefined,
                  city: a.city ?? undefined,
                  provinceCode: a.province ?? undefined,
                  zip: a.zip ?? undefined,
                  countryCode: a.countryCode ?? undefined,
                  phone: a.phone ?? undefined,
                },
              },
            },
          );
          checkUserErrors(data.orderUpdate);
          return {
            summary: `Shipping address of ${order.number} updated in Shopify`,
            changes: [
              { type: 'order_patch', orderExternalId: order.externalId, patch: { shippingAddress: a } },
            ],
          };
        }
        case 'resend': {
          const lineItems = cmd.lines.map((sel) => {
            const l = order.lineItems.find((x) => x.externalId === sel.lineItemExternalId);
            if (!l) throw new StoreError(`Line ${sel.lineItemExternalId} is not on order ${order.number}`);
            return l.variantExternalId
              ? { variantId: gid('ProductVariant', l.variantExternalId), quantity: sel.quantity }
              : {
                  title: l.title,
                  originalUnitPrice: fromMinor(l.price, order.currency),
                  quantity: sel.quantity,
                };
          });
          const a = order.shippingAddress;
          const created = await gql<{ draftOrderCreate: J }>(
            ctx,
            'mutation DraftOrderCreate($input: DraftOrderInput!) { draftOrderCreate(input: $input) { draftOrder { id } userErrors { field message } } }',
            {
              input: {
                email: order.email ?? undefined,
                note: cmd.note ?? `Replacement for ${order.number} (Shopdesk)`,
                tags: ['replacement', 'shopdesk'],
                lineItems,
                ...(cmd.free
                  ? { appliedDiscount: { valueType: 'PERCENTAGE', value: 100, title: 'Replacement' } }
                  : {}),
                ...(a?.address1
                  ? {
                      shippingAddress: {
                        ...splitName(a.name),
                        address1: a.address1,
                        address2: a.address2 ?? undefined,
                        city: a.city ?? undefined,
                        zip: a.zip ?? undefined,
                        countryCode: a.countryCode ?? undefined,
                      },
                    }
                  : {}),
              },
            },
          );
          checkUserErrors(created.draftOrderCreate);
          const draftId = String(obj(created.draftOrderCreate.draftOrder).id);
          const done = await gql<{ draftOrderComplete: J }>(
            ctx,
            'mutation DraftOrderComplete($id: ID!) { draftOrderComplete(id: $id, paymentPending: false) { draftOrder { id order { id name } } userErrors { field message } } }',
            { id: draftId },
          );
          checkUserErrors(done.draftOrderComplete);
          const newOrder = obj(obj(done.draftOrderComplete.draftOrder).order);
          return {
            summary: `Created replacement order ${String(newOrder.name ?? '')} in Shopify`,
            externalId: newOrder.id ? gidTail(String(newOrder.id)) : draftId,
            data: { orderNumber: newOrder.name ?? null },
          };
        }
        case 'discount_code': {
          const data = await gql<{ discountCodeBasicCreate: J }>(
            ctx,
            `mutation DiscountCreate($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) {
              codeDiscountNode { id } userErrors { field message code } } }`,
            {
              d: {
                title: `Shopdesk ${cmd.code}`,
                code: cmd.code,
                startsAt: new Date().toISOString(),
                usageLimit: 1,
                appliesOncePerCustomer: true,
                customerSelection: order.customerExternalId
                  ? { customers: { add: [gid('Customer', order.customerExternalId)] } }
                  : { all: true },
                customerGets: {
                  value: cmd.percent
                    ? { percentage: cmd.percent / 100 }
                    : {
                        discountAmount: {
                          amount: fromMinor(cmd.amount ?? 0, order.currency),
                          appliesOnEachItem: false,
                        },
                      },
                  items: { all: true },
                },
              },
            },
          );
          checkUserErrors(data.discountCodeBasicCreate);
          return {
            summary: `Created single-use code ${cmd.code} in Shopify`,
            externalId: gidTail(String(obj(data.discountCodeBasicCreate.codeDiscountNode).id ?? '')),
            data: { code: cmd.code },
          };
        }
      }
    },
  };
}
