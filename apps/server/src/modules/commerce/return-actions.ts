import type { OrderAction } from '@shopdesk/contracts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import * as repo from './commerce.repository.ts';
import type { CommerceContext } from './commerce-context.ts';
import type { OrderActions } from './order-actions.ts';
import { summarize, toAction } from './order-views.ts';
import { planAction } from './plan-action.ts';

/** What the returns module asks the store to do for one return (its money was decided already). */
export interface ReturnStoreCommand {
  returnId: number;
  rma: string;
  orderId: number;
  ticketId: number | null;
  /** One store action per key: a retry or a second click returns the first action. */
  key: string;
  requestedBy: number | null;
  outcome: 'refund' | 'store_credit' | 'exchange' | 'keep';
  lines: { lineItemId: number; quantity: number }[];
  /** Refund or credit to give (fees taken off, bonus added); ignored for an exchange. */
  amount: number;
  restock: boolean;
  note: string | null;
}

/**
 * Store writes for returns: a refund, store credit or exchange runs as an order action of the usual
 * machinery (queued durably, claimed once, the store's answer applied to the read model, audited, on
 * the ticket timeline, a fallback job if this node dies). The money was already counted and approved
 * through `moneyPolicy` under source 'return', so no second grant is recorded for the action.
 */
export function returnActionUseCases(
  ctx: CommerceContext,
  actions: Pick<OrderActions, 'execute' | 'startExecution'>,
) {
  const { db, getOrderRow, policyOf, timeline } = ctx;
  return {
    async runReturnAction(workspaceId: number, c: ReturnStoreCommand): Promise<OrderAction> {
      const existing = await repo.findActionByKey(db, workspaceId, c.key);
      if (existing) {
        if (existing.status === 'queued') await actions.execute(workspaceId, existing.id);
        return toAction((await repo.findAction(db, workspaceId, existing.id))!);
      }
      const o = await getOrderRow(workspaceId, c.orderId);
      const policy = await policyOf(workspaceId);
      const exchange = c.outcome === 'exchange';
      const input = exchange
        ? ({ kind: 'resend', lines: c.lines, free: true, note: c.note ?? undefined } as const)
        : ({
            kind: 'refund',
            mode: 'lines',
            lines: c.lines,
            includeShipping: false,
            method: c.outcome === 'store_credit' ? 'store_credit' : 'original',
            restock: c.restock,
            notifyCustomer: true,
            note: c.note ?? undefined,
          } as const);
      // A return's credit may carry a bonus, which the policy allows even when store credit is off for agents.
      const plan = await planAction(db, workspaceId, o, input, { ...policy, allowStoreCredit: true });
      let amount = plan.amount;
      const command = plan.command;
      if (command.kind === 'refund') {
        const refundable = Math.max(0, o.total_minor - o.refunded_minor);
        amount =
          c.outcome === 'store_credit' ? Math.max(0, c.amount) : Math.min(Math.max(0, c.amount), refundable);
        if (amount <= 0 && c.outcome !== 'store_credit')
          throw new AppError('validation_failed', `Nothing left to refund on ${o.number}`);
        command.amount = amount;
        command.note = c.note ?? `Return ${c.rma}`;
      } else amount = 0; // an exchange gives goods, counted by the return's own grant
      const id = await db.tx(async (tx) => {
        const id = await repo.insertAction(tx, {
          workspaceId,
          connectionId: o.connection_id,
          orderId: o.id,
          ticketId: c.ticketId,
          kind: command.kind,
          params: { ...input, command, source: { type: 'return', id: c.returnId, rma: c.rma } },
          amount,
          currency: o.currency,
          key: c.key,
          status: 'queued',
          reasons: [],
          requestedBy: c.requestedBy,
        });
        if (!id) return null;
        const data = {
          actionId: id,
          kind: command.kind,
          orderId: o.id,
          orderNumber: o.number,
          amount,
          currency: o.currency,
          summary: `${summarize(command.kind, amount, o.currency, o.number)} (return ${c.rma})`,
          reasons: [],
        };
        await timeline(
          tx,
          { workspaceId, ticketId: c.ticketId },
          'order_action_started',
          c.requestedBy,
          data,
        );
        await recordAudit(tx, {
          workspaceId,
          actorAgentId: c.requestedBy,
          action: 'order_action.started',
          targetType: 'order',
          targetId: o.id,
          data,
        });
        await actions.startExecution(tx, workspaceId, id);
        return id;
      });
      const actionId = id ?? (await repo.findActionByKey(db, workspaceId, c.key))!.id;
      if (id) await actions.execute(workspaceId, actionId);
      return toAction((await repo.findAction(db, workspaceId, actionId))!);
    },
  };
}
