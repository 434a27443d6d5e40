import type {
  AgentRouting,
  Automation,
  BusinessCalendar,
  RoutingConfig,
  SlaPolicy,
  TicketSla,
} from '@shopdesk/contracts';
import type { z } from 'zod';
import { request } from '../../lib/api.ts';

export type TicketSlaT = z.output<typeof TicketSla>;
export type SlaPolicyT = z.output<typeof SlaPolicy>;
export type CalendarT = z.output<typeof BusinessCalendar>;
export type RoutingConfigT = z.output<typeof RoutingConfig>;
export type AgentRoutingT = z.output<typeof AgentRouting>;
export type AutomationT = z.output<typeof Automation>;

/** One row of GET /api/v1/sla/tickets (the due-soonest list, or the state of a page of tickets). */
export type SlaTicketStateT = {
  id: number;
  subject: string;
  status: string;
  priority: string;
  channel: string;
  assigneeId: number | null;
  teamId: number | null;
  nextDueAt: string | null;
  breached: boolean;
  policy: { id: number; name: string } | null;
  active: {
    metric: string;
    cycle: number;
    state: 'running' | 'paused' | 'met' | 'breached';
    dueAt: string | null;
    warnAt: string | null;
    completedAt: string | null;
    warning: boolean;
  } | null;
};

export type AutomationRunT = {
  id: number;
  automationId: number | null;
  automationName: string | null;
  ticketId: number;
  trigger: string;
  outcome: 'applied' | 'loop_stopped' | 'failed';
  reason: string | null;
  actions: string[];
  createdAt: string;
};

/** The SLA, routing and automation endpoints (server: modules/sla, routing, automations). */
export const slaApi = {
  ticketSla: (id: number) => request<TicketSlaT>('GET', `/api/v1/tickets/${id}/sla`),
  calendars: () => request<{ items: CalendarT[] }>('GET', '/api/v1/business-hours'),
  putCalendar: (body: unknown) => request<CalendarT>('PUT', '/api/v1/business-hours', body),
  putTeamCalendar: (teamId: number, body: unknown) =>
    request<CalendarT>('PUT', `/api/v1/business-hours/teams/${teamId}`, body),
  deleteTeamCalendar: (teamId: number) => request<void>('DELETE', `/api/v1/business-hours/teams/${teamId}`),
  slaStates: (ids: number[]) =>
    request<{ items: SlaTicketStateT[] }>('GET', `/api/v1/sla/tickets?ids=${ids.join(',')}`),
  dueTickets: (filter: 'all' | 'breached', assignee?: string) =>
    request<{ items: SlaTicketStateT[] }>(
      'GET',
      `/api/v1/sla/tickets?filter=${filter}&limit=200${assignee ? `&assignee=${assignee}` : ''}`,
    ),
  policies: () => request<{ items: SlaPolicyT[] }>('GET', '/api/v1/sla/policies'),
  createPolicy: (body: unknown) => request<SlaPolicyT>('POST', '/api/v1/sla/policies', body),
  deletePolicy: (id: number) => request<void>('DELETE', `/api/v1/sla/policies/${id}`),
  updatePolicy: (id: number, body: unknown) => request<SlaPolicyT>('PUT', `/api/v1/sla/policies/${id}`, body),
  reorderPolicies: (ids: number[]) =>
    request<{ updated: number }>('POST', '/api/v1/sla/policies/reorder', { ids }),
  routingConfigs: () => request<{ items: RoutingConfigT[] }>('GET', '/api/v1/routing/config'),
  putRouting: (body: unknown) => request<RoutingConfigT>('PUT', '/api/v1/routing/config', body),
  putTeamRouting: (teamId: number, body: unknown) =>
    request<RoutingConfigT>('PUT', `/api/v1/routing/config/teams/${teamId}`, body),
  routingAgents: () => request<{ items: AgentRoutingT[] }>('GET', '/api/v1/routing/agents'),
  setAgent: (id: number, body: unknown) =>
    request<AgentRoutingT>('PATCH', `/api/v1/routing/agents/${id}`, body),
  setMyStatus: (status: string) => request<AgentRoutingT>('PUT', '/api/v1/routing/presence', { status }),
  automations: () => request<{ items: AutomationT[] }>('GET', '/api/v1/automations'),
  createAutomation: (body: unknown) => request<AutomationT>('POST', '/api/v1/automations', body),
  deleteAutomation: (id: number) => request<void>('DELETE', `/api/v1/automations/${id}`),
  updateAutomation: (id: number, body: unknown) =>
    request<AutomationT>('PUT', `/api/v1/automations/${id}`, body),
  reorderAutomations: (ids: number[]) =>
    request<{ items: AutomationT[] }>('POST', '/api/v1/automations/reorder', { ids }),
  automationRuns: (id: number) =>
    request<{ items: AutomationRunT[] }>('GET', `/api/v1/automations/${id}/runs`),
  preview: (body: unknown) =>
    request<{ scanned: number; matches: { ticketId: number; subject: string; status: string }[] }>(
      'POST',
      '/api/v1/automations/preview',
      body,
    ),
};

const LABELS: Record<string, string> = {
  first_response: 'First response',
  next_response: 'Next response',
  resolution: 'Resolution',
};
export const metricLabel = (m: string) => LABELS[m] ?? m;

/** "12:07" under an hour (a visible countdown), else "3h 5m", "2d 4h". */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  if (s >= 3600) return duration(ms);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** "42m", "3h 5m", "2d 4h" */
export function duration(ms: number): string {
  const m = Math.max(0, Math.round(Math.abs(ms) / 60_000));
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
