import {
  BusinessCalendar,
  BusinessCalendarInput,
  BusinessCalendarStatus,
  ReorderSlaPolicies,
  SlaPolicy,
  SlaPolicyInput,
  SlaReport,
  SlaReportQuery,
  TicketSla,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { SlaService } from './sla.service.ts';

const TeamParams = z.object({ teamId: z.coerce.number().int().positive() });

export function registerSlaRoutes(r: Router, svc: SlaService) {
  r.add({
    method: 'GET',
    url: '/api/v1/business-hours',
    summary: 'Business calendars: the workspace one and any per-team ones',
    tag: 'SLA',
    access: 'read-only',
    response: z.object({ items: z.array(BusinessCalendar) }),
    handler: async ({ auth }) => ({ items: await svc.listBusinessHours(auth) }),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/business-hours',
    summary: 'Set the workspace business hours (time zone, weekly schedule, holidays)',
    tag: 'SLA',
    access: 'lead',
    body: BusinessCalendarInput,
    response: BusinessCalendar,
    handler: async ({ auth, body }) => svc.putBusinessHours(auth, null, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/business-hours/status',
    summary: 'Are we open now, and when do we open next (per team when given)',
    tag: 'SLA',
    access: 'read-only',
    query: z.object({ team: z.coerce.number().int().positive().optional() }),
    response: BusinessCalendarStatus,
    handler: async ({ auth, query }) => svc.openStatus(auth, query.team ?? null),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/business-hours/teams/:teamId',
    summary: "A team's own business hours",
    tag: 'SLA',
    access: 'read-only',
    params: TeamParams,
    response: BusinessCalendar,
    handler: async ({ auth, params }) => svc.getBusinessHours(auth, params.teamId),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/business-hours/teams/:teamId',
    summary: 'Give a team its own business hours (overrides the workspace calendar for its tickets)',
    tag: 'SLA',
    access: 'lead',
    params: TeamParams,
    body: BusinessCalendarInput,
    response: BusinessCalendar,
    handler: async ({ auth, params, body }) => svc.putBusinessHours(auth, params.teamId, body),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/business-hours/teams/:teamId',
    summary: "Remove a team's own hours (it falls back to the workspace calendar)",
    tag: 'SLA',
    access: 'lead',
    params: TeamParams,
    handler: async ({ auth, params }) => svc.deleteBusinessHours(auth, params.teamId),
  });

  r.add({
    method: 'GET',
    url: '/api/v1/sla/policies',
    summary: 'SLA policies in the order they are matched',
    tag: 'SLA',
    access: 'read-only',
    response: z.object({ items: z.array(SlaPolicy) }),
    handler: async ({ auth }) => ({ items: await svc.listPolicies(auth) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/sla/policies',
    summary: 'Create an SLA policy (the first active policy whose match fits a ticket applies)',
    tag: 'SLA',
    access: 'lead',
    body: SlaPolicyInput,
    response: SlaPolicy,
    status: 201,
    handler: async ({ auth, body }) => svc.createPolicy(auth, body),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/sla/policies/:id',
    summary: 'Replace an SLA policy; active tickets are re-timed',
    tag: 'SLA',
    access: 'lead',
    params: IdParams,
    body: SlaPolicyInput,
    response: SlaPolicy,
    handler: async ({ auth, params, body }) => svc.updatePolicy(auth, params.id, body),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/sla/policies/:id',
    summary: 'Delete an SLA policy',
    tag: 'SLA',
    access: 'lead',
    params: IdParams,
    handler: async ({ auth, params }) => svc.deletePolicy(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/sla/policies/reorder',
    summary: 'Set the match order of all policies',
    tag: 'SLA',
    access: 'lead',
    body: ReorderSlaPolicies,
    response: z.object({ updated: z.number().int() }),
    handler: async ({ auth, body }) => ({ updated: await svc.reorderPolicies(auth, body.ids) }),
  });

  r.add({
    method: 'GET',
    url: '/api/v1/tickets/:id/sla',
    summary: "A ticket's SLA: active targets, time left and breach state",
    tag: 'SLA',
    access: 'read-only',
    params: IdParams,
    response: TicketSla,
    handler: async ({ auth, params }) => svc.ticketSla(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/sla/tickets',
    summary:
      'Active tickets with an SLA, due soonest first; filter to breached ones. With ids: the SLA state of those tickets (one call for a page of the inbox)',
    tag: 'SLA',
    access: 'read-only',
    query: z.object({
      ids: z
        .string()
        .regex(/^\d{1,15}(,\d{1,15}){0,199}$/, 'comma-separated ticket ids, at most 200')
        .optional()
        .describe(
          'Comma-separated ticket ids (up to 200); tickets without an SLA or of another workspace are left out',
        ),
      filter: z.enum(['all', 'breached']).default('all'),
      assignee: z
        .union([z.literal('me'), z.coerce.number().int().positive()])
        .optional()
        .describe('Agent id or "me"'),
      team: z.coerce.number().int().positive().optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    response: z.object({
      items: z.array(
        z.object({
          id: z.number(),
          subject: z.string(),
          status: z.string(),
          priority: z.string(),
          channel: z.string(),
          assigneeId: z.number().nullable(),
          teamId: z.number().nullable(),
          nextDueAt: z.string().nullable(),
          breached: z.boolean(),
          policy: z.object({ id: z.number(), name: z.string() }).nullable(),
          active: z
            .object({
              metric: z.enum(['first_response', 'next_response', 'resolution']),
              cycle: z.number().int(),
              state: z.enum(['running', 'paused', 'met', 'breached']),
              dueAt: z.string().nullable(),
              warnAt: z.string().nullable(),
              completedAt: z.string().nullable(),
              warning: z.boolean().describe('Past the warning threshold and not yet done'),
            })
            .nullable()
            .describe(
              'The most pressing clock: open and breached, else open and due soonest, else the last one',
            ),
        }),
      ),
    }),
    handler: async ({ auth, query }) => {
      const assigneeId = query.assignee === 'me' ? auth.agentId : query.assignee;
      const ids = query.ids ? [...new Set(query.ids.split(',').map(Number))] : undefined;
      return {
        items: await svc.dueTickets(auth, {
          ids,
          breached: query.filter === 'breached',
          assigneeId,
          teamId: query.team,
          limit: ids ? 200 : query.limit,
        }),
      };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/sla/report',
    summary: 'SLA achievement per target over a period (default: the last 30 days)',
    tag: 'SLA',
    access: 'read-only',
    query: SlaReportQuery,
    response: SlaReport,
    handler: async ({ auth, query }) => svc.report(auth, query),
  });
}
