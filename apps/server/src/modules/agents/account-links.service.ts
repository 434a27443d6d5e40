import type { AccountLink, AccountLinkInfo } from '@shopdesk/contracts';
import { z } from 'zod';
import type { Deps } from '../../platform/deps.ts';
import { AppError, conflict, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { defineJob, enqueue } from '../../platform/jobs/queue.ts';
import { randomToken, sha256 } from '../../platform/security/crypto.ts';
import { hashPassword } from '../../platform/security/passwords.ts';
import { recordAudit } from '../audit/index.ts';
import { findWorkspaceById, workspaceSlugs } from '../workspaces/index.ts';
import * as links from './account-links.repository.ts';
import * as repo from './agents.repository.ts';
import type { AgentsService } from './agents.service.ts';

/** Sends one e-mail outside any ticket (the notices module's direct mail, given by the composition root). */
export type SendAccountMail = (m: {
  workspaceId: number;
  ticketId: null;
  to: { name: string | null; email: string };
  subject: string;
  text: string;
  secret: true;
}) => Promise<{ transport: 'relay' | 'dev' }>;

const HOUR = 3_600_000;
/** Long enough for a new colleague to find the mail after a weekend; a reset must be used at once. */
export const INVITE_TTL_MS = 7 * 24 * HOUR;
export const RESET_TTL_MS = HOUR;
export const RESET_JOB = 'agent-password-reset';

const gone = () => new AppError('not_found', 'This link is not valid any more; ask for a new one');

/**
 * Invitations and password resets: single-use, expiring links mailed to the agent. The token travels in
 * the URL's fragment, so it never reaches a server log or a Referer header; only its hash is stored.
 */
export function createAccountLinks(deps: Deps, agents: AgentsService, mail: SendAccountMail) {
  const { db, config } = deps;

  async function issue(
    workspaceId: number,
    agent: repo.AgentRow,
    purpose: links.LinkPurpose,
    createdBy: number | null,
  ) {
    const token = randomToken(32);
    const expiresAt = new Date(Date.now() + (purpose === 'invite' ? INVITE_TTL_MS : RESET_TTL_MS));
    await links.insertLink(db, {
      workspaceId,
      agentId: agent.id,
      purpose,
      hash: sha256(token),
      createdBy,
      expiresAt,
    });
    const path = purpose === 'invite' ? 'accept-invite' : 'reset-password';
    return { url: `${config.publicUrl}/${path}#${token}`, expiresAt };
  }

  async function send(workspaceId: number, agent: repo.AgentRow, subject: string, text: string) {
    try {
      const sent = await mail({
        workspaceId,
        ticketId: null,
        to: { name: agent.name, email: agent.email },
        subject,
        text,
        secret: true,
      });
      return sent.transport === 'dev'
        ? 'No mail relay is set up for this workspace, so the e-mail did not leave this machine'
        : null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  /** Sets the password the link allows, ends every session and closes the agent's other links. */
  async function usePassword(token: string, purpose: links.LinkPurpose, password: string) {
    const passwordHash = await hashPassword(password);
    return db.tx(async (tx) => {
      const link = await links.claimLink(tx, sha256(token), purpose);
      if (!link) throw gone();
      const agent = await repo.findAgent(tx, link.workspace_id, link.agent_id);
      // A deactivated agent's link dies with the account (the UPDATE rolls back with the transaction).
      if (!agent?.active) throw gone();
      await repo.updateAgentRow(tx, link.workspace_id, agent.id, { password_hash: passwordHash });
      await links.closeLinksOfAgent(tx, agent.id);
      await repo.deleteSessionsOfAgent(tx, agent.id);
      await recordAudit(tx, {
        workspaceId: link.workspace_id,
        actorAgentId: agent.id,
        action: purpose === 'invite' ? 'agent.invite_accepted' : 'auth.password_reset',
        targetType: 'agent',
        targetId: agent.id,
      });
      return agent;
    });
  }

  return {
    /** Admin: (re)sends the invitation of an agent who has no password yet; the link is shown too. */
    async invite(auth: Auth, agentId: number): Promise<AccountLink> {
      const agent = await repo.findAgent(db, auth.workspaceId, agentId);
      if (!agent) throw notFound('Agent');
      if (!agent.active) throw conflict('This agent is deactivated; reactivate them first');
      if (agent.password_hash)
        throw conflict('This agent has already set a password; they can reset it from the sign-in page');
      const ws = await findWorkspaceById(db, auth.workspaceId);
      const link = await issue(auth.workspaceId, agent, 'invite', auth.agentId);
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'agent.invited',
        targetType: 'agent',
        targetId: agent.id,
      });
      const mailError = await send(
        auth.workspaceId,
        agent,
        `You're invited to ${ws?.name ?? 'Shopdesk'} on Shopdesk`,
        [
          `Hi ${agent.name},`,
          '',
          `You have been invited to answer customers of ${ws?.name ?? 'the shop'} in Shopdesk.`,
          'Choose your password here (the link works once, for 7 days):',
          '',
          link.url,
          '',
          'If you did not expect this, ignore this e-mail.',
        ].join('\n'),
      );
      return { url: link.url, expiresAt: link.expiresAt.toISOString(), mailed: !mailError, mailError };
    },

    /** What an opened link is for (the page greets the agent by name); unknown, used or expired: 404. */
    async inspect(token: string): Promise<AccountLinkInfo> {
      const link = await links.findOpenLink(db, sha256(token));
      const agent = link ? await repo.findAgent(db, link.workspace_id, link.agent_id) : null;
      if (!link || !agent?.active) throw gone();
      const ws = await findWorkspaceById(db, link.workspace_id);
      return {
        purpose: link.purpose,
        email: agent.email,
        name: agent.name,
        workspace: ws?.name ?? '',
        expiresAt: link.expires_at.toISOString(),
      };
    },

    /** The invited agent chooses a password and is signed in (the second factor is set up next). */
    async acceptInvite(token: string, password: string, ip: string) {
      const agent = await usePassword(token, 'invite', password);
      return agents.openSession(agent, ip);
    },

    /** A forgotten password: the new one works at once; every session ends, 2FA stays as it was. */
    async resetPassword(token: string, password: string) {
      await usePassword(token, 'reset', password);
    },

    /**
     * "Forgot password": answered the same whether or not the address is known (a job does the work,
     * so neither the reply nor its timing tells), at most three mails an hour per address.
     */
    async requestReset(email: string, workspace: string | undefined) {
      await enqueue(db, RESET_JOB, { email: email.toLowerCase(), workspace: workspace ?? null });
    },

    async sendReset(email: string, workspace: string | null) {
      if ((await deps.limits.hit('password-reset.email', email)) !== null) return 0;
      const rows = (await repo.findAgentsByEmail(db, email)).filter((a) => a.active);
      const slugs = await workspaceSlugs(db, [...new Set(rows.map((r) => Number(r.workspace_id)))]);
      let sent = 0;
      for (const agent of rows) {
        const slug = slugs.get(Number(agent.workspace_id)) ?? '';
        if (workspace && slug !== workspace) continue;
        const ws = await findWorkspaceById(db, agent.workspace_id);
        const link = await issue(agent.workspace_id, agent, 'reset', null);
        const err = await send(
          agent.workspace_id,
          agent,
          'Reset your Shopdesk password',
          [
            `Hi ${agent.name},`,
            '',
            `Someone asked to reset your password for ${ws?.name ?? 'Shopdesk'} (workspace "${slug}").`,
            'Choose a new one here (the link works once, for one hour):',
            '',
            link.url,
            '',
            'If it was not you, ignore this e-mail: your password stays as it is.',
          ].join('\n'),
        );
        if (err) deps.log.warn({ agentId: agent.id, err }, 'password reset e-mail not sent');
        else sent++;
      }
      return sent;
    },
  };
}
export type AccountLinks = ReturnType<typeof createAccountLinks>;

export const passwordResetJob = (svc: AccountLinks) =>
  defineJob({
    name: RESET_JOB,
    schema: z.object({ email: z.string(), workspace: z.string().nullable() }),
    keepDoneForMs: HOUR,
    handler: async (p) => void (await svc.sendReset(p.email, p.workspace)),
  });

export const pruneAccountLinks = links.pruneLinks;
