import { demoOrder } from './commerce-helpers.ts';
import type { TestApp, TestWorkspace } from './harness.ts';

/** A delivered built-in-store order for returns tests: 1 × shoes 129.00, 2 × socks 14.50, 1 final-sale cap. */
export function deliveredOrder(n: string, email: string, over: Record<string, unknown> = {}) {
  const shipped = new Date(Date.now() - 4 * 86400_000).toISOString();
  const delivered = new Date(Date.now() - 2 * 86400_000).toISOString();
  return demoOrder({
    externalId: `o-${n}`,
    number: `#${n}`,
    customer: { externalId: `c-${email}`, email, firstName: 'Emma', lastName: 'Shop' },
    subtotal: 16800,
    total: 17300,
    fulfillmentStatus: 'fulfilled',
    lineItems: [
      {
        externalId: `${n}-li-1`,
        title: 'Trail Runner 2',
        variantTitle: '42',
        sku: 'TR2-42',
        quantity: 1,
        price: 12900,
        fulfilledQuantity: 1,
      },
      {
        externalId: `${n}-li-2`,
        title: 'Merino Socks',
        sku: 'MS-1',
        quantity: 2,
        price: 1450,
        fulfilledQuantity: 2,
      },
      {
        externalId: `${n}-li-3`,
        title: 'Outlet Cap',
        sku: 'CAP-1',
        quantity: 1,
        price: 1000,
        fulfilledQuantity: 1,
        finalSale: true,
      },
    ],
    transactions: [
      { externalId: `${n}-t-1`, kind: 'sale', gateway: 'stripe', amount: 17300, processedAt: shipped },
    ],
    fulfillments: [
      {
        externalId: `${n}-f-1`,
        status: 'success',
        shipmentStatus: 'delivered',
        carrier: 'DHL',
        trackingNumber: `JD${n}`,
        shippedAt: shipped,
        deliveredAt: delivered,
        lineItems: [
          { lineItemExternalId: `${n}-li-1`, quantity: 1 },
          { lineItemExternalId: `${n}-li-2`, quantity: 2 },
          { lineItemExternalId: `${n}-li-3`, quantity: 1 },
        ],
      },
    ],
    ...over,
  });
}

/** A built-in store connection for the workspace; returns the store API headers. */
export async function builtinStore(t: TestApp, ws: TestWorkspace) {
  const conn = await t.app.inject({
    method: 'POST',
    url: '/api/v1/commerce/connections',
    headers: ws.admin.headers,
    payload: { platform: 'builtin', currency: 'EUR' },
  });
  return { authorization: `Bearer ${conn.json().token}` };
}
