import type { Order, OrderAction, OrderActionInput } from '@shopdesk/contracts';
import type { z } from 'zod';
import { fromMinor } from '../../commerce/money.ts';
import type * as repo from './commerce.repository.ts';

/* Pure mapping between commerce rows and what the API shows (no I/O). */

export const iso = (d: Date | null) => d?.toISOString() ?? null;
export type ActionInput = z.infer<typeof OrderActionInput>;

/** Order numbers a shopper or agent might write: "#1042", "order 1042", "SO-1042". */
export function detectOrderNumbers(text: string): string[] {
  const keys = new Set<string>();
  for (const m of text.matchAll(
    /(?:#|\b(?:order|bestellung|commande|pedido|no\.?|nr\.?)(?:\s*#)?\s*)?\b([a-z]{1,5}-)?(\d{3,12})\b/gi,
  )) {
    keys.add(m[2]!);
    if (m[1]) keys.add(`${m[1]}${m[2]}`.toLowerCase());
  }
  return [...keys].slice(0, 50);
}

/**
 * Whether an order is the ticket contact's own: linked to the contact (or a contact merged into it), or
 * placed with the contact's e-mail — the same proof the shopper tracking page asks for.
 */
export const ownedBy =
  (contactIds: number[], email: string | null) => (r: Pick<repo.OrderRow, 'contact_id' | 'email'>) =>
    (r.contact_id !== null && contactIds.includes(r.contact_id)) ||
    (!!email && !!r.email && r.email.toLowerCase() === email.toLowerCase());

export function toOrder(r: repo.OrderRow, ch: repo.OrderChildren): Order {
  return {
    id: r.id,
    connectionId: r.connection_id,
    platform: r.platform,
    externalId: r.external_id,
    number: r.number,
    contactId: r.contact_id,
    email: r.email,
    currency: r.currency,
    subtotal: r.subtotal_minor,
    discount: r.discount_minor,
    shipping: r.shipping_minor,
    tax: r.tax_minor,
    total: r.total_minor,
    refunded: r.refunded_minor,
    refundable: Math.max(0, r.total_minor - r.refunded_minor),
    status: r.status,
    financialStatus: r.financial_status,
    fulfillmentStatus: r.fulfillment_status,
    cancelledAt: iso(r.cancelled_at),
    cancelReason: r.cancel_reason,
    shippingAddress: r.shipping_address as Order['shippingAddress'],
    billingAddress: (r.billing_address ?? null) as Order['shippingAddress'],
    discountCodes: r.discount_codes,
    tags: r.tags,
    url: r.url,
    placedAt: r.placed_at.toISOString(),
    updatedAt: r.remote_updated_at.toISOString(),
    lineItems: ch.lines
      .filter((l) => l.order_id === r.id)
      .map((l) => ({
        id: l.id,
        externalId: l.external_id,
        title: l.title,
        variantTitle: l.variant_title,
        sku: l.sku,
        quantity: l.quantity,
        price: l.price_minor,
        discount: l.discount_minor,
        tax: l.tax_minor,
        total: l.price_minor * l.quantity - l.discount_minor,
        refundedQuantity: l.refunded_quantity,
        fulfilledQuantity: l.fulfilled_quantity,
        imageUrl: l.image_url,
        finalSale: l.final_sale,
      })),
    transactions: ch.transactions
      .filter((t) => t.order_id === r.id)
      .map((t) => ({
        externalId: t.external_id,
        kind: t.kind,
        gateway: t.gateway,
        status: t.status,
        amount: t.amount_minor,
        currency: t.currency,
        processedAt: t.processed_at.toISOString(),
      })),
    refunds: ch.refunds
      .filter((x) => x.order_id === r.id)
      .map((x) => ({
        externalId: x.external_id,
        amount: x.amount_minor,
        currency: x.currency,
        note: x.note,
        storeCredit: x.store_credit,
        restock: x.restock,
        lineItems: x.line_items,
        refundedAt: x.refunded_at.toISOString(),
      })),
    fulfillments: ch.fulfillments
      .filter((f) => f.order_id === r.id)
      .map((f) => ({
        externalId: f.external_id,
        status: f.status,
        shipmentStatus: f.shipment_status,
        carrier: f.carrier,
        trackingNumber: f.tracking_number,
        trackingUrl: f.tracking_url,
        expectedDeliveryAt: iso(f.expected_delivery_at),
        shippedAt: iso(f.shipped_at),
        deliveredAt: iso(f.delivered_at),
      })),
  };
}

export function toAction(a: repo.ActionRow): OrderAction {
  return {
    id: a.id,
    orderId: a.order_id,
    orderNumber: a.order_number,
    ticketId: a.ticket_id,
    kind: a.kind,
    params: a.params,
    amount: a.amount_minor,
    currency: a.currency,
    status: a.status,
    approvalReasons: a.approval_reasons,
    requestedBy: { id: a.requested_by, name: a.requested_by_name },
    decidedBy: a.decided_by ? { id: a.decided_by, name: a.decided_by_name } : null,
    decidedAt: iso(a.decided_at),
    decisionNote: a.decision_note,
    result: a.result,
    error: a.error,
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
  };
}

export const summarize = (kind: string, amount: number, currency: string, number: string) =>
  ({
    refund: `Refund of ${fromMinor(amount, currency)} ${currency} on ${number}`,
    cancel: `Cancel ${number}${amount ? ` (refund ${fromMinor(amount, currency)} ${currency})` : ''}`,
    resend: `Resend ${number}`,
    update_address: `Change the shipping address of ${number}`,
    discount_code: `Discount code for ${number}`,
  })[kind] ?? `${kind} on ${number}`;
