import type { CommercePolicy, Role } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import { forbidden } from '../../platform/errors.ts';
import * as repo from './commerce.repository.ts';
import { type MoneyKind, moneyLimitReasons } from './order-policy.ts';

/** Money one action gives a customer, in minor units of `currency` (0 when it gives none). */
export interface MoneyRequest {
  kind: MoneyKind;
  value: number;
  currency: string;
  /** The order it is given for, and the customer (contact) it goes to; either may be null. */
  orderId: number | null;
  contactId: number | null;
}

export interface MoneyActor {
  workspaceId: number;
  /** Null when nobody asked: a shopper's own return, decided by the role limits of `role`. */
  agentId: number | null;
  role: Role;
}

export type MoneyDecision = { status: 'granted' | 'pending'; reasons: string[] };

interface MoneyPolicyDeps {
  db: Db;
  policyOf(workspaceId: number): Promise<CommercePolicy>;
  contactIds(workspaceId: number, contactId: number | null): Promise<number[]>;
}

/**
 * The one policy-and-approval path for every action that gives money — order actions here, returns and
 * automatic remedies in other modules (through the commerce module's index.ts). Each request is counted
 * with what was already given or is awaiting approval for the same order or the same customer within
 * the policy's `moneyWindowHours`, against the caller's role limit; the same sum decides whether an
 * approver's own limit covers it. Decisions take a per-workspace lock inside the caller's transaction,
 * so simultaneous split requests are counted one after another.
 */
export function createMoneyPolicy(d: MoneyPolicyDeps) {
  async function context(workspaceId: number, contactId: number | null) {
    // Read before the transaction: the embedded database runs one statement stream at a time.
    const [policy, contactIds] = await Promise.all([
      d.policyOf(workspaceId),
      d.contactIds(workspaceId, contactId),
    ]);
    return { policy, contactIds };
  }

  return {
    /**
     * Decides a request and records it: `create(tx, decision)` writes the caller's own row (an order
     * action, a return …) in the same transaction and returns its id — or null when it must not be
     * recorded (e.g. an idempotent replay), and then nothing is counted. `extraReasons` are the caller's
     * own approval rules (refund window, discount caps); any reason makes the request `pending`.
     */
    async request<T extends number | null>(
      actor: MoneyActor,
      source: string,
      m: MoneyRequest,
      create: (tx: Db, decision: MoneyDecision) => Promise<T>,
      extraReasons: string[] = [],
    ): Promise<{ sourceId: T } & MoneyDecision> {
      const { policy, contactIds } = await context(actor.workspaceId, m.contactId);
      return d.db.tx(async (tx) => {
        await repo.lockMoney(tx, actor.workspaceId);
        const prior =
          m.value > 0
            ? await repo.sumMoneyGrants(tx, {
                workspaceId: actor.workspaceId,
                orderId: m.orderId,
                contactIds,
                currency: m.currency,
                hours: policy.moneyWindowHours,
                statuses: ['pending', 'granted'],
              })
            : 0;
        const reasons = [
          ...moneyLimitReasons(policy, actor.role, { value: m.value, prior, currency: m.currency }),
          ...extraReasons,
        ];
        const decision: MoneyDecision = { status: reasons.length ? 'pending' : 'granted', reasons };
        const sourceId = await create(tx, decision);
        if (sourceId !== null && m.value > 0)
          await repo.insertMoneyGrant(tx, {
            workspaceId: actor.workspaceId,
            source,
            sourceId,
            kind: m.kind,
            orderId: m.orderId,
            contactId: m.contactId,
            value: m.value,
            currency: m.currency,
            status: decision.status,
            requestedBy: actor.agentId,
          });
        return { sourceId, ...decision };
      });
    },

    /**
     * Approves a pending request: the approver's own limit must cover it together with what was already
     * given for the same order or customer in the period (other requests still awaiting approval are
     * not counted here — each is decided on its own, and counts once approved). `decide(tx)` moves the
     * caller's row; the grant becomes `granted` in the same transaction. Forbidden when not covered.
     */
    async approve<T>(
      actor: MoneyActor,
      source: string,
      sourceId: number,
      decide: (tx: Db) => Promise<T>,
    ): Promise<T> {
      const g = await repo.findMoneyGrant(d.db, actor.workspaceId, source, sourceId);
      if (g?.status !== 'pending') return d.db.tx(decide); // nothing of money to decide
      const { policy, contactIds } = await context(actor.workspaceId, g.contact_id);
      return d.db.tx(async (tx) => {
        await repo.lockMoney(tx, actor.workspaceId);
        const prior = await repo.sumMoneyGrants(tx, {
          workspaceId: actor.workspaceId,
          orderId: g.order_id,
          contactIds,
          currency: g.currency,
          hours: policy.moneyWindowHours,
          statuses: ['granted'],
          except: { source, sourceId },
        });
        if (
          moneyLimitReasons(policy, actor.role, { value: g.value_minor, prior, currency: g.currency }).length
        )
          throw forbidden('This is above your own limit; an admin has to approve it');
        const out = await decide(tx);
        await repo.setMoneyGrant(tx, actor.workspaceId, source, sourceId, { status: 'granted' });
        return out;
      });
    },

    /**
     * After the fact: `void` when nothing was given (rejected, or the store refused), or the value the
     * store reports it actually gave (a cancellation refunds what was not refunded yet).
     */
    settle(
      tx: Db,
      workspaceId: number,
      source: string,
      sourceId: number,
      s: { status: 'void' } | { status: 'granted'; value?: number },
    ) {
      return repo.setMoneyGrant(tx, workspaceId, source, sourceId, s);
    },
  };
}

export type MoneyPolicy = ReturnType<typeof createMoneyPolicy>;
