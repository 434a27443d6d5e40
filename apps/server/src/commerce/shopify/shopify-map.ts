import type {
  Address,
  StoreCustomerInput,
  StoreFulfillmentInput,
  StoreOrderInput,
  StoreProductInput,
  StoreRefundInput,
} from '@shopdesk/contracts';
import { toMinor } from '../money.ts';

// Shopify's REST/webhook representation (what orders/*, refunds/create, fulfillments/* deliver).
type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' ? (v as J) : {});
const arr = (v: unknown): J[] => (Array.isArray(v) ? (v as J[]) : []);
const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/**
 * The id of a Shopify object. `admin_graphql_api_id` carries it as text, which survives any JSON
 * tooling; the numeric `id` is a 64-bit integer that a careless parser rounds.
 */
export function shopifyId(o: J): string {
  const gid = str(o.admin_graphql_api_id);
  const tail = gid?.match(/\/(\d+)(\?.*)?$/)?.[1];
  return tail ?? String(o.id);
}
export const gidTail = (gid: string) => gid.match(/\/(\d+)(\?.*)?$/)?.[1] ?? gid;

const url = (v: unknown) => {
  const s = str(v);
  if (!s) return null;
  try {
    return new URL(s).protocol.startsWith('http') ? s : null;
  } catch {
    return null;
  }
};

export function mapAddress(a: unknown): Address | null {
  const o = obj(a);
  if (!Object.keys(o).length) return null;
  return {
    name: str(o.name) ?? ([o.first_name, o.last_name].filter(Boolean).join(' ') || null),
    company: str(o.company),
    address1: str(o.address1),
    address2: str(o.address2),
    city: str(o.city),
    province: str(o.province),
    zip: str(o.zip),
    country: str(o.country),
    countryCode: str(o.country_code),
    phone: str(o.phone),
  };
}

export function mapCustomer(c: J): StoreCustomerInput {
  return {
    externalId: shopifyId(c),
    email: str(c.email)?.toLowerCase() ?? null,
    phone: str(c.phone),
    firstName: str(c.first_name),
    lastName: str(c.last_name),
    ordersCount: typeof c.orders_count === 'number' ? c.orders_count : null,
    totalSpent:
      c.total_spent !== undefined ? toMinor(str(c.total_spent) ?? '0', str(c.currency) ?? 'USD') : null,
    updatedAt: str(c.updated_at),
  };
}

export function mapRefund(r: J, currency: string): StoreRefundInput {
  const lines = arr(r.refund_line_items);
  const txs = arr(r.transactions).filter(
    (t) => t.kind === 'refund' && t.status !== 'failure' && t.status !== 'error',
  );
  const amount = txs.length
    ? txs.reduce((s, t) => s + toMinor(str(t.amount), currency), 0)
    : lines.reduce((s, l) => s + toMinor(str(l.subtotal), currency) + toMinor(str(l.total_tax), currency), 0);
  return {
    externalId: shopifyId(r),
    amount,
    note: str(r.note),
    storeCredit: false,
    restock: lines.some((l) => l.restock_type && l.restock_type !== 'no_restock') || r.restock === true,
    lineItems: lines
      .filter((l) => Number(l.quantity) > 0)
      .map((l) => ({
        lineItemExternalId: l.line_item ? shopifyId(obj(l.line_item)) : String(l.line_item_id),
        quantity: Number(l.quantity),
      })),
    createdAt: str(r.processed_at) ?? str(r.created_at) ?? new Date().toISOString(),
  };
}

const shipmentStatuses = new Set([
  'label_printed',
  'label_purchased',
  'confirmed',
  'in_transit',
  'out_for_delivery',
  'attempted_delivery',
  'ready_for_pickup',
  'delivered',
  'failure',
]);
const fulfillmentStatuses = new Set(['pending', 'open', 'success', 'cancelled', 'error', 'failure']);

export function mapFulfillment(f: J): StoreFulfillmentInput {
  const shipment = str(f.shipment_status);
  const status = str(f.status) ?? 'success';
  return {
    externalId: shopifyId(f),
    status: (fulfillmentStatuses.has(status) ? status : 'success') as StoreFulfillmentInput['status'],
    shipmentStatus:
      shipment && shipmentStatuses.has(shipment)
        ? (shipment as StoreFulfillmentInput['shipmentStatus'])
        : null,
    carrier: str(f.tracking_company),
    trackingNumber: str(f.tracking_number) ?? str(arr(f.tracking_numbers)[0]),
    trackingUrl: url(f.tracking_url) ?? url(arr(f.tracking_urls)[0]),
    shippedAt: str(f.created_at),
    deliveredAt: shipment === 'delivered' ? str(f.updated_at) : null,
    lineItems: arr(f.line_items)
      .filter((l) => Number(l.quantity) > 0)
      .map((l) => ({ lineItemExternalId: shopifyId(l), quantity: Number(l.quantity) })),
    updatedAt: str(f.updated_at),
  };
}

const financial = new Set([
  'pending',
  'authorized',
  'partially_paid',
  'paid',
  'partially_refunded',
  'refunded',
  'voided',
]);
const fulfilment: Record<string, StoreOrderInput['fulfillmentStatus']> = {
  fulfilled: 'fulfilled',
  partial: 'partial',
  restocked: 'restocked',
};
const money = (o: J, set: string, plain: string, currency: string) =>
  toMinor(str(obj(obj(o[set]).shop_money).amount) ?? str(o[plain]) ?? '0', currency);

export function mapOrder(o: J): StoreOrderInput {
  const currency = str(o.currency) ?? 'USD';
  const refunds = arr(o.refunds).map((r) => mapRefund(r, currency));
  const refundedQty = new Map<string, number>();
  for (const r of refunds)
    for (const l of r.lineItems)
      refundedQty.set(l.lineItemExternalId, (refundedQty.get(l.lineItemExternalId) ?? 0) + l.quantity);
  const shipping =
    obj(o.total_shipping_price_set).shop_money !== undefined
      ? money(o, 'total_shipping_price_set', '_', currency)
      : arr(o.shipping_lines).reduce((s, l) => s + toMinor(str(l.price), currency), 0);
  const fin = str(o.financial_status) ?? 'pending';
  return {
    externalId: shopifyId(o),
    number: str(o.name) ?? `#${str(o.order_number) ?? str(o.number) ?? shopifyId(o)}`,
    customer: o.customer && typeof o.customer === 'object' ? mapCustomer(obj(o.customer)) : null,
    email: (str(o.email) ?? str(o.contact_email))?.toLowerCase() ?? null,
    phone: str(o.phone),
    currency,
    subtotal: money(o, 'subtotal_price_set', 'subtotal_price', currency),
    discount: money(o, 'total_discounts_set', 'total_discounts', currency),
    shipping,
    tax: money(o, 'total_tax_set', 'total_tax', currency),
    total: money(o, 'total_price_set', 'total_price', currency),
    status: o.cancelled_at ? 'cancelled' : o.closed_at ? 'closed' : 'open',
    financialStatus: (financial.has(fin) ? fin : 'pending') as StoreOrderInput['financialStatus'],
    fulfillmentStatus: fulfilment[str(o.fulfillment_status) ?? ''] ?? 'unfulfilled',
    cancelledAt: str(o.cancelled_at),
    cancelReason: str(o.cancel_reason),
    shippingAddress: mapAddress(o.shipping_address),
    billingAddress: mapAddress(o.billing_address),
    discountCodes: arr(o.discount_codes).map((d) => String(d.code)),
    tags: (str(o.tags) ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    note: str(o.note),
    url: null,
    placedAt: str(o.processed_at) ?? str(o.created_at) ?? new Date().toISOString(),
    updatedAt: str(o.updated_at) ?? str(o.created_at) ?? new Date().toISOString(),
    lineItems: arr(o.line_items).map((l) => {
      const id = shopifyId(l);
      const qty = Number(l.quantity ?? 0);
      const fulfillable = l.fulfillable_quantity === undefined ? qty : Number(l.fulfillable_quantity);
      return {
        externalId: id,
        productExternalId: str(l.product_id),
        variantExternalId: str(l.variant_id),
        sku: str(l.sku),
        title: str(l.title) ?? str(l.name) ?? 'Item',
        variantTitle: str(l.variant_title),
        quantity: qty,
        price: money(l, 'price_set', 'price', currency),
        discount: money(l, 'total_discount_set', 'total_discount', currency),
        tax: arr(l.tax_lines).reduce((s, t) => s + toMinor(str(t.price), currency), 0),
        refundedQuantity: refundedQty.get(id) ?? 0,
        fulfilledQuantity: Math.max(0, qty - fulfillable - (refundedQty.get(id) ?? 0)),
        imageUrl: null,
        finalSale: false,
      };
    }),
    transactions: [],
    refunds,
    fulfillments: arr(o.fulfillments).map(mapFulfillment),
  };
}

export function mapProduct(p: J, currency: string): StoreProductInput {
  const image = url(obj(p.image).src) ?? url(obj(arr(p.images)[0]).src);
  return {
    externalId: shopifyId(p),
    title: str(p.title) ?? 'Product',
    status: str(p.status) ?? 'active',
    imageUrl: image,
    url: null,
    updatedAt: str(p.updated_at),
    variants: arr(p.variants).map((v) => ({
      externalId: shopifyId(v),
      title: str(v.title) ?? '',
      sku: str(v.sku),
      price: toMinor(str(v.price) ?? '0', currency),
      currency,
      inventoryQuantity: typeof v.inventory_quantity === 'number' ? v.inventory_quantity : null,
      imageUrl: null,
    })),
  };
}
