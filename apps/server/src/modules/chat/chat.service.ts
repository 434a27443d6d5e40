import { createHash, randomInt } from 'node:crypto';
import {
  ChatSettings,
  type ChatSettingsView,
  ChatUploadLimits,
  type ChatVisitorInfo,
  MAX_CHAT_MESSAGE_CHARS,
  type PrechatInput,
  type UpdateChatSettings,
  type VisitorMessageAck,
  type WidgetConfig,
  type WidgetConversation,
  type WidgetMessage,
  type WidgetSession,
  type WidgetSessionRequest,
} from '@shopdesk/contracts';
import type { ChannelRegistry } from '../../channels/channel-adapter.ts';
import {
  type ChatBackend,
  signVisitorToken,
  type VisitorContext,
  type VisitorHub,
  verifyVisitorToken,
  visitorTokenKey,
} from '../../channels/chat/index.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, badRequest, forbidden, notFound } from '../../platform/errors.ts';
import { clientKey } from '../../platform/http/rate-limit.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { randomToken, sha256 } from '../../platform/security/crypto.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { recordAudit } from '../audit/index.ts';
import type { IncomingAttachment, TicketsService } from '../tickets/index.ts';
import { findWorkspaceById, findWorkspaceBySlug, type WorkspaceRow } from '../workspaces/index.ts';
import { availability } from './business-hours.ts';
import * as repo from './chat.repository.ts';
import { describeUserAgent } from './user-agent.ts';
import { identityPayload, identityValid, originAllowed, sniffMatches } from './widget-policy.ts';

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

/** Time zone and referrer as the widget reports them; a zone the runtime does not know is dropped. */
function whereFrom(input: { timezone?: string; referrer?: string }, pageOrigin: string | null) {
  let timezone: string | null = null;
  if (input.timezone)
    try {
      timezone = new Intl.DateTimeFormat('en-US', { timeZone: input.timezone }).resolvedOptions().timeZone;
    } catch {
      timezone = null;
    }
  // A link from another page of the shop itself says nothing about where the shopper came from.
  let referrer: string | null = null;
  try {
    const u = input.referrer ? new URL(input.referrer) : null;
    if (u && /^https?:$/.test(u.protocol) && u.origin !== pageOrigin) referrer = u.toString();
  } catch {
    referrer = null;
  }
  return { timezone, referrer };
}

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

export function createChatService({ deps, tickets, channels, hub }: ChatServiceDeps) {
  const { db, bus, config, files } = deps;
  const settingsCache = new Map<number, { at: number; v: Loaded }>();
  const slugCache = new Map<string, { at: number; ws: WorkspaceRow | undefined }>();
  const replyCache = new Map<number, { at: number; v: number | null }>();
  /** One message of a visitor at a time, so two quick first messages open one ticket, not two. */
  const visitorQueues = new Map<string, Promise<unknown>>();

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
    const rows = ticketIds.length ? await repo.visitorMessages(db, ws.id, ticketIds, HISTORY_LIMIT) : [];
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

  function decodeUpload(a: {
    filename: string;
    contentType: string;
    dataBase64: string;
  }): IncomingAttachment {
    const type = a.contentType.toLowerCase().split(';')[0]!.trim();
    if (!ChatUploadLimits.types.includes(type))
      throw new AppError('unsupported_media_type', `Files of type ${type} cannot be sent in the chat`, {
        allowed: ChatUploadLimits.types,
      });
    const data = Buffer.from(a.dataBase64, 'base64');
    if (data.length === 0) throw badRequest('The file is empty or not base64');
    if (data.length > ChatUploadLimits.maxBytes)
      throw new AppError(
        'payload_too_large',
        `Files can be at most ${Math.round(ChatUploadLimits.maxBytes / 1024 / 1024)} MB`,
        { maxBytes: ChatUploadLimits.maxBytes },
      );
    if (!sniffMatches(type, data))
      throw new AppError('unsupported_media_type', `The file's content is not ${type}`);
    const filename = a.filename.replace(/[/\\\0]/g, '_').slice(0, 200);
    return { filename, contentType: type, data };
  }

  /** Contact match: only a verified identity may reach an existing contact through its e-mail. */
  function contactMatch(v: repo.VisitorRow) {
    if (v.verified && v.email)
      return {
        email: v.email,
        name: v.name,
        identities: [
          { kind: 'email', value: v.email.toLowerCase(), verified: true },
          { kind: 'chat', value: v.visitor_key, verified: true },
        ],
      };
    return { name: v.name, identities: [{ kind: 'chat', value: v.visitor_key }] };
  }

  function missingPrechat(s: ChatSettings, v: repo.VisitorRow): string | null {
    if (v.verified) return null;
    if (s.emailField === 'required' && !v.email) return 'e-mail address';
    if (s.nameField === 'required' && !v.name) return 'name';
    const f = s.prechatFields.find((p) => p.required && !v.prechat[p.key]);
    return f ? f.label : null;
  }

  async function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = visitorQueues.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    visitorQueues.set(key, tail);
    try {
      return await run;
    } finally {
      if (visitorQueues.get(key) === tail) visitorQueues.delete(key);
    }
  }

  async function accept(
    ctx: VisitorContext,
    input: {
      clientId: string;
      text: string;
      pageUrl?: string;
      pageTitle?: string;
      attachment?: { filename: string; contentType: string; dataBase64: string };
    },
  ): Promise<VisitorMessageAck> {
    const w = ctx.workspaceId;
    await deps.limits.consume('widget.messages', `${w}:${ctx.visitorKey}`);
    await deps.limits.consume('widget.messages.ip', clientKey(ctx.ip));
    const { settings } = await loadSettings(w);
    if (!settings.enabled) throw forbidden('Chat is switched off for this shop');
    const text = input.text.trim();
    if (text.length > MAX_CHAT_MESSAGE_CHARS)
      throw new AppError('validation_failed', `Messages can be at most ${MAX_CHAT_MESSAGE_CHARS} characters`);
    if (!text && !input.attachment) throw badRequest('Type a message or attach a file');
    if (input.attachment) await deps.limits.consume('widget.uploads', `${w}:${ctx.visitorKey}`);
    const attachments = input.attachment ? [decodeUpload(input.attachment)] : [];
    return serialised(`${w}:${ctx.visitorKey}`, async () => {
      // The shopper is waiting and the agent's socket hears the message when tickets.receive publishes
      // it: keep the round trips before that to two (visitor with their latest conversation, ticket).
      const visitor = await repo.findVisitorWithLatestConversation(db, w, ctx.visitorKey);
      if (!visitor) throw new AppError('unauthorized', 'Unknown visitor; start a new chat session');
      const missing = missingPrechat(settings, visitor);
      if (missing)
        throw new AppError('validation_failed', `Please tell us your ${missing} first`, {
          reason: 'prechat_required',
        });
      let ticketId: number | null = null;
      let newConversation = true;
      if (visitor.latest_conversation_id) {
        const t = await tickets.findSummary(w, visitor.latest_ticket_id!);
        if (t && t.status !== 'closed') {
          ticketId = t.id;
          if (t.id !== visitor.latest_ticket_id)
            await repo.repointConversation(db, w, visitor.latest_conversation_id, t.id);
          // A solved chat re-opens on the same ticket, but as a new conversation (own rating, own wait).
          newConversation = t.status === 'solved';
        }
      }
      const pageUrl = input.pageUrl ?? visitor.page_url;
      let forTicket: repo.ConversationRow | undefined;
      const res = await tickets.receive(w, {
        channel: 'chat',
        contact: contactMatch(visitor),
        subject: (text || attachments[0]?.filename || 'Chat').replace(/\s+/g, ' ').slice(0, 80),
        bodyText: text || `(sent a file: ${attachments[0]!.filename})`,
        attachments,
        externalId: `chat:${visitor.visitor_key}:${input.clientId}`,
        dedupe: true,
        ticketId,
        channelMeta: {
          visitorId: visitor.visitor_key,
          clientId: input.clientId,
          verified: visitor.verified,
          ...(input.pageUrl ? { pageUrl: input.pageUrl } : {}),
          ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
        },
        // The conversation row is written with the message, before the bot or an agent can answer:
        // a reply delivered at once must find the visitor to push to.
        inTransaction: async (tx, r) => {
          forTicket = await repo.conversationForTicket(tx, w, r.ticketId);
          if (r.duplicate ? forTicket : !(r.created || newConversation || !forTicket)) return;
          await repo.insertConversation(tx, {
            workspaceId: w,
            visitorId: visitor.id,
            ticketId: r.ticketId,
            pageUrl,
            userAgent: ctx.userAgent,
          });
          forTicket = await repo.conversationForTicket(tx, w, r.ticketId);
        },
      });
      if (res.contactId && visitor.contact_id !== res.contactId)
        await repo.setVisitorContact(db, w, visitor.id, res.contactId);
      // Independent reads: in parallel on PostgreSQL's pool (PGlite runs them in turn anyway).
      const [row, conversation] = await Promise.all([
        repo.chatMessage(db, w, res.messageId),
        conversationView(w, forTicket),
        input.pageUrl
          ? repo.setVisitorPage(db, w, visitor.visitor_key, input.pageUrl, input.pageTitle ?? null)
          : undefined,
      ]);
      const message = toWidgetMessage(w, row!, visitor.name);
      hub.watch(w, visitor.visitor_key, res.ticketId);
      // Other tabs of the same visitor show the message too; the ack does not wait for that (on
      // PostgreSQL it is a NOTIFY round trip), and the widget orders messages by id anyway.
      hub
        .push(w, visitor.visitor_key, { type: 'message', message, conversation })
        .catch((err) => deps.log.warn({ err }, 'chat: pushing a visitor message to other tabs failed'));
      return { clientId: input.clientId, duplicate: res.duplicate, message };
    });
  }

  async function publishOnTicket(ctx: VisitorContext, name: string, data: Record<string, unknown>) {
    const visitor = await repo.findVisitor(db, ctx.workspaceId, ctx.visitorKey);
    if (!visitor) return;
    const conv = await repo.latestConversation(db, ctx.workspaceId, visitor.id);
    if (conv) await bus.publish({ name, workspaceId: ctx.workspaceId, ticketId: conv.ticket_id, data });
  }

  const backend: ChatBackend = {
    async authenticateSocket(slug, token, meta) {
      const { ws, visitor, ctx } = await visitorOf(slug, token, meta);
      const conv = await repo.latestConversation(db, ws.id, visitor.id);
      return {
        ctx,
        conversation: await conversationView(ws.id, conv),
        ticketIds: await repo.ticketIdsOfVisitor(db, ws.id, visitor.id),
      };
    },
    acceptMessage: (ctx, frame) => accept(ctx, frame),
    async visitorTyping(ctx, typing) {
      await publishOnTicket(ctx, 'chat.visitor_typing', { typing });
    },
    async visitorRead(ctx, upTo) {
      const visitor = await repo.findVisitor(db, ctx.workspaceId, ctx.visitorKey);
      if (!visitor) return;
      const rows = await repo.setVisitorRead(db, ctx.workspaceId, visitor.id, upTo);
      for (const t of new Set(rows.map((r) => r.ticket_id)))
        await bus.publish({
          name: 'chat.visitor_read',
          workspaceId: ctx.workspaceId,
          ticketId: t,
          data: { upTo },
        });
    },
    async visitorLocale(ctx, locale) {
      await repo.setVisitorLocale(db, ctx.workspaceId, ctx.visitorKey, locale);
    },
    async visitorPage(ctx, url, title) {
      const r = await repo.setVisitorPage(db, ctx.workspaceId, ctx.visitorKey, url, title ?? null);
      // The agent's visitor panel follows the shopper around the shop.
      if (r?.changed) await publishOnTicket(ctx, 'chat.visitor_page', { url, title: title ?? null });
    },
    async heartbeat(ctx, online) {
      await repo.setVisitorOnline(db, ctx.workspaceId, ctx.visitorKey, online);
    },
    agentViewed: (w, ticketId) => repo.setAgentRead(db, w, ticketId),
    async deliveryTarget(w, ticketId) {
      const conv = await repo.conversationForTicket(db, w, ticketId);
      if (!conv) return null;
      const visitor = await repo.findVisitorById(db, w, conv.visitor_id);
      if (!visitor) return null;
      const { settings } = await loadSettings(w);
      return {
        visitorKey: visitor.visitor_key,
        email: visitor.email,
        online:
          hub.isConnectedHere(w, visitor.visitor_key) ||
          (!!visitor.online_until && visitor.online_until.getTime() > Date.now()),
        fallbackAfterSeconds: settings.emailFallbackAfterSeconds,
        conversation: (await conversationView(w, conv))!,
      };
    },
    async widgetMessage(w, messageId) {
      const row = await repo.chatMessage(db, w, messageId);
      return row ? toWidgetMessage(w, row) : null;
    },
    async visitorHasRead(w, ticketId, messageId) {
      const conv = await repo.conversationForTicket(db, w, ticketId);
      return !!conv && Number(conv.visitor_read_up_to) >= messageId;
    },
    emailFallbackSent: async (w, messageId) => (await repo.fallbackStatus(db, w, messageId)) === 'sent',
    recordEmailFallback: (w, messageId, email, status, detail) =>
      repo.recordFallback(db, { workspaceId: w, messageId, email, status, detail }).then(() => undefined),
  };

  const svc = {
    backend,
    guard,

    async widgetConfig(slug: string, meta: RequestMeta): Promise<WidgetConfig> {
      const { ws, loaded } = await guard(slug, meta.origin, meta.host);
      const s = loaded.settings;
      const a = availability(s.businessHours);
      return {
        workspace: { slug: ws.slug, name: ws.name },
        enabled: s.enabled,
        color: s.color,
        title: s.title,
        greeting: s.greeting,
        awayMessage: s.awayMessage,
        emailField: s.emailField,
        nameField: s.nameField,
        prechatFields: s.prechatFields,
        requireIdentity: s.requireIdentity,
        open: a.open,
        nextOpenAt: a.nextOpenAt?.toISOString() ?? null,
        typicalReplySeconds: await typicalReplySeconds(ws.id),
        emailChannel: !!channels.get('email'),
        limits: {
          maxMessageChars: MAX_CHAT_MESSAGE_CHARS,
          maxUploadBytes: ChatUploadLimits.maxBytes,
          uploadTypes: [...ChatUploadLimits.types],
        },
      };
    },

    async session(slug: string, meta: RequestMeta, input: WidgetSessionRequest): Promise<WidgetSession> {
      const { ws, loaded } = await guard(slug, meta.origin, meta.host);
      await deps.limits.consume('widget.sessions', clientKey(meta.ip));
      const claims = input.token ? verifyVisitorToken(loaded.verifyKeys, input.token) : null;
      // A token of another workspace or a rotated key simply starts a fresh anonymous visitor.
      let key = claims && claims.w === ws.id ? claims.v : null;
      let verified = false;
      let identity: { name?: string; email?: string } = {};
      if (input.identity) {
        if (!identityValid(loaded.identitySecret, input.identity))
          throw new AppError(
            'unauthorized',
            "The identity hash does not match: sign the shopper's e-mail with this workspace's identity secret",
            { reason: 'identity_rejected' },
          );
        const previous = key ? await repo.findVisitor(db, ws.id, key) : undefined;
        key = `u_${createHash('sha256')
          .update(`${ws.id}:${identityPayload(input.identity)}`)
          .digest('hex')
          .slice(0, 32)}`;
        verified = true;
        identity = { name: input.identity.name, email: input.identity.email.trim().toLowerCase() };
        const v = await repo.upsertVisitor(db, ws.id, key, {
          verified,
          ...identity,
          userAgent: meta.userAgent,
          ip: meta.ip,
          locale: input.locale,
          ...whereFrom(input, meta.origin),
        });
        // The anonymous chat this browser had before signing in continues under the verified visitor.
        if (previous && !previous.verified && previous.id !== v.id)
          await repo.moveConversations(db, ws.id, previous.id, v.id);
      } else if (key) {
        // A signed-in shopper's token on a page that did not identify (they signed out of the shop,
        // or someone else uses the browser) starts a stranger: their chats need identify() again.
        const existing = await repo.findVisitor(db, ws.id, key);
        if (!existing || existing.verified) key = null;
      }
      if (loaded.settings.requireIdentity && !verified)
        throw forbidden("This shop's chat is for signed-in customers");
      key ??= `v_${randomToken(18)}`;
      const visitor = await repo.upsertVisitor(db, ws.id, key, {
        verified,
        ...identity,
        userAgent: meta.userAgent,
        ip: meta.ip,
        locale: input.locale,
        ...whereFrom(input, meta.origin),
      });
      return sessionView(ws, loaded, visitor);
    },

    async prechat(slug: string, meta: RequestMeta, input: PrechatInput): Promise<WidgetSession> {
      const { ws, loaded, visitor } = await visitorOf(slug, input.token, meta);
      const s = loaded.settings;
      const problems: { path: string; message: string }[] = [];
      const name = s.nameField === 'off' ? undefined : input.name?.trim() || undefined;
      // Outside business hours the widget always offers to continue by e-mail.
      const askEmail = s.emailField !== 'off' || !availability(s.businessHours).open;
      const email = askEmail ? input.email?.trim().toLowerCase() : undefined;
      if (s.nameField === 'required' && !name && !visitor.name)
        problems.push({ path: 'body.name', message: 'required' });
      if (s.emailField === 'required' && !email && !visitor.email && !visitor.verified)
        problems.push({ path: 'body.email', message: 'required' });
      const fields: Record<string, string> = {};
      for (const f of s.prechatFields) {
        const v = input.fields[f.key]?.trim();
        if (!v) {
          if (f.required) problems.push({ path: `body.fields.${f.key}`, message: `${f.label} is required` });
          continue;
        }
        if (f.type === 'select' && !f.options.includes(v))
          problems.push({ path: `body.fields.${f.key}`, message: `one of ${f.options.join(', ')}` });
        fields[f.key] = v.slice(0, 2000);
      }
      if (problems.length)
        throw new AppError(
          'validation_failed',
          `Please check: ${problems.map((p) => p.path.slice(5)).join(', ')}`,
          problems,
        );
      // A verified visitor's e-mail came signed from the shop; the form cannot replace it.
      await repo.savePrechat(db, ws.id, visitor.id, {
        name: name ?? null,
        email: visitor.verified ? null : (email ?? null),
        fields,
        done: true,
      });
      return sessionView(ws, loaded, (await repo.findVisitor(db, ws.id, visitor.visitor_key))!);
    },

    /** The e-mail address replies should go to (the away card, outside business hours). */
    async leaveEmail(slug: string, meta: RequestMeta, input: { token: string; email: string }) {
      const { ws, loaded, visitor, ctx } = await visitorOf(slug, input.token, meta);
      await deps.limits.consume('widget.transcripts', `${ws.id}:${ctx.visitorKey}:email`);
      // A signed-in shopper's address came signed from the shop; a form cannot replace it.
      if (!visitor.verified)
        await repo.savePrechat(db, ws.id, visitor.id, {
          name: null,
          email: input.email.trim().toLowerCase(),
          fields: {},
          done: visitor.prechat_done,
        });
      return sessionView(ws, loaded, (await repo.findVisitor(db, ws.id, visitor.visitor_key))!);
    },

    async postMessage(
      slug: string,
      meta: RequestMeta,
      input: Parameters<typeof accept>[1] & { token: string },
    ): Promise<VisitorMessageAck> {
      const { ctx } = await visitorOf(slug, input.token, meta);
      return accept(ctx, input);
    },

    async file(workspaceId: number, id: number, sig: string) {
      if (!keyRing(config).verify('chat-file-links', `${workspaceId}:${id}`, sig, 32)) throw notFound('File');
      const a = await repo.attachmentWithTicket(db, workspaceId, id);
      if (!a || a.kind === 'note') throw notFound('File');
      return { ...a, stream: () => files.open(a.sha256) };
    },

    async rate(slug: string, meta: RequestMeta, input: { token: string; score: number; comment?: string }) {
      const { ws, visitor, ctx } = await visitorOf(slug, input.token, meta);
      await deps.limits.consume('widget.requests', `${ws.id}:${ctx.visitorKey}`);
      const conv = await repo.latestConversation(db, ws.id, visitor.id);
      if (!conv) throw notFound('Conversation');
      if (!conv.rating_requested_at)
        throw new AppError('conflict', 'You can rate the chat once it is solved');
      await repo.upsertRating(db, {
        workspaceId: ws.id,
        conversationId: conv.id,
        ticketId: conv.ticket_id,
        contactId: visitor.contact_id,
        score: input.score,
        comment: input.comment || null,
      });
      await bus.publish({
        name: 'chat.rated',
        workspaceId: ws.id,
        ticketId: conv.ticket_id,
        data: { score: input.score, conversationId: conv.id },
      });
      return (await conversationView(ws.id, await repo.latestConversation(db, ws.id, visitor.id)))!;
    },

    /**
     * A transcript goes only to an address the visitor is known to own: an identified shopper's own
     * (signed by the shop), or one the visitor proved with a one-time code mailed there first. Anyone
     * could otherwise make the shop mail (with its domain and DKIM) any text to any address.
     */
    async requestTranscript(
      slug: string,
      meta: RequestMeta,
      input: { token: string; email?: string; code?: string },
    ) {
      const { ws, visitor } = await visitorOf(slug, input.token, meta);
      await deps.limits.consume('widget.transcripts', `${ws.id}:${visitor.visitor_key}`);
      const email = (visitor.verified ? visitor.email : (input.email ?? visitor.email))?.trim().toLowerCase();
      if (!email) throw badRequest('Tell us the e-mail address to send the transcript to');
      if (!channels.get('email'))
        throw new AppError(
          'unavailable',
          'E-mail is not set up for this shop yet, so transcripts cannot be sent',
        );
      const conv = await repo.latestConversation(db, ws.id, visitor.id);
      if (!conv) throw notFound('Conversation');
      const job = { workspaceId: ws.id, visitorId: visitor.id, ticketId: conv.ticket_id, email };
      const send = async (extra: { code?: string } = {}) => {
        await enqueue(
          db,
          'send-chat-transcript',
          { ...job, ...extra },
          { workspaceId: ws.id, maxAttempts: 5 },
        );
        deps.jobs.wake();
      };
      const proven =
        visitor.verified || !!(await repo.findTranscriptCode(db, ws.id, visitor.id, email))?.verified_at;
      if (proven) {
        await send();
        return { queued: true, email, codeSent: false };
      }
      const hash = (code: string) => sha256(`${ws.id}:${visitor.id}:${email}:${code}`);
      if (input.code) {
        await deps.limits.consume('widget.transcript-codes.check', `${ws.id}:${visitor.visitor_key}`);
        if (!(await repo.useTranscriptCode(db, ws.id, visitor.id, email, hash(input.code), 5)))
          throw new AppError('validation_failed', 'That code is wrong or has expired; ask for a new one', [
            { path: 'body.code', message: 'wrong or expired code' },
          ]);
        await send();
        return { queued: true, email, codeSent: false };
      }
      // Counted per address whoever asks, and per shop: the code mail cannot be used to flood anyone.
      await deps.limits.consume('widget.transcript-codes', `${ws.id}:${email}`);
      await deps.limits.consume('widget.transcript-codes.workspace', String(ws.id));
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      await repo.saveTranscriptCode(db, ws.id, visitor.id, email, hash(code), 15 * 60);
      await send({ code });
      return { queued: false, email, codeSent: true };
    },

    /** Job: the visitor's conversation as plain text, e-mailed through the registered e-mail channel. */
    async sendTranscript(p: {
      workspaceId: number;
      visitorId: number;
      ticketId: number;
      email: string;
      code?: string;
    }) {
      const mail = channels.get('email');
      if (!mail) throw new Error('no e-mail channel is registered');
      const ws = await findWorkspaceById(db, p.workspaceId);
      const visitor = await repo.findVisitorById(db, p.workspaceId, p.visitorId);
      const rows = await repo.visitorMessages(db, p.workspaceId, [p.ticketId], 1000);
      const last = rows[rows.length - 1];
      if (!ws || !visitor || !last) return;
      const notice = {
        workspaceId: p.workspaceId,
        ticketId: p.ticketId,
        messageId: last.id,
        channel: 'email',
        bodyHtml: null,
        from: { agentName: null },
        to: { name: visitor.name, email: p.email, phone: null, identities: [] },
        cc: [],
        attachments: [],
        threadExternalIds: [],
        lastInboundMeta: null,
        notice: true,
      };
      if (p.code) {
        // Fixed words only: nothing the visitor typed goes to the address being verified.
        await mail.deliver({
          ...notice,
          subject: `Your code for the chat transcript from ${ws.name}`,
          bodyText: `Your code: ${p.code}\n\nEnter it in the chat on ${ws.name}'s site to receive the transcript of your chat. It works for 15 minutes.\n\nIf you did not ask for this, ignore this e-mail: nothing will be sent to you.\n`,
        });
        return;
      }
      const lines = rows.map((m) => {
        const who = m.kind === 'inbound' ? (visitor.name ?? 'You') : (m.agent_name ?? ws.name);
        const files = m.attachments.map((a) => ` [file: ${a.filename}]`).join('');
        return `[${m.created_at.toISOString().replace('T', ' ').slice(0, 16)} UTC] ${who}: ${m.body_text}${files}`;
      });
      await mail.deliver({
        ...notice,
        subject: `Transcript of your chat with ${ws.name} (#${p.ticketId})`,
        bodyText: `Here is the transcript of your chat with ${ws.name}.\n\n${lines.join('\n')}\n`,
      });
    },

    // Agent side

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
      if (await repo.markFirstResponse(db, workspaceId, ticketId, messageId)) replyCache.delete(workspaceId);
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

export type ChatService = ReturnType<typeof createChatService>;
