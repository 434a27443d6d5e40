import type {
  CreateReview,
  QualityScores,
  Review,
  SampledTicket,
  Scorecard,
  TicketReviewContext,
} from '@shopdesk/contracts';
import type { z } from 'zod';
import { api } from '../../lib/api.ts';

export type ReviewT = Review;
export type ScorecardT = Scorecard;
export type ScoresT = QualityScores;
export type SampledT = z.output<typeof SampledTicket>;
export type ContextT = z.output<typeof TicketReviewContext>;

/** The quality module's HTTP API (apps/server/src/modules/quality/quality.routes.ts). */
export const qualityApi = {
  scorecards: () => api.get<{ items: ScorecardT[] }>('/api/v1/quality/scorecards'),
  reviews: (q: { revieweeId?: number; ticketId?: number } = {}) =>
    api.get<{ items: ReviewT[] }>('/api/v1/quality/reviews', q),
  review: (id: number) => api.get<ReviewT>(`/api/v1/quality/reviews/${id}`),
  ticket: (id: number) => api.get<ContextT>(`/api/v1/quality/tickets/${id}`),
  create: (b: z.input<typeof CreateReview>) => api.post<ReviewT>('/api/v1/quality/reviews', b),
  acknowledge: (id: number) => api.post<ReviewT>(`/api/v1/quality/reviews/${id}/acknowledge`),
  comment: (id: number, b: { body: string; dispute?: string }) =>
    api.post<ReviewT>(`/api/v1/quality/reviews/${id}/comments`, b),
  sample: (b: { seed: string; size: number; kind: 'random' | 'risk'; days: number }) =>
    api.post<{ items: SampledT[] }>('/api/v1/quality/sample', b),
  scores: (days: number) => api.get<ScoresT>('/api/v1/quality/scores', { days }),
};

export const scoreText = (s: number | null) => (s === null ? 'N/A' : `${s}%`);
export const statusLabel: Record<ReviewT['status'], string> = {
  submitted: 'Waiting for acknowledgement',
  acknowledged: 'Acknowledged',
  disputed: 'Disputed',
};
/** The points a category's scale offers, lowest first. */
export const scalePoints = (scale: ScorecardT['categories'][number]['scale']) =>
  scale === 'binary'
    ? [
        [0, 'Fail'],
        [1, 'Pass'],
      ]
    : Array.from({ length: Number(scale) }, (_, i) => [i + 1, String(i + 1)] as const);
/** Below the middle of the scale (the server's rule): root causes go with these. */
export const negative = (scale: ScorecardT['categories'][number]['scale'], score: number) =>
  scale === 'binary' ? score === 0 : (score - 1) / (Number(scale) - 1) < 0.5;
