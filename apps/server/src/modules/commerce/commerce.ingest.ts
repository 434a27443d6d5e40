import type { StoreCustomerInput, StoreOrderInput } from '@shopdesk/contracts';
import type { StoreChange } from '../../commerce/store-connector.ts';
import type { Db } from '../../platform/db/db.ts';
import { findOrCreateContact } from '../contacts/index.ts';
import * as repo from './commerce.repository.ts';

/** The order number as shoppers and agents type it: no '#', case-insensitive. */
export const numberKey = (n: string) => n.trim().replace(/^#+/, '').toLowerCase();

export interface IngestResult {
  customers: number;
  products: number;
  orders: { applied: number; skippedStale: number };
  refunds: number;
  fulfillments: number;
}

/** Thrown when a refund or shipment names an order that has not arrived yet: the job retries later. */
export class OrderNotYetKnown extends Error {}

const newer = (a?: string | null, b?: string | null) => (a ?? '') >= (b ?? '');

/**
 * Applies store changes to the order read model in the caller's transaction. Every write is an
 * upsert keyed by the store's ids, and orders/fulfilments carry the store's updated_at, so the same
 * change applied twice, or an old one applied after a new one, leaves the newest state.
 */
export async function ingestChanges(
  db: Db,
  workspaceId: number,
  connectionId: number,
  changes: StoreChange[],
): Promise<IngestResult> {
  const customers = new Map<string, StoreCustomerInput>();
  const orders = new Map<string, StoreOrderInput>();
  const addCustomer = (c: StoreCustomerInput) => {
    const prev = customers.get(c.externalId);
    if (!prev || newer(c.updatedAt, prev.updatedAt))
      customers.set(c.externalId, { ...prev, ...stripNull(c), externalId: c.externalId });
  };
  for (const ch of changes) {
    if (ch.type === 'customer') addCustomer(ch.customer);
    if (ch.type === 'order') {
      const prev = orders.get(ch.order.externalId);
      if (!prev || newer(ch.order.updatedAt, prev.updatedAt)) orders.set(ch.order.externalId, ch.order);
      if (ch.order.customer) addCustomer(ch.order.customer);
    }
  }

  // One shopper is one contact: customers (and guest orders) link to contacts by email/phone.
  const contactCache = new Map<string, number>();
  const contactFor = async (email?: string | null, phone?: string | null, name?: string | null) => {
    if (!email && !phone) return null;
    const k = `${email?.toLowerCase() ?? ''}|${phone ?? ''}`;
    let id = contactCache.get(k);
    if (id === undefined) {
      id = await findOrCreateContact(db, workspaceId, { email, phone, name });
      contactCache.set(k, id);
    }
    return id;
  };

  const customerRows: repo.CustomerRowIn[] = [];
  const customerContacts = new Map<string, number | null>();
  const linked = new Map(
    (await repo.linkedCustomers(db, connectionId, [...customers.keys()])).map((r) => [r.external_id, r]),
  );
  for (const c of customers.values()) {
    const name = [c.firstName, c.lastName].filter(Boolean).join(' ') || null;
    const known = linked.get(c.externalId);
    // Same email and phone as when it was linked: the contact link still holds.
    const unchanged =
      known &&
      ((c.email ?? known.email)?.toLowerCase() ?? null) === known.email &&
      (c.phone ?? known.phone ?? null) === known.phone;
    const contactId = unchanged ? known.contact_id : await contactFor(c.email, c.phone, name);
    customerContacts.set(c.externalId, contactId);
    customerRows.push({
      external_id: c.externalId,
      contact_id: contactId,
      email: c.email?.toLowerCase() ?? null,
      phone: c.phone ?? null,
      first_name: c.firstName ?? null,
      last_name: c.lastName ?? null,
      orders_count: c.ordersCount ?? null,
      total_spent_minor: c.totalSpent ?? null,
      remote_updated_at: c.updatedAt ?? null,
    });
  }
  const customerIds = await repo.upsertCustomers(db, workspaceId, connectionId, customerRows);

  const products = changes.flatMap((c) => (c.type === 'product' ? [c.product] : []));
  await repo.upsertProducts(
    db,
    workspaceId,
    connectionId,
    products.map((p) => ({
      external_id: p.externalId,
      title: p.title,
      status: p.status,
      image_url: p.imageUrl ?? null,
      url: p.url ?? null,
      remote_updated_at: p.updatedAt ?? null,
    })),
    products.flatMap((p) =>
      p.variants.map((v) => ({
        product_external_id: p.externalId,
        external_id: v.externalId,
        title: v.title,
        sku: v.sku ?? null,
        price_minor: v.price,
        currency: v.currency,
        inventory_quantity: v.inventoryQuantity ?? null,
        image_url: v.imageUrl ?? null,
      })),
    ),
  );

  const orderRows: repo.OrderRowIn[] = [];
  for (const o of orders.values()) {
    const email = o.email ?? o.customer?.email ?? null;
    const phone = o.phone ?? o.customer?.phone ?? null;
    const contactId =
      (o.customer ? customerContacts.get(o.customer.externalId) : null) ??
      (await contactFor(email, phone, o.shippingAddress?.name ?? o.billingAddress?.name));
    orderRows.push({
      external_id: o.externalId,
      number: o.number,
      number_key: numberKey(o.number),
      customer_id: o.customer ? (customerIds.get(o.customer.externalId) ?? null) : null,
      contact_id: contactId ?? null,
      email: email?.toLowerCase() ?? null,
      phone,
      currency: o.currency,
      subtotal: o.subtotal,
      discount: o.discount,
      shipping: o.shipping,
      tax: o.tax,
      total: o.total,
      status: o.status,
      financial_status: o.financialStatus,
      fulfillment_status: o.fulfillmentStatus,
      cancelled_at: o.cancelledAt ?? null,
      cancel_reason: o.cancelReason ?? null,
      shipping_address: o.shippingAddress ?? null,
      billing_address: o.billingAddress ?? null,
      discount_codes: o.discountCodes,
      tags: o.tags,
      note: o.note ?? null,
      url: o.url ?? null,
      placed_at: o.placedAt,
      updated_at: o.updatedAt,
    });
  }
  const applied = await repo.upsertOrders(db, workspaceId, connectionId, orderRows);
  const appliedOrders = [...orders.values()].filter((o) => applied.has(o.externalId));
  const idOf = (o: StoreOrderInput) => applied.get(o.externalId)!;

  await repo.upsertLineItems(
    db,
    workspaceId,
    appliedOrders.flatMap((o) =>
      o.lineItems.map((l, i) => ({
        order_id: idOf(o),
        external_id: l.externalId,
        product_external_id: l.productExternalId ?? null,
        variant_external_id: l.variantExternalId ?? null,
        sku: l.sku ?? null,
        title: l.title,
        variant_title: l.variantTitle ?? null,
        quantity: l.quantity,
        price_minor: l.price,
        discount_minor: l.discount,
        tax_minor: l.tax,
        refunded_quantity: l.refundedQuantity,
        fulfilled_quantity: l.fulfilledQuantity,
        image_url: l.imageUrl ?? null,
        final_sale: l.finalSale,
        position: i,
      })),
    ),
    appliedOrders.filter((o) => o.lineItems.length > 0).map(idOf),
  );
  await repo.upsertTransactions(
    db,
    workspaceId,
    appliedOrders.flatMap((o) =>
      o.transactions.map((t) => ({
        order_id: idOf(o),
        external_id: t.externalId,
        kind: t.kind,
        gateway: t.gateway ?? null,
        status: t.status,
        amount_minor: t.amount,
        currency: t.currency ?? o.currency,
        processed_at: t.processedAt,
      })),
    ),
  );

  // Refunds and shipments may come inside an order or on their own (refunds/create, fulfillments/*).
  const loose = changes.filter(
    (c): c is Extract<StoreChange, { type: 'refund' | 'fulfillment' }> =>
      c.type === 'refund' || c.type === 'fulfillment',
  );
  const looseIds = await repo.orderIdsByExternal(db, connectionId, [
    ...new Set(loose.map((c) => c.orderExternalId)),
  ]);
  const knownLoose = loose.filter((c) => looseIds.has(c.orderExternalId));
  const unknown = loose.filter((c) => !looseIds.has(c.orderExternalId) && !orders.has(c.orderExternalId));
  if (unknown.length) throw new OrderNotYetKnown(`order ${unknown[0]!.orderExternalId} is not known yet`);
  // Lock before adding children, so the derived figures below see every committed refund and shipment.
  await repo.lockOrders(db, [...new Set(knownLoose.map((c) => looseIds.get(c.orderExternalId)!))]);
  const currencyOf = new Map(appliedOrders.map((o) => [idOf(o), o.currency]));
  const orderCurrency = async (orderId: number) =>
    currencyOf.get(orderId) ?? (await repo.findOrder(db, workspaceId, orderId))?.currency ?? 'USD';

  const refunds = [
    ...appliedOrders.flatMap((o) => o.refunds.map((r) => ({ orderId: idOf(o), r }))),
    ...knownLoose.flatMap((c) =>
      c.type === 'refund' ? [{ orderId: looseIds.get(c.orderExternalId)!, r: c.refund }] : [],
    ),
  ];
  const refundRows = [];
  for (const { orderId, r } of refunds)
    refundRows.push({
      order_id: orderId,
      external_id: r.externalId,
      amount_minor: r.amount,
      currency: await orderCurrency(orderId),
      note: r.note ?? null,
      store_credit: r.storeCredit,
      restock: r.restock,
      line_items: r.lineItems,
      refunded_at: r.createdAt,
    });
  await repo.upsertRefunds(db, workspaceId, refundRows);

  const fulfillments = [
    ...appliedOrders.flatMap((o) =>
      o.fulfillments.map((f) => ({ orderId: idOf(o), f, fallback: o.updatedAt })),
    ),
    ...knownLoose.flatMap((c) =>
      c.type === 'fulfillment'
        ? [
            {
              orderId: looseIds.get(c.orderExternalId)!,
              f: c.fulfillment,
              fallback: new Date().toISOString(),
            },
          ]
        : [],
    ),
  ];
  await repo.upsertFulfillments(
    db,
    workspaceId,
    fulfillments.map(({ orderId, f, fallback }) => ({
      order_id: orderId,
      external_id: f.externalId,
      status: f.status,
      shipment_status: f.shipmentStatus ?? null,
      carrier: f.carrier ?? null,
      tracking_number: f.trackingNumber ?? null,
      tracking_url: f.trackingUrl ?? null,
      expected_delivery_at: f.expectedDeliveryAt ?? null,
      shipped_at: f.shippedAt ?? null,
      delivered_at: f.deliveredAt ?? null,
      line_items: f.lineItems,
      remote_updated_at: f.updatedAt ?? fallback,
    })),
  );

  for (const c of changes) {
    if (c.type === 'order_deleted') await repo.deleteOrderByExternal(db, connectionId, c.orderExternalId);
    if (c.type === 'order_patch') {
      const id = (await repo.orderIdsByExternal(db, connectionId, [c.orderExternalId])).get(
        c.orderExternalId,
      );
      if (id)
        await repo.patchOrder(db, id, {
          status: c.patch.status,
          cancelled_at: c.patch.cancelledAt,
          cancel_reason: c.patch.cancelReason,
          shipping_address: c.patch.shippingAddress,
          financial_status: c.patch.financialStatus,
        });
    }
  }

  const touched = [
    ...new Set([
      ...applied.values(),
      ...refundRows.map((r) => r.order_id),
      ...fulfillments.map((f) => f.orderId),
    ]),
  ];
  await repo.refreshDerived(db, touched);
  return {
    customers: customerRows.length,
    products: products.length,
    orders: { applied: applied.size, skippedStale: orders.size - applied.size },
    refunds: refundRows.length,
    fulfillments: fulfillments.length,
  };
}

function stripNull<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}
