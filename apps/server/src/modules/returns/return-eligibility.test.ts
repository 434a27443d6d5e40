import { type Order, ReturnPolicy } from '@shopdesk/contracts';
import { describe, expect, it } from 'vitest';
import { lineEligibility, quoteOutcomes, returnDeadline, reviewReasons } from './return-eligibility.ts';

const line = (over: Partial<Order['lineItems'][number]> = {}): Order['lineItems'][number] => ({
  id: 1,
  externalId: 'li-1',
  title: 'Trail Runner 2',
  variantTitle: '42',
  sku: 'TR2-42',
  quantity: 2,
  price: 5000,
  discount: 0,
  tax: 0,
  total: 10000,
  refundedQuantity: 0,
  fulfilledQuantity: 2,
  imageUrl: null,
  finalSale: false,
  ...over,
});

function order(over: Partial<Order> = {}): Order {
  return {
    id: 7,
    connectionId: 1,
    platform: 'builtin',
    externalId: 'o-7',
    number: '#1007',
    contactId: 3,
    email: 'emma@example.com',
    currency: 'EUR',
    subtotal: 10000,
    discount: 0,
    shipping: 0,
    tax: 0,
    total: 10000,
    refunded: 0,
    refundable: 10000,
    status: 'open',
    financialStatus: 'paid',
    fulfillmentStatus: 'fulfilled',
    cancelledAt: null,
    cancelReason: null,
    shippingAddress: null,
    discountCodes: [],
    tags: [],
    url: null,
    placedAt: '2026-03-01T10:00:00Z',
    updatedAt: '2026-03-01T10:00:00Z',
    lineItems: [line()],
    transactions: [],
    refunds: [],
    fulfillments: [
      {
        externalId: 'f-1',
        status: 'success',
        shipmentStatus: 'delivered',
        carrier: 'DHL',
        trackingNumber: '1',
        trackingUrl: null,
        expectedDeliveryAt: null,
        shippedAt: '2026-03-02T08:00:00Z',
        deliveredAt: '2026-03-03T23:30:00Z',
      },
    ],
    ...over,
  };
}

const policy = (over: Record<string, unknown> = {}) => ReturnPolicy.parse({ windowDays: 30, ...over });
const none = new Map<number, { open: number; resolved: number }>();
const first = (o: Order, p = policy(), now = '2026-03-10T12:00:00Z', inReturns = none) =>
  lineEligibility(o, p, inReturns, new Date(now))[0]!;

describe('return window', () => {
  // Delivered 2026-03-03 23:30 UTC = 2026-03-04 00:30 in Berlin (UTC+1), 18:30 on the 3rd in New York;
  // 30 days later both have moved to summer time (UTC+2, UTC-4).
  it.each([
    ['UTC, last day', 'UTC', '2026-04-02T23:59:59Z', true],
    ['UTC, a second after the last day', 'UTC', '2026-04-03T00:00:00Z', false],
    ['Berlin: delivery counts from the next local day', 'Europe/Berlin', '2026-04-03T21:59:59Z', true],
    ['Berlin: past midnight local time', 'Europe/Berlin', '2026-04-03T22:00:00Z', false],
    ['New York: last local day ends at 04:00 UTC', 'America/New_York', '2026-04-03T03:59:59Z', true],
    ['New York: after it', 'America/New_York', '2026-04-03T04:00:00Z', false],
    ['an unknown time zone counts as UTC', 'Mars/Olympus', '2026-04-02T23:00:00Z', true],
  ])('%s', (_name, timeZone, now, eligible) => {
    const e = first(order(), policy({ timeZone }), now);
    expect(e.eligible).toBe(eligible);
    if (!eligible) expect(e.reason).toBe('window_passed');
  });

  it.each([
    ['delivery', '2026-04-02'],
    ['fulfillment', '2026-04-01'],
    ['order', '2026-03-31'],
  ] as const)('counted from %s', (windowFrom, deadline) => {
    expect(returnDeadline(order(), policy({ windowFrom }))).toBe(deadline);
  });

  it('falls back to the order date when nothing was delivered yet', () => {
    expect(returnDeadline(order({ fulfillments: [] }), policy())).toBe('2026-03-31');
  });

  it('the longest matching tag window wins', () => {
    const p = policy({
      tagWindows: [
        { tag: 'VIP', days: 60 },
        { tag: 'holiday', days: 45 },
      ],
    });
    expect(returnDeadline(order({ tags: ['vip', 'holiday'] }), p)).toBe('2026-05-02');
    expect(returnDeadline(order({ tags: ['other'] }), p)).toBe('2026-04-02');
  });
});

describe('eligibility per line', () => {
  it.each([
    ['final sale', { lineItems: [line({ finalSale: true })] }, {}, 'final_sale'],
    [
      'final sale allowed by policy',
      { lineItems: [line({ finalSale: true })] },
      { excludeFinalSale: false },
      null,
    ],
    [
      'discounted, excluded',
      { lineItems: [line({ discount: 500 })] },
      { excludeDiscounted: true },
      'discounted',
    ],
    ['excluded order tag', { tags: ['No-Returns'] }, { excludedTags: ['no-returns'] }, 'excluded_tag'],
    ['excluded SKU prefix', {}, { excludedSkuPrefixes: ['tr2-'] }, 'excluded_sku'],
    [
      'not shipped yet',
      { fulfillmentStatus: 'partial', lineItems: [line({ fulfilledQuantity: 0 })] },
      {},
      'not_fulfilled',
    ],
    [
      'shipped order without per-line shipments (WooCommerce)',
      { lineItems: [line({ fulfilledQuantity: 0 })] },
      {},
      null,
    ],
    ['cancelled order', { status: 'cancelled' as const }, {}, 'order_cancelled'],
    ['all refunded', { lineItems: [line({ refundedQuantity: 2 })] }, {}, 'already_returned'],
  ])('%s', (_name, o, p, reason) => {
    const e = first(order(o as Partial<Order>), policy(p));
    expect(e.reason).toBe(reason);
    expect(e.eligible).toBe(reason === null);
  });

  it('offers cancellation for what has not shipped', () => {
    const e = first(order({ fulfillmentStatus: 'unfulfilled', lineItems: [line({ fulfilledQuantity: 0 })] }));
    expect(e).toMatchObject({ eligible: false, offerCancel: true });
  });

  it('quantity left: bought − refunded or refunded by returns − in open returns', () => {
    const o = order({ lineItems: [line({ quantity: 5, fulfilledQuantity: 5, refundedQuantity: 1 })] });
    expect(first(o).returnableQuantity).toBe(4);
    expect(first(o, policy(), undefined, new Map([[1, { open: 2, resolved: 0 }]])).returnableQuantity).toBe(
      2,
    );
    // A refunded return the store has not reported yet still counts once.
    expect(first(o, policy(), undefined, new Map([[1, { open: 0, resolved: 3 }]])).returnableQuantity).toBe(
      2,
    );
    const gone = first(o, policy(), undefined, new Map([[1, { open: 4, resolved: 0 }]]));
    expect(gone).toMatchObject({ eligible: false, reason: 'already_returned', returnableQuantity: 0 });
  });

  it('unit value after discount plus tax', () => {
    expect(first(order({ lineItems: [line({ discount: 1000, tax: 1710 })] })).unitValue).toBe(5355);
  });
});

describe('outcomes and what they cost', () => {
  const reasons = ReturnPolicy.parse({}).reasons;
  const small = reasons.find((r) => r.code === 'size_too_small')!;
  const defective = reasons.find((r) => r.code === 'defective')!;

  it('fees apply to refunds; credit carries its bonus; the cheapest is recommended and first', () => {
    const p = policy({
      restockingFeePercent: 10,
      returnShippingFee: 495,
      storeCreditBonusPercent: 10,
      labelCost: 600,
      goodsCostRatio: 0.5,
      outcomes: { refund: true, store_credit: true, exchange: true, keep: false },
    });
    const q = quoteOutcomes(p, [{ value: 10000, reason: small }]);
    const by = Object.fromEntries(q.map((x) => [x.outcome, x]));
    expect(by.refund).toMatchObject({ amount: 10000 - 1000 - 495, fee: 1495 });
    expect(by.store_credit).toMatchObject({ amount: 11000, bonus: 1000, fee: 0 });
    expect(by.exchange).toMatchObject({ amount: 10000, fee: 0 });
    // back on the shelf: 10000 × 0.95 × 0.5 = 4750
    expect(by.refund!.costToShop).toBe(8505 + 600 - 4750);
    expect(by.store_credit!.costToShop).toBe(5500 + 600 - 4750);
    expect(by.exchange!.costToShop).toBe(5000 + 1200 - 4750);
    expect(q[0]).toMatchObject({ outcome: 'store_credit', recommended: true });
    expect(q.filter((x) => x.recommended)).toHaveLength(1);
  });

  it('the shop pays return shipping for its own faults; keep-the-item only for cheap items', () => {
    const p = policy({
      returnShippingFee: 495,
      outcomes: { refund: true, store_credit: false, exchange: false, keep: true },
      keepItemMax: 1500,
    });
    // Keeping it costs the shop 12.00; a refund 12.00 + a 6.00 label − 0.60 back on the shelf.
    expect(quoteOutcomes(p, [{ value: 1200, reason: defective }]).map((x) => [x.outcome, x.amount])).toEqual([
      ['keep', 1200],
      ['refund', 1200],
    ]);
    expect(quoteOutcomes(p, [{ value: 1600, reason: defective }]).map((x) => x.outcome)).toEqual(['refund']);
    expect(quoteOutcomes(p, [{ value: 1600, reason: small }])[0]!.amount).toBe(1105);
  });

  it('no store credit when the commerce policy turns it off', () => {
    expect(
      quoteOutcomes(policy(), [{ value: 100, reason: small }], false).map((x) => x.outcome),
    ).not.toContain('store_credit');
  });
});

describe('review rules name the rule that decided', () => {
  const fmt = (m: number, c: string) => `${(m / 100).toFixed(2)} ${c}`;
  const base = {
    value: 5000,
    currency: 'EUR',
    email: 'emma@example.com',
    returnsLastYear: 1,
    ordersLastYear: 5,
  };
  it.each([
    ['within policy', {}, {}, []],
    [
      'above the cap',
      { autoApproveMax: 4000 },
      {},
      ['Worth 50.00 EUR, above the auto-approval cap of 40.00 EUR'],
    ],
    ['no auto-approval', { autoApproveMax: null }, {}, ['Every return is reviewed (no auto-approval)']],
    [
      'blocked e-mail',
      { blockedEmails: ['EMMA@example.com'] },
      {},
      ['The e-mail address is on the block list'],
    ],
    [
      'serial returner',
      {},
      { returnsLastYear: 4 },
      ['Frequent returner: 4 returns for 5 orders in the last 365 days'],
    ],
    ['too few orders to judge', {}, { returnsLastYear: 2, ordersLastYear: 2 }, []],
  ])('%s', (_n, p, r, want) => {
    expect(reviewReasons(policy(p), { ...base, ...r }, fmt)).toEqual(want);
  });
});
