import type {
  CreateEmailInbox,
  EmailInbox,
  EmailInboxWithSecret,
  EmailOutboundDetail,
  EmailOutboundItem,
  UpdateEmailInbox,
} from '@shopdesk/contracts';
import type { z } from 'zod';
import { request } from '../../lib/api.ts';

export type EmailInboxT = z.output<typeof EmailInbox>;
export type EmailInboxWithSecretT = z.output<typeof EmailInboxWithSecret>;
export type CreateEmailInboxT = z.input<typeof CreateEmailInbox>;
export type UpdateEmailInboxT = z.input<typeof UpdateEmailInbox>;
export type EmailOutboundItemT = z.output<typeof EmailOutboundItem>;
export type EmailOutboundDetailT = z.output<typeof EmailOutboundDetail>;

/** The email endpoints (server: modules/email/email.routes.ts). */
export const emailApi = {
  inboxes: () => request<{ items: EmailInboxT[] }>('GET', '/api/v1/email/inboxes'),
  createInbox: (body: CreateEmailInboxT) =>
    request<EmailInboxWithSecretT>('POST', '/api/v1/email/inboxes', body),
  updateInbox: (id: number, body: UpdateEmailInboxT) =>
    request<EmailInboxT>('PATCH', `/api/v1/email/inboxes/${id}`, body),
  rotateSecret: (id: number) =>
    request<EmailInboxWithSecretT>('POST', `/api/v1/email/inboxes/${id}/rotate-secret`, {}),
  deleteInbox: (id: number) => request<void>('DELETE', `/api/v1/email/inboxes/${id}`),
  devMailbox: () => request<{ items: EmailOutboundItemT[] }>('GET', '/api/v1/email/dev-mailbox?limit=200'),
  outbound: (id: number) => request<EmailOutboundDetailT>('GET', `/api/v1/email/outbound/${id}`),
};

/** The original of a ticket message (what the customer sent, or exactly what we sent). */
export const messageRawUrl = (messageId: number) => `/api/v1/email/messages/${messageId}/raw`;
