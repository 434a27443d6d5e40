import type { FastifyInstance } from 'fastify';
import type { ChannelRegistry } from '../../channels/channel-adapter.ts';
import {
  ChatChannelAdapter,
  chatEmailFallbackJob,
  registerVisitorSocket,
  VisitorHub,
} from '../../channels/chat/index.ts';
import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import type { TicketsService } from '../tickets/index.ts';
import { sendChatTranscriptJob } from './chat.jobs.ts';
import { registerChatListeners } from './chat.listeners.ts';
import { registerChatRoutes } from './chat.routes.ts';
import { type ChatService, createChatService } from './chat.service.ts';

export { metaOf as widgetRequestMeta } from './chat.routes.ts';
export { type ChatService, createChatService, DEFAULT_CHAT_SETTINGS } from './chat.service.ts';
export { identityHash } from './widget-policy.ts';

/**
 * Live chat in one call from the composition root: the chat module (settings, visitors, conversations)
 * and the chat channel (visitor sockets, delivery of replies, e-mail fallback) wired to each other.
 */
export function installChat(o: {
  app: FastifyInstance;
  router: Router;
  deps: Deps;
  tickets: TicketsService;
  channels: ChannelRegistry;
}): { chat: ChatService; hub: VisitorHub } {
  const hub = new VisitorHub(o.deps.bus);
  const chat = createChatService({ deps: o.deps, tickets: o.tickets, channels: o.channels, hub });
  hub.setBackend(chat.backend);
  o.channels.register(
    new ChatChannelAdapter({
      db: o.deps.db,
      jobs: o.deps.jobs,
      hub,
      backend: chat.backend,
      channels: o.channels,
    }),
  );
  o.deps.jobs.register(chatEmailFallbackJob(chat.backend, o.channels));
  o.deps.jobs.register(sendChatTranscriptJob(chat));
  registerChatRoutes(o.app, o.router, chat, { demoShop: o.deps.config.SEED_DEMO });
  registerVisitorSocket(o.app, hub, chat.backend, o.deps.log, o.deps.limits);
  registerChatListeners(o.deps.bus, chat);
  o.app.addHook('onClose', async () => hub.close());
  return { chat, hub };
}
