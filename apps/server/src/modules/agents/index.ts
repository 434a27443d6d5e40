export { registerAgentRoutes } from './agents.routes.ts';
export { type AgentsService, createAgentsService, SESSION_COOKIE } from './agents.service.ts';
