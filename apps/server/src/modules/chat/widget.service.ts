import { createHash } from 'node:crypto';
import {
  ChatUploadLimits,
  MAX_CHAT_MESSAGE_CHARS,
  type PrechatInput,
  type VisitorMessageAck,
  type WidgetConfig,
  type WidgetSession,
  type WidgetSessionRequest,
} from '@shopdesk/contracts';
import { verifyVisitorToken } from '../../channels/chat/index.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { clientKey } from '../../platform/http/rate-limit.ts';
import { randomToken } from '../../platform/security/crypto.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { attachmentWithTicket } from '../tickets/index.ts';
import { availability } from './business-hours.ts';
import * as repo from './chat.repository.ts';
import type { ChatContext, RequestMeta } from './chat-context.ts';
import type { VisitorMessages } from './visitor-messages.ts';
import { identityPayload, identityValid } from './widget-policy.ts';

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

/** The widget's HTTP side: its config, the visitor session and pre-chat form, messages, files, rating. */
export function createWidgetService(c: ChatContext, accept: VisitorMessages['accept']) {
  const {
    deps,
    channels,
    db,
    bus,
    config,
    files,
    guard,
    visitorOf,
    conversationView,
    sessionView,
    typicalReplySeconds,
  } = c;
  return {
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
      const a = await attachmentWithTicket(db, workspaceId, id);
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
        // The feedback module records the rating as the CSAT answer of the ticket's resolution cycle.
        data: { score: input.score, comment: input.comment || null, conversationId: conv.id },
      });
      return (await conversationView(ws.id, await repo.latestConversation(db, ws.id, visitor.id)))!;
    },
  };
}
