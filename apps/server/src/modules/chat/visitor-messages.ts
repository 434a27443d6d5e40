import {
  type ChatSettings,
  ChatUploadLimits,
  MAX_CHAT_MESSAGE_CHARS,
  type VisitorMessageAck,
} from '@shopdesk/contracts';
import type { VisitorContext } from '../../channels/chat/index.ts';
import { AppError, badRequest, forbidden } from '../../platform/errors.ts';
import { clientKey } from '../../platform/http/rate-limit.ts';
import type { IncomingAttachment } from '../tickets/index.ts';
import { transcriptMessage } from '../tickets/index.ts';
import * as repo from './chat.repository.ts';
import type { ChatContext } from './chat-context.ts';
import { sniffMatches } from './widget-policy.ts';

/**
 * A visitor's message, from the widget's POST or its socket: checked (limits, pre-chat, upload type and
 * content), one at a time per visitor, landed on the visitor's open ticket or a new one, echoed to the
 * visitor's other tabs.
 */
export function createVisitorMessages(c: ChatContext) {
  const { deps, tickets, hub, db, loadSettings, toWidgetMessage, conversationView } = c;
  /** One message of a visitor at a time, so two quick first messages open one ticket, not two. */
  const visitorQueues = new Map<string, Promise<unknown>>();

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
        transcriptMessage(db, w, res.messageId),
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

  return { accept };
}

export type VisitorMessages = ReturnType<typeof createVisitorMessages>;
