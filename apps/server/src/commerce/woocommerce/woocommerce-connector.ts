import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type Address,
  type StoreCustomerInput,
  StoreOrderInput,
  type StoreProductInput,
} from '@shopdesk/contracts';
import { type HttpOptions, storeFetch } from '../http.ts';
import { fromMinor, toMinor } from '../money.ts';
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

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const arr = (v: unknown): J[] => (Array.isArray(v) ? (v as J[]) : []);
const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
/** WooCommerce's *_gmt fields are UTC without an offset. */
const gmt = (v: unknown) => {
  const s = str(v);
  return s ? (/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`) : null;
};
const url = (v: unknown) => {
  const s = str(v);
  if (!s) return null;
  try {
    return new URL(s).protocol.startsWith('http') ? s : null;
  } catch {
    return null;
  }
};

function mapAddress(a: unknown): Address | null {
  const o = obj(a);
  if (!str(o.address_1) && !str(o.first_name)) return null;
  return {
    name: [o.first_name, o.last_name].filter(Boolean).join(' ') || null,
    company: str(o.company),
    address1: str(o.address_1),
    address2: str(o.address_2),
    city: str(o.city),
    province: str(o.state),
    zip: str(o.postcode),
    country: str(o.country),
    countryCode: str(o.country),
    phone: str(o.phone),
  };
}

const statusMap: Record<string, Pick<StoreOrderInput, 'status' | 'financialStatus' | 'fulfillmentStatus'>> = {
  pending: { status: 'open', financialStatus: 'pending', fulfillmentStatus: 'unfulfilled' },
  processing: { status: 'open', financialStatus: 'paid', fulfillmentStatus: 'unfulfilled' },
  'on-hold': { status: 'open', financialStatus: 'pending', fulfillmentStatus: 'unfulfilled' },
  completed: { status: 'closed', financialStatus: 'paid', fulfillmentStatus: 'fulfilled' },
  cancelled: { status: 'cancelled', financialStatus: 'voided', fulfillmentStatus: 'unfulfilled' },
  refunded: { status: 'closed', financialStatus: 'refunded', fulfillmentStatus: 'unfulfilled' },
  failed: { status: 'open', financialStatus: 'pending', fulfillmentStatus: 'unfulfilled' },
};

/** The WC REST v3 order (also the body of order.* webhooks) → the normalised order. */
export function mapWooOrder(o: J): StoreOrderInput {
  const currency = str(o.currency) ?? 'USD';
  const billing = obj(o.billing);
  const modified = gmt(o.date_modified_gmt) ?? gmt(o.date_created_gmt) ?? new Date().toISOString();
  const lines = arr(o.line_items);
  const customerId = Number(o.customer_id ?? 0);
  const meta = arr(o.meta_data);
  // The Shipment Tracking extension keeps its data in order meta.
  const tracking = arr(meta.find((m) => m.key === '_wc_shipment_tracking_items')?.value);
  const base = statusMap[str(o.status) ?? ''] ?? statusMap.pending!;
  return StoreOrderInput.parse({
    externalId: String(o.id),
    number: `#${str(o.number) ?? String(o.id)}`,
    customer:
      customerId > 0
        ? {
            externalId: String(customerId),
            email: str(billing.email)?.toLowerCase() ?? null,
            phone: str(billing.phone),
            firstName: str(billing.first_name),
            lastName: str(billing.last_name),
          }
        : null,
    email: str(billing.email)?.toLowerCase() ?? null,
    phone: str(billing.phone),
    currency,
    subtotal: lines.reduce((s, l) => s + toMinor(str(l.subtotal), currency), 0),
    discount: toMinor(str(o.discount_total), currency),
    shipping: toMinor(str(o.shipping_total), currency),
    tax: toMinor(str(o.total_tax), currency),
    total: toMinor(str(o.total), currency),
    ...base,
    fulfillmentStatus:
      tracking.length && base.fulfillmentStatus === 'unfulfilled' ? 'fulfilled' : base.fulfillmentStatus,
    cancelledAt: o.status === 'cancelled' ? modified : null,
    shippingAddress: mapAddress(o.shipping),
    billingAddress: mapAddress(o.billing),
    discountCodes: arr(o.coupon_lines).map((c) => String(c.code)),
    note: str(o.customer_note),
    placedAt: gmt(o.date_created_gmt) ?? modified,
    updatedAt: modified,
    lineItems: lines.map((l) => {
      const qty = Number(l.quantity ?? 0);
      const subtotal = toMinor(str(l.subtotal), currency);
      const total = toMinor(str(l.total), currency);
      return {
        externalId: String(l.id),
        productExternalId: str(l.product_id),
        variantExternalId: Number(l.variation_id) > 0 ? String(l.variation_id) : str(l.product_id),
        sku: str(l.sku),
        title: str(l.name) ?? 'Item',
        quantity: qty,
        price: qty > 0 ? Math.round(subtotal / qty) : 0,
        discount: Math.max(0, subtotal - total),
        tax: toMinor(str(l.total_tax), currency),
        imageUrl: url(obj(l.image).src),
      };
    }),
    transactions: o.date_paid_gmt
      ? [
          {
            externalId: str(o.transaction_id) ?? `paid-${String(o.id)}`,
            kind: 'sale',
            gateway: str(o.payment_method_title) ?? str(o.payment_method),
            amount: toMinor(str(o.total), currency),
            processedAt: gmt(o.date_paid_gmt),
          },
        ]
      : [],
    refunds: arr(o.refunds).map((r) => ({
      externalId: String(r.id),
      amount: Math.abs(toMinor(str(r.total), currency)),
      note: str(r.reason),
      createdAt: modified,
    })),
    fulfillments: tracking.map((t, i) => ({
      externalId: str(t.tracking_id) ?? `tracking-${i}`,
      carrier: str(t.tracking_provider) ?? str(t.custom_tracking_provider),
      trackingNumber: str(t.tracking_number),
      trackingUrl: url(t.custom_tracking_link),
      shippedAt: t.date_shipped ? new Date(Number(t.date_shipped) * 1000).toISOString() : null,
      updatedAt: modified,
    })),
  });
}

function mapWooCustomer(c: J): StoreCustomerInput {
  const billing = obj(c.billing);
  return {
    externalId: String(c.id),
    email: str(c.email)?.toLowerCase() ?? null,
    phone: str(billing.phone),
    firstName: str(c.first_name),
    lastName: str(c.last_name),
    updatedAt: gmt(c.date_modified_gmt),
  };
}

function mapWooProduct(p: J, currency: string): StoreProductInput {
  return {
    externalId: String(p.id),
    title: str(p.name) ?? 'Product',
    status: str(p.status) === 'publish' ? 'active' : (str(p.status) ?? 'active'),
    imageUrl: url(obj(arr(p.images)[0]).src),
    url: url(p.permalink),
    updatedAt: gmt(p.date_modified_gmt),
    variants: [
      {
        externalId: String(p.id),
        title: '',
        sku: str(p.sku),
        price: toMinor(str(p.price) ?? '0', currency),
        currency,
        inventoryQuantity: typeof p.stock_quantity === 'number' ? p.stock_quantity : null,
        imageUrl: null,
      },
    ],
  };
}

function wooAddress(a: Address) {
  const parts = (a.name ?? '').trim().split(/\s+/);
  return {
    first_name: parts.slice(0, -1).join(' ') || parts[0] || '',
    last_name: parts.length > 1 ? parts.at(-1) : '',
    company: a.company ?? '',
    address_1: a.address1 ?? '',
    address_2: a.address2 ?? '',
    city: a.city ?? '',
    state: a.province ?? '',
    postcode: a.zip ?? '',
    country: a.countryCode ?? a.country ?? '',
    phone: a.phone ?? '',
  };
}

export function createWooCommerceConnector(http: HttpOptions = {}): StoreConnector {
  /** WC REST v3 with HTTP Basic auth (consumer key/secret) over HTTPS; errors are {code, message, data}. */
  async function api(ctx: ConnectionContext, method: string, path: string, body?: unknown, query = '') {
    const { consumerKey, consumerSecret } = ctx.credentials;
    if (!ctx.baseUrl || !consumerKey || !consumerSecret)
      throw new StoreError('The WooCommerce connection has no URL or API keys');
    const res = await storeFetch(
      `${ctx.baseUrl.replace(/(?<!\/)\/+$/, '')}/wp-json/wc/v3${path}${query}`,
      {
        method,
        headers: {
          authorization: `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      },
      ctx.outbound,
      http,
    );
    if (res.status >= 400) {
      const e = obj(res.json);
      throw new StoreError(
        str(e.message) ? `WooCommerce: ${String(e.message)}` : `WooCommerce answered ${res.status}`,
        res.status,
        e,
      );
    }
    return res;
  }

  async function refund(
    ctx: ConnectionContext,
    order: OrderSnapshot,
    cmd: Extract<ActionCommand, { kind: 'refund' }>,
  ) {
    const c = order.currency;
    let credit: string | null = null;
    if (cmd.method === 'store_credit') {
      // WooCommerce has no store credit of its own: the credit is a single-use coupon for this shopper.
      credit = `CREDIT-${order.number.replace(/\W/g, '')}-${Date.now().toString(36).toUpperCase()}`;
      await api(ctx, 'POST', '/coupons', {
        code: credit,
        discount_type: 'fixed_cart',
        amount: fromMinor(cmd.amount, c),
        usage_limit: 1,
        individual_use: false,
        email_restrictions: order.email ? [order.email] : [],
        description: `Store credit for order ${order.number} (Shopdesk)`,
      });
    }
    const res = await api(ctx, 'POST', `/orders/${encodeURIComponent(order.externalId)}/refunds`, {
      amount: fromMinor(cmd.amount, c),
      reason: cmd.note ?? (credit ? `Store credit ${credit}` : 'Refund from Shopdesk'),
      api_refund: cmd.method === 'original',
      restock_items: cmd.restock,
      line_items: cmd.lines.map((l) => {
        const line = order.lineItems.find((x) => x.externalId === l.lineItemExternalId);
        return {
          id: Number(l.lineItemExternalId) || l.lineItemExternalId,
          quantity: l.quantity,
          refund_total: fromMinor((line?.price ?? 0) * l.quantity, c),
        };
      }),
    });
    const r = obj(res.json);
    const id = String(r.id);
    const refunded = Math.abs(toMinor(str(r.amount) ?? fromMinor(cmd.amount, c), c));
    return {
      summary: credit
        ? `Issued ${fromMinor(refunded, c)} ${c} store credit as coupon ${credit} in WooCommerce`
        : `Refunded ${fromMinor(refunded, c)} ${c} in WooCommerce`,
      refunded,
      externalId: id,
      data: credit ? { storeCreditCode: credit } : undefined,
      changes: [
        {
          type: 'refund' as const,
          orderExternalId: order.externalId,
          refund: {
            externalId: id,
            amount: refunded,
            note: str(r.reason),
            storeCredit: !!credit,
            restock: cmd.restock,
            lineItems: cmd.lines,
            createdAt: gmt(r.date_created_gmt) ?? new Date().toISOString(),
          },
        },
      ],
    };
  }

  return {
    platform: 'woocommerce',
    verifyWebhook(headers, raw, creds) {
      const sent = header(headers, 'x-wc-webhook-signature');
      if (!sent || !creds.webhookSecret || raw.length === 0) return false;
      const expected = createHmac('sha256', creds.webhookSecret).update(raw).digest();
      const got = Buffer.from(sent, 'base64');
      return got.length === expected.length && timingSafeEqual(got, expected);
    },
    describeWebhook(headers) {
      const topic = header(headers, 'x-wc-webhook-topic');
      const id = header(headers, 'x-wc-webhook-delivery-id');
      // The first delivery after saving a webhook is a form-encoded ping without topic or signature.
      return topic && id ? { id, topic } : null;
    },
    parseWebhook(topic, body, ctx): StoreChange[] {
      const b = obj(body);
      if (topic === 'order.deleted') return [{ type: 'order_deleted', orderExternalId: String(b.id) }];
      if (topic.startsWith('order.')) return [{ type: 'order', order: mapWooOrder(b) }];
      if (topic === 'customer.created' || topic === 'customer.updated')
        return [{ type: 'customer', customer: mapWooCustomer(b) }];
      if (topic === 'product.created' || topic === 'product.updated' || topic === 'product.restored')
        return [{ type: 'product', product: mapWooProduct(b, ctx.currency) }];
      return [];
    },
    async backfill(ctx, cursor) {
      const page = Number(cursor ?? '1');
      const res = await api(
        ctx,
        'GET',
        '/orders',
        undefined,
        `?per_page=50&page=${page}&orderby=id&order=asc`,
      );
      const list = arr(res.json);
      const totalPages = Number(res.headers.get('x-wp-totalpages') ?? '0');
      return {
        changes: list.map((o) => ({ type: 'order' as const, order: mapWooOrder(o) })),
        nextCursor:
          list.length > 0 && (totalPages ? page < totalPages : list.length === 50) ? String(page + 1) : null,
      };
    },
    async execute(ctx, order, cmd): Promise<ActionOutcome> {
      const path = `/orders/${encodeURIComponent(order.externalId)}`;
      switch (cmd.kind) {
        case 'refund':
          return refund(ctx, order, cmd);
        case 'cancel': {
          const res = await api(ctx, 'PUT', path, {
            status: 'cancelled',
            ...(cmd.note ? { customer_note: undefined } : {}),
          });
          const cancelled = obj(res.json);
          const changes: StoreChange[] = [{ type: 'order', order: mapWooOrder(cancelled) }];
          let summary = `Cancelled ${order.number} in WooCommerce`;
          // What WooCommerce says is not refunded yet (its order total less its refunds), not our copy.
          const storeRefunded = arr(cancelled.refunds).reduce(
            (n, x) => n + Math.abs(toMinor(str(x.total) ?? '0', order.currency)),
            0,
          );
          const refundable = str(cancelled.total)
            ? toMinor(str(cancelled.total), order.currency) - storeRefunded
            : order.total - order.refunded;
          let refunded = 0;
          if (cmd.refund && refundable > 0) {
            const r = await refund(ctx, order, {
              kind: 'refund',
              amount: refundable,
              shipping: 0,
              lines: [],
              method: 'original',
              restock: cmd.restock,
              notifyCustomer: cmd.notifyCustomer,
              note: 'Order cancelled',
            });
            changes.push(...(r.changes ?? []));
            refunded = r.refunded;
            summary += ` and refunded ${fromMinor(refunded, order.currency)} ${order.currency}`;
          }
          return { summary, refunded, changes };
        }
        case 'update_address': {
          const res = await api(ctx, 'PUT', path, { shipping: wooAddress(cmd.address) });
          return {
            summary: `Shipping address of ${order.number} updated in WooCommerce`,
            changes: [{ type: 'order', order: mapWooOrder(obj(res.json)) }],
          };
        }
        case 'resend': {
          const lines = cmd.lines.map((sel) => {
            const l = order.lineItems.find((x) => x.externalId === sel.lineItemExternalId);
            if (!l) throw new StoreError(`Line ${sel.lineItemExternalId} is not on order ${order.number}`);
            const variation =
              l.variantExternalId && l.variantExternalId !== l.productExternalId
                ? Number(l.variantExternalId)
                : undefined;
            return {
              product_id: Number(l.productExternalId),
              ...(variation ? { variation_id: variation } : {}),
              quantity: sel.quantity,
              ...(cmd.free ? { subtotal: '0.00', total: '0.00' } : {}),
            };
          });
          const res = await api(ctx, 'POST', '/orders', {
            status: 'processing',
            set_paid: cmd.free,
            customer_id: order.customerExternalId ? Number(order.customerExternalId) : 0,
            billing: { email: order.email ?? '' },
            ...(order.shippingAddress ? { shipping: wooAddress(order.shippingAddress) } : {}),
            line_items: lines,
            customer_note: cmd.note ?? `Replacement for ${order.number}`,
            meta_data: [{ key: '_shopdesk_replacement_for', value: order.number }],
          });
          const created = mapWooOrder(obj(res.json));
          return {
            summary: `Created replacement order ${created.number} in WooCommerce`,
            externalId: created.externalId,
            data: { orderNumber: created.number },
            changes: [{ type: 'order', order: created }],
          };
        }
        case 'discount_code': {
          const res = await api(ctx, 'POST', '/coupons', {
            code: cmd.code,
            discount_type: cmd.percent ? 'percent' : 'fixed_cart',
            amount: cmd.percent ? String(cmd.percent) : fromMinor(cmd.amount ?? 0, order.currency),
            usage_limit: 1,
            usage_limit_per_user: 1,
            individual_use: true,
            email_restrictions: cmd.email ? [cmd.email] : [],
            description: `Created in Shopdesk for order ${order.number}`,
          });
          return {
            summary: `Created single-use code ${cmd.code} in WooCommerce`,
            externalId: String(obj(res.json).id),
            data: { code: cmd.code },
          };
        }
      }
    },
  };
}
