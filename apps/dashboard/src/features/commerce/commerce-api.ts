import type {
  CommercePolicy,
  CreatedStoreConnection,
  Order,
  OrderAction,
  OrderActionInput,
  OrderList,
  StoreConnection,
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

const exp: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
};
/** Minor units → "€129.00" in the agent's locale. */
export function money(minor: number, currency: string) {
  const e = exp[currency] ?? 2;
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 10 ** e);
  } catch {
    return `${(minor / 10 ** e).toFixed(e)} ${currency}`;
  }
}
/** "12.50" → 1250 without float drift. */
export function toMinor(text: string, currency: string): number | null {
  const e = exp[currency] ?? 2;
  const m = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 10 ** e + Number((m[2] ?? '').padEnd(e, '0').slice(0, e) || '0');
}
export const newKey = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `k-${Date.now()}-${Math.random().toString(36).slice(2)}`;
