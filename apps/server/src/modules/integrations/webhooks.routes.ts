import {
  CreateWebhookSubscription,
  UpdateWebhookSubscription,
  WEBHOOK_EVENT_TYPES,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookDeliveryStatus,
  WebhookEventType,
  WebhookSubscription,
  WebhookSubscriptionWithSecret,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import { EVENT_DESCRIPTIONS } from './webhook-events.ts';
import type { WebhooksService } from './webhooks.service.ts';

const TAG = 'Integrations';

export function registerWebhookRoutes(r: Router, svc: WebhooksService) {
  r.add({
    method: 'GET',
    url: '/api/v1/integrations/webhooks/event-types',
    summary: 'Event types a webhook subscription can receive (payload: the WebhookPayload schema, version 1)',
    tag: TAG,
    access: 'read-only',
    response: z.object({ items: z.array(z.object({ type: WebhookEventType, description: z.string() })) }),
    handler: async () => ({
      items: WEBHOOK_EVENT_TYPES.map((type) => ({ type, description: EVENT_DESCRIPTIONS[type] })),
    }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/integrations/webhooks',
    summary: 'Outgoing webhook subscriptions of this workspace',
    tag: TAG,
    access: 'admin',
    response: z.object({ items: z.array(WebhookSubscription) }),
    handler: async ({ auth }) => ({ items: await svc.list(auth) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/integrations/webhooks',
    summary: 'Subscribe a URL to events; the answer holds its signing secret (whsec_…), shown this once',
    tag: TAG,
    access: 'admin',
    body: CreateWebhookSubscription,
    response: WebhookSubscriptionWithSecret,
    status: 201,
    handler: async ({ auth, body }) => svc.create(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/integrations/webhooks/:id',
    summary: 'One webhook subscription (without its secret)',
    tag: TAG,
    access: 'admin',
    params: IdParams,
    response: WebhookSubscription,
    handler: async ({ auth, params }) => svc.get(auth, params.id),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/integrations/webhooks/:id',
    summary: 'Change the URL, events or description; switch on (clears the failure record) or off',
    tag: TAG,
    access: 'admin',
    params: IdParams,
    body: UpdateWebhookSubscription,
    response: WebhookSubscription,
    handler: async ({ auth, params, body }) => svc.update(auth, params.id, body),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/integrations/webhooks/:id',
    summary: 'Delete a subscription with its secret and delivery log',
    tag: TAG,
    access: 'admin',
    params: IdParams,
    handler: async ({ auth, params }) => svc.remove(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/integrations/webhooks/:id/rotate-secret',
    summary: 'New signing secret (shown once); the old one keeps signing alongside for 24 hours',
    tag: TAG,
    access: 'admin',
    params: IdParams,
    response: WebhookSubscriptionWithSecret,
    handler: async ({ auth, params }) => svc.rotateSecret(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/integrations/webhooks/:id/test',
    summary: 'Send a webhook.test event now (one attempt; see its delivery for the answer)',
    tag: TAG,
    access: 'admin',
    params: IdParams,
    response: WebhookDelivery,
    status: 202,
    handler: async ({ auth, params }) => svc.sendTest(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/integrations/webhooks/:id/deliveries',
    summary: 'The delivery log of a subscription, newest first (page on with `before`)',
    tag: TAG,
    access: 'admin',
    params: IdParams,
    query: z.object({
      status: WebhookDeliveryStatus.optional(),
      before: z.coerce.number().int().positive().optional(),
      limit: z.coerce.number().int().min(1).max(100).default(50),
    }),
    response: z.object({ items: z.array(WebhookDelivery), nextBefore: z.number().nullable() }),
    handler: async ({ auth, params, query }) => svc.deliveries(auth, params.id, query),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/integrations/webhook-deliveries/:id',
    summary: 'One delivery: the payload and every attempt with its request headers and the answer',
    tag: TAG,
    access: 'admin',
    params: IdParams,
    response: WebhookDeliveryDetail,
    handler: async ({ auth, params }) => svc.delivery(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/integrations/webhook-deliveries/:id/redeliver',
    summary: 'Send a finished delivery again: same body and webhook-id, one attempt',
    tag: TAG,
    access: 'admin',
    params: IdParams,
    response: WebhookDelivery,
    status: 202,
    handler: async ({ auth, params }) => svc.redeliver(auth, params.id),
  });
}
