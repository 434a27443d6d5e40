import {
  BulkUpdate,
  CreateCustomField,
  CreateTag,
  CreateTicket,
  CustomFieldDef,
  LinkTickets,
  ListTicketsQuery,
  MergeTickets,
  Message,
  NoteInput,
  Page,
  ReplyInput,
  ReplyPolicy,
  Tag,
  TicketDetail,
  TicketSummary,
  UpdateTicket,
  WhatsAppTemplate,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { ContactsService } from '../contacts/index.ts';
import type { TicketsService } from './tickets.service.ts';

export function registerTicketRoutes(r: Router, svc: TicketsService, contacts: ContactsService) {
  r.add({
    method: 'GET',
    url: '/api/v1/tickets',
    summary: 'List tickets with filters, newest activity first, cursor-paginated',
    tag: 'Tickets',
    access: 'read-only',
    query: ListTicketsQuery,
    response: Page(TicketSummary),
    handler: async ({ auth, query }) => svc.list(auth, query),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/tickets/count',
    summary: 'Count tickets matching the same filters as the list',
    tag: 'Tickets',
    access: 'read-only',
    query: ListTicketsQuery,
    response: z.object({ count: z.number().int() }),
    handler: async ({ auth, query }) => ({ count: await svc.count(auth, query) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tickets',
    summary: 'Create a ticket with its first (customer) message',
    tag: 'Tickets',
    access: 'agent',
    body: CreateTicket,
    response: TicketDetail,
    status: 201,
    idempotent: { recover: ({ auth, idempotencyKey }) => svc.createdByKey(auth, idempotencyKey!, 'ticket') },
    handler: async ({ auth, body, idempotencyKey }) => svc.create(auth, body, { idempotencyKey }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/tickets/:id',
    summary: 'Get a ticket with its messages, events and links',
    tag: 'Tickets',
    access: 'read-only',
    params: IdParams,
    response: TicketDetail,
    handler: async ({ auth, params }) => svc.get(auth, params.id),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/tickets/:id',
    summary: 'Update ticket fields; send `version` to get 409 instead of overwriting a newer change',
    tag: 'Tickets',
    access: 'agent',
    params: IdParams,
    body: UpdateTicket,
    response: TicketSummary,
    handler: async ({ auth, params, body }) => svc.update(auth, params.id, body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tickets/bulk',
    summary: 'Apply the same change to many tickets at once (all or nothing)',
    tag: 'Tickets',
    access: 'agent',
    body: BulkUpdate,
    response: z.object({ updated: z.number().int() }),
    handler: async ({ auth, body }) => svc.bulkUpdate(auth, body.ids, body.changes),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tickets/:id/replies',
    summary: "Reply to the customer on the ticket's channel (queued, then delivered by a job)",
    tag: 'Tickets',
    access: 'agent',
    params: IdParams,
    body: ReplyInput,
    response: Message,
    status: 201,
    idempotent: { recover: ({ auth, idempotencyKey }) => svc.createdByKey(auth, idempotencyKey!, 'reply') },
    handler: async ({ auth, params, body, idempotencyKey }) =>
      svc.reply(auth, params.id, body, { idempotencyKey }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/tickets/:id/reply-policy',
    summary:
      "Whether a free-form reply may be sent now on the ticket's channel (WhatsApp/Messenger/Instagram windows), until when, and the rule in words",
    tag: 'Tickets',
    access: 'read-only',
    params: IdParams,
    response: ReplyPolicy,
    handler: async ({ auth, params }) => svc.replyPolicy(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/tickets/:id/templates',
    summary:
      "The message templates of the account the ticket's customer wrote to (WhatsApp), read from the provider; empty for channels without templates",
    tag: 'Tickets',
    access: 'agent',
    params: IdParams,
    response: z.object({ items: z.array(WhatsAppTemplate) }),
    handler: async ({ auth, params }) => ({ items: await svc.replyTemplates(auth, params.id) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tickets/:id/messages/:messageId/retry',
    summary: 'Send a failed reply again (409 unless its delivery failed)',
    tag: 'Tickets',
    access: 'agent',
    params: z.object({
      id: z.coerce.number().int().positive(),
      messageId: z.coerce.number().int().positive(),
    }),
    response: Message,
    handler: async ({ auth, params }) => svc.retryDelivery(auth, params.id, params.messageId),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tickets/:id/notes',
    summary: 'Add an internal note; mentioned agents are notified',
    tag: 'Tickets',
    access: 'agent',
    params: IdParams,
    body: NoteInput,
    response: Message,
    status: 201,
    idempotent: true,
    handler: async ({ auth, params, body }) => svc.addNote(auth, params.id, body.body, body.mentions),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tickets/merge',
    summary: 'Merge the source ticket into the target (messages move, source is closed)',
    tag: 'Tickets',
    access: 'agent',
    body: MergeTickets,
    response: TicketDetail,
    handler: async ({ auth, body }) => svc.merge(auth, body.sourceId, body.targetId),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tickets/:id/links',
    summary: 'Link another ticket to this one',
    tag: 'Tickets',
    access: 'agent',
    params: IdParams,
    body: LinkTickets,
    handler: async ({ auth, params, body }) => svc.link(auth, params.id, body.ticketId, body.kind),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/contacts/:id/tickets',
    summary: "A contact's tickets (including those of contacts merged into it)",
    tag: 'Contacts',
    access: 'read-only',
    params: IdParams,
    query: ListTicketsQuery.pick({ limit: true, cursor: true, status: true }),
    response: Page(TicketSummary),
    handler: async ({ auth, params, query }) => {
      await contacts.get(auth, params.id);
      const contactIds = await contacts.idsIncludingMerged(auth.workspaceId, params.id);
      return svc.list(auth, { ...query, sort: 'created_desc', contactIds });
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/attachments/:id',
    summary: 'Download an attachment',
    tag: 'Tickets',
    access: 'read-only',
    params: IdParams,
    handler: async ({ auth, params, reply }) => {
      const a = await svc.attachment(auth, params.id);
      // Audio is passive media (a voicemail plays in the ticket view's <audio> player, docs/sms-voice.md).
      const safeType =
        /^(image\/(png|jpeg|gif|webp)|audio\/(mpeg|ogg|wav)|application\/pdf|text\/plain)$/.test(
          a.content_type,
        )
          ? a.content_type
          : 'application/octet-stream';
      reply
        .header('content-type', safeType)
        .header('content-length', a.size_bytes)
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header(
          'content-disposition',
          `${safeType.startsWith('image/') ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(a.filename)}`,
        );
      return reply.send(a.stream());
    },
  });

  // Tags and custom fields
  r.add({
    method: 'GET',
    url: '/api/v1/tags',
    summary: 'List tags with usage counts',
    tag: 'Tags',
    access: 'read-only',
    response: z.object({ items: z.array(Tag) }),
    handler: async ({ auth }) => ({ items: await svc.listTags(auth) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tags',
    summary: 'Create a tag or change its colour',
    tag: 'Tags',
    access: 'lead',
    body: CreateTag,
    response: Tag,
    status: 201,
    handler: async ({ auth, body }) => svc.upsertTag(auth, body.name, body.color ?? null),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/tags/:name',
    summary: 'Delete a tag (removes it from tickets)',
    tag: 'Tags',
    access: 'admin',
    params: z.object({ name: z.string().min(1).max(64) }),
    handler: async ({ auth, params }) => svc.deleteTag(auth, params.name),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/custom-fields',
    summary: 'List ticket custom field definitions',
    tag: 'Tags',
    access: 'read-only',
    response: z.object({ items: z.array(CustomFieldDef) }),
    handler: async ({ auth }) => ({
      items: (await svc.listCustomFields(auth)) as z.infer<typeof CustomFieldDef>[],
    }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/custom-fields',
    summary: 'Define a ticket custom field (admin)',
    tag: 'Tags',
    access: 'admin',
    body: CreateCustomField,
    response: CustomFieldDef,
    status: 201,
    handler: async ({ auth, body }) =>
      svc.createCustomField(auth, body) as Promise<z.infer<typeof CustomFieldDef>>,
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/custom-fields/:id',
    summary: 'Delete a custom field definition (admin)',
    tag: 'Tags',
    access: 'admin',
    params: IdParams,
    handler: async ({ auth, params }) => svc.deleteCustomField(auth, params.id),
  });

  // Notifications
  r.add({
    method: 'GET',
    url: '/api/v1/notifications',
    summary: 'Your notifications (mentions), newest first',
    tag: 'Agents',
    access: 'read-only',
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    handler: async ({ auth, query }) => ({ items: await svc.notifications(auth, query.limit) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/notifications/read',
    summary: 'Mark notifications read',
    tag: 'Agents',
    access: 'read-only',
    body: z.object({ ids: z.union([z.array(z.number().int().positive()).max(500), z.literal('all')]) }),
    handler: async ({ auth, body }) => {
      await svc.markNotificationsRead(auth, body.ids);
    },
  });
}
