export { registerAccountLinkRoutes } from './account-links.routes.ts';
export {
  type AccountLinks,
  createAccountLinks,
  passwordResetJob,
  pruneAccountLinks,
  type SendAccountMail,
} from './account-links.service.ts';
export { registerAgentRoutes } from './agents.routes.ts';
export { type AgentsService, createAgentsService, SESSION_COOKIE } from './agents.service.ts';
/** Reads other modules need (teams named in their settings, live sessions for presence). */
export {
  agentIdsByRole,
  existingAgentIds,
  existingTeamIds,
  liveSessionIds,
  namesOf as agentAndTeamNames,
  teamExists,
  teammateIds,
} from './lookups.repository.ts';
export { hasRole } from './roles.ts';
