import type { ReturnOutcome } from '@shopdesk/contracts';
import { AppError } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { recordAudit } from '../audit/index.ts';
import type { NoticeStage } from './return-notices.ts';
import { resolvedStatus } from './return-outcomes.ts';
import * as repo from './returns.repository.ts';
import type { ReturnsContext } from './returns-context.ts';

/** After the request: review, receive and inspect, and the refund, credit or exchange in the store. */
export function returnFlowUseCases(ctx: ReturnsContext) {
  const { db, ext, loadReturn, getReturn, record, announce, notify } = ctx;
  const who = (auth: Auth | null) => ({ agentId: auth?.agentId ?? null, name: auth?.name ?? 'Shopdesk' });
  const conflict = (r: repo.ReturnRow, doing: string) =>
    new AppError('conflict', `Return ${r.rma} is ${r.status.replace('_', ' ')}; it cannot be ${doing}`);

  async function after(r: repo.ReturnRow, stage: NoticeStage | null, actor: number | null) {
    await announce(r, actor);
    if (stage) await notify(r, stage);
  }

  /**
   * Runs the outcome in the store once per attempt (the order-action machinery: idempotent by key,
   * audited, on the timeline); the return's money grant is settled with what the store did.
   */
  async function resolve(workspaceId: number, id: number, auth: Auth | null) {
    const r = await loadReturn(workspaceId, id);
    const ready = r.status === 'received' || (r.status === 'approved' && r.outcome === 'keep');
    if (!ready) throw conflict(r, 'refunded yet');
    const lines = await repo.linesOf(db, [r.id]);
    const attempt = (await repo.eventsOf(db, [r.id])).filter((e) => e.type === 'failed').length;
    const outcomeOf = (l: repo.LineRow) => (l.outcome ?? r.outcome) as ReturnOutcome;
    // One store action per outcome group (a refund, a credit, an exchange); groups a previous attempt
    // already ran are skipped, so a retry after a partial store failure never pays twice.
    const groups = new Map<ReturnOutcome, repo.LineRow[]>();
    for (const l of lines) groups.set(outcomeOf(l), [...(groups.get(outcomeOf(l)) ?? []), l]);
    const single = groups.size === 1;
    let error: string | null = null;
    let lastAction: number | null = null;
    const ran: { outcome: ReturnOutcome; lineIds: number[]; actionId: number; refunded?: number }[] = [];
    for (const [outcome, group] of groups) {
      if (group.every((l) => l.order_action_id !== null)) continue;
      // A single-outcome return gives the return's value (older lines carry no amount of their own).
      const amount = single ? r.value_minor : group.reduce((s, l) => s + Number(l.amount_minor ?? 0), 0);
      let action: Awaited<ReturnType<typeof ext.commerce.runReturnAction>> | null = null;
      try {
        action = await ext.commerce.runReturnAction(workspaceId, {
          returnId: r.id,
          rma: r.rma,
          orderId: r.order_id,
          ticketId: r.ticket_id,
          key: single ? `return:${r.id}:resolve:${attempt}` : `return:${r.id}:resolve:${attempt}:${outcome}`,
          requestedBy: auth?.agentId ?? null,
          outcome,
          lines: group.map((l) => ({ lineItemId: l.line_item_id, quantity: l.quantity })),
          amount,
          restock: outcome !== 'keep' && group.every((l) => l.restock !== false),
          note: `Return ${r.rma}`,
        });
        lastAction = action.id;
        if (action.status !== 'succeeded') error = action.error ?? `The store action is ${action.status}`;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        error = err.message;
      }
      if (error) break;
      const refunded = (action!.result as { refunded?: number } | null)?.refunded;
      ran.push({ outcome, lineIds: group.map((l) => l.id), actionId: action!.id, refunded });
      await db.tx((tx) =>
        repo.setLinesAction(
          tx,
          workspaceId,
          r.id,
          group.map((l) => l.id),
          action!.id,
        ),
      );
    }
    const done = await db.tx(async (tx) => {
      if (error) {
        await repo.setError(tx, workspaceId, r.id, error, lastAction);
        await record(tx, r, 'failed', who(auth), { error, actionId: lastAction });
        return null;
      }
      // The grant is settled with what the store reports: refunds and credits as done, goods at value.
      if (single) {
        const refunded = ran[0]?.refunded;
        await ext.commerce.moneyPolicy.settle(tx, workspaceId, 'return', r.id, {
          status: 'granted',
          ...(refunded !== undefined && r.outcome !== 'exchange' ? { value: refunded } : {}),
        });
      } else {
        const value = [...groups].reduce((s, [outcome, group]) => {
          const got = ran.find((x) => x.outcome === outcome)?.refunded;
          const own = group.reduce((t, l) => t + Number(l.amount_minor ?? 0), 0);
          return s + (got !== undefined && outcome !== 'exchange' ? got : own);
        }, 0);
        await ext.commerce.moneyPolicy.settle(tx, workspaceId, 'return', r.id, { status: 'granted', value });
      }
      const to = resolvedStatus([...groups.keys()]);
      const row = await repo.setStatus(tx, workspaceId, r.id, ['received', 'approved'], to, {
        error: null,
        actionId: lastAction ?? r.order_action_id,
      });
      if (row)
        await record(tx, row, 'resolved', who(auth), {
          status: to,
          outcome: r.outcome,
          amount: r.value_minor,
          actionId: lastAction,
          ...(single ? {} : { actions: ran.map((x) => ({ outcome: x.outcome, actionId: x.actionId })) }),
        });
      return row;
    });
    if (done) await after(done, done.status as NoticeStage, auth?.agentId ?? null);
    else await announce(r, auth?.agentId ?? null);
    return getReturn(workspaceId, r.id);
  }

  return {
    resolve,

    /** Approves a return waiting for review; the approver's own money limit must cover it. */
    async approve(auth: Auth, id: number, note?: string) {
      const r = await loadReturn(auth.workspaceId, id);
      if (r.status !== 'needs_review') throw conflict(r, 'approved');
      const row = await ext.commerce.moneyPolicy.approve(
        { workspaceId: auth.workspaceId, agentId: auth.agentId, role: auth.role },
        'return',
        r.id,
        async (tx) => {
          const row = await repo.setStatus(tx, auth.workspaceId, r.id, ['needs_review'], 'approved', {
            reasons: [...r.decision_reasons, `Approved by ${auth.name}${note ? `: ${note}` : ''}`],
          });
          if (!row) throw conflict(r, 'approved');
          await record(tx, row, 'approved', who(auth), { amount: r.value_minor, note: note ?? null });
          await recordAudit(tx, {
            workspaceId: auth.workspaceId,
            actorAgentId: auth.agentId,
            action: 'return.approved',
            targetType: 'order',
            targetId: r.order_id,
            data: { returnId: r.id, rma: r.rma, amount: r.value_minor },
          });
          return row;
        },
      );
      await after(row, 'approved', auth.agentId);
      if (row.outcome === 'keep') return resolve(auth.workspaceId, row.id, auth);
      return getReturn(auth.workspaceId, row.id);
    },

    async decline(auth: Auth, id: number, reason?: string) {
      const r = await loadReturn(auth.workspaceId, id);
      const row = await db.tx(async (tx) => {
        const row = await repo.setStatus(
          tx,
          auth.workspaceId,
          r.id,
          ['needs_review', 'approved'],
          'declined',
          {
            declineReason: reason?.trim() || null,
          },
        );
        if (!row) throw conflict(r, 'declined');
        // Nothing is given: the grant stops counting against the limits.
        await ext.commerce.moneyPolicy.settle(tx, auth.workspaceId, 'return', r.id, { status: 'void' });
        await record(tx, row, 'declined', who(auth), { reason: row.decline_reason });
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'return.declined',
          targetType: 'order',
          targetId: r.order_id,
          data: { returnId: r.id, rma: r.rma, reason: row.decline_reason },
        });
        return row;
      });
      await after(row, 'declined', auth.agentId);
      return getReturn(auth.workspaceId, row.id);
    },

    /** The parcel arrived: each line's condition and whether it goes back on the shelf; then the outcome. */
    async receive(
      auth: Auth,
      id: number,
      input: { lines: { id: number; condition: string; restock: boolean }[]; resolve: boolean },
    ) {
      const r = await loadReturn(auth.workspaceId, id);
      if (r.status === 'received' && input.resolve) return resolve(auth.workspaceId, r.id, auth);
      if (r.status !== 'approved' || r.outcome === 'keep') throw conflict(r, 'received');
      const lines = await repo.linesOf(db, [r.id]);
      for (const l of input.lines)
        if (!lines.some((x) => x.id === l.id))
          throw new AppError('validation_failed', `Line ${l.id} is not part of return ${r.rma}`);
      const row = await db.tx(async (tx) => {
        for (const l of input.lines)
          await repo.inspectLine(tx, auth.workspaceId, r.id, l.id, l.condition, l.restock);
        const row = await repo.setStatus(tx, auth.workspaceId, r.id, ['approved'], 'received');
        if (!row) throw conflict(r, 'received');
        await record(tx, row, 'received', who(auth), {
          lines: input.lines.map((l) => ({
            title: lines.find((x) => x.id === l.id)?.title,
            condition: l.condition,
            restock: l.restock,
          })),
        });
        return row;
      });
      await after(row, input.resolve ? null : 'received', auth.agentId);
      return input.resolve ? resolve(auth.workspaceId, row.id, auth) : getReturn(auth.workspaceId, row.id);
    },

    /** A shopper's message from the return's page: threads into the return's ticket. */
    async shopperMessage(workspaceId: number, id: number, text: string, formKey: string) {
      const r = await loadReturn(workspaceId, id);
      if (!r.email) throw new AppError('validation_failed', 'This return has no e-mail address to answer to');
      const res = await ext.tickets.receive(workspaceId, {
        channel: 'web',
        contact: { email: r.email },
        subject: `Return ${r.rma} for order ${r.order_number}`,
        bodyText: text,
        ticketId: r.ticket_id,
        externalId: `return-message:${formKey}`,
        dedupe: true,
        tags: ['return'],
        channelMeta: { source: 'returns-portal', rma: r.rma },
      });
      if (!r.ticket_id)
        await db.tx((tx) =>
          repo.setStatus(tx, workspaceId, r.id, [r.status], r.status, { ticketId: res.ticketId }),
        );
      return res;
    },
  };
}
