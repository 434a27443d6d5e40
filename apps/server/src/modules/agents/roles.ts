import type { Role } from '@shopdesk/contracts';
import type { Auth } from '../../platform/http/router.ts';

/*
 * What each role may do is a business rule, so it lives with the agents who hold the roles; the router
 * (platform/) is handed `hasRole` at composition and knows only that a route names a minimum role.
 */

/** Each role may do everything the roles below it may. */
const rank: Record<Role, number> = { 'read-only': 0, agent: 1, lead: 2, admin: 3 };

export const hasRole = (auth: Pick<Auth, 'role'>, min: Role) => rank[auth.role] >= rank[min];
