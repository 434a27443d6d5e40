import {
  ChatSettings,
  type ChatSettingsView,
  type ChatVisitorInfo,
  type UpdateChatSettings,
} from '@shopdesk/contracts';
import { notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { randomToken } from '../../platform/security/crypto.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { recordAudit } from '../audit/index.ts';
import { messageCreatedAt } from '../tickets/index.ts';
import { findWorkspaceById } from '../workspaces/index.ts';
import * as repo from './chat.repository.ts';
import type { ChatContext } from './chat-context.ts';
import { describeUserAgent } from './user-agent.ts';

/**
 * The agent's side of chat: the settings page, the visitor panel, ratings and reply stats, and the
 * reactions to an agent's reply and a solved ticket.
 */
export function createAgentChatService(c: ChatContext) {
  const { hub, db, config, settingsCache, replyCache, loadSettings, conversationView, typicalReplySeconds } =
    c;
  const svc = {
    /** `revealSecret` only right after a rotation: the stored secret is never echoed again. */
    async settingsView(auth: Auth, revealSecret = false): Promise<ChatSettingsView> {
      const loaded = await loadSettings(auth.workspaceId);
      const ws = await findWorkspaceById(db, auth.workspaceId);
      return {
        ...loaded.settings,
        identitySecret: revealSecret ? loaded.identitySecret : null,
        identitySecretHint: loaded.identitySecret.slice(-4),
        identitySecretRotatedAt: loaded.secretRotatedAt?.toISOString() ?? null,
        installSnippet: `<script src="${config.publicUrl}/widget.js" data-workspace="${ws?.slug ?? ''}" async></script>`,
        updatedAt: loaded.updatedAt?.toISOString() ?? null,
      };
    },

    async updateSettings(auth: Auth, patch: UpdateChatSettings): Promise<ChatSettingsView> {
      const { rotateIdentitySecret, ...changes } = patch;
      const current = await loadSettings(auth.workspaceId);
      const next = ChatSettings.parse({ ...current.settings, ...changes });
      const secret = rotateIdentitySecret ? keyRing(config).encrypt(randomToken(32)) : null;
      await db.tx(async (tx) => {
        await repo.updateSettings(tx, auth.workspaceId, next, secret);
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'chat.settings_updated',
          targetType: 'chat_settings',
          targetId: String(auth.workspaceId),
          data: { changed: Object.keys(changes), rotatedIdentitySecret: !!rotateIdentitySecret },
        });
      });
      settingsCache.delete(auth.workspaceId);
      return svc.settingsView(auth, !!rotateIdentitySecret);
    },

    async visitorInfo(auth: Auth, ticketId: number): Promise<ChatVisitorInfo> {
      const conv = await repo.conversationForTicket(db, auth.workspaceId, ticketId);
      if (!conv) throw notFound('Chat conversation');
      const v = (await repo.findVisitorById(db, auth.workspaceId, conv.visitor_id))!;
      const ua = v.user_agent ?? conv.user_agent;
      return {
        ticketId,
        visitorId: v.visitor_key,
        verified: v.verified,
        online:
          hub.isConnectedHere(auth.workspaceId, v.visitor_key) ||
          (!!v.online_until && v.online_until.getTime() > Date.now()),
        name: v.name,
        email: v.email,
        prechat: v.prechat,
        pageUrl: v.page_url ?? conv.page_url,
        pageTitle: v.page_title,
        ...describeUserAgent(ua),
        userAgent: ua,
        locale: v.locale,
        timezone: v.timezone,
        referrer: v.referrer,
        pages: v.pages.map((p) => ({ url: p.url, title: p.title, at: new Date(p.at).toISOString() })),
        visitorReadUpTo: Number(conv.visitor_read_up_to),
        rating: conv.rating_score ? { score: conv.rating_score, comment: conv.rating_comment } : null,
        startedAt: conv.started_at.toISOString(),
        lastSeenAt: v.last_seen_at?.toISOString() ?? null,
      };
    },

    async ratings(auth: Auth, limitN: number) {
      return (await repo.listRatings(db, auth.workspaceId, limitN)).map((r) => ({
        ticketId: r.ticket_id,
        conversationId: r.conversation_id,
        score: r.score,
        comment: r.comment,
        createdAt: r.created_at.toISOString(),
      }));
    },

    async stats(auth: Auth) {
      const s = await repo.firstResponseStats(db, auth.workspaceId);
      return {
        typicalReplySeconds: await typicalReplySeconds(auth.workspaceId),
        chatsAnsweredLast7Days: s.n,
      };
    },

    // Reactions

    /** A human agent's reply (never the bot's or an automation's): its time is the first response. */
    async onAgentReply(workspaceId: number, ticketId: number, messageId: number) {
      const repliedAt = await messageCreatedAt(db, workspaceId, messageId);
      if (repliedAt && (await repo.markFirstResponse(db, workspaceId, ticketId, repliedAt)))
        replyCache.delete(workspaceId);
    },

    async onTicketSolved(workspaceId: number, ticketId: number) {
      const conv = await repo.conversationForTicket(db, workspaceId, ticketId);
      if (!conv || conv.rating_requested_at) return;
      await repo.markRatingRequested(db, workspaceId, conv.id);
      const visitor = await repo.findVisitorById(db, workspaceId, conv.visitor_id);
      if (!visitor) return;
      const view = await conversationView(
        workspaceId,
        await repo.conversationForTicket(db, workspaceId, ticketId),
      );
      if (view)
        await hub.push(workspaceId, visitor.visitor_key, { type: 'conversation', conversation: view });
      await hub.push(workspaceId, visitor.visitor_key, { type: 'rating_request', conversationId: conv.id });
    },
  };
  return svc;
}
