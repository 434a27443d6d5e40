import {
  type CommercePolicy,
  type CreatedStoreConnection,
  decimalToMinor,
  formatMoney,
  type Order,
  type OrderAction,
  type OrderActionInput,
  type OrderList,
  type StoreConnection,
} from '@shopdesk/contracts';
import type { z } from 'zod';
import { request } from '../../lib/api.ts';

export type OrderT = z.output<typeof Order>;
export type OrderListT = z.output<typeof OrderList>;
export type OrderActionT = z.output<typeof OrderAction>;
export type OrderActionInputT = z.input<typeof OrderActionInput>;
export type StoreConnectionT = z.output<typeof StoreConnection>;
export type CreatedStoreConnectionT = z.output<typeof CreatedStoreConnection>;
export type PolicyT = z.output<typeof CommercePolicy>;

/** The commerce endpoints (server: modules/commerce). */
export const commerceApi = {
  ticketOrders: (ticketId: number) =>
    request<OrderListT>('GET', `/api/v1/commerce/tickets/${ticketId}/orders`),
  contactOrders: (contactId: number) =>
    request<OrderListT>('GET', `/api/v1/commerce/orders?contactId=${contactId}`),
  act: (orderId: number, body: OrderActionInputT) =>
    request<OrderActionT>('POST', `/api/v1/commerce/orders/${orderId}/actions`, body),
  actions: (q: string) => request<OrderActionT[]>('GET', `/api/v1/commerce/actions?${q}`),
  approve: (id: number, note?: string) =>
    request<OrderActionT>('POST', `/api/v1/commerce/actions/${id}/approve`, { note }),
  reject: (id: number, note?: string) =>
    request<OrderActionT>('POST', `/api/v1/commerce/actions/${id}/reject`, { note }),
  connections: () => request<StoreConnectionT[]>('GET', '/api/v1/commerce/connections'),
  createConnection: (body: unknown) =>
    request<CreatedStoreConnectionT>('POST', '/api/v1/commerce/connections', body),
  updateConnection: (id: number, body: unknown) =>
    request<StoreConnectionT>('PATCH', `/api/v1/commerce/connections/${id}`, body),
  deleteConnection: (id: number) => request<void>('DELETE', `/api/v1/commerce/connections/${id}`),
  rotateToken: (id: number) =>
    request<CreatedStoreConnectionT>('POST', `/api/v1/commerce/connections/${id}/rotate-token`),
  backfill: (id: number) => request<StoreConnectionT>('POST', `/api/v1/commerce/connections/${id}/backfill`),
  policy: () => request<PolicyT>('GET', '/api/v1/commerce/policy'),
  putPolicy: (body: PolicyT) => request<PolicyT>('PUT', '/api/v1/commerce/policy', body),
};

/** Minor units → "€129.00" in the agent's locale (the currency's own decimals: ¥ 0, KWD 3). */
export const money = (minor: number, currency: string) => formatMoney(minor, currency);
/** "12.50" → 1250 (EUR), "1500" → 1500 (JPY) without float drift; null when not an amount. */
export const toMinor = decimalToMinor;
export const newKey = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `k-${Date.now()}-${Math.random().toString(36).slice(2)}`;
