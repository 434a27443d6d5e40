import type { Role } from '@shopdesk/contracts';

const rank: Record<Role, number> = { 'read-only': 0, agent: 1, lead: 2, admin: 3 };

/** Mirrors the server's role check, only to hide what the server would refuse anyway. */
export const atLeast = (role: Role | undefined, min: Role | undefined) =>
  !min || (role !== undefined && rank[role] >= rank[min]);
