import { createAgentChatService } from './agent-chat.service.ts';
import { type ChatServiceDeps, createChatContext, type RequestMeta } from './chat-context.ts';
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
    /**
     * For the site feedback tab (modules/feedback): the workspace behind a widget, its page's origin
     * allowed, and with a visitor token who the visitor is — a forged or foreign token is a 401.
     */
    async widgetShopper(slug: string, meta: RequestMeta, token: string | undefined) {
      if (!token) return { workspaceId: (await c.guard(slug, meta.origin, meta.host)).ws.id, visitor: null };
      const { ws, visitor } = await c.visitorOf(slug, token, meta);
      return {
        workspaceId: ws.id,
        visitor: {
          contactId: visitor.contact_id,
          email: visitor.email,
          name: visitor.name,
          verified: visitor.verified,
        },
      };
    },
    ...createWidgetService(c, accept),
    ...createTranscriptsService(c),
    ...createAgentChatService(c),
  };
}

export type ChatService = ReturnType<typeof createChatService>;
