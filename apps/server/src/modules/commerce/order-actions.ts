import { randomUUID } from 'node:crypto';
import type { ActionCommand } from '../../commerce/store-connector.ts';
import { StoreError } from '../../commerce/store-connector.ts';
import type { Db } from '../../platform/db/db.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { recordAudit } from '../audit/index.ts';
import { ingestChanges } from './commerce.ingest.ts';
import type { MoneyRequest } from './commerce.money.ts';
import * as repo from './commerce.repository.ts';
import type { CommerceContext } from './commerce-context.ts';
import { approvalReasons, percentDiscountValue } from './order-policy.ts';
import { type ActionInput, ownedBy, summarize, toAction } from './order-views.ts';
import { planAction } from './plan-action.ts';

/**
 * Order actions (refund, cancel, resend, address change, discount code): requested by an agent, checked
 * against the money policy, queued durably and run against the store once. Approvals are in approvals.ts.
 */
export function orderActionUseCases(ctx: CommerceContext) {
  const {
    db,
    ext,
    log,
    money,
    connectorOf,
    contextOf,
    getOrderRow,
    snapshotOf,
    policyOf,
    timeline,
    announce,
  } = ctx;

  /** What an order action gives the customer, valued for the money limits (see order-policy.ts). */
  function moneyOf(o: repo.OrderRow, command: ActionCommand, amount: number): MoneyRequest {
    const base = { currency: o.currency, orderId: o.id, contactId: o.contact_id };
    switch (command.kind) {
      case 'refund':
        return {
          ...base,
          kind: command.method === 'store_credit' ? 'store_credit' : 'refund',
          value: amount,
        };
      case 'cancel':
        return { ...base, kind: 'cancel_refund', value: amount };
      case 'resend':
        return { ...base, kind: 'reship', value: amount };
      case 'discount_code':
        return command.percent
          ? {
              ...base,
              kind: 'discount_percent',
              value: percentDiscountValue(command.percent, o.subtotal_minor),
            }
          : { ...base, kind: 'discount_fixed', value: command.amount ?? 0 };
      default:
        return { ...base, kind: 'refund', value: 0 };
    }
  }

  /** Runs a queued action against the store once; the claim (queued → running) makes retries harmless. */
  async function execute(workspaceId: number, actionId: number) {
    if (!(await repo.transitionAction(db, workspaceId, actionId, ['queued'], 'running'))) return;
    const a = (await repo.findAction(db, workspaceId, actionId))!;
    const conn = await repo.findConnection(db, workspaceId, a.connection_id);
    let outcome: Awaited<ReturnType<ReturnType<typeof connectorOf>['execute']>> | undefined;
    let error: string | null = null;
    try {
      if (!conn?.active) throw new StoreError('The store connection is missing or switched off');
      const o = await getOrderRow(workspaceId, a.order_id);
      outcome = await connectorOf(conn.platform).execute(
        contextOf(conn),
        await snapshotOf(workspaceId, o),
        a.params.command as ActionCommand,
      );
    } catch (err) {
      error = err instanceof StoreError ? err.message : `Unexpected error: ${(err as Error).message}`;
      if (!(err instanceof StoreError)) log.error({ err, actionId }, 'order action failed');
    }
    // What the store reports it refunded is what happened (a cancellation refunds what was not refunded
    // yet in the store, which can be less than the amount estimated from our copy at request time).
    const reported =
      outcome?.refunded !== undefined && (a.kind === 'cancel' || a.kind === 'refund')
        ? outcome.refunded
        : null;
    const amount = reported ?? a.amount_minor;
    const label = summarize(a.kind, amount, a.currency, a.order_number);
    await db.tx(async (tx) => {
      if (outcome?.changes?.length) await ingestChanges(tx, workspaceId, a.connection_id, outcome.changes);
      // Nothing was given when the store refused; the grant no longer counts against the limits.
      await money.settle(
        tx,
        workspaceId,
        'order_action',
        actionId,
        outcome
          ? { status: 'granted', ...(reported !== null ? { value: reported } : {}) }
          : { status: 'void' },
      );
      await repo.transitionAction(tx, workspaceId, actionId, ['running'], outcome ? 'succeeded' : 'failed', {
        result: outcome
          ? {
              summary: outcome.summary,
              externalId: outcome.externalId ?? null,
              ...(reported !== null ? { refunded: reported, requestedAmount: a.amount_minor } : {}),
              ...outcome.data,
            }
          : undefined,
        error,
        amount: reported ?? undefined,
      });
      const data = {
        actionId,
        kind: a.kind,
        orderId: a.order_id,
        orderNumber: a.order_number,
        amount,
        currency: a.currency,
        status: outcome ? 'succeeded' : 'failed',
        summary: label,
        result: outcome?.summary ?? null,
        error,
        requestedBy: a.requested_by_name,
        approvedBy: a.decided_by_name,
      };
      await timeline(
        tx,
        { workspaceId, ticketId: a.ticket_id },
        outcome ? 'order_action_succeeded' : 'order_action_failed',
        a.requested_by,
        data,
      );
      await recordAudit(tx, {
        workspaceId,
        actorAgentId: a.requested_by,
        action: `order.${a.kind}`,
        targetType: 'order',
        targetId: a.order_id,
        data,
      });
    });
    await announce(
      {
        workspace_id: workspaceId,
        ticket_id: a.ticket_id,
        id: actionId,
        status: outcome ? 'succeeded' : 'failed',
      },
      a.requested_by,
    );
  }

  /** Queues the action durably first, then runs it now; the job is the safety net if this node dies. */
  async function startExecution(tx: Db, workspaceId: number, actionId: number) {
    await enqueue(
      tx,
      'run-order-action',
      { workspaceId, actionId },
      {
        workspaceId,
        uniqueKey: `order-action:${actionId}`,
        runAt: new Date(Date.now() + 60_000),
        maxAttempts: 3,
      },
    );
  }

  const useCases = {
    async requestAction(auth: Auth, orderId: number, input: ActionInput, headerKey?: string) {
      const key = input.idempotencyKey ?? headerKey ?? `auto:${randomUUID()}`;
      const existing = await repo.findActionByKey(db, auth.workspaceId, key);
      if (existing) {
        if (existing.order_id !== orderId || existing.kind !== input.kind)
          throw new AppError('conflict', 'This idempotency key was already used for a different action');
        return { action: toAction(existing), replayed: true };
      }
      const o = await getOrderRow(auth.workspaceId, orderId);
      if (input.ticketId) {
        const t = await ext.tickets.get(auth, input.ticketId); // 404 for another workspace's ticket
        const ids = t.contact ? await ext.contacts.idsIncludingMerged(auth.workspaceId, t.contact.id) : [];
        // A number typed into someone's conversation is no reason to act on another customer's order.
        if (!ownedBy(ids, t.contact?.email ?? null)(o))
          throw forbidden(`${o.number} belongs to another customer, not to this ticket's contact`);
      }
      const policy = await policyOf(auth.workspaceId);
      const plan = await planAction(db, auth.workspaceId, o, input, policy);
      const rules = approvalReasons(policy, auth.role, {
        kind: input.kind,
        currency: o.currency,
        orderPlacedAt: o.placed_at,
        orderTotal: o.total_minor,
        percent: plan.percent,
        amount: plan.amount,
      });
      const { idempotencyKey: _k, ticketId: _t, ...shown } = input;
      // Money limits and approval go through the one money policy path (commerce.money.ts).
      const decision = await money.request(
        { workspaceId: auth.workspaceId, agentId: auth.agentId, role: auth.role },
        'order_action',
        moneyOf(o, plan.command, plan.amount),
        async (tx, { status: granted, reasons }) => {
          const status = granted === 'pending' ? 'pending_approval' : 'queued';
          const id = await repo.insertAction(tx, {
            workspaceId: auth.workspaceId,
            connectionId: o.connection_id,
            orderId,
            ticketId: input.ticketId ?? null,
            kind: input.kind,
            params: { ...shown, command: plan.command },
            amount: plan.amount,
            currency: o.currency,
            key,
            status,
            reasons,
            requestedBy: auth.agentId,
          });
          if (!id) return null; // a concurrent double click won the key
          const data = {
            actionId: id,
            kind: input.kind,
            orderId,
            orderNumber: o.number,
            amount: plan.amount,
            currency: o.currency,
            summary: summarize(input.kind, plan.amount, o.currency, o.number),
            reasons,
          };
          await timeline(
            tx,
            { workspaceId: auth.workspaceId, ticketId: input.ticketId ?? null },
            reasons.length ? 'order_action_requested' : 'order_action_started',
            auth.agentId,
            data,
          );
          await recordAudit(tx, {
            workspaceId: auth.workspaceId,
            actorAgentId: auth.agentId,
            action: reasons.length ? 'order_action.requested' : 'order_action.started',
            targetType: 'order',
            targetId: orderId,
            data,
          });
          if (!reasons.length) await startExecution(tx, auth.workspaceId, id);
          return id;
        },
        rules,
      );
      const id = decision.sourceId;
      const status = decision.status === 'pending' ? 'pending_approval' : 'queued';
      if (id === null) {
        const won = (await repo.findActionByKey(db, auth.workspaceId, key))!;
        return { action: toAction(won), replayed: true };
      }
      if (status === 'queued') await execute(auth.workspaceId, id);
      else
        await announce(
          { workspace_id: auth.workspaceId, ticket_id: input.ticketId ?? null, id, status },
          auth.agentId,
        );
      return { action: toAction((await repo.findAction(db, auth.workspaceId, id))!), replayed: false };
    },
    async listActions(
      auth: Auth,
      q: { status?: string; orderId?: number; ticketId?: number; limit: number },
    ) {
      return (await repo.listActions(db, auth.workspaceId, q)).map(toAction);
    },
    async getAction(auth: Auth, id: number) {
      const a = await repo.findAction(db, auth.workspaceId, id);
      if (!a) throw notFound('Order action');
      return toAction(a);
    },
    /** Job: the safety net for an action whose node died between queueing and finishing it. */
    async recoverAction(workspaceId: number, actionId: number) {
      const a = await repo.findAction(db, workspaceId, actionId);
      if (!a) return;
      if (a.status === 'queued') return execute(workspaceId, actionId);
      if (a.status === 'running' && (await repo.staleRunningActions(db, workspaceId, actionId, 120))) {
        // We cannot know whether the store acted: say so instead of acting twice.
        const error = 'Interrupted while talking to the store; check the order in the store before retrying';
        await db.tx(async (tx) => {
          await repo.transitionAction(tx, workspaceId, actionId, ['running'], 'failed', { error });
          await timeline(tx, { workspaceId, ticketId: a.ticket_id }, 'order_action_failed', a.requested_by, {
            actionId,
            kind: a.kind,
            orderNumber: a.order_number,
            error,
          });
        });
      }
    },
  };
  return { useCases, execute, startExecution };
}

export type OrderActions = ReturnType<typeof orderActionUseCases>;
