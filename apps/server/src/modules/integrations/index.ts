import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import type { TicketsService } from '../tickets/index.ts';
import { registerDemoSink } from './demo-sink.ts';
import { registerErasureRoutes } from './erasure.ts';
import { importPageJob } from './imports.jobs.ts';
import { registerImportRoutes } from './imports.routes.ts';
import { createImportsService, type ImportsService } from './imports.service.ts';
import { PUBLIC_TYPE } from './webhook-events.ts';
import { deliverWebhookJob } from './webhooks.jobs.ts';
import { pruneDeliveries } from './webhooks.repository.ts';
import { registerWebhookRoutes } from './webhooks.routes.ts';
import { createWebhooksService, type WebhooksService } from './webhooks.service.ts';

export type { ImportsService, WebhooksService };
/** The CLI's `shopdesk import` drives the same service in its own process. */
export { createImportsService };

/** Housekeeping: finished webhook deliveries older than RETAIN_WEBHOOK_DELIVERIES_DAYS. */
export const pruneWebhookDeliveries = pruneDeliveries;

/**
 * Integrations from the composition root (docs/integrations.md): outgoing webhooks — routes, the
 * delivery job, and a listener per domain event that subscribers can receive; imports from other
 * helpdesks (routes and the page job).
 */
export async function installIntegrations(o: {
  app: FastifyInstance;
  router: Router;
  deps: Deps;
  tickets: TicketsService;
}) {
  const webhooks = createWebhooksService(o.deps, o.tickets);
  // The demo's subscription points here (seed/demo-webhooks.ts), like the demo shop at /demo/shop.
  if (o.deps.config.SEED_DEMO) await registerDemoSink(o.app, o.deps);
  registerWebhookRoutes(o.router, webhooks);
  o.deps.jobs.register(deliverWebhookJob(webhooks));
  for (const name of Object.keys(PUBLIC_TYPE)) o.deps.bus.on(name, (e) => webhooks.onEvent(e));
  const imports = createImportsService(o.deps);
  registerImportRoutes(o.router, imports);
  o.deps.jobs.register(importPageJob(imports));
  registerErasureRoutes(o.router, o.deps.db);
  return { webhooks, imports };
}
