import type {
  CreateImport,
  CreateWebhookSubscription,
  ImportRun,
  UpdateWebhookSubscription,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookSubscription,
} from '@shopdesk/contracts';
import type { z } from 'zod';
import { api } from '../../lib/api.ts';

export type SubscriptionT = WebhookSubscription;
export type DeliveryT = WebhookDelivery;
export type DeliveryDetailT = WebhookDeliveryDetail;

/** The integrations module's HTTP API (apps/server/src/modules/integrations/webhooks.routes.ts). */
export const webhooksApi = {
  eventTypes: () =>
    api.get<{ items: { type: string; description: string }[] }>('/api/v1/integrations/webhooks/event-types'),
  list: () => api.get<{ items: SubscriptionT[] }>('/api/v1/integrations/webhooks'),
  create: (b: z.input<typeof CreateWebhookSubscription>) =>
    api.post<SubscriptionT & { secret: string }>('/api/v1/integrations/webhooks', b),
  update: (id: number, b: z.input<typeof UpdateWebhookSubscription>) =>
    api.patch<SubscriptionT>(`/api/v1/integrations/webhooks/${id}`, b),
  remove: (id: number) => api.del(`/api/v1/integrations/webhooks/${id}`),
  rotate: (id: number) =>
    api.post<SubscriptionT & { secret: string }>(`/api/v1/integrations/webhooks/${id}/rotate-secret`),
  test: (id: number) => api.post<DeliveryT>(`/api/v1/integrations/webhooks/${id}/test`),
  deliveries: (id: number) =>
    api.get<{ items: DeliveryT[]; nextBefore: number | null }>(
      `/api/v1/integrations/webhooks/${id}/deliveries`,
    ),
  delivery: (id: number) => api.get<DeliveryDetailT>(`/api/v1/integrations/webhook-deliveries/${id}`),
  redeliver: (id: number) => api.post<DeliveryT>(`/api/v1/integrations/webhook-deliveries/${id}/redeliver`),
};

/** Imports from other helpdesks (apps/server/src/modules/integrations/imports.routes.ts). */
export const importsApi = {
  list: () => api.get<{ items: ImportRun[] }>('/api/v1/integrations/imports'),
  create: (b: z.input<typeof CreateImport>) => api.post<ImportRun>('/api/v1/integrations/imports', b),
  cancel: (id: number) => api.post<ImportRun>(`/api/v1/integrations/imports/${id}/cancel`),
  resume: (id: number) => api.post<ImportRun>(`/api/v1/integrations/imports/${id}/resume`),
};
