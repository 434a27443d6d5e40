import {
  type CommercePolicy,
  CommercePolicy as PolicySchema,
  type StoreConnection,
} from '@shopdesk/contracts';
import type {
  ConnectionContext,
  OrderSnapshot,
  StoreCredentials,
  StoreRegistry,
} from '../../commerce/store-connector.ts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import { keyRing } from '../../platform/security/keys.ts';
import type { ContactsService } from '../contacts/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import { createMoneyPolicy } from './commerce.money.ts';
import * as repo from './commerce.repository.ts';
import { defaultPolicy } from './order-policy.ts';
import { iso, toOrder } from './order-views.ts';

export interface CommerceDeps {
  stores: StoreRegistry;
  tickets: Pick<TicketsService, 'get' | 'recordEvent'>;
  contacts: Pick<ContactsService, 'idsIncludingMerged'>;
}

/**
 * What every commerce use case shares: the deps, the store connectors, decrypted credentials, the
 * policy, the money path and the helpers that load orders and report to the timeline. Each use-case
 * file (connections.service.ts, store-webhooks.ts, orders.service.ts, order-actions.ts, approvals.ts …)
 * takes this and returns its part of the CommerceService.
 */
export function createCommerceContext(deps: Deps, ext: CommerceDeps) {
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

  return {
    deps,
    ext,
    db,
    bus,
    config,
    log,
    keys,
    credsOf,
    contextOf,
    connectorOf,
    toConnection,
    loadConnection,
    policyOf,
    money,
    loadOrders,
    getOrderRow,
    snapshotOf,
    timeline,
    announce,
  };
}

export type CommerceContext = ReturnType<typeof createCommerceContext>;
