import {
  CreateEmailInbox,
  EmailInboundAccepted,
  EmailInboundLogItem,
  EmailInbox,
  EmailInboxWithSecret,
  EmailListQuery,
  EmailOutboundDetail,
  EmailOutboundItem,
  UpdateEmailInbox,
} from '@shopdesk/contracts';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { EmailService } from './email.service.ts';

function sendEml(reply: FastifyReply, f: { raw: Buffer; filename: string }) {
  return reply
    .header('content-type', 'message/rfc822')
    .header('content-length', f.raw.length)
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', `attachment; filename="${f.filename}"`)
    .send(f.raw);
}

export function registerEmailRoutes(r: Router, svc: EmailService, opts: { maxEmailBytes: number }) {
  const tag = 'Email';
  r.add({
    method: 'GET',
    url: '/api/v1/email/inboxes',
    summary: 'List email inboxes',
    tag,
    access: 'lead',
    response: z.object({ items: z.array(EmailInbox) }),
    handler: async ({ auth }) => ({ items: await svc.listInboxes(auth) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/email/inboxes',
    summary: 'Create an email inbox (the webhook secret is returned once)',
    tag,
    access: 'admin',
    body: CreateEmailInbox,
    response: EmailInboxWithSecret,
    status: 201,
    handler: async ({ auth, body }) => svc.createInbox(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/email/inboxes/:id',
    summary: 'Get an email inbox',
    tag,
    access: 'lead',
    params: IdParams,
    response: EmailInbox,
    handler: async ({ auth, params }) => svc.getInbox(auth, params.id),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/email/inboxes/:id',
    summary: 'Change an email inbox (passwords are write-only; omit to keep)',
    tag,
    access: 'admin',
    params: IdParams,
    body: UpdateEmailInbox,
    response: EmailInbox,
    handler: async ({ auth, params, body }) => svc.updateInbox(auth, params.id, body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/email/inboxes/:id/rotate-secret',
    summary: 'Issue a new webhook secret (the old one stops working)',
    tag,
    access: 'admin',
    params: IdParams,
    response: EmailInboxWithSecret,
    handler: async ({ auth, params }) => svc.rotateSecret(auth, params.id),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/email/inboxes/:id',
    summary: 'Delete an email inbox',
    tag,
    access: 'admin',
    params: IdParams,
    handler: async ({ auth, params }) => {
      await svc.deleteInbox(auth, params.id);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/channels/email/inbound',
    summary:
      'Deliver one raw email (RFC 5322) by webhook; authenticate with the inbox secret as Bearer token',
    tag,
    access: 'public',
    rateLimit: 'webhook',
    rawContentType: 'message/rfc822',
    // SMTP takes emails up to EMAIL_MAX_BYTES; the webhook must too (the server-wide limit is smaller).
    // A little slack so the service, not the parser, answers a slightly larger email with its reason.
    bodyLimit: opts.maxEmailBytes + 64 * 1024,
    response: EmailInboundAccepted,
    status: 202,
    handler: async ({ req }) => {
      // Header only: a secret in the query string would end up in access and proxy logs.
      const h = req.headers.authorization;
      const token = h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
      return svc.storeWebhook(token, req.body);
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/email/inbound',
    summary: 'What became of recent inbound emails (tickets, threads, rejected with reason)',
    tag,
    access: 'lead',
    query: EmailListQuery,
    response: z.object({
      items: z.array(EmailInboundLogItem),
      pending: z.number().describe('Stored emails not processed yet'),
    }),
    handler: async ({ auth, query }) => ({
      items: await svc.inboundLog(auth, query.limit, query.outcome),
      pending: await svc.pendingInbound(auth),
    }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/email/inbound/:id/raw',
    summary: 'Download an inbound email exactly as received (.eml)',
    tag,
    access: 'lead',
    params: IdParams,
    handler: async ({ auth, params, reply }) => sendEml(reply, await svc.inboundRaw(auth, params.id)),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/email/outbound',
    summary: 'Emails sent (replies and auto-acknowledgements)',
    tag,
    access: 'agent',
    query: EmailListQuery.pick({ limit: true }),
    response: z.object({ items: z.array(EmailOutboundItem) }),
    handler: async ({ auth, query }) => ({ items: await svc.listOutbound(auth, null, query.limit) }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/email/dev-mailbox',
    summary: 'The local dev mailbox: emails that would have been sent with no relay configured',
    tag,
    access: 'agent',
    query: EmailListQuery.pick({ limit: true }),
    response: z.object({ items: z.array(EmailOutboundItem) }),
    handler: async ({ auth, query }) => ({ items: await svc.listOutbound(auth, 'dev', query.limit) }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/email/outbound/:id',
    summary: 'One sent email with its headers and sanitised body',
    tag,
    access: 'agent',
    params: IdParams,
    response: EmailOutboundDetail,
    handler: async ({ auth, params }) => svc.outboundDetail(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/email/outbound/:id/raw',
    summary: 'Download a sent email exactly as sent (.eml)',
    tag,
    access: 'agent',
    params: IdParams,
    handler: async ({ auth, params, reply }) => sendEml(reply, await svc.outboundRaw(auth, params.id)),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/email/messages/:id/raw',
    summary: 'Download the original email behind a ticket message (.eml)',
    tag,
    access: 'read-only',
    params: IdParams,
    handler: async ({ auth, params, reply }) => sendEml(reply, await svc.messageRaw(auth, params.id)),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/email/inline/:sha256',
    summary: 'An inline image of an email (cid: parts), by content hash',
    tag,
    access: 'read-only',
    params: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    handler: async ({ auth, params, reply }) => {
      const a = await svc.inline(auth, params.sha256);
      const safe = /^image\/(png|jpeg|gif|webp)$/.test(a.content_type)
        ? a.content_type
        : 'application/octet-stream';
      return reply
        .header('content-type', safe)
        .header('content-length', a.size_bytes)
        .header('cache-control', 'private, max-age=86400, immutable')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(a.stream());
    },
  });
}
