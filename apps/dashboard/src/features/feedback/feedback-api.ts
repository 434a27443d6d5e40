import type {
  FeedbackItem,
  FeedbackOverview,
  FeedbackSettings,
  Improvement,
  SurveyResponse,
  Topic,
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

export type FeedbackItemT = FeedbackItem;
export type TopicT = Topic;
export type ImprovementT = Improvement;

/** The feedback loop: site feedback (inbox), topics and improvements. */
export const loopApi = {
  items: (q: { rating?: string; page?: string; topicId?: string; days?: number }) =>
    api.get<{ items: FeedbackItemT[] }>(`/api/v1/feedback/items?${qs(q)}`),
  topics: (days: number) =>
    api.get<{ topics: TopicT[]; emerging: { word: string; count: number }[] }>(
      `/api/v1/feedback/topics?days=${days}`,
    ),
  createTopic: (name: string, keywords: string[]) =>
    api.post<{ id: number }>('/api/v1/feedback/topics', { name, keywords }),
  updateTopic: (id: number, b: { name?: string; keywords?: string[]; mergeInto?: number }) =>
    api.patch<{ id: number }>(`/api/v1/feedback/topics/${id}`, b),
  improvements: () => api.get<{ items: ImprovementT[] }>('/api/v1/feedback/improvements'),
  createImprovement: (b: { title: string; changeText: string; topicId?: number }) =>
    api.post<ImprovementT>('/api/v1/feedback/improvements', b),
  updateImprovement: (id: number, b: { status?: string; title?: string; changeText?: string }) =>
    api.patch<ImprovementT>(`/api/v1/feedback/improvements/${id}`, b),
};
