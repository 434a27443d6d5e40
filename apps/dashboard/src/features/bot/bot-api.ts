import type { BotContainment, BotSettings, UpdateBotSettings } from '@shopdesk/contracts';
import type { z } from 'zod';
import { api } from '../../lib/api.ts';

export type BotSettingsT = BotSettings;
export type ContainmentT = z.output<typeof BotContainment>;

/** The bot module's HTTP API (apps/server/src/modules/bot/bot.routes.ts). */
export const botApi = {
  settings: () => api.get<BotSettingsT>('/api/v1/bot/settings'),
  update: (b: z.input<typeof UpdateBotSettings>) => api.patch<BotSettingsT>('/api/v1/bot/settings', b),
  containment: (days: number) => api.get<ContainmentT>('/api/v1/bot/containment', { days }),
};
