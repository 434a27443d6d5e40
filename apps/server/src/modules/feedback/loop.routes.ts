import {
  CreateImprovement,
  CreateTopic,
  FeedbackItem,
  Improvement,
  LinkFeedback,
  ListFeedbackQuery,
  TopicsAnswer,
  UpdateImprovement,
  UpdateTopic,
  WidgetFeedbackInput,
} from '@shopdesk/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { ImprovementsService } from './improvements.service.ts';
import type { SiteFeedbackService, WidgetShopper } from './site-feedback.service.ts';

const Slug = z.object({ workspace: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/) });
const TopicView = z.object({ id: z.number(), name: z.string(), keywords: z.array(z.string()) });
const topicView = (t: { id: number; name: string; keywords: string[] }) => ({
  id: t.id,
  name: t.name,
  keywords: t.keywords,
});

/** Resolves the widget's workspace (origin allow-list) and visitor (token) through the chat module. */
export type ShopperOf = (
  slug: string,
  req: FastifyRequest,
  token: string | undefined,
) => Promise<WidgetShopper>;

export function registerLoopRoutes(
  r: Router,
  site: SiteFeedbackService,
  improvements: ImprovementsService,
  shopperOf: ShopperOf,
) {
  r.add({
    method: 'POST',
    url: '/api/v1/widget/:workspace/feedback',
    summary:
      'The site feedback tab: a rating (-1, 0, 1) and a comment from a shop page (public, rate-limited). Stored before the answer; negative feedback with an address becomes a ticket',
    tag: 'Chat widget',
    access: 'public',
    params: Slug,
    body: WidgetFeedbackInput.extend({ locale: z.string().max(20).optional() }),
    response: z.object({ accepted: z.boolean() }),
    status: 202,
    bodyLimit: 16 * 1024,
    handler: async ({ params, body, req }) => {
      const shopper = await shopperOf(params.workspace, req, body.visitorToken);
      const ua = req.headers['user-agent'];
      return site.submit(shopper, body, {
        ip: req.ip,
        userAgent: typeof ua === 'string' ? ua : null,
        locale: body.locale?.slice(0, 2).toLowerCase(),
      });
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/feedback/items',
    summary:
      'The Feedback inbox: what shoppers said on the site, newest first (filter by rating, page, topic, period)',
    tag: 'Feedback',
    access: 'read-only',
    query: ListFeedbackQuery,
    response: z.object({ items: z.array(FeedbackItem) }),
    handler: async ({ auth, query }) => site.list(auth, query),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/feedback/items/:id',
    summary: 'One piece of site feedback',
    tag: 'Feedback',
    access: 'read-only',
    params: IdParams,
    response: FeedbackItem,
    handler: async ({ auth, params }) => site.get(auth, params.id),
  });

  r.add({
    method: 'GET',
    url: '/api/v1/feedback/topics',
    summary:
      'Topics of site feedback and survey comments: volume per week, examples, and uncovered frequent words',
    tag: 'Feedback',
    access: 'read-only',
    query: z.object({ days: z.coerce.number().int().min(7).max(365).default(90) }),
    response: TopicsAnswer,
    handler: async ({ auth, query }) => site.topics(auth, query.days),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/feedback/topics',
    summary: 'Create a topic with its keywords (lead or admin); feedback of the last year is grouped again',
    tag: 'Feedback',
    access: 'lead',
    body: CreateTopic,
    response: TopicView,
    status: 201,
    handler: async ({ auth, body }) => topicView(await site.createTopic(auth, body.name, body.keywords)),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/feedback/topics/:id',
    summary: 'Rename a topic, change its keywords, or merge it into another (lead or admin)',
    tag: 'Feedback',
    access: 'lead',
    params: IdParams,
    body: UpdateTopic,
    response: TopicView,
    handler: async ({ auth, params, body }) => topicView(await site.updateTopic(auth, params.id, body)),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/feedback/topics/:id',
    summary: 'Delete a topic (its feedback is regrouped)',
    tag: 'Feedback',
    access: 'lead',
    params: IdParams,
    status: 204,
    handler: async ({ auth, params }) => {
      await site.deleteTopic(auth, params.id);
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/feedback/improvements',
    summary: 'Improvements made from feedback, with who raised them and how many were told',
    tag: 'Feedback',
    access: 'read-only',
    response: z.object({ items: z.array(Improvement) }),
    handler: async ({ auth }) => improvements.list(auth),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/feedback/improvements/:id',
    summary: 'One improvement with its links and notices',
    tag: 'Feedback',
    access: 'read-only',
    params: IdParams,
    response: Improvement,
    handler: async ({ auth, params }) => improvements.get(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/feedback/improvements/:id/recipients',
    summary: 'Who will be (or was) told when the improvement is done — a dry run, nothing is sent',
    tag: 'Feedback',
    access: 'read-only',
    params: IdParams,
    response: z.object({
      people: z.number().int(),
      unreachable: z.number().int(),
      notices: z.array(
        z.object({ contactId: z.number(), status: z.string(), reason: z.string().nullable() }),
      ),
    }),
    handler: async ({ auth, params }) => improvements.recipients(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/feedback/improvements',
    summary:
      'Turn feedback into an improvement (lead or admin); from a topic, its feedback is linked at once',
    tag: 'Feedback',
    access: 'lead',
    body: CreateImprovement,
    response: Improvement,
    status: 201,
    handler: async ({ auth, body }) => improvements.create(auth, body),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/feedback/improvements/:id',
    summary: 'Edit an improvement or set its status; "done" tells every person who raised it, once',
    tag: 'Feedback',
    access: 'lead',
    params: IdParams,
    body: UpdateImprovement,
    response: Improvement,
    handler: async ({ auth, params, body }) => improvements.update(auth, params.id, body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/feedback/improvements/:id/links',
    summary: 'Link feedback, survey answers or tickets to an improvement (lead or admin)',
    tag: 'Feedback',
    access: 'lead',
    params: IdParams,
    body: LinkFeedback,
    response: Improvement,
    handler: async ({ auth, params, body }) => improvements.link(auth, params.id, body),
  });
}
