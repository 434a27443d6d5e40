import {
  CommercePolicy,
  CreatedStoreConnection,
  CreateStoreConnection,
  DecideAction,
  ListActionsQuery,
  ListOrdersQuery,
  Order,
  OrderAction,
  OrderActionInput,
  OrderList,
  OrderVariables,
  ShipmentBatch,
  StoreBatch,
  StoreBatchResult,
  StoreConnection,
  UpdateStoreConnection,
} from '@shopdesk/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { CommerceService } from './commerce.service.ts';

const tag = 'Commerce';
const storeTag = 'Built-in store API';

export function registerCommerceRoutes(r: Router, svc: CommerceService) {
  // ---- connections (settings) ----
  r.add({
    method: 'GET',
    url: '/api/v1/commerce/connections',
    summary: 'Store connections with sync status and recent errors',
    tag,
    access: 'lead',
    response: z.array(StoreConnection),
    handler: ({ auth }) => svc.listConnections(auth),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/commerce/connections',
    summary:
      'Connect a store (Shopify, WooCommerce or the built-in store API; the built-in token is returned once)',
    tag,
    access: 'admin',
    body: CreateStoreConnection,
    response: CreatedStoreConnection,
    status: 201,
    handler: ({ auth, body }) => svc.createConnection(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/commerce/connections/:id',
    summary: 'One store connection',
    tag,
    access: 'lead',
    params: IdParams,
    response: StoreConnection,
    handler: ({ auth, params }) => svc.getConnection(auth, params.id),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/commerce/connections/:id',
    summary: 'Rename, switch off, or replace credentials of a store connection',
    tag,
    access: 'admin',
    params: IdParams,
    body: UpdateStoreConnection,
    response: StoreConnection,
    handler: ({ auth, params, body }) => svc.updateConnection(auth, params.id, body),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/commerce/connections/:id',
    summary: 'Remove a store connection and its synced orders',
    tag,
    access: 'admin',
    params: IdParams,
    handler: ({ auth, params }) => svc.deleteConnection(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/commerce/connections/:id/rotate-token',
    summary: 'New token for the built-in store API (the old one stops working)',
    tag,
    access: 'admin',
    params: IdParams,
    response: CreatedStoreConnection,
    handler: ({ auth, params }) => svc.rotateToken(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/commerce/connections/:id/backfill',
    summary:
      'Import existing orders from Shopify (Admin GraphQL) or WooCommerce (REST v3), page by page in jobs',
    tag,
    access: 'admin',
    params: IdParams,
    response: StoreConnection,
    status: 202,
    handler: ({ auth, params }) => svc.startBackfill(auth, params.id),
  });

  // ---- orders ----
  r.add({
    method: 'GET',
    url: '/api/v1/commerce/orders',
    summary: "Orders, newest first: a contact's (incl. merged contacts), by number or by email",
    tag,
    access: 'read-only',
    query: ListOrdersQuery,
    response: OrderList,
    handler: ({ auth, query }) => svc.listOrders(auth, query),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/commerce/orders/:id',
    summary: 'One order with items, payments, refunds and shipments',
    tag,
    access: 'read-only',
    params: IdParams,
    response: Order,
    handler: ({ auth, params }) => svc.getOrder(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/commerce/tickets/:id/orders',
    summary:
      "The customer panel: the ticket contact's orders, with orders named in the conversation marked `mentioned`; another customer's order named there is listed by number only (`mentionedOtherCustomers`)",
    tag,
    access: 'read-only',
    params: IdParams,
    response: OrderList,
    handler: ({ auth, params }) => svc.ticketOrders(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/commerce/tickets/:id/order-variables',
    summary: 'Order fields for macros ({{order.number}}, {{order.tracking_url}} …) for this ticket',
    tag,
    access: 'read-only',
    params: IdParams,
    response: OrderVariables,
    handler: ({ auth, params }) => svc.orderVariables(auth, params.id),
  });

  // ---- policy ----
  r.add({
    method: 'GET',
    url: '/api/v1/commerce/policy',
    summary: 'Refund window, limits per role and approval rules',
    tag,
    access: 'read-only',
    response: CommercePolicy,
    handler: ({ auth }) => svc.getPolicy(auth),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/commerce/policy',
    summary: 'Replace the commerce policy',
    tag,
    access: 'admin',
    body: CommercePolicy,
    response: CommercePolicy,
    handler: ({ auth, body }) => svc.putPolicy(auth, body),
  });

  // ---- actions ----
  r.add({
    method: 'POST',
    url: '/api/v1/commerce/orders/:id/actions',
    summary:
      'Refund, cancel, resend, change address or create a discount code. 201 done, 202 sent for approval, 200 replay of the same Idempotency-Key, 502 the store refused (its message is in error.message)',
    tag,
    access: 'agent',
    params: IdParams,
    body: OrderActionInput,
    response: OrderAction,
    status: 201,
    handler: async ({ auth, params, body, req, reply }) => {
      const { action, replayed } = await svc.requestAction(auth, params.id, body, headerKey(req));
      if (action.status === 'failed' && !replayed)
        return reply
          .code(502)
          .send({ error: { code: 'store_error', message: action.error, details: { action } } });
      return reply.code(replayed ? 200 : action.status === 'pending_approval' ? 202 : 201).send(action);
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/commerce/actions',
    summary: 'Order actions; `status=pending_approval` is the approvals queue',
    tag,
    access: 'agent',
    query: ListActionsQuery,
    response: z.array(OrderAction),
    handler: ({ auth, query }) => svc.listActions(auth, query),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/commerce/actions/:id',
    summary: 'One order action',
    tag,
    access: 'agent',
    params: IdParams,
    response: OrderAction,
    handler: ({ auth, params }) => svc.getAction(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/commerce/actions/:id/approve',
    summary: 'Approve a request (lead within their own limit, or admin); it then runs against the store',
    tag,
    access: 'lead',
    params: IdParams,
    body: DecideAction.optional(),
    response: OrderAction,
    handler: ({ auth, params, body }) => svc.decide(auth, params.id, true, body?.note),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/commerce/actions/:id/reject',
    summary: 'Reject a request',
    tag,
    access: 'lead',
    params: IdParams,
    body: DecideAction.optional(),
    response: OrderAction,
    handler: ({ auth, params, body }) => svc.decide(auth, params.id, false, body?.note),
  });

  // ---- built-in store API (Authorization: Bearer sdstore_…) ----
  const storeConn = async (req: FastifyRequest) => {
    const c = await svc.authenticateStoreToken(req.headers.authorization);
    if (!c)
      throw new AppError(
        'unauthorized',
        'Send the built-in store API token: Authorization: Bearer sdstore_…',
      );
    return c;
  };
  r.add({
    method: 'POST',
    url: '/api/v1/store/batch',
    summary:
      'Push customers, products and orders (up to 500 orders per call): idempotent upserts by externalId; an order update older (by updatedAt) than the stored one is skipped. Auth: Bearer store token',
    tag: storeTag,
    access: 'public',
    rateLimit: 'webhook',
    body: StoreBatch,
    response: StoreBatchResult,
    handler: async ({ req, body }) => svc.pushBatch(await storeConn(req), body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/store/shipments',
    summary: 'Push shipment/tracking updates for known orders. Auth: Bearer store token',
    tag: storeTag,
    access: 'public',
    rateLimit: 'webhook',
    body: ShipmentBatch,
    response: z.object({ applied: z.number().int() }),
    handler: async ({ req, body }) => svc.pushShipments(await storeConn(req), body.shipments),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/store/actions',
    summary:
      'Actions agents took on built-in store orders (refunds, cancellations, codes …) for the shop to carry out, oldest first. Auth: Bearer store token',
    tag: storeTag,
    access: 'public',
    rateLimit: 'webhook',
    query: z.object({
      after: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(200).default(100),
    }),
    response: z.array(OrderAction),
    handler: async ({ req, query }) => svc.storeOutbox(await storeConn(req), query.after, query.limit),
  });
}

const headerKey = (req: FastifyRequest) => {
  const v = req.headers['idempotency-key'];
  const k = Array.isArray(v) ? v[0] : v;
  if (k !== undefined && (k.length < 8 || k.length > 200))
    throw new AppError('validation_failed', 'Idempotency-Key must be 8–200 characters');
  return k;
};

/**
 * Store webhooks need the exact bytes that were signed, so they live in their own encapsulated
 * plugin whose JSON parser hands over the raw Buffer instead of a parsed object.
 */
export function registerCommerceWebhooks(app: FastifyInstance, r: Router, svc: CommerceService) {
  app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'buffer' },
      (_req, body, done) => done(null, body),
    );
    // Webhooks authenticate by signature, so this router never resolves a user.
    const scoped = r.forScope(scope, { authenticate: async () => null });
    for (const platform of ['shopify', 'woocommerce'] as const)
      scoped.add({
        method: 'POST',
        url: `/api/v1/commerce/webhooks/${platform}/:id`,
        summary: `${platform === 'shopify' ? 'Shopify' : 'WooCommerce'} webhook receiver: verifies ${
          platform === 'shopify' ? 'X-Shopify-Hmac-Sha256' : 'X-WC-Webhook-Signature'
        } over the raw body, stores it, answers 200, applies it in a job (deduplicated by ${
          platform === 'shopify' ? 'X-Shopify-Webhook-Id' : 'X-WC-Webhook-Delivery-ID'
        })`,
        tag,
        access: 'public',
        rateLimit: 'webhook',
        params: IdParams,
        rawContentType: 'application/json',
        response: z.object({ accepted: z.boolean(), duplicate: z.boolean(), reason: z.string().optional() }),
        handler: async ({ req, params }) => {
          const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          return svc.receiveWebhook(platform, params.id, req.headers, raw);
        },
      });
    // Listed in the OpenAPI document with the rest of the API.
    r.routes.push(...scoped.routes);
  });
}
