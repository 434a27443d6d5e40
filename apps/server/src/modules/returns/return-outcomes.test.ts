import { defaultReturnReasons, ReturnPolicy } from '@shopdesk/contracts';
import { describe, expect, it } from 'vitest';
import { quoteOutcomes } from './return-eligibility.ts';
import { overallOutcome, quoteMixed, resolvedStatus, split } from './return-outcomes.ts';

const reason = (code: string) => defaultReturnReasons.find((r) => r.code === code)!;
const policy = ReturnPolicy.parse({
  storeCreditBonusPercent: 10,
  restockingFeePercent: 10,
  returnShippingFee: 495,
  labelCost: 600,
  keepItemMax: 1500,
  outcomes: { refund: true, store_credit: true, exchange: true, keep: true },
});

describe('per-line outcomes', () => {
  it.each([
    [1000, [1, 1, 1], [333, 333, 334]],
    [785, [12900, 2900], [640, 145]],
    [0, [5, 5], [0, 0]],
    [10, [0, 0], [0, 10]],
  ])('split(%i, %j) = %j', (total, weights, parts) => {
    expect(split(total, weights)).toEqual(parts);
    expect(split(total, weights).reduce((s, p) => s + p, 0)).toBe(total);
  });

  it('a return whose lines share one outcome gives what the whole-return quote gives', () => {
    const lines = [
      { lineItemId: 1, value: 12900, reason: reason('size_too_small'), outcome: 'refund' as const },
      { lineItemId: 2, value: 2900, reason: reason('defective'), outcome: 'refund' as const },
    ];
    const whole = quoteOutcomes({ ...policy, steerToCheapest: false }, lines).find(
      (q) => q.outcome === 'refund',
    )!;
    const mixed = quoteMixed(policy, lines);
    expect(mixed.ok && mixed.quote).toMatchObject({
      amount: whole.amount,
      fee: whole.fee,
      costToShop: whole.costToShop,
    });
  });

  it.each([
    // [outcomes of shoes (12900, shopper fault) and socks (2900, shop fault)], amount, fee, bonus
    [['store_credit', 'refund'], 14190 + 2610, 290, 1290],
    [['refund', 'store_credit'], 12900 - 1290 - 495 + 3190, 1290 + 495, 290],
    [['exchange', 'refund'], 12900 + 2610, 290, 0],
    [['store_credit', 'store_credit'], 15800 + 1580, 0, 1580],
  ] as const)('%j: amount %i, fees %i, bonus %i', ([a, b], amount, fee, bonus) => {
    const r = quoteMixed(policy, [
      { lineItemId: 1, value: 12900, reason: reason('size_too_small'), outcome: a },
      { lineItemId: 2, value: 2900, reason: reason('defective'), outcome: b },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.quote.amount, r.quote.fee, r.quote.bonus]).toEqual([amount, fee, bonus]);
    expect(r.quote.lines.reduce((s, l) => s + l.amount, 0)).toBe(amount);
    expect(r.quote.lines.map((l) => l.outcome)).toEqual([a, b]);
  });

  it('the keep cap counts all kept lines together, and names the line refused', () => {
    const two = (v1: number, v2: number) =>
      quoteMixed(policy, [
        { lineItemId: 1, value: v1, reason: reason('unwanted'), outcome: 'keep' },
        { lineItemId: 2, value: v2, reason: reason('unwanted'), outcome: 'keep' },
      ]);
    expect(two(700, 800).ok).toBe(true);
    expect(two(700, 900)).toEqual({ ok: false, lineItemId: 1 });
  });

  it('one return label per parcel; kept lines send none', () => {
    const r = quoteMixed({ ...policy, goodsCostRatio: 0 }, [
      { lineItemId: 1, value: 1000, reason: reason('defective'), outcome: 'refund' },
      { lineItemId: 2, value: 1000, reason: reason('defective'), outcome: 'store_credit' },
      { lineItemId: 3, value: 1000, reason: reason('defective'), outcome: 'keep' },
    ]);
    // refund 900 (after 10 % restocking) + credit at cost 0 + keep 1000 + one label, not two.
    expect(r.ok && r.quote.costToShop).toBe(900 + 0 + 1000 + 600);
  });

  it('store credit off for the shop refuses credit lines', () => {
    const r = quoteMixed(
      policy,
      [{ lineItemId: 9, value: 1000, reason: reason('unwanted'), outcome: 'store_credit' }],
      false,
    );
    expect(r).toEqual({ ok: false, lineItemId: 9 });
  });

  it('overall outcome and the final status', () => {
    expect(overallOutcome(['refund', 'refund'])).toBe('refund');
    expect(overallOutcome(['refund', 'exchange'])).toBe('mixed');
    expect(resolvedStatus(['exchange', 'store_credit'])).toBe('credited');
    expect(resolvedStatus(['exchange', 'keep'])).toBe('refunded');
    expect(resolvedStatus(['exchange'])).toBe('exchanged');
  });
});
