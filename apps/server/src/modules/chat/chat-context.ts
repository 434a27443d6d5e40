import {
  ChatSettings,
  type WidgetConversation,
  type WidgetMessage,
  type WidgetSession,
} from '@shopdesk/contracts';
import type { ChannelRegistry } from '../../channels/channel-adapter.ts';
import {
  signVisitorToken,
  type VisitorContext,
  type VisitorHub,
  verifyVisitorToken,
  visitorTokenKey,
} from '../../channels/chat/index.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { randomToken } from '../../platform/security/crypto.ts';
import { keyRing } from '../../platform/security/keys.ts';
import type { TicketsService } from '../tickets/index.ts';
import { transcriptMessages } from '../tickets/index.ts';
import { findWorkspaceBySlug, type WorkspaceRow } from '../workspaces/index.ts';
import * as repo from './chat.repository.ts';
import { originAllowed } from './widget-policy.ts';

export const DEFAULT_CHAT_SETTINGS: ChatSettings = {
  enabled: true,
  color: '#1f6feb',
  title: 'Chat with us',
  greeting: 'Hi! How can we help you today?',
  awayMessage: 'We are away right now. Leave a message and we will reply by e-mail.',
  emailField: 'optional',
  nameField: 'optional',
  prechatFields: [],
  businessHours: { enabled: false, timezone: 'UTC', days: {}, holidays: [] },
  allowedOrigins: [],
  emailFallbackAfterSeconds: 120,
  requireIdentity: false,
};

/** Below this many chats in 7 days a "typical reply time" would be a guess, so none is shown. */
const MIN_CHATS_FOR_TYPICAL = 3;
const SETTINGS_TTL_MS = 5_000;
const HISTORY_LIMIT = 200;

type Loaded = {
  settings: ChatSettings;
  identitySecret: string;
  secretRotatedAt: Date | null;
  tokenKey: Buffer;
  /** tokenKey first, then the keys of older master keys in the ring (tokens made before a rotation). */
  verifyKeys: Buffer[];
  updatedAt: Date | null;
};
export interface RequestMeta {
  origin: string | null;
  host: string | undefined;
  ip: string;
  userAgent: string | null;
}

export interface ChatServiceDeps {
  deps: Deps;
  tickets: TicketsService;
  channels: ChannelRegistry;
  hub: VisitorHub;
}

/**
 * What the chat's use cases share: settings (cached), the widget request guard (workspace, allowed
 * origin, visitor token), and the shapes the widget sees (session, conversation, message).
 */
export function createChatContext({ deps, tickets, channels, hub }: ChatServiceDeps) {
  const { db, bus, config, files } = deps;
  const settingsCache = new Map<number, { at: number; v: Loaded }>();
  const slugCache = new Map<string, { at: number; ws: WorkspaceRow | undefined }>();
  const replyCache = new Map<number, { at: number; v: number | null }>();

  async function loadSettings(workspaceId: number): Promise<Loaded> {
    const hit = settingsCache.get(workspaceId);
    if (hit && Date.now() - hit.at < SETTINGS_TTL_MS) return hit.v;
    let row = await repo.findSettings(db, workspaceId);
    if (!row) {
      await repo.insertSettings(db, workspaceId, keyRing(config).encrypt(randomToken(32)), randomToken(16));
      row = (await repo.findSettings(db, workspaceId))!;
    }
    const parsed = ChatSettings.safeParse({ ...DEFAULT_CHAT_SETTINGS, ...row.settings });
    const v: Loaded = {
      settings: parsed.success ? parsed.data : DEFAULT_CHAT_SETTINGS,
      identitySecret: keyRing(config).decrypt(row.identity_secret),
      secretRotatedAt: row.identity_secret_rotated_at,
      tokenKey: visitorTokenKey(keyRing(config).key('chat-visitor-tokens'), workspaceId, row.token_salt),
      verifyKeys: [
        ...keyRing(config).allKeys('chat-visitor-tokens'),
        // tokens signed before key ids existed (derived from the master key itself)
        ...keyRing(config).legacyMasters(),
      ].map((k) => visitorTokenKey(k, workspaceId, row.token_salt)),
      updatedAt: Object.keys(row.settings).length ? row.updated_at : null,
    };
    settingsCache.set(workspaceId, { at: Date.now(), v });
    return v;
  }

  async function workspaceBySlug(slug: string) {
    const hit = slugCache.get(slug);
    let ws = hit && Date.now() - hit.at < 60_000 ? hit.ws : undefined;
    if (!ws) {
      ws = await findWorkspaceBySlug(db, slug);
      if (slugCache.size > 10_000) slugCache.clear();
      slugCache.set(slug, { at: Date.now(), ws });
    }
    if (!ws) throw notFound('Chat widget');
    return ws;
  }

  const ownHosts = (host: string | undefined) => [host ?? '', new URL(config.publicUrl).host];

  /** Resolves the workspace of a widget request and refuses sites that are not on its allow-list. */
  async function guard(slug: string, origin: string | null, host: string | undefined) {
    const ws = await workspaceBySlug(slug);
    const loaded = await loadSettings(ws.id);
    if (!originAllowed(origin, loaded.settings.allowedOrigins, ownHosts(host)))
      throw new AppError(
        'forbidden',
        `This website (${origin ?? 'unknown origin'}) is not allowed to use this shop's chat widget`,
        { reason: 'origin_not_allowed', origin },
      );
    return { ws, loaded };
  }

  async function visitorOf(slug: string, token: string, meta: RequestMeta) {
    const { ws, loaded } = await guard(slug, meta.origin, meta.host);
    const claims = verifyVisitorToken(loaded.verifyKeys, token);
    if (!claims || claims.w !== ws.id)
      throw new AppError('unauthorized', 'The visitor token is invalid or expired; start a new chat session');
    const visitor = await repo.findVisitor(db, ws.id, claims.v);
    if (!visitor) throw new AppError('unauthorized', 'Unknown visitor; start a new chat session');
    // A signed-in shopper's chats need a token issued to an identified page (see session()).
    if (visitor.verified && claims.id !== 1)
      throw new AppError('unauthorized', 'Sign in again to continue this chat', {
        reason: 'identity_required',
      });
    if (loaded.settings.requireIdentity && !visitor.verified)
      throw forbidden("This shop's chat is for signed-in customers");
    const ctx: VisitorContext = {
      workspaceId: ws.id,
      visitorKey: visitor.visitor_key,
      ip: meta.ip,
      userAgent: meta.userAgent,
    };
    return { ws, loaded, visitor, ctx };
  }

  const fileSig = (workspaceId: number, id: number) =>
    keyRing(config).sign('chat-file-links', `${workspaceId}:${id}`, 32);

  function toWidgetMessage(
    workspaceId: number,
    m: repo.ChatMessageRow,
    visitorName?: string | null,
  ): WidgetMessage {
    const meta = m.channel_meta as { clientId?: string };
    return {
      id: m.id,
      clientId: m.kind === 'inbound' ? (meta.clientId ?? null) : null,
      from: m.kind === 'inbound' ? 'visitor' : 'agent',
      author:
        m.kind === 'inbound'
          ? { name: visitorName ?? null, avatarUrl: null }
          : { name: m.agent_name, avatarUrl: m.agent_avatar },
      text: m.body_text,
      attachments: m.attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        contentType: a.content_type,
        sizeBytes: Number(a.size_bytes),
        url: `/api/v1/widget-files/${workspaceId}/${a.id}?sig=${fileSig(workspaceId, a.id)}`,
      })),
      createdAt: m.created_at.toISOString(),
    };
  }

  async function conversationView(workspaceId: number, c: repo.ConversationRow | undefined) {
    if (!c) return null;
    const t = await tickets.findSummary(workspaceId, c.ticket_id);
    const view: WidgetConversation = {
      id: c.id,
      ticketId: t?.id ?? c.ticket_id,
      status: t?.status ?? 'closed',
      agentReadUpTo: Number(c.agent_read_up_to),
      visitorReadUpTo: Number(c.visitor_read_up_to),
      ratingRequested: !!c.rating_requested_at,
      rating: c.rating_score ? { score: c.rating_score, comment: c.rating_comment } : null,
    };
    return view;
  }

  async function sessionView(
    ws: WorkspaceRow,
    loaded: Loaded,
    visitor: repo.VisitorRow,
  ): Promise<WidgetSession> {
    const conv = await repo.latestConversation(db, ws.id, visitor.id);
    const ticketIds = await repo.ticketIdsOfVisitor(db, ws.id, visitor.id);
    const rows = ticketIds.length ? await transcriptMessages(db, ws.id, ticketIds, HISTORY_LIMIT) : [];
    return {
      token: signVisitorToken(loaded.tokenKey, {
        w: ws.id,
        v: visitor.visitor_key,
        iat: Math.floor(Date.now() / 1000),
        // Only session() with a valid identity reaches a verified visitor, so this page identified.
        ...(visitor.verified ? { id: 1 as const } : {}),
      }),
      visitorId: visitor.visitor_key,
      verified: visitor.verified,
      name: visitor.name,
      email: visitor.email,
      prechatDone: visitor.prechat_done || visitor.verified,
      conversation: await conversationView(ws.id, conv),
      messages: rows.map((m) => toWidgetMessage(ws.id, m, visitor.name)),
    };
  }

  async function typicalReplySeconds(workspaceId: number) {
    const hit = replyCache.get(workspaceId);
    if (hit && Date.now() - hit.at < 60_000) return hit.v;
    const s = await repo.firstResponseStats(db, workspaceId);
    const v = s.n >= MIN_CHATS_FOR_TYPICAL && s.median !== null ? Math.round(s.median) : null;
    replyCache.set(workspaceId, { at: Date.now(), v });
    return v;
  }

  return {
    deps,
    tickets,
    channels,
    hub,
    db,
    bus,
    config,
    files,
    settingsCache,
    replyCache,
    loadSettings,
    guard,
    visitorOf,
    toWidgetMessage,
    conversationView,
    sessionView,
    typicalReplySeconds,
  };
}

export type ChatContext = ReturnType<typeof createChatContext>;
