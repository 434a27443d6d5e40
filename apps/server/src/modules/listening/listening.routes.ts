import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { createMentionsService } from './mentions.service.ts';
import { SOURCE_KINDS } from './sources/registry.ts';
import type { createSourcesService } from './sources.service.ts';

const tag = 'Listening';
const Keywords = z.array(z.string().min(1).max(100)).max(50);
const SourceBody = z.object({
  name: z.string().min(1).max(100).optional(),
  enabled: z.boolean().optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  keywords: Keywords.optional(),
  secrets: z.record(z.string(), z.string().max(1000)).optional(),
});

export function registerListeningRoutes(
  r: Router,
  sources: ReturnType<typeof createSourcesService>,
  mentions: ReturnType<typeof createMentionsService>,
) {
  r.add({
    method: 'GET',
    url: '/api/v1/listening/mentions',
    summary: 'Mentions and reviews found by the listening sources, newest first, with filters',
    tag,
    access: 'read-only',
    query: z.object({
      source: z.string().max(32).optional(),
      sentiment: z.enum(['negative', 'neutral', 'positive']).optional(),
      status: z.enum(['new', 'reviewed', 'ticketed', 'replied', 'ignored']).optional(),
      recovery: z.coerce
        .boolean()
        .optional()
        .describe('Only unhappy voices without a ticket (the recovery queue)'),
      before: z.coerce.number().int().optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    handler: async ({ auth, query }) =>
      mentions.list(auth, {
        kind: query.source,
        sentiment: query.sentiment,
        status: query.status,
        recovery: query.recovery,
        before: query.before,
        limit: query.limit,
      }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/listening/mentions/:id',
    summary: 'One mention with its sentiment reasons, matched order and ticket',
    tag,
    access: 'read-only',
    params: IdParams,
    handler: async ({ auth, params }) => mentions.get(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/listening/mentions/bulk',
    summary: 'Mark mentions reviewed, ignored or new again, or open a ticket for each',
    tag,
    access: 'agent',
    body: z.object({
      ids: z.array(z.number().int()).min(1).max(200),
      action: z.enum(['review', 'ignore', 'reopen', 'create-ticket']),
    }),
    handler: async ({ auth, body }) => mentions.bulk(auth, body.ids, body.action),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/listening/mentions/:id/ticket',
    summary: 'Open a ticket for a mention (or return the one it has)',
    tag,
    access: 'agent',
    params: IdParams,
    handler: async ({ auth, params }) => mentions.createTicket(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/listening/mentions/:id/reply',
    summary: 'Answer a mention where it was posted; recorded as a reply on its ticket (opened if needed)',
    tag,
    access: 'agent',
    params: IdParams,
    body: z.object({ body: z.string().min(1).max(2000) }),
    handler: async ({ auth, params, body }) => mentions.reply(auth, params.id, body.body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/listening/report',
    summary: 'Mentions per day, source and sentiment (volume and sentiment over time)',
    tag,
    access: 'read-only',
    query: z.object({ days: z.coerce.number().int().min(1).max(365).default(30) }),
    handler: async ({ auth, query }) => mentions.report(auth, query.days),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/listening/kinds',
    summary: 'The kinds of source that can be connected',
    tag,
    access: 'read-only',
    handler: async () => ({ items: sources.kinds() }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/listening/sources',
    summary: 'Listening sources with their keywords, cursor and last error',
    tag,
    access: 'admin',
    handler: async ({ auth }) => sources.list(auth),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/listening/sources',
    summary: 'Add a listening source (credentials are stored encrypted and never returned)',
    tag,
    access: 'admin',
    status: 201,
    body: SourceBody.extend({
      kind: z.enum(SOURCE_KINDS as [string, ...string[]]),
      name: z.string().min(1).max(100),
    }),
    handler: async ({ auth, body }) => sources.create(auth, body),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/listening/sources/:id',
    summary: 'Change a source: keywords, settings, credentials, on/off (clears its last error)',
    tag,
    access: 'admin',
    params: IdParams,
    body: SourceBody,
    handler: async ({ auth, params, body }) => sources.update(auth, params.id, body),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/listening/sources/:id',
    summary: 'Remove a source (its mentions stay)',
    tag,
    access: 'admin',
    params: IdParams,
    handler: async ({ auth, params }) => {
      await sources.remove(auth, params.id);
    },
  });
}
