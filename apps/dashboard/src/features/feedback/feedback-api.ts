import type {
  FeedbackOverview,
  FeedbackSettings,
  SurveyResponse,
  UpdateFeedbackSettings,
} from '@shopdesk/contracts';
import type { z } from 'zod';
import { api } from '../../lib/api.ts';

export type OverviewT = FeedbackOverview;
export type SurveyT = SurveyResponse;
export type FeedbackSettingsT = FeedbackSettings;

const qs = (q: Record<string, string | number | undefined>) =>
  Object.entries(q)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

/** The feedback module's HTTP API (apps/server/src/modules/feedback/*.routes.ts). */
export const feedbackApi = {
  overview: (days: number) => api.get<OverviewT>(`/api/v1/feedback/overview?days=${days}`),
  surveys: (q: { kind?: string; verdict?: string; status?: string; days?: number }) =>
    api.get<{ items: SurveyT[] }>(`/api/v1/feedback/surveys?${qs(q)}`),
  settings: () => api.get<FeedbackSettingsT>('/api/v1/feedback/settings'),
  updateSettings: (b: z.input<typeof UpdateFeedbackSettings>) =>
    api.patch<FeedbackSettingsT>('/api/v1/feedback/settings', b),
};

export const verdictLabel: Record<string, string> = {
  good: 'Good',
  neutral: 'Neutral',
  bad: 'Bad',
  promoter: 'Promoter',
  passive: 'Passive',
  detractor: 'Detractor',
};
export const pct = (v: number | null) => (v === null ? '—' : `${v}%`);
