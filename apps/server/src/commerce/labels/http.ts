import type { Address } from '@shopdesk/contracts';
import { OutboundNetworkError, OutboundRefusedError, outboundFetch } from '../../platform/http/outbound.ts';
import { type LabelAccount, LabelError } from './label-provider.ts';

export type J = Record<string, unknown>;

/**
 * An address as EasyPost and Shippo both take it (the same field names in their Address objects:
 * docs.easypost.com/docs/addresses, docs.goshippo.com/shippoapi/public-api/addresses).
 */
export const address = (a: Address & { email?: string | null }, fallbackName: string) => ({
  name: a.name || fallbackName,
  company: a.company ?? undefined,
  street1: a.address1 ?? '',
  street2: a.address2 ?? undefined,
  city: a.city ?? '',
  state: a.province ?? undefined,
  zip: a.zip ?? '',
  country: a.countryCode ?? a.country ?? '',
  phone: a.phone ?? undefined,
  email: a.email ?? undefined,
});
export const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
export const arr = (v: unknown): J[] => (Array.isArray(v) ? (v as J[]) : []);
export const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** "7.58" (a provider's decimal string) → 758 minor units; currencies with other exponents are rare for postage. */
export function decimalToMinor(v: unknown, currency: string | null): number {
  const n = Number(v);
  if (!Number.isFinite(n)) return 0;
  const exp = currency && ['JPY', 'KRW', 'CLP', 'ISK'].includes(currency.toUpperCase()) ? 0 : 2;
  return Math.round(n * 10 ** exp);
}

/**
 * A provider API call through the shared outbound client (private-address guard with the workspace's
 * allow-list, retries honouring Retry-After). `purchase` calls are not retried: a label bought twice is
 * paid twice, and a 502 after the provider charged would do exactly that.
 */
export async function labelFetch(
  account: LabelAccount,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown; purchase?: boolean },
): Promise<{ status: number; json: J; text: string }> {
  let res: Awaited<ReturnType<typeof outboundFetch>>;
  try {
    res = await outboundFetch(url, await account.outbound(), {
      method: init.method,
      headers: { accept: 'application/json', 'content-type': 'application/json', ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      attempts: init.purchase ? 1 : 3,
      maxWaitMs: 10_000,
      timeoutMs: 30_000,
      maxRedirects: 0,
      maxBytes: 2_000_000,
    });
  } catch (err) {
    if (err instanceof OutboundRefusedError)
      throw new LabelError(`The label provider's address is refused: ${err.message}`);
    if (err instanceof OutboundNetworkError)
      throw new LabelError(`The label provider could not be reached: ${err.message}`);
    throw err;
  }
  let json: J = {};
  try {
    json = obj(res.text ? JSON.parse(res.text) : {});
  } catch {
    json = {};
  }
  return { status: res.status, json, text: res.text };
}

/** The API root: the account's own (tests, proxies) or the provider's public one, without a trailing slash. */
export function apiRoot(account: LabelAccount, fallback: string): string {
  const base = account.settings.baseUrl?.trim() || fallback;
  let end = base.length;
  while (end > 0 && base.charCodeAt(end - 1) === 47) end--;
  return base.slice(0, end);
}

/** The cheapest rate, of the account's carrier when it names one. */
export function cheapest<T extends { carrier: string | null; amount: number }>(
  rates: T[],
  carrier: string | null | undefined,
): T | null {
  const want = carrier?.trim().toLowerCase();
  const usable = want ? rates.filter((r) => r.carrier?.toLowerCase() === want) : rates;
  return [...usable].sort((a, b) => a.amount - b.amount)[0] ?? null;
}
