import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { NoticesService } from './notices.service.ts';

const Outcome = z.object({
  id: z.number().nullable(),
  dryRun: z.boolean(),
  duplicate: z.boolean(),
  status: z.enum(['sent', 'scheduled', 'skipped']),
  reason: z.string().nullable(),
  kind: z.string(),
  ticketId: z.number(),
  contactId: z.number().nullable(),
  contactName: z.string().nullable(),
  contactEmail: z.string().nullable(),
  channel: z.string().nullable(),
  locale: z.string(),
  subject: z.string(),
  body: z.string(),
  messageId: z.number().nullable(),
  sendAfter: z.string().nullable(),
});
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const Settings = z.object({
  timezone: z.string().min(1).max(64),
  quietStart: HHMM,
  quietEnd: HHMM,
  capCount: z.number().int().min(0).max(100),
  capHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  defaultLocale: z.string().min(2).max(10),
});
const Values = z.record(z.string(), z.union([z.string().max(5000), z.number()]));
const toApi = (s: Awaited<ReturnType<NoticesService['settings']>>) => ({
  timezone: s.timezone,
  quietStart: s.quiet_start,
  quietEnd: s.quiet_end,
  capCount: s.cap_count,
  capHours: s.cap_hours,
  defaultLocale: s.default_locale,
});

export function registerNoticeRoutes(r: Router, svc: NoticesService) {
  r.add({
    method: 'GET',
    url: '/api/v1/notices/settings',
    summary: 'Customer notices: quiet hours, frequency cap, default language',
    tag: 'Notices',
    access: 'read-only',
    response: Settings,
    handler: async ({ auth }) => toApi(await svc.settings(auth.workspaceId)),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/notices/settings',
    summary: 'Change quiet hours, the frequency cap or the default language of customer notices',
    tag: 'Notices',
    access: 'admin',
    body: Settings.partial(),
    response: Settings,
    handler: async ({ auth, body }) =>
      toApi(
        await svc.updateSettings(auth.workspaceId, {
          ...(body.timezone !== undefined ? { timezone: body.timezone } : {}),
          ...(body.quietStart !== undefined ? { quiet_start: body.quietStart } : {}),
          ...(body.quietEnd !== undefined ? { quiet_end: body.quietEnd } : {}),
          ...(body.capCount !== undefined ? { cap_count: body.capCount } : {}),
          ...(body.capHours !== undefined ? { cap_hours: body.capHours } : {}),
          ...(body.defaultLocale !== undefined ? { default_locale: body.defaultLocale } : {}),
        }),
      ),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/notices/kinds',
    summary:
      'Kinds of notices with their variables and wording per language (built-in or the workspace’s own)',
    tag: 'Notices',
    access: 'read-only',
    response: z.object({
      items: z.array(
        z.object({
          kind: z.string(),
          description: z.string(),
          variables: z.array(z.string()),
          optOut: z.boolean(),
          templates: z.record(
            z.string(),
            z.object({ subject: z.string(), body: z.string(), custom: z.boolean() }),
          ),
        }),
      ),
    }),
    handler: async ({ auth }) => ({ items: await svc.templates(auth.workspaceId) }),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/notices/kinds/:kind/templates/:locale',
    summary: 'The workspace’s wording of a notice in one language (unknown variables are refused)',
    tag: 'Notices',
    access: 'admin',
    params: z.object({ kind: z.string().max(64), locale: z.string().min(2).max(10) }),
    body: z.object({ subject: z.string().min(1).max(300), body: z.string().min(1).max(10_000) }),
    handler: async ({ auth, params, body }) => {
      await svc.saveTemplate(auth.workspaceId, { ...params, ...body });
    },
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/notices/kinds/:kind/templates/:locale',
    summary: 'Back to the built-in wording',
    tag: 'Notices',
    access: 'admin',
    params: z.object({ kind: z.string().max(64), locale: z.string().min(2).max(10) }),
    handler: async ({ auth, params }) => svc.removeTemplate(auth.workspaceId, params.kind, params.locale),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/notices/preview',
    summary: 'Dry run: who would be told what, on which channel, for each ticket (nothing is sent)',
    tag: 'Notices',
    access: 'agent',
    body: z.object({
      kind: z.string().max(64),
      ticketIds: z.array(z.number().int()).min(1).max(500),
      values: Values.optional(),
      locale: z.string().max(10).optional(),
      dedupeKey: z.string().max(150).optional(),
    }),
    response: z.object({ items: z.array(Outcome) }),
    handler: async ({ auth, body }) => ({
      items: await Promise.all(
        body.ticketIds.map((ticketId) =>
          svc.preview({
            workspaceId: auth.workspaceId,
            kind: body.kind,
            ticketId,
            values: body.values,
            locale: body.locale,
            dedupeKey: `${body.dedupeKey ?? `manual:${body.kind}`}:${ticketId}`,
          }),
        ),
      ),
    }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/notices',
    summary: 'Send a notice about a ticket to its customer (once per dedupe key)',
    tag: 'Notices',
    access: 'agent',
    body: z.object({
      kind: z.string().max(64),
      ticketId: z.number().int(),
      dedupeKey: z.string().min(1).max(150),
      values: Values.optional(),
      locale: z.string().max(10).optional(),
    }),
    response: Outcome,
    handler: async ({ auth, body }) =>
      svc.send({
        ...body,
        workspaceId: auth.workspaceId,
        dedupeKey: `manual:${body.dedupeKey}`,
        agentId: auth.agentId,
      }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/notices',
    summary: 'Notices sent, held or skipped, newest first (filter by ticket or contact)',
    tag: 'Notices',
    access: 'read-only',
    query: z.object({
      ticketId: z.coerce.number().int().optional(),
      contactId: z.coerce.number().int().optional(),
      limit: z.coerce.number().int().min(1).max(200).optional(),
    }),
    response: z.object({ items: z.array(Outcome) }),
    handler: async ({ auth, query }) => ({ items: await svc.list(auth.workspaceId, query) }),
  });
  const Prefs = z.object({
    optedOut: z.array(z.string()),
    consents: z.array(
      z.object({ channel: z.string(), granted: z.boolean(), source: z.string(), updatedAt: z.string() }),
    ),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/notices/contacts/:id/preferences',
    summary: 'The notice kinds a customer declined (* = all)',
    tag: 'Notices',
    access: 'read-only',
    params: IdParams,
    response: Prefs,
    handler: async ({ auth, params }) => svc.preferences(auth.workspaceId, params.id),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/notices/contacts/:id/preferences',
    summary: 'Record the notice kinds the customer declined (* = all)',
    tag: 'Notices',
    access: 'agent',
    params: IdParams,
    body: z.object({ optedOut: z.array(z.string().max(64)).max(100) }),
    response: Prefs,
    handler: async ({ auth, params, body }) => {
      await svc.setOptOuts(auth.workspaceId, params.id, body.optedOut);
      return svc.preferences(auth.workspaceId, params.id);
    },
  });
}
