import {
  FeedbackOverview,
  FeedbackSettings,
  FollowUp,
  ListSurveysQuery,
  SubmitRating,
  SurveyResponse,
  UpdateFeedbackSettings,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { notFound } from '../../platform/errors.ts';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { SurveysService } from './surveys.service.ts';

const Days = z.object({ days: z.coerce.number().int().min(1).max(730).default(30) });

export function registerSurveyRoutes(r: Router, svc: SurveysService) {
  r.add({
    method: 'GET',
    url: '/api/v1/feedback/settings',
    summary: 'Follow-up, CSAT, NPS and feedback-widget rules of the workspace',
    tag: 'Feedback',
    access: 'read-only',
    response: FeedbackSettings,
    handler: async ({ auth }) => svc.settingsOf(auth.workspaceId),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/feedback/settings',
    summary: 'Change follow-up, survey and widget rules (lead or admin)',
    tag: 'Feedback',
    access: 'lead',
    body: UpdateFeedbackSettings,
    response: FeedbackSettings,
    handler: async ({ auth, body }) => svc.updateSettings(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/feedback/overview',
    summary:
      'CSAT (human and bot resolutions apart), NPS, weekly trend, by channel and agent, reasons, follow-ups',
    tag: 'Feedback',
    access: 'read-only',
    query: Days,
    response: FeedbackOverview,
    handler: async ({ auth, query }) => svc.overview(auth, query.days),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/feedback/surveys',
    summary: 'Surveys asked, answered and skipped (with the reason), newest first',
    tag: 'Feedback',
    access: 'read-only',
    query: ListSurveysQuery,
    response: z.object({ items: z.array(SurveyResponse) }),
    handler: async ({ auth, query }) => svc.list(auth, query),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/feedback/surveys/:id',
    summary: 'One survey with its answer and the snapshot taken when it was sent',
    tag: 'Feedback',
    access: 'read-only',
    params: IdParams,
    response: SurveyResponse,
    handler: async ({ auth, params }) => svc.get(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/feedback/surveys/:id/answer',
    summary:
      'Record the customer’s answer (an integration, or an answer given by phone); the same answer twice changes nothing',
    tag: 'Feedback',
    access: 'agent',
    params: IdParams,
    body: SubmitRating,
    response: SurveyResponse,
    handler: async ({ auth, params, body }) => {
      await svc.get(auth, params.id); // another workspace's id is a 404 like a missing one
      const out = await svc.answer(auth.workspaceId, params.id, body);
      if (!out) throw notFound('Open survey');
      return out;
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/feedback/follow-ups',
    summary: 'Follow-ups ("did this fix it?") sent or scheduled, optionally of one ticket',
    tag: 'Feedback',
    access: 'read-only',
    query: z.object({ ticketId: z.coerce.number().int().positive().optional() }),
    response: z.object({ items: z.array(FollowUp) }),
    handler: async ({ auth, query }) => svc.followUps(auth, query.ticketId ?? null),
  });
}
