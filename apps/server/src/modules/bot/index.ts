import type { Deps } from '../../platform/deps.ts';
import { escapeHtml } from '../../platform/html/sanitize.ts';
import type { Router } from '../../platform/http/router.ts';
import type { HelpCenterService, PortalBot, ShopperOrderSource } from '../helpcenter/index.ts';
import type { ReturnsService } from '../returns/index.ts';
import type { Calendar } from '../sla/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { registerBotListeners } from './bot.listeners.ts';
import { registerBotRoutes } from './bot.routes.ts';
import { type BotService, createBotService } from './bot.service.ts';

/** Summary figures for the analytics registry (app.ts registers them). */
export { botAnalyticsSummaries } from './analytics-source.ts';
export {
  type BotService,
  type ConverseInput,
  type ConverseResult,
  humanEtaText,
  LOOKUP_LIMITS,
} from './bot.service.ts';
export { type BotTools, botTurn, DEFAULT_BOT_SETTINGS, initialState } from './bot-engine.ts';
export { classify } from './intents.ts';
export { answerFromHelpCenter, coverage } from './retrieval.ts';

/** Text with URLs made clickable, for the server-rendered "ask" page. */
function linkify(text: string) {
  return escapeHtml(text)
    .replace(/(https?:\/\/[^\s<]+[^\s<.,;:!?)])/g, '<a href="$1">$1</a>')
    .replace(/\n/g, '<br>');
}

/**
 * The bot in one call: settings and containment API, the chat-widget listener, and the adapter the
 * help center's "ask a question" page talks to. Other channels call `bot.converse` the same way.
 */
export function installBot(o: {
  router: Router;
  deps: Deps;
  hc: HelpCenterService;
  tickets: TicketsService;
  orders: ShopperOrderSource | null;
  calendar?: (workspaceId: number) => Promise<Calendar | null>;
  agentsOnline?: (workspaceId: number) => Promise<number>;
  chatLocale?: (workspaceId: number, ticketId: number) => Promise<string | null>;
  returns?: Pick<ReturnsService, 'portalUrl'> | null;
}): { bot: BotService; portal: PortalBot } {
  const bot = createBotService(o);
  registerBotRoutes(o.router, bot);
  registerBotListeners(o.deps.bus, { deps: o.deps, bot, tickets: o.tickets, chatLocale: o.chatLocale });
  const portal: PortalBot = {
    async converse({ workspaceId, conversationKey, locale, text, clientIp }) {
      const before = await bot.transcript(workspaceId, 'portal', conversationKey);
      const r =
        text !== null || before.length === 0
          ? await bot.converse({ workspaceId, channel: 'portal', conversationKey, locale, text, clientIp })
          : null;
      const transcript = r ? r.transcript : before;
      if (r && !r.active && !r.replies.length && r.outcome !== 'handed_over' && transcript.length === 0)
        return { transcript: [{ from: 'bot', html: 'The assistant is not available right now.' }] };
      return {
        transcript: transcript.map((t) => ({
          from: t.from === 'bot' ? ('bot' as const) : ('me' as const),
          html: linkify(t.text),
        })),
      };
    },
  };
  return { bot, portal };
}
