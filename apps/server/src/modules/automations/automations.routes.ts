import {
  Automation,
  AutomationInput,
  AutomationPreview,
  AutomationRun,
  AutomationSaved,
  UrgencyResult,
  WebhookEndpoint,
  WebhookSecret,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { AutomationsService } from './automations.service.ts';

/** "Run now" answers within a request's patience; whatever is left is scanned by the next run. */
const RUN_NOW_BUDGET_MS = 20_000;

export function registerAutomationRoutes(r: Router, svc: AutomationsService) {
  r.add({
    method: 'GET',
    url: '/api/v1/automations/webhook-endpoints',
    summary: 'Webhook URLs automations call, each with its own signing secret (never shown again)',
    tag: 'Automations',
    access: 'lead',
    response: z.object({ items: z.array(WebhookEndpoint) }),
    handler: async ({ auth }) => ({ items: await svc.listWebhookEndpoints(auth) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/automations/webhook-endpoints',
    summary: 'Register a webhook URL; the answer holds its signing secret, shown this once',
    tag: 'Automations',
    access: 'lead',
    body: z.object({ url: z.url({ protocol: /^https?$/ }) }),
    response: WebhookEndpoint.extend(WebhookSecret.pick({ secret: true }).shape),
    status: 201,
    handler: async ({ auth, body }) => svc.createWebhookEndpoint(auth, body.url),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/automations/webhook-endpoints/:id/rotate-secret',
    summary: 'New signing secret (shown once); the old one keeps signing alongside for 24 hours',
    tag: 'Automations',
    access: 'lead',
    params: IdParams,
    response: WebhookEndpoint.extend(WebhookSecret.pick({ secret: true }).shape),
    handler: async ({ auth, params }) => svc.rotateWebhookSecret(auth, params.id),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/automations/webhook-endpoints/:id',
    summary: 'Forget a webhook endpoint and its secret (a later delivery makes a new one)',
    tag: 'Automations',
    access: 'lead',
    params: IdParams,
    handler: async ({ auth, params }) => svc.deleteWebhookEndpoint(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/automations',
    summary: 'Triggers and scheduled automations, in the order they run',
    tag: 'Automations',
    access: 'read-only',
    response: z.object({ items: z.array(Automation) }),
    handler: async ({ auth }) => ({ items: await svc.list(auth) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/automations',
    summary: 'Create a trigger (runs on events) or a scheduled automation (hourly scan)',
    tag: 'Automations',
    access: 'lead',
    body: AutomationInput,
    response: AutomationSaved,
    status: 201,
    handler: async ({ auth, body }) => svc.create(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/automations/:id',
    summary: 'One automation',
    tag: 'Automations',
    access: 'read-only',
    params: IdParams,
    response: Automation,
    handler: async ({ auth, params }) => svc.get(auth, params.id),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/automations/:id',
    summary: 'Replace an automation',
    tag: 'Automations',
    access: 'lead',
    params: IdParams,
    body: AutomationInput,
    response: AutomationSaved,
    handler: async ({ auth, params, body }) => svc.update(auth, params.id, body),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/automations/:id',
    summary: 'Delete an automation (its log entries stay)',
    tag: 'Automations',
    access: 'lead',
    params: IdParams,
    handler: async ({ auth, params }) => svc.remove(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/automations/reorder',
    summary: 'Set the run order: list every automation id once, first to run first',
    tag: 'Automations',
    access: 'lead',
    body: z.object({ ids: z.array(z.number().int().positive()).min(1).max(500) }),
    response: z.object({ items: z.array(Automation) }),
    handler: async ({ auth, body }) => ({ items: await svc.reorder(auth, body.ids) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/automations/preview',
    summary: 'Test run: which open tickets match these conditions now (changes nothing)',
    tag: 'Automations',
    access: 'lead',
    body: AutomationInput,
    response: AutomationPreview,
    handler: async ({ auth, body }) => svc.preview(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/automations/:id/runs',
    summary: 'Execution log of one automation, newest first',
    tag: 'Automations',
    access: 'read-only',
    params: IdParams,
    response: z.object({ items: z.array(AutomationRun) }),
    handler: async ({ auth, params }) => {
      await svc.get(auth, params.id);
      return { items: await svc.runs(auth, { automationId: params.id }) };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/tickets/:id/automation-runs',
    summary: 'Execution log of automations on one ticket, newest first',
    tag: 'Automations',
    access: 'read-only',
    params: IdParams,
    response: z.object({ items: z.array(AutomationRun) }),
    handler: async ({ auth, params }) => ({ items: await svc.runs(auth, { ticketId: params.id }) }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/tickets/:id/urgency',
    summary: 'Urgency scores of the customer’s messages, with the reasons',
    tag: 'Automations',
    access: 'read-only',
    params: IdParams,
    response: z.object({ items: z.array(UrgencyResult) }),
    handler: async ({ auth, params }) => ({ items: await svc.urgency(auth, params.id) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/automations/run-scheduled',
    summary:
      "Run this workspace's scheduled automations now (they also run every hour); each acts once per ticket",
    tag: 'Automations',
    access: 'admin',
    response: z.object({
      acted: z.number().int(),
      complete: z
        .boolean()
        .describe('false: the time budget ran out; the next run resumes with the tickets not yet scanned'),
    }),
    // Only the caller's workspace: an admin of one shop must not run (or count) another shop's automations.
    handler: async ({ auth }) => svc.scan({ workspaceId: auth.workspaceId, budgetMs: RUN_NOW_BUDGET_MS }),
  });
}
