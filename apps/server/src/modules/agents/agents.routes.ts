import {
  Agent,
  ApiToken,
  CreateAgent,
  CreateApiToken,
  CreatedApiToken,
  CreateTeam,
  LoginInput,
  Me,
  Team,
  TotpInput,
  UpdateAgent,
  UpdateTeam,
  UploadAvatar,
} from '@shopdesk/contracts';
import { z } from 'zod';
import type { Deps } from '../../platform/deps.ts';
import { IdParams, type Router } from '../../platform/http/router.ts';
import { type AgentsService, AVATAR_PATH, SESSION_COOKIE } from './agents.service.ts';

export function registerAgentRoutes(r: Router, svc: AgentsService, deps: Deps) {
  const cookieOpts = {
    httpOnly: true,
    sameSite: 'lax' as const,
    path: '/',
    secure: deps.config.COOKIE_SECURE,
  };

  r.add({
    method: 'POST',
    url: '/api/v1/auth/login',
    summary: 'Sign in with email and password; sets the session cookie',
    tag: 'Auth',
    access: 'public',
    rateLimit: 'login.ip',
    body: LoginInput,
    response: z.object({ mfaRequired: z.boolean(), csrfToken: z.string() }),
    handler: async ({ body, req, reply }) => {
      const { session, mfaPending } = await svc.login(body, req.ip);
      reply.setCookie(SESSION_COOKIE, session.cookie, { ...cookieOpts, maxAge: session.maxAgeSeconds });
      return { mfaRequired: mfaPending, csrfToken: session.csrf };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/v1/auth/totp/verify',
    summary: 'Give the second factor (TOTP code or a recovery code) after password sign-in',
    tag: 'Auth',
    access: 'session-partial',
    body: TotpInput,
    handler: async ({ auth, body, req }) => svc.verifySecondFactor(auth, body.code, req.ip),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/auth/logout',
    summary: 'Sign out',
    tag: 'Auth',
    access: 'session-partial',
    handler: async ({ auth, reply }) => {
      await svc.logout(auth);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/auth/me',
    summary: 'The signed-in agent, workspace and CSRF token',
    tag: 'Auth',
    access: 'session-partial',
    response: Me,
    handler: async ({ auth }) => svc.me(auth),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/auth/password',
    summary: 'Change your password',
    tag: 'Auth',
    access: 'read-only',
    body: z.object({ current: z.string().min(1), next: z.string().min(10).max(200) }),
    handler: async ({ auth, body }) => svc.changePassword(auth, body.current, body.next),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/auth/totp/enrol',
    summary: 'Start two-factor enrolment: returns the secret and otpauth URL',
    tag: 'Auth',
    access: 'read-only',
    response: z.object({ secret: z.string(), otpauthUrl: z.string() }),
    handler: async ({ auth }) => svc.beginTotpEnrolment(auth),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/auth/totp/confirm',
    summary: 'Confirm enrolment with a code; returns one-time recovery codes',
    tag: 'Auth',
    access: 'read-only',
    body: TotpInput,
    response: z.object({ recoveryCodes: z.array(z.string()) }),
    handler: async ({ auth, body, req }) => svc.confirmTotpEnrolment(auth, body.code, req.ip),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/auth/totp/disable',
    summary: 'Turn two-factor authentication off (needs a current code)',
    tag: 'Auth',
    access: 'read-only',
    body: TotpInput,
    handler: async ({ auth, body, req }) => svc.disableTotp(auth, body.code, req.ip),
  });

  // Agents
  r.add({
    method: 'GET',
    url: '/api/v1/agents',
    summary: 'List agents',
    tag: 'Agents',
    access: 'read-only',
    response: z.object({ items: z.array(Agent) }),
    handler: async ({ auth }) => ({ items: await svc.list(auth) }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/agents/:id',
    summary: 'Get an agent',
    tag: 'Agents',
    access: 'read-only',
    params: IdParams,
    response: Agent,
    handler: async ({ auth, params }) => svc.get(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/agents',
    summary: 'Invite/create an agent (admin)',
    tag: 'Agents',
    access: 'admin',
    body: CreateAgent,
    response: Agent,
    status: 201,
    handler: async ({ auth, body }) => svc.create(auth, body),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/agents/:id',
    summary: 'Update an agent (admins: anyone; agents: their own name and away status)',
    tag: 'Agents',
    access: 'read-only',
    params: IdParams,
    body: UpdateAgent,
    response: Agent,
    handler: async ({ auth, params, body }) => svc.update(auth, params.id, body),
  });

  r.add({
    method: 'PUT',
    url: '/api/v1/agents/:id/avatar',
    summary: "Upload an avatar (PNG, JPEG or WebP, up to 1 MB): your own, or anyone's as an admin",
    tag: 'Agents',
    access: 'read-only',
    params: IdParams,
    body: UploadAvatar,
    response: Agent,
    handler: async ({ auth, params, body, req }) =>
      svc.setAvatar(auth, params.id, body, `${req.protocol}://${req.host}`),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/agents/:id/avatar',
    summary: "Remove an avatar (back to initials): your own, or anyone's as an admin",
    tag: 'Agents',
    access: 'read-only',
    params: IdParams,
    response: Agent,
    handler: async ({ auth, params }) => svc.removeAvatar(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: `${AVATAR_PATH}/:agentId/:file`,
    summary: "An agent's current avatar image (public: shoppers see it in the chat widget)",
    tag: 'Agents',
    access: 'public',
    params: z.object({
      agentId: z.coerce.number().int().positive(),
      file: z.string().regex(/^[0-9a-f]{64}\.(png|jpg|webp)$/),
    }),
    handler: async ({ params, reply }) => {
      const f = await svc.avatarFile(params.agentId, params.file);
      return (
        reply
          .type(f.contentType)
          // The path names the content, so it can be cached for good; a new avatar is a new URL.
          .header('cache-control', 'public, max-age=31536000, immutable')
          // Loaded by the chat widget on the shop's pages, i.e. from other origins.
          .header('cross-origin-resource-policy', 'cross-origin')
          .header('content-security-policy', "sandbox; default-src 'none'")
          .send(f.stream())
      );
    },
  });

  // Teams
  r.add({
    method: 'GET',
    url: '/api/v1/teams',
    summary: 'List teams',
    tag: 'Agents',
    access: 'read-only',
    response: z.object({ items: z.array(Team) }),
    handler: async ({ auth }) => ({ items: await svc.listTeams(auth) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/teams',
    summary: 'Create a team (admin)',
    tag: 'Agents',
    access: 'admin',
    body: CreateTeam,
    response: Team,
    status: 201,
    handler: async ({ auth, body }) => svc.createTeam(auth, body),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/teams/:id',
    summary: 'Rename a team or set its members (admin)',
    tag: 'Agents',
    access: 'admin',
    params: IdParams,
    body: UpdateTeam,
    response: Team,
    handler: async ({ auth, params, body }) => svc.updateTeam(auth, params.id, body),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/teams/:id',
    summary: 'Delete a team (admin)',
    tag: 'Agents',
    access: 'admin',
    params: IdParams,
    handler: async ({ auth, params }) => svc.deleteTeam(auth, params.id),
  });

  // API tokens
  r.add({
    method: 'GET',
    url: '/api/v1/tokens',
    summary: 'List API tokens (admins see all, others their own)',
    tag: 'Auth',
    access: 'agent',
    response: z.object({ items: z.array(ApiToken) }),
    handler: async ({ auth }) => ({ items: await svc.listTokens(auth) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tokens',
    summary: 'Create an API token for yourself; the token is shown once',
    tag: 'Auth',
    access: 'agent',
    body: CreateApiToken,
    response: CreatedApiToken,
    status: 201,
    handler: async ({ auth, body }) => svc.createToken(auth.workspaceId, auth.agentId, body.name),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/tokens/:id',
    summary: 'Revoke an API token',
    tag: 'Auth',
    access: 'agent',
    params: IdParams,
    handler: async ({ auth, params }) => svc.revokeToken(auth, params.id),
  });
}
