import { z } from 'zod';
import { notFound } from '../../platform/errors.ts';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { Polling } from './polling.ts';
import type { ProblemsService } from './problems.ts';
import { PROVIDERS, type TrackingService } from './tracking.service.ts';

export function registerTrackingRoutes(
  r: Router,
  svc: TrackingService,
  problems: ProblemsService,
  polling: Polling,
) {
  r.add({
    method: 'GET',
    url: '/api/v1/tracking/shipments',
    summary: 'Shipments (parcels) with their normalised status, newest change first',
    tag: 'Tracking',
    access: 'read-only',
    query: z.object({
      status: z.string().max(32).optional(),
      orderId: z.coerce.number().int().optional(),
      limit: z.coerce.number().int().min(1).max(200).optional(),
    }),
    handler: async ({ auth, query }) => ({ items: await svc.listShipments(auth.workspaceId, query) }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/tracking/shipments/:id',
    summary: 'A shipment with its scan history (carrier time order)',
    tag: 'Tracking',
    access: 'read-only',
    params: IdParams,
    handler: async ({ auth, params }) => svc.shipment(auth.workspaceId, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/tracking/detections',
    summary: 'Delays and delivery problems found, newest first, with the ticket each used',
    tag: 'Tracking',
    access: 'read-only',
    handler: async ({ auth }) => ({ items: await svc.detections(auth.workspaceId) }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/tracking/sources',
    summary: 'Connected carrier aggregators (AfterShip, EasyPost, Shippo)',
    tag: 'Tracking',
    access: 'admin',
    handler: async ({ auth }) => ({ items: await svc.sources(auth.workspaceId) }),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/tracking/sources/:provider',
    summary: 'Connect a carrier aggregator with its webhook secret; returns the webhook address to give it',
    tag: 'Tracking',
    access: 'admin',
    params: z.object({ provider: z.enum(PROVIDERS) }),
    body: z.object({ secret: z.string().min(1).max(500) }),
    handler: async ({ auth, params, body }) =>
      svc.connectSource(auth.workspaceId, params.provider, body.secret),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/tracking/sources/:provider/polling',
    summary:
      'Poll a carrier aggregator for parcels no webhook updates: its API key (kept encrypted) and the minutes between polls of a parcel; pollMinutes null stops',
    tag: 'Tracking',
    access: 'admin',
    params: z.object({ provider: z.enum(PROVIDERS) }),
    body: z.object({
      apiKey: z.string().min(1).max(500).optional(),
      pollMinutes: z.number().int().min(15).max(1440).nullable(),
    }),
    handler: async ({ auth, params, body }) => polling.configure(auth.workspaceId, params.provider, body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tracking/sources/:provider/poll',
    summary: 'Poll the due parcels now (what the tracking-poll job does), within the provider’s rate limit',
    tag: 'Tracking',
    access: 'admin',
    params: z.object({ provider: z.enum(PROVIDERS) }),
    handler: async ({ auth, params }) => {
      const id = (await svc.sources(auth.workspaceId)).find((s) => s.provider === params.provider)?.id;
      if (!id) throw notFound('Polling source');
      return polling.run(id);
    },
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/tracking/settings',
    summary:
      'Delay rules (days before "no first scan" and "in transit too long") and whether shoppers are told',
    tag: 'Tracking',
    access: 'admin',
    body: z.object({
      noFirstScanDays: z.number().int().min(1).max(60).optional(),
      inTransitDays: z.number().int().min(1).max(120).optional(),
      notify: z.boolean().optional(),
      businessDays: z.boolean().optional(),
      workDays: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional(),
      holidays: z
        .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/))
        .max(100)
        .optional(),
      timeZone: z
        .string()
        .max(64)
        .refine(validTimeZone, 'Unknown time zone (use an IANA name like Europe/Berlin)')
        .optional(),
      carriers: z
        .array(
          z.object({
            carrier: z.string().min(1).max(60),
            noFirstScanDays: z.number().int().min(1).max(60).optional(),
            inTransitDays: z.number().int().min(1).max(120).optional(),
          }),
        )
        .max(50)
        .optional(),
    }),
    handler: async ({ auth, body }) => {
      const s = await svc.updateSettings(auth.workspaceId, {
        ...(body.noFirstScanDays !== undefined ? { no_first_scan_days: body.noFirstScanDays } : {}),
        ...(body.inTransitDays !== undefined ? { in_transit_days: body.inTransitDays } : {}),
        ...(body.notify !== undefined ? { notify: body.notify } : {}),
        ...(body.businessDays !== undefined ? { business_days: body.businessDays } : {}),
        ...(body.workDays ? { work_days: [...new Set(body.workDays)].sort() } : {}),
        ...(body.holidays ? { holidays: body.holidays } : {}),
        ...(body.timeZone ? { time_zone: body.timeZone } : {}),
        ...(body.carriers ? { rule_overrides: body.carriers } : {}),
      });
      return settingsApi(s);
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/tracking/settings',
    summary: 'Delay rules: thresholds, business days and holidays, per-carrier thresholds',
    tag: 'Tracking',
    access: 'read-only',
    handler: async ({ auth }) => settingsApi(await svc.settings(auth.workspaceId)),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tracking/sweep',
    summary: 'Run the delivery check now (store shipments, then the time-based rules)',
    tag: 'Tracking',
    access: 'admin',
    handler: async ({ auth }) => svc.sweep(auth.workspaceId),
  });

  r.add({
    method: 'GET',
    url: '/api/v1/problems',
    summary: 'Problems (one cause, many tickets) with their impact',
    tag: 'Problems',
    access: 'read-only',
    handler: async ({ auth }) => ({ items: await problems.list(auth) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/problems',
    summary: 'Create a problem from selected tickets; keywords link new tickets whose subject names them',
    tag: 'Problems',
    access: 'agent',
    status: 201,
    body: z.object({
      title: z.string().min(1).max(200),
      cause: z.string().max(2000).optional(),
      ticketIds: z.array(z.number().int()).max(1000).optional(),
      keywords: z.array(z.string().min(2).max(60)).max(20).optional(),
    }),
    handler: async ({ auth, body }) => problems.create(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/problems/:id',
    summary: 'A problem and its linked tickets',
    tag: 'Problems',
    access: 'read-only',
    params: IdParams,
    handler: async ({ auth, params }) => problems.get(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/problems/:id/impact',
    summary: "A problem's impact: linked and open tickets, orders behind them, money at stake per currency",
    tag: 'Problems',
    access: 'read-only',
    params: IdParams,
    handler: async ({ auth, params }) => problems.impact(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/problems/:id/timeline',
    summary: 'What happened to a problem: created, tickets linked, updates sent, solved',
    tag: 'Problems',
    access: 'read-only',
    params: IdParams,
    handler: async ({ auth, params }) => ({ items: await problems.timeline(auth, params.id) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/problems/:id/tickets',
    summary: 'Link more tickets to a problem',
    tag: 'Problems',
    access: 'agent',
    params: IdParams,
    body: z.object({ ticketIds: z.array(z.number().int()).min(1).max(1000) }),
    handler: async ({ auth, params, body }) => problems.link(auth, params.id, body.ticketIds),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/problems/:id/notify',
    summary: 'Send every linked customer one templated update (dryRun: who would be told)',
    tag: 'Problems',
    access: 'agent',
    params: IdParams,
    body: z.object({ text: z.string().min(1).max(5000), dryRun: z.boolean().optional() }),
    handler: async ({ auth, params, body }) => problems.notify(auth, params.id, body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/problems/:id/solve',
    summary: 'Solve the problem: tell every linked customer, and solve their tickets if asked',
    tag: 'Problems',
    access: 'agent',
    params: IdParams,
    body: z.object({ text: z.string().min(1).max(5000), solveTickets: z.boolean().default(true) }),
    handler: async ({ auth, params, body }) => problems.solve(auth, params.id, body),
  });
}

function validTimeZone(tz: string) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
const settingsApi = (s: Awaited<ReturnType<TrackingService['settings']>>) => ({
  noFirstScanDays: s.no_first_scan_days,
  inTransitDays: s.in_transit_days,
  notify: s.notify,
  businessDays: s.business_days,
  workDays: s.work_days,
  holidays: s.holidays,
  timeZone: s.time_zone,
  carriers: s.rule_overrides,
});
