import {
  AccountLink,
  AccountLinkInfo,
  AccountLinkToken,
  ForgotPassword,
  UseAccountLink,
} from '@shopdesk/contracts';
import { z } from 'zod';
import type { Deps } from '../../platform/deps.ts';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { AccountLinks } from './account-links.service.ts';
import { SESSION_COOKIE } from './agents.service.ts';

/** Invitations and password resets (docs/security.md). The public ones count against sign-in's budget. */
export function registerAccountLinkRoutes(r: Router, links: AccountLinks, deps: Deps) {
  r.add({
    method: 'POST',
    url: '/api/v1/agents/:id/invite',
    summary:
      'Send (again) the invitation of an agent without a password: a single-use link, valid 7 days, e-mailed and returned',
    tag: 'Agents',
    access: 'admin',
    params: IdParams,
    response: AccountLink,
    handler: async ({ auth, params }) => links.invite(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/auth/links/inspect',
    summary: 'What an invitation or reset link is for (404 when unknown, used or expired)',
    tag: 'Auth',
    access: 'public',
    rateLimit: 'login.ip',
    body: AccountLinkToken,
    response: AccountLinkInfo,
    handler: async ({ body }) => links.inspect(body.token),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/auth/invite/accept',
    summary: 'Accept an invitation: choose a password and sign in',
    tag: 'Auth',
    access: 'public',
    rateLimit: 'login.ip',
    body: UseAccountLink,
    response: z.object({ mfaRequired: z.boolean(), csrfToken: z.string() }),
    handler: async ({ body, req, reply }) => {
      const { session, mfaPending } = await links.acceptInvite(body.token, body.password, req.ip);
      reply.setCookie(SESSION_COOKIE, session.cookie, {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: deps.config.COOKIE_SECURE,
        maxAge: session.maxAgeSeconds,
      });
      return { mfaRequired: mfaPending, csrfToken: session.csrf };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/v1/auth/password/forgot',
    summary:
      'Ask for a password reset link by e-mail; answered 202 whether or not the address belongs to an agent',
    tag: 'Auth',
    access: 'public',
    rateLimit: 'login.ip',
    body: ForgotPassword,
    status: 202,
    handler: async ({ body }) => {
      await links.requestReset(body.email, body.workspace);
      deps.jobs.wake();
    },
  });
  r.add({
    method: 'POST',
    url: '/api/v1/auth/password/reset',
    summary: 'Choose a new password with a reset link; every session of the agent ends',
    tag: 'Auth',
    access: 'public',
    rateLimit: 'login.ip',
    body: UseAccountLink,
    handler: async ({ body }) => links.resetPassword(body.token, body.password),
  });
}
