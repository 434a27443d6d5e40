import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ChatRating,
  ChatSettingsView,
  ChatVisitorInfo,
  PrechatInput,
  RatingInput,
  TranscriptInput,
  TranscriptResult,
  UpdateChatSettings,
  VisitorEmailInput,
  VisitorMessageAck,
  VisitorMessageInput,
  WidgetConfig,
  WidgetConversation,
  WidgetSession,
  WidgetSessionRequest,
} from '@shopdesk/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { IdParams, type Router } from '../../platform/http/router.ts';
import { appsDir } from '../../platform/paths.ts';
import type { ChatService, RequestMeta } from './chat.service.ts';
import { demoShopPage } from './demo-shop.ts';
import { requestOrigin } from './widget-policy.ts';

const widgetDist = join(appsDir, 'widget/dist');
const WIDGET_PREFIX = /^\/api\/v1\/widget\/([a-z0-9][a-z0-9-]{0,59})\//;
const Slug = z.object({ workspace: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/) });

/** Origin, host, address and browser of a widget request (also used by the feedback tab's route). */
export const metaOf = (req: FastifyRequest): RequestMeta => ({
  origin: requestOrigin(req.headers as { origin?: string; referer?: string }),
  host: req.headers.host,
  ip: req.ip,
  userAgent: req.headers['user-agent'] ?? null,
});

export function registerChatRoutes(
  app: FastifyInstance,
  r: Router,
  svc: ChatService,
  opts: { demoShop: boolean } = { demoShop: true },
) {
  // Widget endpoints are called from shop pages on other origins: the workspace's allow-list decides
  // which, before validation runs, so even error bodies carry CORS headers only for allowed sites.
  app.addHook('onRequest', async (req, reply) => {
    const m = WIDGET_PREFIX.exec(req.url);
    if (!m) return;
    const origin = req.headers.origin ?? null;
    try {
      await svc.guard(
        m[1]!,
        requestOrigin(req.headers as { origin?: string; referer?: string }),
        req.headers.host,
      );
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') return; // the route answers 404 itself
      throw err;
    }
    if (origin) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'origin');
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
      reply.header('access-control-allow-headers', 'content-type');
      reply.header('access-control-max-age', '600');
    }
  });
  app.options('/api/v1/widget/:workspace/*', async (_req, reply) => reply.code(204).send());

  r.add({
    method: 'GET',
    url: '/api/v1/widget/:workspace/config',
    summary: 'Widget appearance, pre-chat form, business hours and typical reply time (public)',
    tag: 'Chat widget',
    access: 'public',
    params: Slug,
    response: WidgetConfig,
    handler: async ({ params, req, reply }) => {
      reply.header('cache-control', 'public, max-age=30');
      return svc.widgetConfig(params.workspace, metaOf(req));
    },
  });
  r.add({
    method: 'POST',
    url: '/api/v1/widget/:workspace/session',
    summary: 'Start or resume a visitor session; with `identity`, a shop-signed (verified) shopper',
    tag: 'Chat widget',
    access: 'public',
    params: Slug,
    body: WidgetSessionRequest,
    response: WidgetSession,
    handler: async ({ params, body, req }) => svc.session(params.workspace, metaOf(req), body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/widget/:workspace/prechat',
    summary: "Answer the workspace's pre-chat form",
    tag: 'Chat widget',
    access: 'public',
    params: Slug,
    body: PrechatInput,
    response: WidgetSession,
    handler: async ({ params, body, req }) => svc.prechat(params.workspace, metaOf(req), body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/widget/:workspace/email',
    summary: 'Leave the e-mail address replies should go to (offered outside business hours)',
    tag: 'Chat widget',
    access: 'public',
    params: Slug,
    body: VisitorEmailInput,
    response: WidgetSession,
    handler: async ({ params, body, req }) => svc.leaveEmail(params.workspace, metaOf(req), body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/widget/:workspace/messages',
    summary: 'Send a visitor message (with an optional file); stored before it is acknowledged',
    tag: 'Chat widget',
    access: 'public',
    params: Slug,
    body: VisitorMessageInput,
    response: VisitorMessageAck,
    status: 201,
    handler: async ({ params, body, req }) => svc.postMessage(params.workspace, metaOf(req), body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/widget/:workspace/rating',
    summary: 'Rate the solved chat 1–5 with an optional comment',
    tag: 'Chat widget',
    access: 'public',
    params: Slug,
    body: RatingInput,
    response: WidgetConversation,
    handler: async ({ params, body, req }) => svc.rate(params.workspace, metaOf(req), body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/widget/:workspace/transcript',
    summary:
      'E-mail the conversation transcript to the visitor: an identified shopper at once, anyone else after proving the address with a mailed one-time code',
    tag: 'Chat widget',
    access: 'public',
    params: Slug,
    body: TranscriptInput,
    response: TranscriptResult,
    status: 202,
    handler: async ({ params, body, req }) => svc.requestTranscript(params.workspace, metaOf(req), body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/widget-files/:workspaceId/:id',
    summary: 'A chat file; the signed link is the permission',
    tag: 'Chat widget',
    access: 'public',
    params: z.object({
      workspaceId: z.coerce.number().int().positive(),
      id: z.coerce.number().int().positive(),
    }),
    query: z.object({ sig: z.string().max(64) }),
    handler: async ({ params, query, reply }) => {
      const f = await svc.file(params.workspaceId, params.id, query.sig);
      const inline = f.content_type.startsWith('image/');
      return (
        reply
          .type(f.content_type)
          .header('content-length', String(f.size_bytes))
          .header('cache-control', 'private, max-age=3600')
          .header('content-security-policy', "sandbox; default-src 'none'")
          // Shown by the widget inside the shop's page, i.e. loaded from another origin.
          .header('cross-origin-resource-policy', 'cross-origin')
          .header(
            'content-disposition',
            `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(f.filename)}`,
          )
          .send(f.stream())
      );
    },
  });

  // Agent side
  r.add({
    method: 'GET',
    url: '/api/v1/chat/settings',
    summary: 'Chat widget settings, identity secret and install snippet',
    tag: 'Chat',
    access: 'admin',
    response: ChatSettingsView,
    handler: async ({ auth }) => svc.settingsView(auth),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/chat/settings',
    summary: 'Change chat widget settings (or rotate the identity secret)',
    tag: 'Chat',
    access: 'admin',
    body: UpdateChatSettings,
    response: ChatSettingsView,
    handler: async ({ auth, body }) => svc.updateSettings(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/chat/tickets/:id/visitor',
    summary: 'The chat visitor of a ticket: current page, browser, pre-chat answers, rating',
    tag: 'Chat',
    access: 'read-only',
    params: IdParams,
    response: ChatVisitorInfo,
    handler: async ({ auth, params }) => svc.visitorInfo(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/chat/ratings',
    summary: 'Chat ratings, newest first',
    tag: 'Chat',
    access: 'lead',
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    response: z.object({ items: z.array(ChatRating) }),
    handler: async ({ auth, query }) => ({ items: await svc.ratings(auth, query.limit) }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/chat/stats',
    summary: 'Typical chat reply time over the last 7 days',
    tag: 'Chat',
    access: 'read-only',
    response: z.object({ typicalReplySeconds: z.number().nullable(), chatsAnsweredLast7Days: z.number() }),
    handler: async ({ auth }) => svc.stats(auth),
  });

  // The widget bundle is loaded by every page of a shop, from any origin.
  for (const file of ['widget.js', 'widget-chat.js', 'widget-feedback.js']) {
    app.get(`/${file}`, async (_req, reply) => {
      const path = join(widgetDist, file);
      if (!existsSync(path))
        return reply.code(404).send({
          error: {
            code: 'not_found',
            message: 'The widget is not built yet: run npm run build -w @shopdesk/widget',
          },
        });
      return reply
        .type('application/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .header('access-control-allow-origin', '*')
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(readFileSync(path));
    });
  }
  // The demo shop page exists with the demo: a production desk (SEED_DEMO off) has no public test page.
  if (!opts.demoShop) return;
  app.get<{ Querystring: { workspace?: string; plain?: string } }>('/demo/shop', async (req, reply) => {
    const slug = /^[a-z0-9][a-z0-9-]{0,59}$/.test(req.query.workspace ?? '')
      ? req.query.workspace!
      : 'demo-outfitters';
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(demoShopPage(slug, { plain: req.query.plain === '1' }));
  });
}
