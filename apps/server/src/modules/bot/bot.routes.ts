import { BotContainment, BotSettings, HcStatsQuery, UpdateBotSettings } from '@shopdesk/contracts';
import type { Router } from '../../platform/http/router.ts';
import type { BotService } from './bot.service.ts';

const tag = 'Bot';

export function registerBotRoutes(router: Router, bot: BotService) {
  router.add({
    method: 'GET',
    url: '/api/v1/bot/settings',
    summary: 'Bot settings: channels, greeting, intents, handover rules',
    tag,
    access: 'read-only',
    response: BotSettings,
    handler: ({ auth }) => bot.getSettings(auth),
  });
  router.add({
    method: 'PATCH',
    url: '/api/v1/bot/settings',
    summary: 'Change bot settings',
    tag,
    // Leads run the help center and its content; the bot answers from it, so they tune it too.
    access: 'lead',
    body: UpdateBotSettings,
    response: BotSettings,
    handler: ({ auth, body }) => bot.updateSettings(auth, body),
  });
  router.add({
    method: 'GET',
    url: '/api/v1/bot/containment',
    summary: 'Bot conversations resolved without a human (containment), by channel',
    tag,
    access: 'read-only',
    query: HcStatsQuery,
    response: BotContainment,
    handler: ({ auth, query }) => bot.containment(auth, query.days),
  });
}
