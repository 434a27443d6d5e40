import { createAgentChatService } from './agent-chat.service.ts';
import { type ChatServiceDeps, createChatContext } from './chat-context.ts';
import { createSocketBackend } from './socket-backend.ts';
import { createTranscriptsService } from './transcripts.service.ts';
import { createVisitorMessages } from './visitor-messages.ts';
import { createWidgetService } from './widget.service.ts';

export { type ChatServiceDeps, DEFAULT_CHAT_SETTINGS, type RequestMeta } from './chat-context.ts';

/**
 * The chat module's service, put together from one file per use case (they share chat-context.ts:
 * settings, the widget request guard, the widget's shapes).
 */
export function createChatService(o: ChatServiceDeps) {
  const c = createChatContext(o);
  const { accept } = createVisitorMessages(c);
  return {
    backend: createSocketBackend(c, accept),
    guard: c.guard,
    ...createWidgetService(c, accept),
    ...createTranscriptsService(c),
    ...createAgentChatService(c),
  };
}

export type ChatService = ReturnType<typeof createChatService>;
