import { randomBytes } from 'node:crypto';
import {
  formatMoney,
  type Order,
  ReturnPolicy as PolicySchema,
  type Return,
  type ReturnPolicy,
} from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import type { CommerceService } from '../commerce/index.ts';
import type { ContactsService } from '../contacts/index.ts';
import type { ShopperLinks } from '../helpcenter/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { type NoticeStage, noticeText } from './return-notices.ts';
import * as repo from './returns.repository.ts';

export interface ReturnsDeps {
  commerce: Pick<
    CommerceService,
    'getOrder' | 'listOrders' | 'moneyPolicy' | 'runReturnAction' | 'getPolicy'
  >;
  tickets: Pick<TicketsService, 'get' | 'recordEvent' | 'receive' | 'addSystemReply' | 'publishSystemEvents'>;
  contacts: Pick<ContactsService, 'idsIncludingMerged'>;
  /** Shopper links (helpcenter): the return pages live at `/l/<token>` with purpose 'return'. */
  links?: Pick<ShopperLinks, 'url' | 'sign' | 'registerPage'>;
  /** Return labels (modules/labels, wired in app.ts): the status page offers the live label's download. */
  labels?: { downloadUrlFor(workspaceId: number, returnId: number): Promise<string | null> };
}

/** The system reading orders for a shopper or a job: commerce's readers use only the workspace. */
export const systemAuth = (workspaceId: number): Auth => ({
  workspaceId,
  agentId: 0,
  role: 'read-only',
  name: 'Returns',
  via: 'token',
});

const RMA_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const newRma = () =>
  `RMA-${[...randomBytes(8)].map((b) => RMA_ALPHABET[b % RMA_ALPHABET.length]).join('')}`;

/** What the returns use cases share. */
export function createReturnsContext(deps: Deps, ext: ReturnsDeps) {
  const { db, bus } = deps;

  async function policyOf(workspaceId: number): Promise<ReturnPolicy> {
    const p = await repo.getPolicy(db, workspaceId);
    return PolicySchema.parse(p ?? {});
  }

  async function orderOf(workspaceId: number, orderId: number): Promise<Order> {
    try {
      return (await ext.commerce.getOrder(systemAuth(workspaceId), orderId)) as Order;
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') throw notFound('Order');
      throw err;
    }
  }

  async function toReturns(workspaceId: number, rows: repo.ReturnRow[]): Promise<Return[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const [lines, events, policy] = await Promise.all([
      repo.linesOf(db, ids),
      repo.eventsOf(db, ids),
      policyOf(workspaceId),
    ]);
    const label = (code: string) => policy.reasons.find((r) => r.code === code)?.label ?? code;
    return rows.map((r) => ({
      id: r.id,
      rma: r.rma,
      orderId: r.order_id,
      orderNumber: r.order_number,
      ticketId: r.ticket_id,
      contactId: r.contact_id,
      email: r.email,
      status: r.status as Return['status'],
      outcome: r.outcome as Return['outcome'],
      currency: r.currency,
      value: r.value_minor,
      fee: r.fee_minor,
      bonus: r.bonus_minor,
      decisionReasons: r.decision_reasons,
      declineReason: r.decline_reason,
      createdBy: r.created_by,
      locale: r.locale,
      orderActionId: r.order_action_id,
      error: r.error,
      lines: lines
        .filter((l) => l.return_id === r.id)
        .map((l) => ({
          id: l.id,
          lineItemId: l.line_item_id,
          title: l.title,
          sku: l.sku,
          quantity: l.quantity,
          unitValue: l.unit_minor,
          reason: l.reason,
          reasonLabel: label(l.reason),
          subReason: l.sub_reason,
          note: l.note,
          photos: l.photos,
          condition: l.condition,
          restock: l.restock,
          // Lines from before per-line outcomes share their return's outcome and value.
          outcome: (l.outcome ?? r.outcome) as Return['lines'][number]['outcome'],
          amount:
            l.amount_minor ??
            (r.outcome === 'mixed'
              ? 0
              : Math.round(r.value_minor / Math.max(1, lines.filter((x) => x.return_id === r.id).length))),
          fee: l.fee_minor,
          bonus: l.bonus_minor,
        })),
      events: events
        .filter((e) => e.return_id === r.id)
        .map((e) => ({ type: e.type, at: e.created_at.toISOString(), by: e.actor_name, data: e.data })),
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  async function loadReturn(workspaceId: number, id: number) {
    const r = await repo.findReturn(db, workspaceId, id);
    if (!r) throw notFound('Return');
    return r;
  }

  const getReturn = async (workspaceId: number, id: number) =>
    (await toReturns(workspaceId, [await loadReturn(workspaceId, id)]))[0]!;

  /** One step of a return: its own history, and the ticket's timeline when it has a ticket. */
  async function record(
    tx: Db,
    r: Pick<repo.ReturnRow, 'id' | 'workspace_id' | 'ticket_id' | 'rma' | 'order_number' | 'currency'>,
    type: string,
    actor: { agentId: number | null; name: string | null },
    data: Record<string, unknown> = {},
  ) {
    await repo.insertEvent(tx, {
      workspaceId: r.workspace_id,
      returnId: r.id,
      type,
      actorAgentId: actor.agentId,
      actorName: actor.name,
      data,
    });
    if (r.ticket_id)
      await ext.tickets.recordEvent(tx, r.workspace_id, r.ticket_id, `return_${type}`, actor.agentId, {
        returnId: r.id,
        rma: r.rma,
        orderNumber: r.order_number,
        currency: r.currency,
        by: actor.name,
        ...data,
      });
  }

  async function announce(
    r: Pick<repo.ReturnRow, 'id' | 'workspace_id' | 'ticket_id' | 'status'>,
    actor: number | null,
  ) {
    await bus.publish({
      name: 'return.changed',
      workspaceId: r.workspace_id,
      actorAgentId: actor,
      data: { returnId: r.id, status: r.status },
    });
    if (r.ticket_id)
      await bus.publish({
        name: 'ticket.updated',
        workspaceId: r.workspace_id,
        ticketId: r.ticket_id,
        actorAgentId: actor,
        data: { returnId: r.id },
      });
  }

  /** The shopper's signed link to the order's returns page, in their language. */
  async function portalLink(workspaceId: number, orderId: number, locale: string) {
    if (!ext.links) return null;
    const u = await ext.links.url({
      purpose: 'return',
      workspaceId,
      subject: { type: 'order', id: orderId },
    });
    const at = u.lastIndexOf('/l/');
    return `${u.slice(0, at)}/${locale}${u.slice(at)}`;
  }

  /** Tells the shopper about a stage on the return's ticket (its channel; e-mail for portal returns). */
  async function notify(r: repo.ReturnRow, stage: NoticeStage) {
    if (!r.ticket_id || !r.email) return;
    const url = await portalLink(r.workspace_id, r.order_id, r.locale);
    const body = noticeText(stage, r.locale, {
      rma: r.rma,
      order: r.order_number,
      amount: r.value_minor,
      currency: r.currency,
      reason: r.decline_reason,
      url,
    });
    const events = await db.tx((tx) =>
      ext.tickets.addSystemReply(tx, r.workspace_id, r.ticket_id!, body, {
        kind: 'returns',
        name: 'Returns',
      }),
    );
    await ext.tickets.publishSystemEvents(events);
  }

  const money = (minor: number, currency: string) => formatMoney(minor, currency, 'en');

  return {
    deps,
    ext,
    db,
    portalLink,
    policyOf,
    orderOf,
    toReturns,
    loadReturn,
    getReturn,
    record,
    announce,
    notify,
    money,
  };
}

export type ReturnsContext = ReturnType<typeof createReturnsContext>;
