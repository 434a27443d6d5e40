import type { Role } from '@shopdesk/contracts';
import { type Db, sql } from '../../platform/db/db.ts';

export type AgentRow = {
  id: number;
  workspace_id: number;
  email: string;
  name: string;
  role: Role;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled: boolean;
  recovery_codes: string[];
  active: boolean;
  away: boolean;
  avatar_url: string | null;
  skills: string[];
  languages: string[];
  created_at: Date;
  last_login_at: Date | null;
  team_ids: number[];
};

const agentCols = sql`a.*, coalesce((SELECT array_agg(tm.team_id ORDER BY tm.team_id) FROM team_members tm WHERE tm.agent_id = a.id), '{}') AS team_ids`;

export const findAgent = (db: Db, workspaceId: number, id: number) =>
  db.one<AgentRow>(
    sql`SELECT ${agentCols} FROM agents a WHERE a.workspace_id = ${workspaceId} AND a.id = ${id}`,
  );

export const findAgentsByEmail = (db: Db, email: string) =>
  db.query<AgentRow>(sql`
    SELECT ${agentCols} FROM agents a
    WHERE lower(a.email) = lower(${email}) ORDER BY a.id`);

export const listAgents = (db: Db, workspaceId: number) =>
  db.query<AgentRow>(
    sql`SELECT ${agentCols} FROM agents a WHERE a.workspace_id = ${workspaceId} ORDER BY a.name, a.id`,
  );

export async function insertAgent(
  db: Db,
  a: {
    workspaceId: number;
    email: string;
    name: string;
    role: Role;
    passwordHash: string | null;
    skills?: string[];
    languages?: string[];
  },
): Promise<number> {
  const row = await db.one<{ id: number }>(sql`
    INSERT INTO agents (workspace_id, email, name, role, password_hash, skills, languages)
    VALUES (${a.workspaceId}, ${a.email}, ${a.name}, ${a.role}, ${a.passwordHash}, ${a.skills ?? []}, ${a.languages ?? []})
    RETURNING id`);
  return row!.id;
}

export async function updateAgentRow(
  db: Db,
  workspaceId: number,
  id: number,
  f: Partial<{
    name: string;
    role: Role;
    active: boolean;
    away: boolean;
    skills: string[];
    languages: string[];
    password_hash: string;
    avatar_url: string | null;
  }>,
) {
  const sets = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => sql`${sql.identifier(k)} = ${v}`);
  if (!sets.length) return;
  await db.query(
    sql`UPDATE agents SET ${sql.join(sets, sql`, `)} WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );
}

/** Any workspace's agent by id: the public avatar route checks the requested file is theirs. */
export const findAvatarUrl = async (db: Db, agentId: number) =>
  (await db.one<{ avatar_url: string | null }>(sql`SELECT avatar_url FROM agents WHERE id = ${agentId}`))
    ?.avatar_url ?? null;

export async function setTeamsOfAgent(db: Db, workspaceId: number, agentId: number, teamIds: number[]) {
  await db.query(sql`DELETE FROM team_members WHERE agent_id = ${agentId} AND workspace_id = ${workspaceId}`);
  if (teamIds.length)
    await db.query(sql`
      INSERT INTO team_members (workspace_id, team_id, agent_id)
      SELECT ${workspaceId}, t.id, ${agentId} FROM teams t WHERE t.workspace_id = ${workspaceId} AND t.id = ANY(${teamIds}::bigint[])`);
}

export const setTotp = (
  db: Db,
  agentId: number,
  secret: string | null,
  enabled: boolean,
  recovery: string[],
) =>
  db.query(sql`UPDATE agents SET totp_secret = ${secret}, totp_enabled = ${enabled}, recovery_codes = ${JSON.stringify(recovery)}::jsonb,
               totp_last_step = CASE WHEN ${secret}::text IS DISTINCT FROM totp_secret THEN NULL ELSE totp_last_step END
               WHERE id = ${agentId}`);

/** Claims a TOTP step atomically: false when this step (or a later one) was already used. */
export const claimTotpStep = async (db: Db, agentId: number, step: number) =>
  (
    await db.query<{ id: number }>(sql`UPDATE agents SET totp_last_step = ${step}
      WHERE id = ${agentId} AND (totp_last_step IS NULL OR totp_last_step < ${step}) RETURNING id`)
  ).length > 0;

export const setRecoveryCodes = (db: Db, agentId: number, recovery: string[]) =>
  db.query(sql`UPDATE agents SET recovery_codes = ${JSON.stringify(recovery)}::jsonb WHERE id = ${agentId}`);

export const touchLogin = (db: Db, agentId: number) =>
  db.query(sql`UPDATE agents SET last_login_at = now() WHERE id = ${agentId}`);

// Teams
export type TeamRow = { id: number; name: string; created_at: Date; member_ids: number[] };
const teamCols = sql`t.id, t.name, t.created_at, coalesce((SELECT array_agg(agent_id ORDER BY agent_id) FROM team_members m WHERE m.team_id = t.id), '{}') AS member_ids`;
export const listTeams = (db: Db, workspaceId: number) =>
  db.query<TeamRow>(
    sql`SELECT ${teamCols} FROM teams t WHERE t.workspace_id = ${workspaceId} ORDER BY t.name`,
  );
export const findTeam = (db: Db, workspaceId: number, id: number) =>
  db.one<TeamRow>(
    sql`SELECT ${teamCols} FROM teams t WHERE t.workspace_id = ${workspaceId} AND t.id = ${id}`,
  );
export const insertTeam = async (db: Db, workspaceId: number, name: string) =>
  (await db.one<{ id: number }>(
    sql`INSERT INTO teams (workspace_id, name) VALUES (${workspaceId}, ${name}) RETURNING id`,
  ))!.id;
export const renameTeam = (db: Db, workspaceId: number, id: number, name: string) =>
  db.query(sql`UPDATE teams SET name = ${name} WHERE workspace_id = ${workspaceId} AND id = ${id}`);
export async function setTeamMembers(db: Db, workspaceId: number, teamId: number, agentIds: number[]) {
  await db.query(sql`DELETE FROM team_members WHERE team_id = ${teamId} AND workspace_id = ${workspaceId}`);
  if (agentIds.length)
    await db.query(sql`
      INSERT INTO team_members (workspace_id, team_id, agent_id)
      SELECT ${workspaceId}, ${teamId}, a.id FROM agents a WHERE a.workspace_id = ${workspaceId} AND a.id = ANY(${agentIds}::bigint[])`);
}
export const deleteTeam = (db: Db, workspaceId: number, id: number) =>
  db.query<{ id: number }>(
    sql`DELETE FROM teams WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
  );

// Sessions
export type SessionRow = {
  id: string;
  workspace_id: number;
  agent_id: number;
  csrf_token: string;
  mfa_pending: boolean;
  expires_at: Date;
  role: Role;
  name: string;
  active: boolean;
};
export const insertSession = (
  db: Db,
  s: { id: string; workspaceId: number; agentId: number; csrf: string; mfaPending: boolean; expiresAt: Date },
) =>
  db.query(sql`INSERT INTO sessions (id, workspace_id, agent_id, csrf_token, mfa_pending, expires_at)
               VALUES (${s.id}, ${s.workspaceId}, ${s.agentId}, ${s.csrf}, ${s.mfaPending}, ${s.expiresAt.toISOString()})`);
export const findSession = (db: Db, id: string) =>
  db.one<SessionRow>(sql`SELECT s.*, a.role, a.name, a.active FROM sessions s JOIN agents a ON a.id = s.agent_id
                         WHERE s.id = ${id} AND s.expires_at > now()`);
export const clearMfaPending = (db: Db, id: string) =>
  db.query(sql`UPDATE sessions SET mfa_pending = false WHERE id = ${id}`);
export const deleteSession = (db: Db, id: string) => db.query(sql`DELETE FROM sessions WHERE id = ${id}`);
export const deleteSessionsOfAgent = (db: Db, agentId: number) =>
  db.query(sql`DELETE FROM sessions WHERE agent_id = ${agentId}`);
/** Ends every session of an agent but the one given (the one that changed the password). */
export const deleteOtherSessionsOfAgent = (db: Db, agentId: number, keepSessionId: string | null) =>
  db.query(sql`DELETE FROM sessions WHERE agent_id = ${agentId} AND id IS DISTINCT FROM ${keepSessionId}`);

// API tokens
export type TokenRow = {
  id: number;
  workspace_id: number;
  agent_id: number;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
};
export const insertToken = async (
  db: Db,
  t: { workspaceId: number; agentId: number; name: string; hash: string; prefix: string },
) =>
  (await db.one<TokenRow>(sql`
    INSERT INTO api_tokens (workspace_id, agent_id, name, token_hash, prefix)
    VALUES (${t.workspaceId}, ${t.agentId}, ${t.name}, ${t.hash}, ${t.prefix})
    RETURNING id, workspace_id, agent_id, name, prefix, created_at, last_used_at, revoked_at`))!;
export const findTokenByHash = (db: Db, hash: string) =>
  db.one<TokenRow & { role: Role; agent_name: string; active: boolean }>(sql`
    SELECT t.id, t.workspace_id, t.agent_id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at,
           a.role, a.name AS agent_name, a.active
    FROM api_tokens t JOIN agents a ON a.id = t.agent_id WHERE t.token_hash = ${hash}`);
export const listTokens = (db: Db, workspaceId: number, agentId?: number) =>
  db.query<TokenRow>(sql`SELECT id, workspace_id, agent_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens
                         WHERE workspace_id = ${workspaceId} ${agentId ? sql`AND agent_id = ${agentId}` : sql``} ORDER BY id DESC`);
export const revokeTokenRow = (db: Db, workspaceId: number, id: number, agentId?: number) =>
  db.query<{ id: number }>(sql`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
    WHERE workspace_id = ${workspaceId} AND id = ${id} ${agentId ? sql`AND agent_id = ${agentId}` : sql``} RETURNING id`);
export const touchToken = (db: Db, id: number) =>
  db.query(
    sql`UPDATE api_tokens SET last_used_at = now() WHERE id = ${id} AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
  );
