import { z } from 'zod';
import type { Db } from '../../platform/db/db.ts';
import { defineJob, enqueue, type JobRunner } from '../../platform/jobs/queue.ts';
import type { ChannelAdapter, ChannelRegistry, DeliveryResult, OutboundMessage } from '../channel-adapter.ts';
import type { ChatBackend } from './ports.ts';
import type { VisitorHub } from './visitor-hub.ts';

export const CHAT_EMAIL_FALLBACK_JOB = 'chat-email-fallback';

/**
 * Delivers agent replies on chat tickets: straight to the visitor's open widgets, and, when the visitor
 * left an e-mail address, by e-mail if the reply is still unread after the workspace's delay (at once
 * when nobody has the widget open). E-mail goes through whatever adapter is registered for `email`.
 */
export class ChatChannelAdapter implements ChannelAdapter {
  readonly channel = 'chat';
  readonly capabilities = {
    messagingWindowHours: null,
    media: true,
    deliveryReceipts: false,
    templates: false,
    maxLength: 10_000,
  };

  constructor(
    private deps: {
      db: Db;
      jobs: JobRunner;
      hub: VisitorHub;
      backend: ChatBackend;
      channels: ChannelRegistry;
    },
  ) {}

  async deliver(msg: OutboundMessage): Promise<DeliveryResult> {
    const { backend, hub } = this.deps;
    const target = await backend.deliveryTarget(msg.workspaceId, msg.ticketId);
    // A chat-channel ticket created through the API has no visitor: nothing to push to.
    if (!target) return { meta: { chat: { pushed: false, reason: 'no visitor' } } };
    const message = await backend.widgetMessage(msg.workspaceId, msg.messageId);
    if (message)
      await hub.push(msg.workspaceId, target.visitorKey, {
        type: 'message',
        message,
        conversation: target.conversation,
      });
    let emailFallback: string = 'no email address';
    if (target.email) {
      const delay = target.online ? target.fallbackAfterSeconds : 0;
      await enqueue(
        this.deps.db,
        CHAT_EMAIL_FALLBACK_JOB,
        { message: msg, email: target.email },
        {
          workspaceId: msg.workspaceId,
          runAt: new Date(Date.now() + delay * 1000),
          uniqueKey: `chat-fallback:${msg.messageId}`,
          maxAttempts: 6,
        },
      );
      if (delay === 0) this.deps.jobs.wake();
      emailFallback = delay === 0 ? 'visitor offline: e-mailing now' : `e-mail if unread after ${delay} s`;
    }
    return { meta: { chat: { pushed: true, visitorOnline: target.online, emailFallback } } };
  }
}

const FallbackPayload = z.object({
  email: z.string(),
  message: z.custom<OutboundMessage>((v) => typeof v === 'object' && v !== null && 'messageId' in v),
});

export const chatEmailFallbackJob = (backend: ChatBackend, channels: ChannelRegistry) =>
  defineJob({
    name: CHAT_EMAIL_FALLBACK_JOB,
    schema: FallbackPayload,
    handler: async ({ email, message: m }) => {
      const { workspaceId: w, messageId } = m;
      if (await backend.emailFallbackSent(w, messageId)) return;
      if (await backend.visitorHasRead(w, m.ticketId, messageId)) {
        await backend.recordEmailFallback(w, messageId, email, 'skipped', 'read in the chat widget');
        return;
      }
      const mail = channels.get('email');
      if (!mail) {
        await backend.recordEmailFallback(w, messageId, email, 'unavailable', 'no e-mail channel is set up');
        return;
      }
      await mail.deliver({
        ...m,
        channel: 'email',
        bodyText: `${m.bodyText}\n\n--\nYou can reply to this e-mail, or continue in the chat on our website.`,
        to: { ...m.to, email },
      });
      await backend.recordEmailFallback(w, messageId, email, 'sent', null);
    },
  });
