import {
  type ChannelAdapter,
  type OutboundMessage,
  PermanentDeliveryError,
} from '../../channels/channel-adapter.ts';
import type { Db } from '../../platform/db/db.ts';
import * as repo from './listening.repository.ts';
import { type ListeningService, SOCIAL_CHANNEL } from './listening.service.ts';
import { SourceConfigError, SourceRateLimited } from './sources/source-port.ts';

/**
 * The ticket channel of mentions. An agent answers a mention's ticket like any other; the reply is
 * queued and the deliver-message job hands it here, and the mention's source posts it where the
 * shopper wrote (a Bluesky reply, a Mastodon reply). The ticket shows the delivery state, and a source
 * that takes no replies fails the message at once with where to answer instead.
 */
export function createSocialChannel(db: Db, svc: ListeningService): ChannelAdapter {
  return {
    channel: SOCIAL_CHANNEL,
    capabilities: {
      messagingWindowHours: null,
      media: false,
      deliveryReceipts: false,
      templates: false,
      maxLength: 300,
    },
    async deliver(msg: OutboundMessage) {
      const mentionId = Number(msg.lastInboundMeta?.mentionId);
      const m = Number.isFinite(mentionId) ? await repo.findMention(db, msg.workspaceId, mentionId) : null;
      if (!m) throw new PermanentDeliveryError('This ticket is not about a public mention');
      const src = m.source_id ? await repo.findSource(db, msg.workspaceId, m.source_id) : null;
      const adapter = svc.adapterOf(m.kind);
      if (!adapter.reply || !src || !m.reply_ref)
        throw new PermanentDeliveryError(
          `${adapter.label} replies are not posted from the desk; answer on the site${m.link ? `: ${m.link}` : ''}`,
        );
      try {
        const r = await adapter.reply({
          settings: src.settings,
          secrets: svc.secretsOf(src),
          policy: await svc.policyOf(msg.workspaceId),
          ref: m.reply_ref,
          text: msg.bodyText,
        });
        await repo.markReplied(db, msg.workspaceId, m.id);
        return { externalId: r.externalId, meta: { link: r.link, source: m.kind } };
      } catch (err) {
        if (err instanceof SourceConfigError) throw new PermanentDeliveryError(err.message);
        // A 429 is retried by the delivery job's backoff.
        if (err instanceof SourceRateLimited) throw new Error(err.message);
        throw err;
      }
    },
  };
}
