import { randomBytes } from 'node:crypto';
import type { CommercePolicy } from '@shopdesk/contracts';
import { fromMinor } from '../../commerce/money.ts';
import type { ActionCommand } from '../../commerce/store-connector.ts';
import type { Db } from '../../platform/db/db.ts';
import { AppError, badRequest, forbidden } from '../../platform/errors.ts';
import * as repo from './commerce.repository.ts';
import type { ActionInput } from './order-views.ts';

/** Turns the agent's request into the exact command for the store, checking it against the order. */
export async function planAction(
  db: Db,
  _workspaceId: number,
  o: repo.OrderRow,
  input: ActionInput,
  policy: CommercePolicy,
): Promise<{ command: ActionCommand; amount: number; percent: number | null }> {
  const ch = await repo.orderChildren(db, [o.id]);
  const refundable = Math.max(0, o.total_minor - o.refunded_minor);
  const lineById = new Map(ch.lines.map((l) => [l.id, l]));
  const pickLines = (sel: { lineItemId: number; quantity: number }[] | undefined, remainingOnly: boolean) =>
    (
      sel ??
      ch.lines.map((l) => ({
        lineItemId: l.id,
        quantity: l.quantity - (remainingOnly ? l.refunded_quantity : 0),
      }))
    )
      .filter((s) => s.quantity > 0)
      .map((s) => {
        const l = lineById.get(s.lineItemId);
        if (!l) throw new AppError('validation_failed', `Line ${s.lineItemId} is not on order ${o.number}`);
        const left = l.quantity - (remainingOnly ? l.refunded_quantity : 0);
        if (s.quantity > left)
          throw new AppError(
            'validation_failed',
            `Only ${left} of "${l.title}" can be ${remainingOnly ? 'refunded' : 'sent'}`,
          );
        // Per-unit value after the line's discount plus its tax, rounded once per line.
        const value = Math.round(
          ((l.price_minor * l.quantity - l.discount_minor + l.tax_minor) * s.quantity) /
            Math.max(1, l.quantity),
        );
        return { l, quantity: s.quantity, value };
      });
  switch (input.kind) {
    case 'refund': {
      if (refundable <= 0) throw badRequest(`Nothing left to refund on ${o.number}`);
      if (input.method === 'store_credit' && !policy.allowStoreCredit)
        throw forbidden('Store credit is turned off in the policy');
      let amount: number;
      let lines: { lineItemExternalId: string; quantity: number }[] = [];
      let shipping = 0;
      if (input.mode === 'full') {
        const picked = pickLines(undefined, true);
        lines = picked.map((p) => ({ lineItemExternalId: p.l.external_id, quantity: p.quantity }));
        amount = refundable;
        shipping = o.refunded_minor === 0 ? o.shipping_minor : 0;
      } else if (input.mode === 'lines') {
        if (!input.lines?.length) throw new AppError('validation_failed', 'Pick at least one line to refund');
        const picked = pickLines(input.lines, true);
        lines = picked.map((p) => ({ lineItemExternalId: p.l.external_id, quantity: p.quantity }));
        shipping = input.includeShipping ? o.shipping_minor : 0;
        amount = picked.reduce((s, p) => s + p.value, 0) + shipping;
      } else {
        if (!input.amount) throw new AppError('validation_failed', 'Give the amount to refund');
        amount = input.amount;
      }
      if (amount > refundable)
        throw new AppError(
          'validation_failed',
          `At most ${fromMinor(refundable, o.currency)} ${o.currency} can still be refunded on ${o.number}`,
        );
      return {
        amount,
        percent: null,
        command: {
          kind: 'refund',
          amount,
          shipping,
          lines,
          method: input.method,
          restock: input.restock,
          notifyCustomer: input.notifyCustomer,
          note: input.note ?? null,
        },
      };
    }
    case 'cancel': {
      if (o.status === 'cancelled') throw badRequest(`${o.number} is already cancelled`);
      if (
        o.fulfillment_status === 'fulfilled' ||
        o.fulfillment_status === 'partial' ||
        ch.fulfillments.some((f) => f.status === 'success')
      )
        throw badRequest(`${o.number} has shipped; refund or start a return instead`);
      const amount = input.refund ? refundable : 0;
      return {
        amount,
        percent: null,
        command: {
          kind: 'cancel',
          reason: input.reason,
          restock: input.restock,
          refund: input.refund,
          notifyCustomer: input.notifyCustomer,
          note: input.note ?? null,
        },
      };
    }
    case 'resend': {
      const picked = pickLines(input.lines, false);
      if (!picked.length) throw new AppError('validation_failed', 'Nothing to resend');
      const value = picked.reduce((s, p) => s + p.value, 0);
      return {
        amount: input.free && policy.resendCountsAgainstLimit ? value : 0,
        percent: null,
        command: {
          kind: 'resend',
          lines: picked.map((p) => ({ lineItemExternalId: p.l.external_id, quantity: p.quantity })),
          free: input.free,
          note: input.note ?? null,
        },
      };
    }
    case 'update_address': {
      if (o.status === 'cancelled') throw badRequest(`${o.number} is cancelled`);
      if (
        o.fulfillment_status !== 'unfulfilled' ||
        ch.fulfillments.some((f) => f.status === 'success' || f.status === 'open')
      )
        throw badRequest(
          `${o.number} has already been handed to the carrier; the address can no longer change`,
        );
      return { amount: 0, percent: null, command: { kind: 'update_address', address: input.address } };
    }
    case 'discount_code': {
      if (!!input.percent === !!input.amount)
        throw new AppError('validation_failed', 'Give either percent or amount');
      const code = input.code ?? `SD-${randomBytes(4).toString('hex').toUpperCase()}`;
      return {
        amount: input.amount ?? 0,
        percent: input.percent ?? null,
        command: {
          kind: 'discount_code',
          code,
          percent: input.percent ?? null,
          amount: input.amount ?? null,
          email: o.email,
        },
      };
    }
  }
}
