import {
  AgentRouting,
  AgentRoutingInput,
  PresenceInput,
  QueuedTicket,
  RoutingConfig,
  RoutingConfigInput,
  RoutingRule,
  RoutingRulesInput,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { RoutingService } from './routing.service.ts';

const TeamParams = z.object({ teamId: z.coerce.number().int().positive() });

export function registerRoutingRoutes(r: Router, svc: RoutingService) {
  r.add({
    method: 'GET',
    url: '/api/v1/routing/config',
    summary: 'Routing rules: the workspace default and per-team overrides',
    tag: 'Routing',
    access: 'read-only',
    response: z.object({ items: z.array(RoutingConfig) }),
    handler: async ({ auth }) => ({ items: await svc.listConfigs(auth) }),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/routing/config',
    summary: 'Set the workspace routing mode, default capacities, skill tags and language matching',
    tag: 'Routing',
    access: 'lead',
    body: RoutingConfigInput,
    response: RoutingConfig,
    handler: async ({ auth, body }) => svc.putConfig(auth, null, body),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/routing/config/teams/:teamId',
    summary: 'Set how tickets of one team are routed',
    tag: 'Routing',
    access: 'lead',
    params: TeamParams,
    body: RoutingConfigInput,
    response: RoutingConfig,
    handler: async ({ auth, params, body }) => svc.putConfig(auth, params.teamId, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/routing/rules',
    summary: 'Which team gets the tickets of a channel or of one email inbox',
    tag: 'Routing',
    access: 'read-only',
    response: z.object({ items: z.array(RoutingRule) }),
    handler: async ({ auth }) => ({ items: await svc.listRules(auth) }),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/routing/rules',
    summary:
      'Replace the channel/inbox → team rules: new tickets without a team get the most specific one, then that team’s mode routes them',
    tag: 'Routing',
    access: 'lead',
    body: RoutingRulesInput,
    response: z.object({ items: z.array(RoutingRule) }),
    handler: async ({ auth, body }) => ({ items: await svc.putRules(auth, body.rules) }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/routing/agents',
    summary: 'Agents with their status (online/away/offline), capacity and current load',
    tag: 'Routing',
    access: 'read-only',
    response: z.object({ items: z.array(AgentRouting) }),
    handler: async ({ auth }) => ({ items: await svc.listAgents(auth) }),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/routing/presence',
    summary:
      'Set your own status: online (gets tickets), away (keeps tickets, gets none), offline (live chats are re-routed)',
    tag: 'Routing',
    access: 'agent',
    body: PresenceInput,
    response: AgentRouting,
    handler: async ({ auth, body }) => svc.setStatus(auth, auth.agentId, body),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/routing/agents/:id',
    summary: "Set an agent's status or per-channel capacity (leads; agents may set their own status)",
    tag: 'Routing',
    access: 'agent',
    params: IdParams,
    body: AgentRoutingInput,
    response: AgentRouting,
    handler: async ({ auth, params, body }) => svc.setStatus(auth, params.id, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/routing/queue',
    summary: 'Tickets waiting for an agent with room, in the order they will be assigned',
    tag: 'Routing',
    access: 'read-only',
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    response: z.object({ items: z.array(QueuedTicket) }),
    handler: async ({ auth, query }) => ({ items: await svc.queue(auth, query.limit) }),
  });
}
