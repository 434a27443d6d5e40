import { type CommercePolicy, CommercePolicy as PolicySchema, type Role } from '@shopdesk/contracts';
import { fromMinor } from '../../commerce/money.ts';

export const defaultPolicy = (): CommercePolicy => PolicySchema.parse({});

const money = (minor: number, currency: string) => `${fromMinor(minor, currency)} ${currency}`;
const staffRoles = ['agent', 'lead', 'admin'] as const;
type StaffRole = (typeof staffRoles)[number];

export interface PolicyCheck {
  kind: string;
  /** Money the action gives away (refund, refund on cancel, free goods, fixed discount). */
  amount: number;
  currency: string;
  orderPlacedAt: Date;
  orderTotal: number;
  percent?: number | null;
  now?: Date;
}

/**
 * Why an action by this role needs a lead's or admin's approval; empty = the role may do it alone.
 * Admins are never limited (they own the policy); leads only by their own refund limit.
 */
export function approvalReasons(policy: CommercePolicy, role: Role, c: PolicyCheck): string[] {
  if (role === 'admin') return [];
  const reasons: string[] = [];
  const r = role as StaffRole;
  const limit = policy.refundLimits[r];
  const comparable = c.currency === policy.currency;
  const givesMoney = c.kind === 'refund' || (c.kind === 'cancel' && c.amount > 0) || c.kind === 'resend';
  if (givesMoney && c.amount > 0 && limit !== null) {
    if (!comparable)
      reasons.push(`Limits are set in ${policy.currency}; a ${c.currency} amount needs approval`);
    else if (c.amount > limit)
      reasons.push(
        `${money(c.amount, c.currency)} is above the ${role} limit of ${money(limit, c.currency)}`,
      );
  }
  if (role === 'agent') {
    // Exceptions to the refund window are a lead's call.
    if (c.kind === 'refund') {
      const days = Math.floor(((c.now ?? new Date()).getTime() - c.orderPlacedAt.getTime()) / 86_400_000);
      if (days > policy.refundWindowDays)
        reasons.push(
          `The order is ${days} days old, outside the ${policy.refundWindowDays}-day refund window`,
        );
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
      if (!c.percent && c.amount > policy.discountMaxAmount)
        reasons.push(
          `${money(c.amount, c.currency)} is above the ${money(policy.discountMaxAmount, c.currency)} discount limit`,
        );
    }
  }
  return reasons;
}

/** Whether `approver` may approve an action with these numbers (their own limits must cover it). */
export function canApprove(policy: CommercePolicy, approver: Role, c: PolicyCheck): boolean {
  if (approver === 'admin') return true;
  if (approver !== 'lead') return false;
  return approvalReasons(policy, 'lead', c).length === 0;
}
