import { type Address, type Order, ReturnPolicy } from '@shopdesk/contracts';
import { describe, expect, it } from 'vitest';
import {
  addressesDiffer,
  lineEligibility,
  policyForOrder,
  returnDeadline,
  reviewReasons,
} from './return-eligibility.ts';

/** Per-market rules, block/allow lists and the address-mismatch rule of the policy engine (#14). */
const addr = (countryCode: string | null, zip: string | null): Address => ({
  name: 'Emma Shop',
  address1: 'Street 1',
  city: 'Town',
  zip,
  countryCode,
});
const order = (over: Partial<Order> = {}) =>
  ({
    id: 7,
    number: '#1007',
    status: 'open',
    fulfillmentStatus: 'fulfilled',
    placedAt: '2026-03-01T10:00:00Z',
    tags: [],
    shippingAddress: null,
    billingAddress: null,
    lineItems: [
      {
        id: 1,
        externalId: 'li-1',
        title: 'Trail Runner 2',
        variantTitle: null,
        sku: 'TR2-42',
        quantity: 1,
        price: 5000,
        discount: 0,
        tax: 0,
        total: 5000,
        refundedQuantity: 0,
        fulfilledQuantity: 1,
        imageUrl: null,
        finalSale: false,
      },
    ],
    fulfillments: [{ shippedAt: '2026-03-02T08:00:00Z', deliveredAt: '2026-03-03T12:00:00Z' }],
    ...over,
  }) as Order;
const policy = ReturnPolicy.parse({
  windowDays: 30,
  timeZone: 'Europe/Berlin',
  markets: [
    { name: 'Switzerland', countries: ['CH', 'li'], windowDays: 14, returnShippingFee: 990 },
    { name: 'Nordics', countries: ['NO'], enabled: false },
  ],
});
const money = (m: number, c: string) => `${(m / 100).toFixed(2)} ${c}`;

describe('per-market rules', () => {
  it.each([
    ['DE (no market)', 'DE', 30, 0, true],
    ['CH', 'CH', 14, 990, true],
    ['LI, lower-case in the rule', 'LI', 14, 990, true],
    ['ch, lower-case on the order', 'ch', 14, 990, true],
    ['NO: returns closed', 'NO', 30, 0, false],
    ['no address', null, 30, 0, true],
  ])('%s', (_, country, days, fee, enabled) => {
    const p = policyForOrder(policy, order({ shippingAddress: country ? addr(country, '1') : null }));
    expect([p.windowDays, p.returnShippingFee, p.enabled]).toEqual([days, fee, enabled]);
    // Fields a market does not set stay the policy's.
    expect(p.timeZone).toBe('Europe/Berlin');
  });

  // Delivered 2026-03-03 (Berlin); 14 days in Switzerland → last day 2026-03-17 in Berlin time.
  it.each([
    ['CH, last day, late evening Berlin', 'CH', '2026-03-17T22:59:59Z', true],
    ['CH, the next day in Berlin (still the 17th in UTC)', 'CH', '2026-03-17T23:00:00Z', false],
    ['DE, the same instant', 'DE', '2026-03-17T23:00:00Z', true],
    ['DE, last day', 'DE', '2026-04-02T21:59:59Z', true],
    ['DE, the day after (summer time)', 'DE', '2026-04-02T22:00:00Z', false],
  ])('window: %s', (_, country, now, eligible) => {
    const o = order({ shippingAddress: addr(country, '1') });
    const p = policyForOrder(policy, o);
    expect(lineEligibility(o, p, new Map(), new Date(now))[0]!.eligible).toBe(eligible);
    expect(returnDeadline(o, p)).toBe(country === 'CH' ? '2026-03-17' : '2026-04-02');
  });
});

describe('address mismatch', () => {
  it.each([
    ['same country and postcode', addr('DE', '10115'), addr('DE', '10115'), false],
    ['postcode spacing and case', addr('GB', 'sw1a 1aa'), addr('GB', 'SW1A1AA'), false],
    ['other postcode', addr('DE', '10115'), addr('DE', '80331'), true],
    ['other country', addr('DE', '10115'), addr('AT', '10115'), true],
    ['billing unknown', addr('DE', '10115'), null, false],
    ['no postcode on one side', addr('DE', null), addr('DE', '80331'), false],
  ])('%s', (_, shipping, billing, differ) => {
    expect(addressesDiffer(order({ shippingAddress: shipping, billingAddress: billing }))).toBe(differ);
  });
});

describe('block and allow lists', () => {
  const p = ReturnPolicy.parse({
    autoApproveMax: 100_000,
    serialReturnerRatio: 0.5,
    blockedEmails: ['Bad@Shop.example'],
    blockedOrders: ['#2001'],
    blockedSkus: ['tv-55'],
    allowedEmails: ['vip@shop.example'],
    addressMismatch: 'review',
  });
  const base = { value: 5000, currency: 'EUR', returnsLastYear: 1, ordersLastYear: 10 };
  it.each([
    ['nothing fires', { email: 'emma@shop.example' }, []],
    [
      'blocked e-mail (case ignored)',
      { email: 'bad@shop.EXAMPLE' },
      ['The e-mail address is on the block list'],
    ],
    [
      'blocked order (with or without #)',
      { email: null, orderNumber: '2001' },
      ['Order 2001 is on the block list'],
    ],
    ['blocked product', { email: null, skus: [null, 'TV-55'] }, ['Product tv-55 is on the block list']],
    ['address mismatch', { email: null, addressMismatch: true }, ['Shipping and billing addresses differ']],
    [
      'frequent returner',
      { email: null, returnsLastYear: 6 },
      ['Frequent returner: 6 returns for 10 orders in the last 365 days'],
    ],
    [
      'allow list skips abuse rules',
      {
        email: 'VIP@shop.example',
        orderNumber: '#2001',
        skus: ['TV-55'],
        addressMismatch: true,
        returnsLastYear: 9,
      },
      [],
    ],
    [
      'allow list keeps the value cap',
      { email: 'vip@shop.example', value: 200_000 },
      ['Worth 2000.00 EUR, above the auto-approval cap of 1000.00 EUR'],
    ],
  ])('%s', (_, over, reasons) => {
    expect(reviewReasons(p, { ...base, ...over } as Parameters<typeof reviewReasons>[1], money)).toEqual(
      reasons,
    );
  });
});
