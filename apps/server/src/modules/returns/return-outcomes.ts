import type { MixedQuote, ReturnOutcome, ReturnPolicy } from '@shopdesk/contracts';
import { type OutcomeQuote, type PickedLine, quoteOutcomes } from './return-eligibility.ts';

/**
 * Per-line outcomes (pure): each line of a return may have its own outcome. Lines are grouped by
 * outcome and each group is quoted as a return of its own with `quoteOutcomes`, so a return whose
 * lines share one outcome gives exactly what it gave before per-line outcomes existed; fees stay
 * where they belong (restocking and return shipping only on the refund group, the keep cap on the
 * keep group's total). The shopper sends one parcel, so only one return label is counted.
 */

export interface OutcomeLine extends PickedLine {
  lineItemId: number;
  outcome: ReturnOutcome;
}

/** `total` split over `weights` in whole minor units; the rounding remainder goes to the last one. */
export function split(total: number, weights: number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (!weights.length) return [];
  const parts = weights.map((w) => (sum > 0 ? Math.floor((total * w) / sum) : 0));
  parts[parts.length - 1]! += total - parts.reduce((s, p) => s + p, 0);
  return parts;
}

export type MixedResult = { ok: true; quote: MixedQuote } | { ok: false; lineItemId: number };

export function quoteMixed(policy: ReturnPolicy, lines: OutcomeLine[], allowStoreCredit = true): MixedResult {
  const groups = new Map<ReturnOutcome, OutcomeLine[]>();
  for (const l of lines) groups.set(l.outcome, [...(groups.get(l.outcome) ?? []), l]);
  const out = new Map<number, MixedQuote['lines'][number]>();
  let amount = 0;
  let fee = 0;
  let bonus = 0;
  let cost = 0;
  let parcels = 0;
  for (const [outcome, group] of groups) {
    const q: OutcomeQuote | undefined = quoteOutcomes(
      { ...policy, steerToCheapest: false },
      group,
      allowStoreCredit,
    ).find((x) => x.outcome === outcome);
    if (!q) return { ok: false, lineItemId: group[0]!.lineItemId };
    const weights = group.map((l) => l.value);
    const [amounts, fees, bonuses] = [
      split(q.amount, weights),
      split(q.fee, weights),
      split(q.bonus, weights),
    ];
    for (const [i, l] of group.entries())
      out.set(l.lineItemId, {
        lineItemId: l.lineItemId,
        outcome,
        amount: amounts[i]!,
        fee: fees[i]!,
        bonus: bonuses[i]!,
      });
    amount += q.amount;
    fee += q.fee;
    bonus += q.bonus;
    cost += q.costToShop;
    if (outcome !== 'keep') parcels++;
  }
  // Each group's cost counted a return label; the shopper sends one parcel.
  if (parcels > 1) cost -= (parcels - 1) * policy.labelCost;
  return {
    ok: true,
    quote: {
      lines: lines.map((l) => out.get(l.lineItemId)!),
      amount,
      fee,
      bonus,
      costToShop: Math.max(0, cost),
    },
  };
}

/** The return's outcome: the one all its lines share, or 'mixed'. */
export const overallOutcome = (outcomes: ReturnOutcome[]): ReturnOutcome | 'mixed' =>
  new Set(outcomes).size === 1 ? outcomes[0]! : 'mixed';

/**
 * What each outcome gives for one line alone, for the portal's per-line choice. Return shipping is
 * charged once per return (on the refund), so it is left out here and shown apart.
 */
export const lineOptions = (policy: ReturnPolicy, line: PickedLine, allowStoreCredit = true) =>
  quoteOutcomes({ ...policy, returnShippingFee: 0 }, [line], allowStoreCredit);

/** The status a resolved return ends in: refunded when any money went back, else credited, else exchanged. */
export function resolvedStatus(outcomes: ReturnOutcome[]): 'refunded' | 'credited' | 'exchanged' {
  if (outcomes.some((o) => o === 'refund' || o === 'keep')) return 'refunded';
  if (outcomes.includes('store_credit')) return 'credited';
  return 'exchanged';
}
