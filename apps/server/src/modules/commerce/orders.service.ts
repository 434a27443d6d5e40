import type { Order } from '@shopdesk/contracts';
import { fromMinor } from '../../commerce/money.ts';
import { AppError } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { numberKey } from './commerce.ingest.ts';
import * as repo from './commerce.repository.ts';
import type { CommerceContext } from './commerce-context.ts';
import { detectOrderNumbers, ownedBy } from './order-views.ts';

/** Reading orders: lists, one order, a ticket's customer panel, the conversation's order and macro variables. */
export function orderUseCases(ctx: CommerceContext) {
  const { db, ext, loadOrders, getOrderRow } = ctx;
  const svc = {
    async listOrders(
      auth: Auth,
      q: { contactId?: number; number?: string; email?: string; limit: number; cursor?: string },
    ) {
      let before: [string, number] | undefined;
      if (q.cursor) {
        const [ts, id] = q.cursor.split('_');
        if (!ts || !id || Number.isNaN(Date.parse(ts)) || !Number.isInteger(Number(id)))
          throw new AppError('validation_failed', 'Bad cursor');
        before = [ts, Number(id)];
      }
      const contactIds = q.contactId
        ? await ext.contacts.idsIncludingMerged(auth.workspaceId, q.contactId)
        : undefined;
      const rows = await repo.listOrders(
        db,
        auth.workspaceId,
        { contactIds, numberKeys: q.number ? [numberKey(q.number)] : undefined, email: q.email },
        q.limit + 1,
        before,
      );
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: await loadOrders(auth.workspaceId, page),
        nextCursor: rows.length > q.limit && last ? `${last.placed_at.toISOString()}_${last.id}` : null,
        ...(contactIds ? { lifetimeValue: await repo.lifetimeValue(db, auth.workspaceId, contactIds) } : {}),
      };
    },
    async getOrder(auth: Auth, id: number) {
      const [o] = await loadOrders(auth.workspaceId, [await getOrderRow(auth.workspaceId, id)]);
      return o!;
    },
    /**
     * The customer panel: the contact's orders newest first, plus the orders the conversation names.
     * A named order that is not the contact's own (another customer's number, typed by anyone) is only
     * reported by number in `mentionedOtherCustomers`: no name, address, items or actions, and macros
     * never fill it in — the sender has proved nothing about it.
     */
    async ticketOrders(auth: Auth, ticketId: number, limit = 20) {
      const t = await ext.tickets.get(auth, ticketId);
      const text = [t.subject, ...t.messages.filter((m) => m.kind !== 'note').map((m) => m.bodyText)].join(
        '\n',
      );
      const mentioned = detectOrderNumbers(text);
      const contactIds = t.contact
        ? await ext.contacts.idsIncludingMerged(auth.workspaceId, t.contact.id)
        : [];
      const own = contactIds.length ? await repo.listOrders(db, auth.workspaceId, { contactIds }, limit) : [];
      const named = mentioned.length
        ? await repo.listOrders(db, auth.workspaceId, { numberKeys: mentioned }, 10)
        : [];
      const isOwn = ownedBy(contactIds, t.contact?.email ?? null);
      const rows = [...new Map([...own, ...named.filter(isOwn)].map((r) => [r.id, r])).values()].sort(
        (a, b) => b.placed_at.getTime() - a.placed_at.getTime() || b.id - a.id,
      );
      const keys = new Set(mentioned);
      const items = (await loadOrders(auth.workspaceId, rows)).map((o) => ({
        ...o,
        mentioned: keys.has(numberKey(o.number)),
      }));
      return {
        items,
        nextCursor: null,
        mentionedNumbers: items.filter((o) => o.mentioned).map((o) => o.number),
        mentionedOtherCustomers: [...new Set(named.filter((r) => !isOwn(r)).map((r) => r.number))],
        lifetimeValue: contactIds.length ? await repo.lifetimeValue(db, auth.workspaceId, contactIds) : [],
      };
    },
    /**
     * The order a conversation is about: the contact's own order named in it, else their latest — but
     * nothing when the conversation names only another customer's order (guessing would put the wrong
     * order into a reply). Macros and the tracking link use this one choice.
     */
    async conversationOrder(auth: Auth, ticketId: number): Promise<Order | null> {
      const { items, mentionedOtherCustomers } = await svc.ticketOrders(auth, ticketId, 5);
      return items.find((x) => x.mentioned) ?? (mentionedOtherCustomers.length ? null : (items[0] ?? null));
    },
    /** Macro variables from `conversationOrder`. */
    async orderVariables(auth: Auth, ticketId: number) {
      const o = await svc.conversationOrder(auth, ticketId);
      if (!o) return { order: null };
      const f = o.fulfillments.at(-1);
      const a = o.shippingAddress;
      return {
        order: {
          number: o.number,
          status: o.status,
          financialStatus: o.financialStatus,
          fulfillmentStatus: o.fulfillmentStatus,
          total: `${fromMinor(o.total, o.currency)} ${o.currency}`,
          placedAt: o.placedAt.slice(0, 10),
          items: o.lineItems.map((l) => `${l.quantity} × ${l.title}`).join(', '),
          carrier: f?.carrier ?? '',
          trackingNumber: f?.trackingNumber ?? '',
          trackingUrl: f?.trackingUrl ?? '',
          expectedDelivery: f?.expectedDeliveryAt?.slice(0, 10) ?? '',
          shippingAddress: a
            ? [a.name, a.address1, a.address2, [a.zip, a.city].filter(Boolean).join(' '), a.country]
                .filter(Boolean)
                .join(', ')
            : '',
        },
      };
    },
  };
  return svc;
}
