import {
  ChannelAccountView,
  ChannelInfo,
  CreateChannelAccount,
  UpdateChannelAccount,
} from '@shopdesk/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ChannelRegistry } from '../../channels/channel-adapter.ts';
import type { Router } from '../../platform/http/router.ts';
import { type IntakeService, publicUrlOf } from './intake.service.ts';

const tag = 'Channels';
const ChannelParams = z.object({ channel: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/) });
const AccountParams = ChannelParams.extend({ id: z.coerce.number().int().positive() });
const HookParams = z.object({
  source: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/),
  key: z.string().min(8).max(100),
  kind: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/),
});

export function registerIntakeRoutes(
  app: FastifyInstance,
  router: Router,
  svc: IntakeService,
  channels: ChannelRegistry,
  publicUrl: string,
) {
  router.add({
    method: 'GET',
    url: '/api/v1/channels/capabilities',
    summary:
      'The channels this server can send through, with what each can do (window, media, receipts, templates, length)',
    tag,
    access: 'read-only',
    response: z.object({ items: z.array(ChannelInfo) }),
    handler: async () => ({
      items: channels
        .all()
        .map((a) => ({ channel: a.channel, capabilities: a.capabilities, inbound: !!a.inbound })),
    }),
  });
  router.add({
    method: 'GET',
    url: '/api/v1/channels/:channel/accounts',
    summary: "A channel's connected provider accounts (secrets are never returned)",
    tag,
    access: 'admin',
    params: ChannelParams,
    response: z.object({ items: z.array(ChannelAccountView) }),
    handler: async ({ auth, params }) => ({
      items: await svc.listAccounts(auth.workspaceId, params.channel),
    }),
  });
  router.add({
    method: 'POST',
    url: '/api/v1/channels/:channel/accounts',
    summary: "Connects a provider account (its settings are checked against the channel's schema)",
    tag,
    access: 'admin',
    params: ChannelParams,
    body: CreateChannelAccount,
    response: ChannelAccountView,
    status: 201,
    handler: async ({ auth, params, body }) => svc.createAccount(auth.workspaceId, params.channel, body),
  });
  router.add({
    method: 'PATCH',
    url: '/api/v1/channels/:channel/accounts/:id',
    summary: 'Changes a connected account; secret fields left out keep their stored value',
    tag,
    access: 'admin',
    params: AccountParams,
    body: UpdateChannelAccount,
    response: ChannelAccountView,
    handler: async ({ auth, params, body }) =>
      svc.updateAccount(auth.workspaceId, params.channel, params.id, body),
  });
  router.add({
    method: 'DELETE',
    url: '/api/v1/channels/:channel/accounts/:id',
    summary: 'Disconnects an account (its tickets stay)',
    tag,
    access: 'admin',
    params: AccountParams,
    handler: async ({ auth, params }) => {
      await svc.deleteAccount(auth.workspaceId, params.channel, params.id);
    },
  });

  // Provider webhooks need the exact bytes they signed: their own scope hands every body over raw.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const hooks = router.forScope(scope, { authenticate: async () => null });
    hooks.add({
      method: 'POST',
      url: '/api/v1/intake/:source/:key/:kind',
      summary:
        'Provider webhook of any intake source (docs/channels.md): verified, stored raw under the provider id (a replay is acknowledged and not stored again), answered only after the commit, processed by a job',
      tag,
      access: 'public',
      rateLimit: 'webhook',
      params: HookParams,
      rawContentType: 'application/x-www-form-urlencoded',
      handler: async ({ req, reply, params }) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const out = await svc.receiveWebhook(params.source, {
          key: params.key,
          kind: params.kind,
          path: req.url,
          url: publicUrlOf(publicUrl, req.url),
          headers: req.headers,
          body,
        });
        if ('custom' in out && out.custom)
          return reply.code(200).type(out.custom.contentType).send(out.custom.body);
        return out.json;
      },
    });
    hooks.add({
      method: 'GET',
      url: '/api/v1/intake/:source/:key/:kind',
      summary:
        "A provider's subscription check on a channel webhook (Meta: hub.mode, hub.verify_token, hub.challenge): the challenge echoed as text when the verify token matches, 403 otherwise",
      tag,
      access: 'public',
      rateLimit: 'webhook',
      params: HookParams,
      handler: async ({ req, reply, params }) => {
        const query = new URL(req.url, 'http://x').searchParams;
        const text = await svc.handshake(params.source, params.key, params.kind, query);
        return reply.code(200).type('text/plain').send(text);
      },
    });
    router.routes.push(...hooks.routes);
  });
}
