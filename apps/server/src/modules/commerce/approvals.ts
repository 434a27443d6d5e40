import type { CommercePolicy } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { recordAudit } from '../audit/index.ts';
import * as repo from './commerce.repository.ts';
import type { CommerceContext } from './commerce-context.ts';
import type { OrderActions } from './order-actions.ts';
import { summarize, toAction } from './order-views.ts';

/** Who may give what: the workspace's commerce policy, and a lead deciding a request waiting for approval. */
export function approvalUseCases(
  ctx: CommerceContext,
  actions: Pick<OrderActions, 'execute' | 'startExecution'>,
) {
  const { db, money, policyOf, timeline, announce } = ctx;
  const { execute, startExecution } = actions;
  return {
    getPolicy: (auth: Auth) => policyOf(auth.workspaceId),
    async putPolicy(auth: Auth, policy: CommercePolicy) {
      await db.tx(async (tx) => {
        const before = await repo.getPolicy(tx, auth.workspaceId);
        await repo.putPolicy(tx, auth.workspaceId, policy, auth.agentId);
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'commerce_policy.updated',
          targetType: 'workspace',
          targetId: auth.workspaceId,
          data: { before, after: policy },
        });
      });
      return policyOf(auth.workspaceId);
    },

    async decide(auth: Auth, id: number, approve: boolean, note?: string) {
      const a = await repo.findAction(db, auth.workspaceId, id);
      if (!a) throw notFound('Order action');
      if (a.status !== 'pending_approval')
        throw new AppError('conflict', `This request is already ${a.status.replace('_', ' ')}`);
      if (approve && a.requested_by === auth.agentId && auth.role !== 'admin')
        throw forbidden('Someone else has to approve your own request');
      const decideIn = async (tx: Db) => {
        const moved = await repo.transitionAction(
          tx,
          auth.workspaceId,
          id,
          ['pending_approval'],
          approve ? 'queued' : 'rejected',
          {
            decided_by: auth.agentId,
            decision_note: note ?? null,
          },
        );
        if (!moved) return false;
        const data = {
          actionId: id,
          kind: a.kind,
          orderId: a.order_id,
          orderNumber: a.order_number,
          amount: a.amount_minor,
          currency: a.currency,
          summary: summarize(a.kind, a.amount_minor, a.currency, a.order_number),
          requestedBy: a.requested_by_name,
          note: note ?? null,
        };
        await timeline(
          tx,
          { workspaceId: auth.workspaceId, ticketId: a.ticket_id },
          approve ? 'order_action_approved' : 'order_action_rejected',
          auth.agentId,
          data,
        );
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: approve ? 'order_action.approved' : 'order_action.rejected',
          targetType: 'order',
          targetId: a.order_id,
          data,
        });
        if (approve) await startExecution(tx, auth.workspaceId, id);
        return true;
      };
      const actor = { workspaceId: auth.workspaceId, agentId: auth.agentId, role: auth.role };
      // Approving: the approver's own limit must cover it, counted like the request (commerce.money.ts).
      const moved = approve
        ? await money.approve(actor, 'order_action', id, decideIn)
        : await db.tx(async (tx) => {
            const ok = await decideIn(tx);
            if (ok) await money.settle(tx, auth.workspaceId, 'order_action', id, { status: 'void' });
            return ok;
          });
      if (!moved) throw new AppError('conflict', 'Someone else decided on this request first');
      if (approve) await execute(auth.workspaceId, id);
      else
        await announce(
          { workspace_id: auth.workspaceId, ticket_id: a.ticket_id, id, status: 'rejected' },
          auth.agentId,
        );
      return toAction((await repo.findAction(db, auth.workspaceId, id))!);
    },
  };
}
