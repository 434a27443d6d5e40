import type { OutcomeOption, Return, ReturnList, ReturnOptions } from '@shopdesk/contracts';
import type { z } from 'zod';
import { request } from '../../lib/api.ts';

export type ReturnT = z.output<typeof Return>;
export type ReturnOptionsT = z.output<typeof ReturnOptions>;
export type OutcomeOptionT = z.output<typeof OutcomeOption>;
type Lines = { lineItemId: number; quantity: number; reason: string; note?: string }[];

/** The returns endpoints (server: modules/returns). */
export const returnsApi = {
  list: (q: string) => request<z.output<typeof ReturnList>>('GET', `/api/v1/returns?${q}`),
  get: (id: number) => request<ReturnT>('GET', `/api/v1/returns/${id}`),
  options: (orderId: number) => request<ReturnOptionsT>('GET', `/api/v1/returns/orders/${orderId}/options`),
  quote: (orderId: number, lines: Lines) =>
    request<OutcomeOptionT[]>('POST', '/api/v1/returns/quote', { orderId, lines }),
  create: (body: {
    orderId: number;
    ticketId?: number;
    lines: Lines;
    outcome: string;
    idempotencyKey: string;
  }) => request<ReturnT>('POST', '/api/v1/returns', body),
  approve: (id: number, reason?: string) =>
    request<ReturnT>('POST', `/api/v1/returns/${id}/approve`, { reason }),
  decline: (id: number, reason?: string) =>
    request<ReturnT>('POST', `/api/v1/returns/${id}/decline`, { reason }),
  receive: (id: number, lines: { id: number; condition: string; restock: boolean }[]) =>
    request<ReturnT>('POST', `/api/v1/returns/${id}/receive`, { lines }),
  clusters: () =>
    request<{ reason: string; sku: string | null; title: string; count: number; units: number }[]>(
      'GET',
      '/api/v1/returns/error-clusters',
    ),
};

export const statusLabel: Record<string, string> = {
  needs_review: 'Needs review',
  approved: 'Approved — awaiting the parcel',
  declined: 'Declined',
  received: 'Received',
  refunded: 'Refunded',
  credited: 'Store credit issued',
  exchanged: 'Exchanged',
  cancelled: 'Cancelled',
};
export const outcomeLabel: Record<string, string> = {
  refund: 'Refund',
  store_credit: 'Store credit',
  exchange: 'Exchange',
  keep: 'Keep item + refund',
  mixed: 'Per item',
};
