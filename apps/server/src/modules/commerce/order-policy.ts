import { type CommercePolicy, CommercePolicy as PolicySchema, type Role } from '@shopdesk/contracts';
import { fromMinor } from '../../commerce/money.ts';

export const defaultPolicy = (): CommercePolicy => PolicySchema.parse({});

const money = (minor: number, currency: string) => `${fromMinor(minor, currency)} ${currency}`;

/** Every way Shopdesk gives a customer money; each is one row in `money_grants`. */
export const moneyKinds = [
  'refund',
  'store_credit',
  'cancel_refund',
  'discount_fixed',
  'discount_percent',
  'reship',
  'return_outcome',
] as const;
export type MoneyKind = (typeof moneyKinds)[number];

/**
 * What a percentage discount code is worth: that share of the goods (subtotal) of the order it is given
 * for, rounded up — the best estimate of the next basket, and never 0 for a real discount.
 */
export const percentDiscountValue = (percent: number, subtotalMinor: number) =>
  Math.ceil((percent * Math.max(0, subtotalMinor)) / 100);

/** A role's money limit from the policy; admins are never limited, roles without a limit may give nothing. */
export function roleLimit(policy: CommercePolicy, role: Role): number | null {
  if (role === 'admin') return null;
  if (role === 'agent' || role === 'lead') return policy.refundLimits[role];
  return 0;
}

/**
 * Why giving `value` now needs someone with a higher limit: the value itself, or the value plus `prior`
 * (what was already given or requested for the same order or customer in the policy's period) is above
 * the role's limit. Empty = the role may give it alone.
 */
export function moneyLimitReasons(
  policy: CommercePolicy,
  role: Role,
  c: { value: number; prior: number; currency: string },
): string[] {
  const limit = roleLimit(policy, role);
  if (limit === null || c.value <= 0) return [];
  if (c.currency !== policy.currency)
    return [`Limits are set in ${policy.currency}; a ${c.currency} amount needs approval`];
  if (c.value > limit)
    return [`${money(c.value, c.currency)} is above the ${role} limit of ${money(limit, c.currency)}`];
  if (c.value + c.prior > limit)
    return [
      `${money(c.value, c.currency)} plus ${money(c.prior, c.currency)} already given or awaiting approval for this order or customer in the last ${policy.moneyWindowHours} h is ${money(c.value + c.prior, c.currency)}, above the ${role} limit of ${money(limit, c.currency)}`,
    ];
  return [];
}

export interface PolicyCheck {
  kind: string;
  currency: string;
  orderPlacedAt: Date;
  orderTotal: number;
  percent?: number | null;
  /** Fixed discount amount (discount codes only). */
  amount?: number;
  now?: Date;
}

/**
 * The order-action rules besides money limits: an agent needs a lead's or admin's approval for refunds
 * outside the refund window, cancellations of large orders and discounts above the discount caps.
 * (Money limits for every role are `moneyLimitReasons`, applied by the one money policy path.)
 */
export function approvalReasons(policy: CommercePolicy, role: Role, c: PolicyCheck): string[] {
  if (role !== 'agent') return [];
  const reasons: string[] = [];
  const comparable = c.currency === policy.currency;
  // Exceptions to the refund window are a lead's call.
  if (c.kind === 'refund') {
    const days = Math.floor(((c.now ?? new Date()).getTime() - c.orderPlacedAt.getTime()) / 86_400_000);
    if (days > policy.refundWindowDays)
      reasons.push(`The order is ${days} days old, outside the ${policy.refundWindowDays}-day refund window`);
  }
  if (
    c.kind === 'cancel' &&
    policy.cancelNeedsApprovalAbove !== null &&
    comparable &&
    c.orderTotal > policy.cancelNeedsApprovalAbove
  )
    reasons.push(
      `Cancelling an order above ${money(policy.cancelNeedsApprovalAbove, c.currency)} needs approval`,
    );
  if (c.kind === 'discount_code') {
    if (c.percent && c.percent > policy.discountMaxPercent)
      reasons.push(`${c.percent}% is above the ${policy.discountMaxPercent}% discount limit`);
    if (!c.percent && (c.amount ?? 0) > policy.discountMaxAmount)
      reasons.push(
        `${money(c.amount ?? 0, c.currency)} is above the ${money(policy.discountMaxAmount, c.currency)} discount limit`,
      );
  }
  return reasons;
}
