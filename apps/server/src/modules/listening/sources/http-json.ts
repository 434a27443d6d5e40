import type { OutboundPolicy } from '../../../platform/http/outbound.ts';
import { outboundFetch } from '../../../platform/http/outbound.ts';
import { resetAt, SourceConfigError, SourceRateLimited } from './source-port.ts';

/**
 * A GET or POST through the one outbound client, with the answers every polling source treats alike:
 * 429 (or a rate-limit header saying none are left) → SourceRateLimited until the reset, 401/403/404 →
 * SourceConfigError (shown in Settings), other failures thrown for the job's backoff.
 */
export async function fetchSource(
  label: string,
  url: string,
  policy: OutboundPolicy,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const res = await outboundFetch(url, policy, {
    ...init,
    headers: { 'user-agent': 'Shopdesk listening (+https://github.com/shopdesk)', ...init.headers },
    timeoutMs: 20_000,
    // One attempt: the job's own backoff (and the source's pause) handles failures.
    attempts: 1,
    maxBytes: 5 << 20,
  });
  if (res.status === 429)
    throw new SourceRateLimited(resetAt(res.headers), `${label} answered 429 Too Many Requests`);
  if (res.status === 401 || res.status === 403 || res.status === 404)
    throw new SourceConfigError(`${label} answered ${res.status} for ${new URL(url).pathname}`);
  if (res.status >= 300) throw new Error(`${label} answered ${res.status}`);
  return res;
}
