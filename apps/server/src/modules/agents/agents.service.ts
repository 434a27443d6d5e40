import { type Agent, AVATAR_MAX_BYTES, type Role } from '@shopdesk/contracts';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, badRequest, forbidden, notFound } from '../../platform/errors.ts';
import { clientKey, type RateLimits } from '../../platform/http/rate-limit.ts';
import type { Auth } from '../../platform/http/router.ts';
import { randomToken, sha256 } from '../../platform/security/crypto.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { hashPassword, verifyPassword } from '../../platform/security/passwords.ts';
import { generateTotpSecret, matchTotpStep, otpauthUrl } from '../../platform/security/totp.ts';
import { recordAudit } from '../audit/index.ts';
import { findWorkspaceById, workspaceSlugs } from '../workspaces/index.ts';
import { closeLinksOfAgent } from './account-links.repository.ts';
import * as repo from './agents.repository.ts';

export const SESSION_COOKIE = 'sd_session';
const TOKEN_PREFIX = 'sdk_';

/** Avatar types by their file extension in the public URL, with the magic bytes the upload must start with. */
const AVATAR_TYPES: Record<string, { ext: string; magic: (b: Buffer) => boolean }> = {
  'image/png': { ext: 'png', magic: (b) => b.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')) },
  'image/jpeg': { ext: 'jpg', magic: (b) => b.subarray(0, 3).equals(Buffer.from('ffd8ff', 'hex')) },
  'image/webp': {
    ext: 'webp',
    magic: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
};
export const AVATAR_PATH = '/api/v1/agent-avatars';

export function toAgent(r: repo.AgentRow): Agent {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    active: r.active,
    away: r.away,
    avatarUrl: r.avatar_url,
    totpEnabled: r.totp_enabled,
    invitePending: r.password_hash === null,
    teamIds: r.team_ids ?? [],
    skills: r.skills,
    languages: r.languages,
    createdAt: r.created_at.toISOString(),
    lastLoginAt: r.last_login_at?.toISOString() ?? null,
  };
}

/**
 * Failed sign-ins (per email + client network) and wrong second-factor codes (per agent), counted by
 * the shared limiter, so the budget holds across nodes: policies login.failures and 2fa.failures.
 */
function loginThrottle(limits: RateLimits) {
  const policy = (key: string) => (key.startsWith('totp|') ? '2fa.failures' : 'login.failures');
  return {
    async check(key: string) {
      const retry = await limits.blocked(policy(key), key);
      if (retry !== null)
        throw new AppError('rate_limited', 'Too many failed sign-in attempts; try again later', {
          retryAfterSeconds: retry,
        });
    },
    fail: async (key: string) => void (await limits.hit(policy(key), key)),
    clear: (key: string) => limits.reset(policy(key), key),
  };
}

export function createAgentsService(deps: Deps) {
  const { db, config } = deps;
  const throttle = loginThrottle(deps.limits);
  const ttlMs = config.SESSION_TTL_HOURS * 3600_000;

  async function createSession(workspaceId: number, agentId: number, mfaPending: boolean) {
    const cookie = randomToken(32);
    const csrf = randomToken(24);
    await repo.insertSession(db, {
      id: sha256(cookie),
      workspaceId,
      agentId,
      csrf,
      mfaPending,
      expiresAt: new Date(Date.now() + ttlMs),
    });
    return { cookie, csrf, maxAgeSeconds: Math.floor(ttlMs / 1000) };
  }

  /** Your own avatar, or anyone's in the workspace for an admin. */
  async function assertMayChangeAvatar(auth: Auth, id: number) {
    if (!(await repo.findAgent(db, auth.workspaceId, id))) throw notFound('Agent');
    if (id !== auth.agentId && auth.role !== 'admin')
      throw forbidden("Only admins can change another agent's avatar");
  }

  async function writeAvatar(auth: Auth, id: number, url: string | null) {
    await db.tx(async (tx) => {
      await repo.updateAgentRow(tx, auth.workspaceId, id, { avatar_url: url });
      await recordAudit(tx, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: url ? 'agent.avatar_changed' : 'agent.avatar_removed',
        targetType: 'agent',
        targetId: id,
      });
    });
    return toAgent((await repo.findAgent(db, auth.workspaceId, id))!);
  }

  return {
    async authenticate(req: FastifyRequest): Promise<Auth | null> {
      const header = req.headers.authorization;
      if (header?.startsWith('Bearer ')) {
        const token = header.slice(7).trim();
        const t = await repo.findTokenByHash(db, sha256(token));
        if (!t || t.revoked_at || !t.active)
          throw new AppError('unauthorized', 'Invalid or revoked API token');
        // last_used_at moves at most once a minute (the UPDATE's own condition): no statement before then.
        if (!t.last_used_at || Date.now() - t.last_used_at.getTime() >= 60_000)
          void repo.touchToken(db, t.id).catch(() => {});
        return {
          workspaceId: t.workspace_id,
          agentId: t.agent_id,
          role: t.role,
          name: t.agent_name,
          via: 'token',
          tokenId: t.id,
        };
      }
      const cookie = req.cookies?.[SESSION_COOKIE];
      if (!cookie) return null;
      const s = await repo.findSession(db, sha256(cookie));
      if (!s?.active) return null;
      return {
        workspaceId: s.workspace_id,
        agentId: s.agent_id,
        role: s.role,
        name: s.name,
        via: 'session',
        csrfToken: s.csrf_token,
        sessionId: s.id,
        mfaPending: s.mfa_pending,
      };
    },

    async login(input: { email: string; password: string; workspace?: string }, ip: string) {
      const key = `${input.email.toLowerCase()}|${clientKey(ip)}`;
      await throttle.check(key);
      const rows = await repo.findAgentsByEmail(db, input.email);
      // Asked even when no agent has this email, so the sign-in takes as many queries either way.
      const slugs = await workspaceSlugs(db, [...new Set(rows.map((r) => Number(r.workspace_id)))]);
      let candidates = rows.map((r) => ({ ...r, slug: slugs.get(Number(r.workspace_id)) ?? '' }));
      if (input.workspace) candidates = candidates.filter((c) => c.slug === input.workspace);
      const matches: typeof candidates = [];
      // Every candidate's password is checked, active or not, and an unknown email is checked against
      // a dummy hash: the argon2 work (and so the response time) is the same whether the email exists.
      for (const c of candidates)
        if ((await verifyPassword(c.password_hash, input.password)) && c.active) matches.push(c);
      if (candidates.length === 0) await verifyPassword(null, input.password);
      if (matches.length === 0) {
        await throttle.fail(key);
        throw new AppError('unauthorized', 'Wrong email or password');
      }
      if (matches.length > 1) {
        throw badRequest('This email belongs to several workspaces; say which one', {
          workspaces: matches.map((m) => m.slug),
        });
      }
      await throttle.clear(key);
      return this.openSession(matches[0]!, ip);
    },

    /** A session for an agent whose password was just proven (sign-in, an accepted invitation). */
    async openSession(agent: Pick<repo.AgentRow, 'id' | 'workspace_id' | 'totp_enabled'>, ip: string) {
      const session = await createSession(agent.workspace_id, agent.id, agent.totp_enabled);
      await repo.touchLogin(db, agent.id);
      await recordAudit(db, {
        workspaceId: agent.workspace_id,
        actorAgentId: agent.id,
        action: 'auth.login',
        ip,
        data: { mfa: agent.totp_enabled },
      });
      return { session, mfaPending: agent.totp_enabled };
    },

    async verifySecondFactor(auth: Auth, code: string, ip: string) {
      const key = `totp|${auth.agentId}`;
      await throttle.check(key);
      const agent = await repo.findAgent(db, auth.workspaceId, auth.agentId);
      if (!agent?.totp_enabled || !agent.totp_secret)
        throw badRequest('Two-factor authentication is not enabled');
      const secret = keyRing(config).decrypt(agent.totp_secret);
      const step = matchTotpStep(secret, code);
      // A code counts once: its time step must be later than the last one used (claimed atomically).
      let ok = step !== null && (await repo.claimTotpStep(db, agent.id, step));
      if (!ok && step === null) {
        const hashed = sha256(code.trim().toLowerCase());
        if (agent.recovery_codes.includes(hashed)) {
          ok = true;
          await repo.setRecoveryCodes(
            db,
            agent.id,
            agent.recovery_codes.filter((c) => c !== hashed),
          );
          await recordAudit(db, {
            workspaceId: auth.workspaceId,
            actorAgentId: agent.id,
            action: 'auth.recovery_code_used',
            ip,
          });
        }
      }
      if (!ok) {
        await throttle.fail(key);
        throw new AppError('unauthorized', 'Wrong code');
      }
      await throttle.clear(key);
      if (auth.sessionId) await repo.clearMfaPending(db, auth.sessionId);
    },

    async beginTotpEnrolment(auth: Auth) {
      const agent = await repo.findAgent(db, auth.workspaceId, auth.agentId);
      if (!agent) throw notFound('Agent');
      if (agent.totp_enabled) throw badRequest('Two-factor authentication is already enabled');
      const secret = generateTotpSecret();
      await repo.setTotp(db, agent.id, keyRing(config).encrypt(secret), false, []);
      return { secret, otpauthUrl: otpauthUrl(secret, agent.email) };
    },

    async confirmTotpEnrolment(auth: Auth, code: string, ip: string) {
      const agent = await repo.findAgent(db, auth.workspaceId, auth.agentId);
      if (!agent?.totp_secret || agent.totp_enabled) throw badRequest('Start enrolment first');
      const secret = keyRing(config).decrypt(agent.totp_secret);
      const step = matchTotpStep(secret, code);
      if (step === null) throw badRequest('That code does not match; check the time on your device');
      // The enrolment code is used up too, so it cannot pass a sign-in check afterwards.
      await repo.claimTotpStep(db, agent.id, step);
      const codes = Array.from({ length: 10 }, () =>
        randomToken(6)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, 'x')
          .slice(0, 8),
      );
      await repo.setTotp(
        db,
        agent.id,
        agent.totp_secret,
        true,
        codes.map((c) => sha256(c)),
      );
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: agent.id,
        action: 'auth.2fa_enabled',
        ip,
      });
      return { recoveryCodes: codes };
    },

    async disableTotp(auth: Auth, code: string, ip: string) {
      await this.verifySecondFactor(auth, code, ip);
      await repo.setTotp(db, auth.agentId, null, false, []);
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'auth.2fa_disabled',
        ip,
      });
    },

    async logout(auth: Auth) {
      // Routing takes the agent offline (no new tickets, live chats handed back): staged with the
      // session's end, so a crash in between cannot leave a signed-out agent receiving tickets.
      const events = await db.tx(async (tx) => {
        if (auth.sessionId) await repo.deleteSession(tx, auth.sessionId);
        return deps.bus.stage(tx, [
          {
            name: 'agent.signed_out',
            workspaceId: auth.workspaceId,
            actorAgentId: auth.agentId,
            data: { agentId: auth.agentId },
          },
        ]);
      });
      await deps.bus.publishMany(events);
    },

    async me(auth: Auth) {
      const agent = await repo.findAgent(db, auth.workspaceId, auth.agentId);
      const ws = await findWorkspaceById(db, auth.workspaceId);
      if (!agent || !ws) throw notFound('Agent');
      return {
        agent: toAgent(agent),
        workspace: { id: ws.id, name: ws.name, slug: ws.slug },
        csrfToken: auth.csrfToken ?? null,
        mfaPending: auth.mfaPending ?? false,
      };
    },

    async changePassword(auth: Auth, current: string, next: string) {
      const agent = await repo.findAgent(db, auth.workspaceId, auth.agentId);
      if (!agent || !(await verifyPassword(agent.password_hash, current)))
        throw new AppError('unauthorized', 'Current password is wrong');
      const passwordHash = await hashPassword(next);
      await db.tx(async (tx) => {
        await repo.updateAgentRow(tx, auth.workspaceId, auth.agentId, { password_hash: passwordHash });
        // Whoever knew the old password is signed out everywhere but here. API tokens stay: they are
        // separate credentials the agent lists and revokes on their own (an integration should not
        // break because its owner changed a password).
        await repo.deleteOtherSessionsOfAgent(tx, auth.agentId, auth.sessionId ?? null);
        // A reset link mailed before the change must not undo it.
        await closeLinksOfAgent(tx, auth.agentId);
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'auth.password_changed',
        });
      });
    },

    // Agents
    list: async (auth: Auth) => (await repo.listAgents(db, auth.workspaceId)).map(toAgent),
    async get(auth: Auth, id: number) {
      const a = await repo.findAgent(db, auth.workspaceId, id);
      if (!a) throw notFound('Agent');
      return toAgent(a);
    },

    async create(
      actor: Auth | { workspaceId: number; agentId: null },
      input: {
        email: string;
        name: string;
        role: Role;
        password?: string;
        teamIds?: number[];
        skills?: string[];
        languages?: string[];
      },
    ) {
      const existing = (await repo.findAgentsByEmail(db, input.email)).find(
        (a) => a.workspace_id === actor.workspaceId,
      );
      if (existing) throw new AppError('conflict', 'An agent with this email already exists');
      const passwordHash = input.password ? await hashPassword(input.password) : null;
      const id = await db.tx(async (tx) => {
        const id = await repo.insertAgent(tx, { workspaceId: actor.workspaceId, ...input, passwordHash });
        if (input.teamIds) await repo.setTeamsOfAgent(tx, actor.workspaceId, id, input.teamIds);
        await recordAudit(tx, {
          workspaceId: actor.workspaceId,
          actorAgentId: actor.agentId,
          action: 'agent.created',
          targetType: 'agent',
          targetId: id,
          data: { email: input.email, role: input.role },
        });
        return id;
      });
      return toAgent((await repo.findAgent(db, actor.workspaceId, id))!);
    },

    async update(
      auth: Auth,
      id: number,
      input: {
        name?: string;
        role?: Role;
        active?: boolean;
        away?: boolean;
        teamIds?: number[];
        skills?: string[];
        languages?: string[];
      },
    ) {
      const before = await repo.findAgent(db, auth.workspaceId, id);
      if (!before) throw notFound('Agent');
      const self = id === auth.agentId;
      const adminOnly =
        input.role !== undefined ||
        input.active !== undefined ||
        input.teamIds !== undefined ||
        input.skills !== undefined;
      if (!self && auth.role !== 'admin') throw forbidden('Only admins can change other agents');
      if (adminOnly && auth.role !== 'admin')
        throw forbidden('Only admins can change roles, teams, skills or deactivate');
      if (
        self &&
        ((input.role && input.role !== 'admin') || input.active === false) &&
        before.role === 'admin'
      ) {
        const admins = (await repo.listAgents(db, auth.workspaceId)).filter(
          (a) => a.role === 'admin' && a.active,
        );
        if (admins.length <= 1) throw badRequest('The last admin cannot demote or deactivate themselves');
      }
      await db.tx(async (tx) => {
        const { teamIds, ...fields } = input;
        await repo.updateAgentRow(tx, auth.workspaceId, id, fields);
        if (teamIds) await repo.setTeamsOfAgent(tx, auth.workspaceId, id, teamIds);
        if (input.active === false) await repo.deleteSessionsOfAgent(tx, id);
        if (input.role && input.role !== before.role)
          await recordAudit(tx, {
            workspaceId: auth.workspaceId,
            actorAgentId: auth.agentId,
            action: 'agent.role_changed',
            targetType: 'agent',
            targetId: id,
            data: { from: before.role, to: input.role },
          });
        if (input.active !== undefined && input.active !== before.active)
          await recordAudit(tx, {
            workspaceId: auth.workspaceId,
            actorAgentId: auth.agentId,
            action: input.active ? 'agent.reactivated' : 'agent.deactivated',
            targetType: 'agent',
            targetId: id,
          });
      });
      return toAgent((await repo.findAgent(db, auth.workspaceId, id))!);
    },

    /**
     * Stores an uploaded avatar in the file store and points `avatar_url` at its public, content-addressed
     * URL. The URL is absolute because the chat widget shows it on the shop's own site; `origin` is
     * PUBLIC_URL when set, else the origin the request came to.
     */
    async setAvatar(
      auth: Auth,
      id: number,
      input: { contentType: string; contentBase64: string },
      origin: string,
    ) {
      await assertMayChangeAvatar(auth, id);
      const type = AVATAR_TYPES[input.contentType.toLowerCase()];
      if (!type) throw new AppError('unsupported_media_type', 'An avatar must be a PNG, JPEG or WebP image');
      const b64 = input.contentBase64.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0)
        throw new AppError('validation_failed', 'contentBase64: not valid base64');
      const data = Buffer.from(b64, 'base64');
      if (data.length > AVATAR_MAX_BYTES)
        throw new AppError('payload_too_large', `An avatar can be at most ${AVATAR_MAX_BYTES / 1024} KB`, {
          maxBytes: AVATAR_MAX_BYTES,
        });
      if (!type.magic(data))
        throw new AppError('unsupported_media_type', `The file is not a ${type.ext.toUpperCase()} image`);
      const { sha256 } = await deps.files.put(data);
      const base = config.PUBLIC_URL ? config.publicUrl : origin.replace(/\/$/, '');
      return writeAvatar(auth, id, `${base}${AVATAR_PATH}/${id}/${sha256}.${type.ext}`);
    },

    async removeAvatar(auth: Auth, id: number) {
      await assertMayChangeAvatar(auth, id);
      return writeAvatar(auth, id, null);
    },

    /** The stored file behind a public avatar URL, only while it is that agent's current avatar. */
    async avatarFile(agentId: number, file: string) {
      const url = await repo.findAvatarUrl(db, agentId);
      const sha = file.slice(0, 64);
      if (!url?.endsWith(`${AVATAR_PATH}/${agentId}/${file}`) || !(await deps.files.has(sha)))
        throw notFound('Avatar');
      const ext = file.slice(65);
      const contentType = Object.entries(AVATAR_TYPES).find(([, t]) => t.ext === ext)![0];
      return { contentType, stream: () => deps.files.open(sha) };
    },

    // Teams
    listTeams: async (auth: Auth) => (await repo.listTeams(db, auth.workspaceId)).map(toTeam),
    async createTeam(auth: Auth, input: { name: string; memberIds?: number[] }) {
      const id = await db.tx(async (tx) => {
        const id = await repo
          .insertTeam(tx, auth.workspaceId, input.name)
          .catch((e: { code?: string; cause?: { code?: string } }) => {
            if (e.code === '23505' || e.cause?.code === '23505')
              throw new AppError('conflict', 'A team with this name exists');
            throw e;
          });
        if (input.memberIds) await repo.setTeamMembers(tx, auth.workspaceId, id, input.memberIds);
        return id;
      });
      return toTeam((await repo.findTeam(db, auth.workspaceId, id))!);
    },
    async updateTeam(auth: Auth, id: number, input: { name?: string; memberIds?: number[] }) {
      if (!(await repo.findTeam(db, auth.workspaceId, id))) throw notFound('Team');
      await db.tx(async (tx) => {
        if (input.name) await repo.renameTeam(tx, auth.workspaceId, id, input.name);
        if (input.memberIds) await repo.setTeamMembers(tx, auth.workspaceId, id, input.memberIds);
      });
      return toTeam((await repo.findTeam(db, auth.workspaceId, id))!);
    },
    async deleteTeam(auth: Auth, id: number) {
      const rows = await repo.deleteTeam(db, auth.workspaceId, id);
      if (!rows.length) throw notFound('Team');
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'team.deleted',
        targetType: 'team',
        targetId: id,
      });
    },

    // API tokens
    async createToken(
      workspaceId: number,
      agentId: number,
      name: string,
      actorAgentId: number | null = agentId,
    ) {
      const token = `${TOKEN_PREFIX}${randomToken(32)}`;
      const row = await repo.insertToken(db, {
        workspaceId,
        agentId,
        name,
        hash: sha256(token),
        prefix: token.slice(0, 10),
      });
      await recordAudit(db, {
        workspaceId,
        actorAgentId,
        action: 'token.created',
        targetType: 'api_token',
        targetId: row.id,
        data: { name, agentId },
      });
      return { ...toToken(row), token };
    },
    async listTokens(auth: Auth) {
      return (
        await repo.listTokens(db, auth.workspaceId, auth.role === 'admin' ? undefined : auth.agentId)
      ).map(toToken);
    },
    async revokeToken(auth: Auth, id: number) {
      const rows = await repo.revokeTokenRow(
        db,
        auth.workspaceId,
        id,
        auth.role === 'admin' ? undefined : auth.agentId,
      );
      if (!rows.length) throw notFound('Token');
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'token.revoked',
        targetType: 'api_token',
        targetId: id,
      });
    },

    findByEmailInWorkspace: async (db_: Db, workspaceId: number, email: string) =>
      (await repo.findAgentsByEmail(db_, email)).find((a) => a.workspace_id === workspaceId),
  };
}

export type AgentsService = ReturnType<typeof createAgentsService>;

const toTeam = (t: repo.TeamRow) => ({
  id: t.id,
  name: t.name,
  memberIds: t.member_ids,
  createdAt: t.created_at.toISOString(),
});
const toToken = (t: repo.TokenRow) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.created_at.toISOString(),
  lastUsedAt: t.last_used_at?.toISOString() ?? null,
  revokedAt: t.revoked_at?.toISOString() ?? null,
});
