import { randomUUID } from 'node:crypto';
import type { CreateReturn, Order, Return, ReturnOptions } from '@shopdesk/contracts';
import { AppError, forbidden } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { recordAudit } from '../audit/index.ts';
import {
  addressesDiffer,
  type LineEligibility,
  lineEligibility,
  lineValue,
  policyForOrder,
  quoteOutcomes,
  reviewReasons,
} from './return-eligibility.ts';
import { lineOptions, overallOutcome, quoteMixed } from './return-outcomes.ts';
import * as repo from './returns.repository.ts';
import { newRma, type ReturnsContext, systemAuth } from './returns-context.ts';

export const MAX_PHOTOS = 5;
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

export interface ShopperPhoto {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** The image type the bytes really are (the name and the declared type are the sender's word). */
export function photoType(data: Buffer): string | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (
    data.length >= 8 &&
    data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'image/png';
  if (
    data.length >= 12 &&
    data.toString('latin1', 0, 4) === 'RIFF' &&
    data.toString('latin1', 8, 12) === 'WEBP'
  )
    return 'image/webp';
  if (
    data.length >= 12 &&
    data.toString('latin1', 4, 8) === 'ftyp' &&
    /^(heic|heix|mif1|msf1)$/.test(data.toString('latin1', 8, 12))
  )
    return 'image/heic';
  return null;
}

export type Creator =
  | { kind: 'agent'; auth: Auth }
  | {
      kind: 'shopper';
      email: string | null;
      name?: string | null;
      locale: string;
      photos: Map<number, ShopperPhoto[]>;
    };

const bad = (message: string) => new AppError('validation_failed', message);

/** Starting a return: options per line, a quote per outcome, and the return itself (agent or shopper). */
export function returnCreateUseCases(ctx: ReturnsContext) {
  const { db, ext, policyOf, orderOf, toReturns, record, announce, notify, money } = ctx;

  async function eligibility(workspaceId: number, order: Order) {
    const [shopPolicy, inReturns] = await Promise.all([
      policyOf(workspaceId),
      repo.quantitiesInReturns(db, workspaceId, order.id),
    ]);
    // Per-market rules by the shipping country replace the policy's own fields for this order.
    const policy = policyForOrder(shopPolicy, order);
    return { policy, lines: lineEligibility(order, policy, inReturns, new Date()) };
  }

  async function allowStoreCredit(workspaceId: number) {
    return (await ext.commerce.getPolicy(systemAuth(workspaceId))).allowStoreCredit;
  }

  /** `loaded`: the order when the caller already read it (the portal page), saving a second read. */
  async function options(workspaceId: number, orderId: number, loaded?: Order): Promise<ReturnOptions> {
    const order = loaded?.id === orderId ? loaded : await orderOf(workspaceId, orderId);
    const [{ policy, lines }, existing, credit] = await Promise.all([
      eligibility(workspaceId, order),
      repo.returnsOfOrder(db, workspaceId, order.id),
      allowStoreCredit(workspaceId),
    ]);
    const active = existing.filter((r) => r.status !== 'declined' && r.status !== 'cancelled');
    const email = order.email?.trim().toLowerCase();
    const blocked = !policy.enabled
      ? 'Returns are not open for this shop'
      : active.length >= policy.maxReturnsPerOrder
        ? `At most ${policy.maxReturnsPerOrder} returns per order`
        : email && policy.blockedEmails.some((b) => b.trim().toLowerCase() === email)
          ? 'Please contact us about a return for this order'
          : null;
    const outcomes = quoteOutcomes(policy, [{ value: 1, reason: policy.reasons[0]! }], credit).map(
      (q) => q.outcome,
    );
    return {
      orderId: order.id,
      orderNumber: order.number,
      currency: order.currency,
      lines,
      reasons: policy.reasons,
      outcomes: policy.outcomes.keep ? [...new Set([...outcomes, 'keep' as const])] : outcomes,
      storeCreditBonusPercent: policy.storeCreditBonusPercent,
      existing: existing.map((r) => ({ id: r.id, rma: r.rma, status: r.status })),
      blocked,
    };
  }

  /** Checks the picked lines against the order and the policy; their value and each outcome's quote. */
  async function plan(workspaceId: number, order: Order, input: Pick<CreateReturn, 'lines'>) {
    const { policy, lines } = await eligibility(workspaceId, order);
    const byId = new Map<number, LineEligibility>(lines.map((l) => [l.lineItemId, l]));
    const seen = new Set<number>();
    const picked = input.lines.map((sel) => {
      const e = byId.get(sel.lineItemId);
      if (!e) throw bad(`Line ${sel.lineItemId} is not on order ${order.number}`);
      if (seen.has(sel.lineItemId)) throw bad(`"${e.title}" is listed twice`);
      seen.add(sel.lineItemId);
      if (!e.eligible) throw bad(`"${e.title}" cannot be returned: ${e.detail}`);
      if (sel.quantity > e.returnableQuantity)
        throw bad(`Only ${e.returnableQuantity} of "${e.title}" can still be returned`);
      const reason = policy.reasons.find((r) => r.code === sel.reason);
      if (!reason) throw bad(`Unknown return reason "${sel.reason}"`);
      if (sel.subReason && reason.subReasons.length && !reason.subReasons.includes(sel.subReason))
        throw bad(`Unknown detail "${sel.subReason}" for "${reason.label}"`);
      const line = order.lineItems.find((l) => l.id === sel.lineItemId)!;
      return { sel, line, reason, value: lineValue(line, sel.quantity) };
    });
    return { policy, picked };
  }

  async function quote(workspaceId: number, orderId: number, input: Pick<CreateReturn, 'lines'>) {
    const order = await orderOf(workspaceId, orderId);
    const { policy, picked } = await plan(workspaceId, order, input);
    return quoteOutcomes(policy, picked, await allowStoreCredit(workspaceId));
  }

  /** Per picked line, what each outcome gives for it alone (the portal's per-line choice). */
  async function quoteLines(workspaceId: number, orderId: number, input: Pick<CreateReturn, 'lines'>) {
    const order = await orderOf(workspaceId, orderId);
    const { policy, picked } = await plan(workspaceId, order, input);
    const credit = await allowStoreCredit(workspaceId);
    return {
      /** Return shipping, taken once off the refund when a refunded line's reason is the shopper's. */
      shippingFee: policy.returnShippingFee,
      lines: picked.map((p) => ({
        lineItemId: p.line.id,
        shopperFault: p.reason.fault === 'shopper',
        options: lineOptions(policy, p, credit),
      })),
    };
  }

  async function create(
    workspaceId: number,
    input: CreateReturn,
    who: Creator,
    headerKey?: string,
  ): Promise<{ ret: Return; replayed: boolean }> {
    const key = input.idempotencyKey ?? headerKey ?? `auto:${randomUUID()}`;
    const replay = async () => {
      const won = await repo.findByKey(db, workspaceId, key);
      return won ? { ret: (await toReturns(workspaceId, [won]))[0]!, replayed: true } : null;
    };
    const first = await replay();
    if (first) {
      if (first.ret.orderId !== input.orderId)
        throw new AppError('conflict', 'This idempotency key was already used for another return');
      return first;
    }
    const order = await orderOf(workspaceId, input.orderId);
    const opts = await options(workspaceId, order.id, order);
    if (opts.blocked && who.kind === 'shopper') throw bad(opts.blocked);
    const { policy, picked } = await plan(workspaceId, order, input);
    // Each line's own outcome, or the return's; then what each gives (fees and bonus per group).
    const withOutcome = picked.map((p) => {
      const outcome = p.sel.outcome ?? input.outcome;
      if (!outcome) throw bad(`Choose what you would like for "${p.line.title}"`);
      return { ...p, lineItemId: p.line.id, outcome };
    });
    const mixed = quoteMixed(policy, withOutcome, await allowStoreCredit(workspaceId));
    if (!mixed.ok) {
      const l = withOutcome.find((x) => x.lineItemId === mixed.lineItemId)!;
      throw bad(
        withOutcome.length > 1
          ? `That outcome is not offered for "${l.line.title}"`
          : 'That outcome is not offered for these items',
      );
    }
    const q = mixed.quote;
    const outcome = overallOutcome(withOutcome.map((p) => p.outcome));
    const lineQuote = new Map(q.lines.map((l) => [l.lineItemId, l]));

    // Photos: required or optional per reason, checked by their bytes; agents may skip them.
    const photos = new Map<number, { id: string; contentType: string }[]>();
    if (who.kind === 'shopper') {
      for (const p of picked) {
        const files = who.photos.get(p.sel.lineItemId) ?? [];
        if (p.reason.photos === 'off' && files.length)
          throw bad(`No photos are needed for "${p.reason.label}"`);
        const min = p.reason.photos === 'required' ? Math.max(1, p.reason.minPhotos) : 0;
        if (files.length < min) throw bad(`Add at least ${min} photo(s) of "${p.line.title}"`);
        if (files.length > MAX_PHOTOS) throw bad(`At most ${MAX_PHOTOS} photos per item`);
        for (const f of files) {
          if (f.data.length > MAX_PHOTO_BYTES)
            throw bad(`A photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB`);
          if (!photoType(f.data)) throw bad('Photos must be JPEG, PNG, WebP or HEIC images');
        }
      }
      for (const p of picked) {
        const stored = [];
        for (const f of who.photos.get(p.sel.lineItemId) ?? []) {
          const s = await ctx.deps.files.put(f.data);
          stored.push({ id: s.sha256, contentType: photoType(f.data)! });
        }
        photos.set(p.sel.lineItemId, stored);
      }
    }

    // The ticket it belongs to: the agent's ticket, or a new one from the shopper's request.
    let ticketId: number | null = input.ticketId ?? null;
    let contactId = order.contactId;
    if (who.kind === 'agent' && ticketId) {
      const t = await ext.tickets.get(who.auth, ticketId); // 404 for another workspace's ticket
      const ids = t.contact ? await ext.contacts.idsIncludingMerged(workspaceId, t.contact.id) : [];
      const own =
        (order.contactId !== null && ids.includes(order.contactId)) ||
        (!!order.email && order.email.toLowerCase() === t.contact?.email?.toLowerCase());
      if (!own) throw forbidden(`${order.number} belongs to another customer, not to this ticket's contact`);
    }
    const email = who.kind === 'shopper' ? (who.email ?? order.email) : order.email;
    const rma = newRma();
    const summary = withOutcome
      .map(
        (p) =>
          `${p.sel.quantity} × ${p.line.title}${p.line.variantTitle ? ` (${p.line.variantTitle})` : ''} — ${p.reason.label}${p.sel.note ? `: ${p.sel.note}` : ''}${outcome === 'mixed' ? ` → ${p.outcome.replace('_', ' ')} (${money(lineQuote.get(p.lineItemId)!.amount, order.currency)})` : ''}`,
      )
      .join('\n');
    if (who.kind === 'shopper' && email) {
      const r = await ext.tickets.receive(workspaceId, {
        channel: 'web',
        contact: { email, name: who.name ?? null },
        subject: `Return ${rma} for order ${order.number}`,
        bodyText: `${summary}\n\nOutcome: ${outcome.replace('_', ' ')} (${money(q.amount, order.currency)})`,
        attachments: [...who.photos.values()].flat().map((f) => ({
          filename: f.filename.slice(0, 200) || 'photo',
          contentType: photoType(f.data)!,
          data: f.data,
        })),
        externalId: `return:${key}`,
        dedupe: true,
        tags: ['return'],
        channelMeta: { source: 'returns-portal', orderNumber: order.number, locale: who.locale },
      });
      ticketId = r.ticketId;
    }

    // Review rules for shoppers (abuse, value cap); money limits for everyone, through the one path.
    let review: string[] = [];
    if (who.kind === 'shopper') {
      const contactIds = contactId ? await ext.contacts.idsIncludingMerged(workspaceId, contactId) : [];
      const since = Date.now() - 365 * 86400_000;
      const orders = contactId
        ? (await ext.commerce.listOrders(systemAuth(workspaceId), { contactId, limit: 100 })).items.filter(
            (o) => new Date(o.placedAt).getTime() > since,
          ).length
        : 1;
      review = reviewReasons(
        policy,
        {
          value: q.amount,
          currency: order.currency,
          email,
          returnsLastYear: (await repo.returnsOfContacts(db, workspaceId, contactIds)) + 1,
          ordersLastYear: orders,
          orderNumber: order.number,
          skus: picked.map((p) => p.line.sku),
          addressMismatch: addressesDiffer(order),
        },
        money,
      );
    } else contactId = order.contactId;
    const actor =
      who.kind === 'agent'
        ? { workspaceId, agentId: who.auth.agentId, role: who.auth.role }
        : { workspaceId, agentId: null, role: 'agent' as const };
    const actorName = who.kind === 'agent' ? who.auth.name : 'Shopper';
    const decision = await ext.commerce.moneyPolicy.request(
      actor,
      'return',
      { kind: 'return_outcome', value: q.amount, currency: order.currency, orderId: order.id, contactId },
      async (tx, { status, reasons }) => {
        const approved = status === 'granted';
        const decisionReasons = approved
          ? [
              who.kind === 'agent'
                ? `Created by ${actorName} within their limit`
                : 'Within policy: approved automatically',
            ]
          : reasons;
        const id = await repo.insertReturn(tx, {
          workspaceId,
          rma,
          orderId: order.id,
          orderNumber: order.number,
          contactId,
          email,
          ticketId,
          status: approved ? 'approved' : 'needs_review',
          outcome,
          currency: order.currency,
          value: q.amount,
          fee: q.fee,
          bonus: q.bonus,
          reasons: decisionReasons,
          createdBy: who.kind,
          createdByAgent: who.kind === 'agent' ? who.auth.agentId : null,
          locale: who.kind === 'shopper' ? who.locale : 'en',
          exchangeVariant: input.exchangeVariantId ?? null,
          key,
        });
        if (!id) return null; // a simultaneous double submit won the key
        await repo.insertLines(
          tx,
          workspaceId,
          id,
          picked.map((p) => ({
            lineItemId: p.line.id,
            lineExternalId: p.line.externalId,
            title: p.line.title,
            sku: p.line.sku,
            quantity: p.sel.quantity,
            unit: p.line.quantity ? Math.round(p.value / p.sel.quantity) : p.value,
            reason: p.reason.code,
            subReason: p.sel.subReason ?? null,
            note: p.sel.note?.trim() || null,
            photos: photos.get(p.line.id) ?? [],
            outcome: lineQuote.get(p.line.id)!.outcome,
            amount: lineQuote.get(p.line.id)!.amount,
            fee: lineQuote.get(p.line.id)!.fee,
            bonus: lineQuote.get(p.line.id)!.bonus,
          })),
        );
        const row = {
          id,
          workspace_id: workspaceId,
          ticket_id: ticketId,
          rma,
          order_number: order.number,
          currency: order.currency,
        };
        const who_ = { agentId: actor.agentId, name: actorName };
        await record(tx, row, 'requested', who_, {
          outcome,
          amount: q.amount,
          items: summary,
          reasons: decisionReasons,
        });
        if (approved) await record(tx, row, 'approved', who_, { amount: q.amount, reasons: decisionReasons });
        await recordAudit(tx, {
          workspaceId,
          actorAgentId: actor.agentId,
          action: 'return.created',
          targetType: 'order',
          targetId: order.id,
          data: {
            returnId: id,
            rma,
            outcome,
            lines: q.lines,
            amount: q.amount,
            status: approved ? 'approved' : 'needs_review',
          },
        });
        return id;
      },
      review,
    );
    if (decision.sourceId === null) return (await replay())!;
    const row = (await repo.findReturn(db, workspaceId, decision.sourceId))!;
    await announce(row, actor.agentId);
    await notify(row, row.status === 'approved' ? 'approved' : 'requested');
    return { ret: (await toReturns(workspaceId, [row]))[0]!, replayed: false };
  }

  return { options, quote, quoteLines, create, eligibility };
}
