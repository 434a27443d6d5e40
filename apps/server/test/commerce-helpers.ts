/** Hand-written store data for the commerce tests (always available, unlike ../shared/fixtures). */
export function demoOrder(over: Record<string, unknown> = {}) {
  return {
    externalId: 'o-1001',
    number: '#1001',
    customer: { externalId: 'c-1', email: 'emma@example.com', firstName: 'Emma', lastName: 'Schmidt' },
    currency: 'EUR',
    subtotal: 15800,
    shipping: 500,
    tax: 0,
    total: 16300,
    financialStatus: 'paid',
    fulfillmentStatus: 'unfulfilled',
    placedAt: new Date(Date.now() - 5 * 86400_000).toISOString(),
    updatedAt: new Date(Date.now() - 5 * 86400_000).toISOString(),
    shippingAddress: {
      name: 'Emma Schmidt',
      address1: 'Hauptstr. 1',
      city: 'Berlin',
      zip: '10115',
      countryCode: 'DE',
    },
    lineItems: [
      {
        externalId: 'li-1',
        title: 'Trail Runner 2',
        variantTitle: '42',
        quantity: 1,
        price: 12900,
        imageUrl: 'https://img.example/tr2.jpg',
      },
      { externalId: 'li-2', title: 'Merino Socks', quantity: 2, price: 1450 },
    ],
    transactions: [
      {
        externalId: 't-1',
        kind: 'sale',
        gateway: 'stripe',
        amount: 16300,
        processedAt: new Date(Date.now() - 5 * 86400_000).toISOString(),
      },
    ],
    ...over,
  };
}
