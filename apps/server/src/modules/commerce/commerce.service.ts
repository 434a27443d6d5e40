import { randomBytes, randomUUID } from 'node:crypto';
import {
  type CommercePolicy,
  type CreateStoreConnection,
  type Order,
  type OrderAction,
  type OrderActionInput,
  CommercePolicy as PolicySchema,
  type StoreBatch,
  type StoreConnection,
  type StoreFulfillmentInput,
} from '@shopdesk/contracts';
import type { z } from 'zod';
import { parseJsonKeepingBigInts } from '../../commerce/json.ts';
import { fromMinor } from '../../commerce/money.ts';
import { shopifyBaseUrl } from '../../commerce/shopify/shopify-connector.ts';
import {
  type ActionCommand,
  type ConnectionContext,
  type Headers,
  type OrderSnapshot,
  type StoreChange,
  type StoreCredentials,
  StoreError,
  type StoreRegistry,
} from '../../commerce/store-connector.ts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, badRequest, forbidden, notFound } from '../../platform/errors.ts';
import { assertOutboundUrl, OutboundRefusedError } from '../../platform/http/outbound.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { randomToken, sha256 } from '../../platform/security/crypto.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { recordAudit } from '../audit/index.ts';
import type { ContactsService } from '../contacts/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import { ingestChanges, numberKey } from './commerce.ingest.ts';
import { createMoneyPolicy, type MoneyRequest } from './commerce.money.ts';
import * as repo from './commerce.repository.ts';
import { approvalReasons, defaultPolicy, percentDiscountValue } from './order-policy.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;
type ActionInput = z.infer<typeof OrderActionInput>;

/** Order numbers a shopper or agent might write: "#1042", "order 1042", "SO-1042". */
export function detectOrderNumbers(text: string): string[] {
  const keys = new Set<string>();
  for (const m of text.matchAll(
    /(?:#|\b(?:order|bestellung|commande|pedido|no\.?|nr\.?)\s*#?\s*)?\b([a-z]{1,5}-)?(\d{3,12})\b/gi,
  )) {
    keys.add(m[2]!);
    if (m[1]) keys.add(`${m[1]}${m[2]}`.toLowerCase());
  }
  return [...keys].slice(0, 50);
}

/**
 * Whether an order is the ticket contact's own: linked to the contact (or a contact merged into it), or
 * placed with the contact's e-mail — the same proof the shopper tracking page asks for.
 */
const ownedBy =
  (contactIds: number[], email: string | null) => (r: Pick<repo.OrderRow, 'contact_id' | 'email'>) =>
    (r.contact_id !== null && contactIds.includes(r.contact_id)) ||
    (!!email && !!r.email && r.email.toLowerCase() === email.toLowerCase());

function toOrder(r: repo.OrderRow, ch: repo.OrderChildren): Order {
  return {
    id: r.id,
    connectionId: r.connection_id,
    platform: r.platform,
    externalId: r.external_id,
    number: r.number,
    contactId: r.contact_id,
    email: r.email,
    currency: r.currency,
    subtotal: r.subtotal_minor,
    discount: r.discount_minor,
    shipping: r.shipping_minor,
    tax: r.tax_minor,
    total: r.total_minor,
    refunded: r.refunded_minor,
    refundable: Math.max(0, r.total_minor - r.refunded_minor),
    status: r.status,
    financialStatus: r.financial_status,
    fulfillmentStatus: r.fulfillment_status,
    cancelledAt: iso(r.cancelled_at),
    cancelReason: r.cancel_reason,
    shippingAddress: r.shipping_address as Order['shippingAddress'],
    discountCodes: r.discount_codes,
    tags: r.tags,
    url: r.url,
    placedAt: r.placed_at.toISOString(),
    updatedAt: r.remote_updated_at.toISOString(),
    lineItems: ch.lines
      .filter((l) => l.order_id === r.id)
      .map((l) => ({
        id: l.id,
        externalId: l.external_id,
        title: l.title,
        variantTitle: l.variant_title,
        sku: l.sku,
        quantity: l.quantity,
        price: l.price_minor,
        discount: l.discount_minor,
        tax: l.tax_minor,
        total: l.price_minor * l.quantity - l.discount_minor,
        refundedQuantity: l.refunded_quantity,
        fulfilledQuantity: l.fulfilled_quantity,
        imageUrl: l.image_url,
        finalSale: l.final_sale,
      })),
    transactions: ch.transactions
      .filter((t) => t.order_id === r.id)
      .map((t) => ({
        externalId: t.external_id,
        kind: t.kind,
        gateway: t.gateway,
        status: t.status,
        amount: t.amount_minor,
        currency: t.currency,
        processedAt: t.processed_at.toISOString(),
      })),
    refunds: ch.refunds
      .filter((x) => x.order_id === r.id)
      .map((x) => ({
        externalId: x.external_id,
        amount: x.amount_minor,
        currency: x.currency,
        note: x.note,
        storeCredit: x.store_credit,
        restock: x.restock,
        lineItems: x.line_items,
        refundedAt: x.refunded_at.toISOString(),
      })),
    fulfillments: ch.fulfillments
      .filter((f) => f.order_id === r.id)
      .map((f) => ({
        externalId: f.external_id,
        status: f.status,
        shipmentStatus: f.shipment_status,
        carrier: f.carrier,
        trackingNumber: f.tracking_number,
        trackingUrl: f.tracking_url,
        expectedDeliveryAt: iso(f.expected_delivery_at),
        shippedAt: iso(f.shipped_at),
        deliveredAt: iso(f.delivered_at),
      })),
  };
}

function toAction(a: repo.ActionRow): OrderAction {
  return {
    id: a.id,
    orderId: a.order_id,
    orderNumber: a.order_number,
    ticketId: a.ticket_id,
    kind: a.kind,
    params: a.params,
    amount: a.amount_minor,
    currency: a.currency,
    status: a.status,
    approvalReasons: a.approval_reasons,
    requestedBy: { id: a.requested_by, name: a.requested_by_name },
    decidedBy: a.decided_by ? { id: a.decided_by, name: a.decided_by_name } : null,
    decidedAt: iso(a.decided_at),
    decisionNote: a.decision_note,
    result: a.result,
    error: a.error,
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
  };
}

const summarize = (kind: string, amount: number, currency: string, number: string) =>
  ({
    refund: `Refund of ${fromMinor(amount, currency)} ${currency} on ${number}`,
    cancel: `Cancel ${number}${amount ? ` (refund ${fromMinor(amount, currency)} ${currency})` : ''}`,
    resend: `Resend ${number}`,
    update_address: `Change the shipping address of ${number}`,
    discount_code: `Discount code for ${number}`,
  })[kind] ?? `${kind} on ${number}`;

export interface CommerceDeps {
  stores: StoreRegistry;
  tickets: Pick<TicketsService, 'get' | 'recordEvent'>;
  contacts: Pick<ContactsService, 'idsIncludingMerged'>;
}

export function createCommerceService(deps: Deps, ext: CommerceDeps) {
  const { db, bus, config, log } = deps;
  const keys = () => keyRing(config);

  const credsOf = (c: repo.ConnectionRow): StoreCredentials =>
    c.credentials ? (JSON.parse(keys().decrypt(c.credentials)) as StoreCredentials) : {};
  const contextOf = (c: repo.ConnectionRow): ConnectionContext => ({
    id: c.id,
    workspaceId: c.workspace_id,
    platform: c.platform,
    baseUrl: c.base_url,
    currency: c.currency,
    credentials: credsOf(c),
    outbound: () => outboundPolicyOf(db, config, c.workspace_id),
  });
  const connectorOf = (platform: string) => {
    const c = ext.stores.get(platform);
    if (!c) throw badRequest(`No connector for ${platform}`);
    return c;
  };

  async function toConnection(c: repo.ConnectionRow): Promise<StoreConnection> {
    const stats = await repo.connectionStats(db, c.workspace_id, c.id);
    const base = (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '');
    return {
      id: c.id,
      platform: c.platform,
      name: c.name,
      baseUrl: c.base_url,
      currency: c.currency,
      active: c.active,
      hasCredentials: !!c.credentials || !!c.token_prefix,
      tokenPrefix: c.token_prefix,
      webhookUrl: c.platform === 'builtin' ? null : `${base}/api/v1/commerce/webhooks/${c.platform}/${c.id}`,
      syncStatus: c.sync_status,
      backfilledOrders: c.backfilled_orders,
      lastSyncAt: iso(c.last_sync_at),
      lastWebhookAt: iso(c.last_webhook_at),
      lastError: c.last_error,
      lastErrorAt: iso(c.last_error_at),
      orderCount: stats.orderCount,
      pendingEvents: stats.pendingEvents,
      failedEvents: stats.failedEvents.map((e) => ({
        id: e.id,
        error: e.error,
        receivedAt: e.received_at.toISOString(),
      })),
      createdAt: c.created_at.toISOString(),
    };
  }

  async function loadConnection(workspaceId: number, id: number) {
    const c = await repo.findConnection(db, workspaceId, id);
    if (!c) throw notFound('Store connection');
    return c;
  }

  async function policyOf(workspaceId: number): Promise<CommercePolicy> {
    const p = await repo.getPolicy(db, workspaceId);
    return p ? PolicySchema.parse(p) : defaultPolicy();
  }

  const money = createMoneyPolicy({
    db,
    policyOf,
    contactIds: (workspaceId, contactId) =>
      contactId ? ext.contacts.idsIncludingMerged(workspaceId, contactId) : Promise.resolve([]),
  });

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

  async function loadOrders(_workspaceId: number, rows: repo.OrderRow[]) {
    const children = await repo.orderChildren(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => toOrder(r, children));
  }

  async function getOrderRow(workspaceId: number, id: number, tx: Db = db) {
    const o = await repo.findOrder(tx, workspaceId, id);
    if (!o) throw notFound('Order');
    return o;
  }

  async function snapshotOf(_workspaceId: number, o: repo.OrderRow): Promise<OrderSnapshot> {
    const ch = await repo.orderChildren(db, [o.id]);
    return {
      externalId: o.external_id,
      number: o.number,
      currency: o.currency,
      total: o.total_minor,
      refunded: o.refunded_minor,
      shipping: o.shipping_minor,
      email: o.email,
      customerExternalId: o.customer_external_id,
      shippingAddress: o.shipping_address as OrderSnapshot['shippingAddress'],
      lineItems: ch.lines.map((l) => ({
        externalId: l.external_id,
        productExternalId: l.product_external_id,
        variantExternalId: l.variant_external_id,
        title: l.title,
        quantity: l.quantity,
        price: l.price_minor,
        refundedQuantity: l.refunded_quantity,
      })),
      transactions: ch.transactions.map((t) => ({
        externalId: t.external_id,
        kind: t.kind,
        gateway: t.gateway,
        status: t.status,
        amount: t.amount_minor,
      })),
    };
  }

  /** Turns the agent's request into the exact command for the store, checking it against the order. */
  async function planAction(
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
          if (!input.lines?.length)
            throw new AppError('validation_failed', 'Pick at least one line to refund');
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

  async function timeline(
    tx: Db,
    a: { workspaceId: number; ticketId: number | null },
    type: string,
    actor: number | null,
    data: Record<string, unknown>,
  ) {
    if (a.ticketId) await ext.tickets.recordEvent(tx, a.workspaceId, a.ticketId, type, actor, data);
  }

  async function announce(
    a: { workspace_id: number; ticket_id: number | null; id: number; status: string },
    actor: number | null,
  ) {
    await bus.publish({
      name: 'order_action.changed',
      workspaceId: a.workspace_id,
      actorAgentId: actor,
      data: { actionId: a.id, status: a.status },
    });
    if (a.ticket_id)
      await bus.publish({
        name: 'ticket.updated',
        workspaceId: a.workspace_id,
        ticketId: a.ticket_id,
        actorAgentId: actor,
        data: { orderAction: a.id },
      });
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

  const svc = {
    /**
     * The one policy-and-approval path for money (refunds, store credit, discounts, reships, return
     * outcomes, automatic remedies): other modules call `moneyPolicy.request/approve/settle`.
     */
    moneyPolicy: money,
    // ---------- connections ----------
    async listConnections(auth: Auth) {
      return Promise.all((await repo.listConnections(db, auth.workspaceId)).map(toConnection));
    },
    async getConnection(auth: Auth, id: number) {
      return toConnection(await loadConnection(auth.workspaceId, id));
    },
    async createConnection(auth: Auth, input: CreateStoreConnection) {
      let token: string | undefined;
      let creds: StoreCredentials | null = null;
      let baseUrl: string | null = null;
      if (input.platform === 'builtin') token = `sdstore_${randomToken(24)}`;
      if (input.platform === 'shopify') {
        baseUrl = shopifyBaseUrl(input.shopDomain);
        if (!/^https:\/\/|^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(baseUrl))
          throw new AppError(
            'validation_failed',
            'The shop domain must be my-shop.myshopify.com or an https:// URL',
          );
        creds = { accessToken: input.accessToken, webhookSecret: input.webhookSecret };
      }
      if (input.platform === 'woocommerce') {
        baseUrl = input.url.replace(/(?<!\/)\/+$/, '');
        creds = {
          consumerKey: input.consumerKey,
          consumerSecret: input.consumerSecret,
          webhookSecret: input.webhookSecret,
        };
      }
      if (baseUrl) {
        // The server will call this address: it must be public or in the workspace's allow-list (SSRF).
        try {
          await assertOutboundUrl(baseUrl, await outboundPolicyOf(db, config, auth.workspaceId), {
            allowUnresolved: true,
          });
        } catch (err) {
          if (!(err instanceof OutboundRefusedError)) throw err;
          const field = input.platform === 'shopify' ? 'body.shopDomain' : 'body.url';
          throw new AppError('validation_failed', `Store address refused: ${err.message}`, [
            { path: field, message: err.message },
          ]);
        }
      }
      const row = await db.tx(async (tx) => {
        const row = await repo.insertConnection(tx, {
          workspaceId: auth.workspaceId,
          platform: input.platform,
          name: input.name,
          baseUrl,
          credentials: creds ? keys().encrypt(JSON.stringify(creds)) : null,
          tokenHash: token ? sha256(token) : null,
          tokenPrefix: token ? token.slice(0, 14) : null,
          currency: input.currency,
        });
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'store_connection.created',
          targetType: 'store_connection',
          targetId: row.id,
          data: { platform: input.platform, name: input.name, baseUrl },
        });
        return row;
      });
      return { ...(await toConnection(row)), ...(token ? { token } : {}) };
    },
    async updateConnection(
      auth: Auth,
      id: number,
      input: Partial<StoreCredentials & { name: string; active: boolean; currency: string }>,
    ) {
      const c = await loadConnection(auth.workspaceId, id);
      const secretFields = ['accessToken', 'consumerKey', 'consumerSecret', 'webhookSecret'] as const;
      const changedSecrets = secretFields.filter((k) => input[k] !== undefined);
      if (c.platform === 'builtin' && changedSecrets.length)
        throw badRequest('The built-in store API uses a token; rotate it instead');
      const creds = changedSecrets.length
        ? { ...credsOf(c), ...Object.fromEntries(changedSecrets.map((k) => [k, input[k]])) }
        : null;
      await db.tx(async (tx) => {
        await repo.updateConnection(tx, auth.workspaceId, id, {
          name: input.name,
          active: input.active,
          currency: input.currency,
          credentials: creds ? keys().encrypt(JSON.stringify(creds)) : undefined,
        });
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'store_connection.updated',
          targetType: 'store_connection',
          targetId: id,
          // Which secrets changed, never their values.
          data: { fields: Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined) },
        });
      });
      return toConnection(await loadConnection(auth.workspaceId, id));
    },
    async rotateToken(auth: Auth, id: number) {
      const c = await loadConnection(auth.workspaceId, id);
      if (c.platform !== 'builtin') throw badRequest('Only the built-in store API uses a token');
      const token = `sdstore_${randomToken(24)}`;
      await db.tx(async (tx) => {
        await repo.updateConnection(tx, auth.workspaceId, id, {
          token_hash: sha256(token),
          token_prefix: token.slice(0, 14),
        });
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'store_connection.token_rotated',
          targetType: 'store_connection',
          targetId: id,
        });
      });
      return { ...(await toConnection(await loadConnection(auth.workspaceId, id))), token };
    },
    async deleteConnection(auth: Auth, id: number) {
      await db.tx(async (tx) => {
        if (!(await repo.deleteConnection(tx, auth.workspaceId, id)).length)
          throw notFound('Store connection');
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'store_connection.deleted',
          targetType: 'store_connection',
          targetId: id,
        });
      });
    },
    async startBackfill(auth: Auth, id: number) {
      const c = await loadConnection(auth.workspaceId, id);
      if (c.platform === 'builtin')
        throw badRequest('The built-in store API is pushed to; there is nothing to import');
      await db.tx(async (tx) => {
        await repo.updateConnection(tx, auth.workspaceId, id, {
          sync_status: 'backfilling',
          backfill_cursor: null,
          backfilled_orders: 0,
          last_error: null,
        });
        await enqueue(
          tx,
          'commerce-backfill',
          { workspaceId: auth.workspaceId, connectionId: id, cursor: null, run: randomUUID() },
          { workspaceId: auth.workspaceId },
        );
      });
      deps.jobs.wake();
      return toConnection(await loadConnection(auth.workspaceId, id));
    },
    /** Job: one page of the initial import, then the next page as its own job (resumable, never one huge run). */
    async backfillPage(workspaceId: number, connectionId: number, cursor: string | null, run: string) {
      const c = await repo.findConnection(db, workspaceId, connectionId);
      if (c?.sync_status !== 'backfilling' || (c.backfill_cursor ?? null) !== cursor) return;
      try {
        const page = await connectorOf(c.platform).backfill(contextOf(c), cursor);
        await db.tx(async (tx) => {
          await ingestChanges(tx, workspaceId, connectionId, page.changes);
          await repo.updateConnection(tx, workspaceId, connectionId, {
            backfill_cursor: page.nextCursor,
            backfilled_orders: c.backfilled_orders + page.changes.filter((x) => x.type === 'order').length,
            sync_status: page.nextCursor ? 'backfilling' : 'idle',
            last_sync_at: page.nextCursor ? undefined : new Date(),
          });
          if (page.nextCursor)
            await enqueue(
              tx,
              'commerce-backfill',
              { workspaceId, connectionId, cursor: page.nextCursor, run },
              {
                workspaceId,
                uniqueKey: `backfill:${run}:${sha256(page.nextCursor).slice(0, 24)}`,
              },
            );
        });
        deps.jobs.wake();
      } catch (err) {
        await repo.updateConnection(db, workspaceId, connectionId, {
          last_error: (err as Error).message.slice(0, 1000),
          last_error_at: new Date(),
        });
        throw err;
      }
    },
    async failBackfill(workspaceId: number, connectionId: number, message: string) {
      await repo.updateConnection(db, workspaceId, connectionId, {
        sync_status: 'error',
        last_error: message.slice(0, 1000),
        last_error_at: new Date(),
      });
    },

    // ---------- built-in store API ----------
    async authenticateStoreToken(authorization: string | undefined) {
      const token = authorization?.match(/^Bearer\s+(sdstore_\S+)$/i)?.[1];
      if (!token) return null;
      return (await repo.findConnectionByTokenHash(db, sha256(token))) ?? null;
    },
    async pushBatch(conn: repo.ConnectionRow, batch: StoreBatch) {
      const changes: StoreChange[] = [
        ...batch.customers.map((customer) => ({ type: 'customer' as const, customer })),
        ...batch.products.map((product) => ({ type: 'product' as const, product })),
        ...batch.orders.map((order) => ({ type: 'order' as const, order })),
      ];
      const r = await db.tx(async (tx) => {
        const r = await ingestChanges(tx, conn.workspace_id, conn.id, changes);
        await repo.updateConnection(tx, conn.workspace_id, conn.id, { last_sync_at: new Date() });
        return r;
      });
      return { customers: r.customers, products: r.products, orders: r.orders };
    },
    async pushShipments(
      conn: repo.ConnectionRow,
      shipments: { orderExternalId: string; fulfillment: StoreFulfillmentInput }[],
    ) {
      const known = await repo.orderIdsByExternal(db, conn.id, [
        ...new Set(shipments.map((s) => s.orderExternalId)),
      ]);
      const unknown = shipments.filter((s) => !known.has(s.orderExternalId)).map((s) => s.orderExternalId);
      if (unknown.length)
        throw new AppError(
          'validation_failed',
          `Unknown order externalId: ${unknown.slice(0, 5).join(', ')}`,
          { unknown },
        );
      await db.tx((tx) =>
        ingestChanges(
          tx,
          conn.workspace_id,
          conn.id,
          shipments.map((s) => ({ type: 'fulfillment' as const, ...s })),
        ),
      );
      return { applied: shipments.length };
    },
    async storeOutbox(conn: repo.ConnectionRow, afterId: number, limit: number) {
      const rows = await repo.listActions(db, conn.workspace_id, { status: 'succeeded', limit: 500 });
      return rows
        .filter((a) => a.connection_id === conn.id && a.id > afterId)
        .sort((x, y) => x.id - y.id)
        .slice(0, limit)
        .map(toAction);
    },

    // ---------- webhooks ----------
    /** Verify, store raw, queue: the 2xx goes out only after the payload is durable. */
    async receiveWebhook(platform: string, connectionId: number, headers: Headers, raw: Buffer) {
      const c = await repo.findConnectionById(db, connectionId);
      if (!c || c.platform !== platform || !c.active) throw notFound('Store connection');
      const connector = connectorOf(platform);
      const delivery = connector.describeWebhook(headers, raw);
      if (!delivery) return { accepted: false, duplicate: false, reason: 'no event (ping)' };
      if (!connector.verifyWebhook(headers, raw, credsOf(c)))
        throw new AppError('unauthorized', 'Webhook signature does not match');
      const id = await db.tx(async (tx) => {
        const id = await repo.insertInboundEvent(tx, {
          workspaceId: c.workspace_id,
          channel: `store:${c.id}`,
          providerId: delivery.id,
          headers: { topic: delivery.topic, platform },
          payload: raw,
        });
        if (id) {
          await enqueue(
            tx,
            'process-store-webhook',
            { eventId: id },
            { workspaceId: c.workspace_id, uniqueKey: `store-webhook:${id}` },
          );
          await repo.updateConnection(tx, c.workspace_id, c.id, { last_webhook_at: new Date() });
        }
        return id;
      });
      if (id) deps.jobs.wake();
      return { accepted: true, duplicate: id === null };
    },
    /** Job: apply a stored delivery. Safe to repeat: the upserts are keyed and guarded by updated_at. */
    async processWebhook(eventId: number, final: boolean) {
      const e = await repo.findInboundEvent(db, eventId);
      if (!e || e.processed_at) return;
      const c = await repo.findConnectionById(db, Number(e.channel.split(':')[1]));
      if (!c) {
        await repo.markInboundEvent(db, eventId, null);
        return;
      }
      try {
        const body = parseJsonKeepingBigInts(Buffer.from(e.payload).toString('utf8'));
        const changes = connectorOf(c.platform).parseWebhook(String(e.headers.topic), body, {
          currency: c.currency,
        });
        await db.tx(async (tx) => {
          await ingestChanges(tx, c.workspace_id, c.id, changes);
          await repo.markInboundEvent(tx, eventId, null);
        });
      } catch (err) {
        const message = (err as Error).message;
        await repo.markInboundEvent(db, eventId, message);
        if (final)
          await repo.updateConnection(db, c.workspace_id, c.id, {
            last_error: `Webhook ${eventId}: ${message}`.slice(0, 1000),
            last_error_at: new Date(),
          });
        throw err;
      }
    },

    // ---------- orders ----------
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

    // ---------- policy ----------
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

    // ---------- actions ----------
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
      const plan = await planAction(auth.workspaceId, o, input, policy);
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
  return svc;
}

export type CommerceService = ReturnType<typeof createCommerceService>;
