import type { CreateReturn, ReturnPolicy } from '@shopdesk/contracts';
import type { Deps } from '../../platform/deps.ts';
import type { Auth } from '../../platform/http/router.ts';
import { recordAudit } from '../audit/index.ts';
import { type Creator, returnCreateUseCases } from './return-create.ts';
import { returnFlowUseCases } from './return-flow.ts';
import * as repo from './returns.repository.ts';
import { createReturnsContext, type ReturnsDeps } from './returns-context.ts';

export type { ReturnsDeps } from './returns-context.ts';

/** Reasons whose returns point at a fulfilment error (wrong item packed, damaged in the warehouse …). */
const FULFILMENT_ERROR_REASONS = ['wrong_item', 'defective', 'not_as_described'];

/**
 * The returns module's service: return-create.ts (options, quotes, starting a return),
 * return-flow.ts (review, receive, the outcome in the store), returns-context.ts (what they share).
 */
export function createReturnsService(deps: Deps, ext: ReturnsDeps) {
  const ctx = createReturnsContext(deps, ext);
  const { db, policyOf, toReturns, getReturn } = ctx;
  const creating = returnCreateUseCases(ctx);
  const flow = returnFlowUseCases(ctx);

  async function create(workspaceId: number, input: CreateReturn, who: Creator, headerKey?: string) {
    const out = await creating.create(workspaceId, input, who, headerKey);
    // "Keep the item" needs nothing back: an approved one is refunded right away.
    if (!out.replayed && out.ret.status === 'approved' && out.ret.outcome === 'keep')
      return {
        ret: await flow.resolve(workspaceId, out.ret.id, who.kind === 'agent' ? who.auth : null),
        replayed: false,
      };
    return out;
  }

  return {
    policyOf,
    getPolicy: (auth: Auth) => policyOf(auth.workspaceId),
    async putPolicy(auth: Auth, policy: ReturnPolicy) {
      await db.tx(async (tx) => {
        const before = await repo.getPolicy(tx, auth.workspaceId);
        await repo.putPolicy(tx, auth.workspaceId, policy);
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'return_policy.updated',
          targetType: 'workspace',
          targetId: auth.workspaceId,
          data: { before: before ?? null, after: policy },
        });
      });
      return policyOf(auth.workspaceId);
    },
    orderFor: ctx.orderOf,
    portalLink: ctx.portalLink,
    options: creating.options,
    quote: creating.quote,
    quoteLines: creating.quoteLines,
    create,
    ...flow,
    get: (auth: Auth, id: number) => getReturn(auth.workspaceId, id),
    /** The shopper's download of the return's live label, when modules/labels made one. */
    labelUrl: (workspaceId: number, id: number) =>
      ext.labels?.downloadUrlFor(workspaceId, id) ?? Promise.resolve(null),
    /**
     * A step another module took for the return (a label made or refused, a reverse shipment in the
     * store): on the return's history and its ticket's timeline, without changing its status.
     */
    async noteEvent(
      workspaceId: number,
      id: number,
      type: 'label' | 'label_failed' | 'store_sync',
      by: { agentId: number | null; name: string },
      data: Record<string, unknown>,
    ) {
      const r = await ctx.loadReturn(workspaceId, id);
      await db.tx((tx) => ctx.record(tx, r, type, by, data));
    },
    getForShopper: getReturn,
    /** The shopper's signed link to the order's returns page in `locale` (null without shopper links). */
    portalUrl: (workspaceId: number, orderId: number, locale: string) =>
      ctx.portalLink(workspaceId, orderId, locale),
    async ofOrder(workspaceId: number, orderId: number) {
      return toReturns(workspaceId, await repo.returnsOfOrder(db, workspaceId, orderId));
    },
    async list(
      auth: Auth,
      q: {
        status?: string;
        reason?: string;
        orderId?: number;
        ticketId?: number;
        contactId?: number;
        overdue?: boolean;
        cursor?: string;
        limit: number;
      },
    ) {
      const contactIds = q.contactId
        ? await ext.contacts.idsIncludingMerged(auth.workspaceId, q.contactId)
        : undefined;
      const before = q.cursor ? Number(q.cursor) || undefined : undefined;
      const rows = await repo.listReturns(db, auth.workspaceId, {
        ...q,
        contactIds,
        before,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      return {
        items: await toReturns(auth.workspaceId, page),
        nextCursor: rows.length > q.limit ? String(page.at(-1)!.id) : null,
      };
    },
    async errorClusters(auth: Auth, days = 90) {
      return repo.errorClusters(db, auth.workspaceId, FULFILMENT_ERROR_REASONS, days);
    },
  };
}

export type ReturnsService = ReturnType<typeof createReturnsService>;
