import { StoreOrderInput } from '@shopdesk/contracts';
import { toMinor } from '../money.ts';
import { gidTail } from './shopify-map.ts';

/*
 * Shopify's GraphQL Admin API shapes (the backfill's and an action's read-back) → the normalised order,
 * the same one the REST webhooks map to in shopify-map.ts; and the small readers both files' GraphQL
 * code uses.
 */

type J = Record<string, unknown>;
export const obj = (v: unknown): J => (v && typeof v === 'object' ? (v as J) : {});
export const arr = (v: unknown): J[] => (Array.isArray(v) ? (v as J[]) : []);
export const nodes = (v: unknown): J[] => (Array.isArray(v) ? (v as J[]) : arr(obj(v).nodes));
export const amount = (set: unknown, currency: string) =>
  toMinor(String(obj(obj(set).shopMoney).amount ?? '0'), currency);

const finMap: Record<string, StoreOrderInput['financialStatus']> = {
  PENDING: 'pending',
  AUTHORIZED: 'authorized',
  PARTIALLY_PAID: 'partially_paid',
  PAID: 'paid',
  PARTIALLY_REFUNDED: 'partially_refunded',
  REFUNDED: 'refunded',
  VOIDED: 'voided',
  EXPIRED: 'voided',
};
const fulMap: Record<string, StoreOrderInput['fulfillmentStatus']> = {
  FULFILLED: 'fulfilled',
  PARTIALLY_FULFILLED: 'partial',
  RESTOCKED: 'restocked',
};
const txKinds: Record<string, 'sale' | 'authorization' | 'capture' | 'refund' | 'void'> = {
  SALE: 'sale',
  AUTHORIZATION: 'authorization',
  CAPTURE: 'capture',
  REFUND: 'refund',
  VOID: 'void',
};

/** The GraphQL Order shape → the normalised order (the same one the REST webhooks map to). */
export function mapGraphqlOrder(o: J): StoreOrderInput {
  const currency = String(o.currencyCode ?? 'USD');
  const ship = obj(o.shippingAddress);
  const refunds = arr(o.refunds).map((r) => ({
    externalId: gidTail(String(r.id)),
    amount: amount(r.totalRefundedSet, currency),
    note: (r.note as string | null) ?? null,
    storeCredit: false,
    restock: nodes(r.refundLineItems).some((l) => l.restockType && l.restockType !== 'NO_RESTOCK'),
    lineItems: nodes(r.refundLineItems).map((l) => ({
      lineItemExternalId: gidTail(String(obj(l.lineItem).id)),
      quantity: Number(l.quantity),
    })),
    createdAt: String(r.createdAt),
  }));
  const refunded = new Map<string, number>();
  for (const r of refunds)
    for (const l of r.lineItems)
      refunded.set(l.lineItemExternalId, (refunded.get(l.lineItemExternalId) ?? 0) + l.quantity);
  const c = obj(o.customer);
  return StoreOrderInput.parse({
    externalId: gidTail(String(o.id)),
    number: String(o.name),
    customer: c.id
      ? {
          externalId: gidTail(String(c.id)),
          email: (c.email as string | null)?.toLowerCase() ?? null,
          phone: c.phone ?? null,
          firstName: c.firstName ?? null,
          lastName: c.lastName ?? null,
          updatedAt: c.updatedAt ?? null,
        }
      : null,
    email: (o.email as string | null)?.toLowerCase() ?? null,
    phone: o.phone ?? null,
    currency,
    subtotal: amount(o.subtotalPriceSet, currency),
    discount: amount(o.totalDiscountsSet, currency),
    shipping: amount(o.totalShippingPriceSet, currency),
    tax: amount(o.totalTaxSet, currency),
    total: amount(o.totalPriceSet, currency),
    status: o.cancelledAt ? 'cancelled' : o.closedAt ? 'closed' : 'open',
    financialStatus: finMap[String(o.displayFinancialStatus)] ?? 'pending',
    fulfillmentStatus: fulMap[String(o.displayFulfillmentStatus)] ?? 'unfulfilled',
    cancelledAt: o.cancelledAt ?? null,
    cancelReason: o.cancelReason ? String(o.cancelReason).toLowerCase() : null,
    shippingAddress: ship.address1
      ? {
          name: ship.name ?? null,
          company: ship.company ?? null,
          address1: ship.address1 ?? null,
          address2: ship.address2 ?? null,
          city: ship.city ?? null,
          province: ship.province ?? null,
          zip: ship.zip ?? null,
          country: ship.country ?? null,
          countryCode: ship.countryCodeV2 ?? null,
          phone: ship.phone ?? null,
        }
      : null,
    discountCodes: Array.isArray(o.discountCodes) ? o.discountCodes : [],
    tags: Array.isArray(o.tags) ? o.tags : [],
    note: o.note ?? null,
    placedAt: String(o.processedAt ?? o.createdAt),
    updatedAt: String(o.updatedAt),
    lineItems: nodes(o.lineItems).map((l) => {
      const id = gidTail(String(l.id));
      return {
        externalId: id,
        productExternalId: obj(l.product).id ? gidTail(String(obj(l.product).id)) : null,
        variantExternalId: obj(l.variant).id ? gidTail(String(obj(l.variant).id)) : null,
        sku: l.sku ?? null,
        title: String(l.title ?? 'Item'),
        variantTitle: l.variantTitle ?? null,
        quantity: Number(l.quantity),
        price: amount(l.originalUnitPriceSet, currency),
        discount: amount(l.totalDiscountSet, currency),
        refundedQuantity: refunded.get(id) ?? 0,
        imageUrl: obj(l.image).url ?? null,
      };
    }),
    transactions: arr(o.transactions)
      .filter((t) => txKinds[String(t.kind)])
      .map((t) => ({
        externalId: gidTail(String(t.id)),
        kind: txKinds[String(t.kind)],
        gateway: t.gateway ?? null,
        status:
          ({ SUCCESS: 'success', PENDING: 'pending', FAILURE: 'failure' } as Record<string, string>)[
            String(t.status)
          ] ?? 'error',
        amount: amount(t.amountSet, currency),
        processedAt: String(t.processedAt ?? t.createdAt),
      })),
    refunds,
    fulfillments: arr(o.fulfillments).map((f) => {
      const track = obj(arr(f.trackingInfo)[0]);
      const display = String(f.displayStatus ?? '').toLowerCase();
      return {
        externalId: gidTail(String(f.id)),
        status: String(f.status ?? 'SUCCESS').toLowerCase(),
        shipmentStatus: [
          'label_printed',
          'label_purchased',
          'confirmed',
          'in_transit',
          'out_for_delivery',
          'attempted_delivery',
          'ready_for_pickup',
          'delivered',
          'failure',
        ].includes(display)
          ? display
          : null,
        carrier: track.company ?? null,
        trackingNumber: track.number ?? null,
        trackingUrl: track.url ?? null,
        expectedDeliveryAt: f.estimatedDeliveryAt ?? null,
        shippedAt: f.createdAt ?? null,
        deliveredAt: f.deliveredAt ?? null,
        lineItems: nodes(f.fulfillmentLineItems).map((l) => ({
          lineItemExternalId: gidTail(String(obj(l.lineItem).id)),
          quantity: Number(l.quantity),
        })),
        updatedAt: f.updatedAt ?? null,
      };
    }),
  });
}
