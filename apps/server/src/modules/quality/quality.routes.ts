import {
  CreateReview,
  CreateScorecard,
  ListReviewsQuery,
  QualityScores,
  Review,
  ReviewComment,
  SampledTicket,
  SampleRequest,
  Scorecard,
  ScorecardVersion,
  TicketReviewContext,
  UpdateScorecard,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { QualityService } from './quality.service.ts';

export function registerQualityRoutes(r: Router, svc: QualityService) {
  r.add({
    method: 'GET',
    url: '/api/v1/quality/scorecards',
    summary: 'QA scorecards with their current categories',
    tag: 'Quality',
    access: 'read-only',
    response: z.object({ items: z.array(Scorecard) }),
    handler: async ({ auth }) => ({ items: await svc.listScorecards(auth) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/quality/scorecards',
    summary: 'Create a scorecard (lead or admin)',
    tag: 'Quality',
    access: 'lead',
    body: CreateScorecard,
    response: Scorecard,
    status: 201,
    handler: async ({ auth, body }) => svc.createScorecard(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/quality/scorecards/:id',
    summary: 'One scorecard',
    tag: 'Quality',
    access: 'read-only',
    params: IdParams,
    response: Scorecard,
    handler: async ({ auth, params }) => svc.getScorecard(auth, params.id),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/quality/scorecards/:id',
    summary: 'Change a scorecard; new categories or name make a new version (older reviews keep theirs)',
    tag: 'Quality',
    access: 'lead',
    params: IdParams,
    body: UpdateScorecard,
    response: Scorecard,
    handler: async ({ auth, params, body }) => svc.updateScorecard(auth, params.id, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/quality/scorecards/:id/versions',
    summary: 'Every version of a scorecard, newest first',
    tag: 'Quality',
    access: 'read-only',
    params: IdParams,
    response: z.object({ items: z.array(ScorecardVersion) }),
    handler: async ({ auth, params }) => ({ items: await svc.versions(auth, params.id) }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/quality/tickets/:id',
    summary:
      'Review panel of a ticket: the scorecard that fits, the agent to review, money moved, its reviews you may see',
    tag: 'Quality',
    access: 'agent',
    params: IdParams,
    response: TicketReviewContext,
    handler: async ({ auth, params }) => svc.ticketContext(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/quality/reviews',
    summary: 'Review a conversation with a scorecard (lead or admin)',
    tag: 'Quality',
    access: 'lead',
    body: CreateReview,
    response: Review,
    status: 201,
    handler: async ({ auth, body }) => svc.createReview(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/quality/reviews',
    summary: 'Reviews you may see (agents: of their own work; leads: theirs and their teams’; admins: all)',
    tag: 'Quality',
    access: 'read-only',
    query: ListReviewsQuery,
    response: z.object({ items: z.array(Review) }),
    handler: async ({ auth, query }) => svc.listReviews(auth, query),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/quality/reviews/:id',
    summary: 'One review with its comments',
    tag: 'Quality',
    access: 'read-only',
    params: IdParams,
    response: Review,
    handler: async ({ auth, params }) => svc.getReview(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/quality/reviews/:id/acknowledge',
    summary: 'The reviewed agent acknowledges the review',
    tag: 'Quality',
    access: 'agent',
    params: IdParams,
    response: Review,
    handler: async ({ auth, params }) => svc.acknowledge(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/quality/reviews/:id/comments',
    summary: 'Comment on a review; the reviewed agent may dispute a category’s rating',
    tag: 'Quality',
    access: 'agent',
    params: IdParams,
    body: ReviewComment,
    response: Review,
    handler: async ({ auth, params, body }) => svc.comment(auth, params.id, body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/quality/sample',
    summary: 'Pick conversations to review: a seeded random draw, or those where money moved (lead or admin)',
    tag: 'Quality',
    access: 'lead',
    body: SampleRequest,
    response: z.object({ items: z.array(SampledTicket) }),
    handler: async ({ auth, body }) => svc.sample(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/quality/scores',
    summary: 'Internal quality score (IQS) per agent, category and week, over the reviews you may see',
    tag: 'Quality',
    access: 'read-only',
    query: z.object({ days: z.coerce.number().int().min(1).max(730).default(90) }),
    response: QualityScores,
    handler: async ({ auth, query }) => svc.scores(auth, query.days),
  });
}
