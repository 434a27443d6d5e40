import { promises as dns } from 'node:dns';
import { authenticate } from 'mailauth';

/** mailauth's DNS hook: `(name, rrtype) → records`; tests answer from a local stub. */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

/**
 * What we know about who sent an inbound email.
 * - `pass`: the From domain is authenticated: DMARC passes, or (without a DMARC record) SPF or DKIM
 *   passes for a domain aligned with it.
 * - `fail`: DMARC fails, or an aligned SPF/DKIM check fails outright.
 * - `none`: no evidence either way (no records, DNS errors, not checked).
 * Only `pass` may thread by a bare `[#id]` or add followers.
 */
export interface SenderAuth {
  verdict: 'pass' | 'fail' | 'none';
  fromDomain: string | null;
  spf: string;
  dkim: string;
  dmarc: string;
  arc: string;
  /** How the verdict was reached, for the agent and the inbound log. */
  reason: string;
  /** smtp: SPF with the client's IP and HELO; dkim-only: IMAP/webhook; header: a trusted provider's result. */
  method: 'smtp' | 'dkim-only' | 'header' | 'off';
}

const domainOf = (address: string | null | undefined) =>
  address?.includes('@') ? address.slice(address.lastIndexOf('@') + 1).toLowerCase() : null;

/**
 * Relaxed alignment without a public-suffix list: the same domain, or one inside the other. An attacker
 * can publish records only for domains they own, and no one owns a parent of someone else's domain
 * except a public suffix, which cannot carry SPF or DKIM keys of its own for others.
 */
const aligned = (a: string, b: string) => a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);

/** DNS answers that say "there is no such record": as final as a record, so cached like one. */
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * Default DNS: short timeouts and a small cache (a burst from one domain asks once). "No such record"
 * is an answer too and is cached the same minute: most senders publish no DMARC record, and asking
 * again for every email of a burst was most of the verification's cost. Other failures (timeouts,
 * SERVFAIL) are not cached: the next message asks again.
 */
export function cachingResolver(timeoutMs = 3000, base?: DnsResolver): DnsResolver {
  const r = new dns.Resolver({ timeout: timeoutMs, tries: 2 });
  const ask = base ?? ((name: string, rrtype: string) => r.resolve(name, rrtype as 'TXT'));
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();
  return (name, rrtype) => {
    const key = `${rrtype}:${name.toLowerCase()}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < 60_000) return hit.value;
    const value = ask(name, rrtype);
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { at: Date.now(), value });
    value.catch((err: { code?: string }) => {
      if (!NO_RECORD.has(String(err?.code))) cache.delete(key);
    });
    return value;
  };
}

/** The verdict from an Authentication-Results header of a provider the operator trusts, or null. */
export function trustedHeaderAuth(
  headers: Map<string, string[]>,
  trusted: string[],
  fromDomain: string | null,
): SenderAuth | null {
  if (!trusted.length) return null;
  // The topmost header is the one the receiving provider added; lower ones may be forged by the sender.
  const top = headers.get('authentication-results')?.[0];
  if (!top) return null;
  const servId = top.split(';')[0]!.trim().split(/\s+/)[0]!.toLowerCase();
  if (!trusted.includes(servId)) return null;
  const result = (name: string) =>
    new RegExp(`\\b${name}\\s*=\\s*(\\w+)`, 'i').exec(top)?.[1]?.toLowerCase() ?? 'none';
  const dmarc = result('dmarc');
  const verdict = dmarc === 'pass' ? 'pass' : dmarc === 'fail' ? 'fail' : 'none';
  return {
    verdict,
    fromDomain,
    spf: result('spf'),
    dkim: result('dkim'),
    dmarc,
    arc: result('arc'),
    reason: `Authentication-Results of ${servId}: dmarc=${dmarc}`,
    method: 'header',
  };
}

export async function verifySender(
  raw: Buffer,
  opts: {
    from: string | null;
    /** SMTP only: the client's address, its HELO name and MAIL FROM. */
    ip?: string | null;
    helo?: string | null;
    mailFrom?: string | null;
    resolver: DnsResolver;
    mta: string;
  },
): Promise<SenderAuth> {
  const fromDomain = domainOf(opts.from);
  const smtp = !!opts.ip;
  const res = await authenticate(raw, {
    ...(smtp ? { ip: opts.ip!, helo: opts.helo ?? undefined, sender: opts.mailFrom ?? undefined } : {}),
    mta: opts.mta,
    resolver: opts.resolver as never,
    disableBimi: true,
  });
  const spf = smtp && res.spf ? res.spf.status.result : 'skipped';
  const spfDomain = smtp && res.spf ? res.spf.domain?.toLowerCase() : null;
  const sigs = res.dkim?.results ?? [];
  const dkimPass = sigs
    .filter((s) => s.status.result === 'pass')
    .map((s) => String(s.signingDomain).toLowerCase());
  const dkimFail = sigs
    .filter((s) => s.status.result === 'fail')
    .map((s) => String(s.signingDomain).toLowerCase());
  const dkim = dkimPass.length
    ? 'pass'
    : dkimFail.length
      ? 'fail'
      : sigs.length
        ? String(sigs[0]!.status.result)
        : 'none';
  const arc = res.arc ? String(res.arc.status.result) : 'none';
  const base = { fromDomain, spf, dkim, arc, method: smtp ? ('smtp' as const) : ('dkim-only' as const) };
  if (!fromDomain) return { ...base, verdict: 'none', dmarc: 'none', reason: 'no From address' };

  const spfAligned = spf === 'pass' && !!spfDomain && aligned(spfDomain, fromDomain);
  const dkimAligned = dkimPass.some((d) => aligned(d, fromDomain));
  const why = [
    spfAligned ? `SPF passes for ${spfDomain}` : null,
    dkimAligned ? `DKIM passes for ${dkimPass.find((d) => aligned(d, fromDomain))}` : null,
  ].filter(Boolean);
  const dmarcRecord =
    res.dmarc && res.dmarc.status.result !== 'none' && res.dmarc.status.result !== 'temperror';
  if (dmarcRecord) {
    // Without an SMTP session SPF was not checked: DMARC rests on aligned DKIM alone.
    const pass = smtp ? res.dmarc && res.dmarc.status.result === 'pass' : dkimAligned;
    const policy = res.dmarc ? res.dmarc.policy : 'none';
    return {
      ...base,
      verdict: pass ? 'pass' : 'fail',
      dmarc: pass ? 'pass' : 'fail',
      reason: pass
        ? `DMARC passes for ${fromDomain} (${why.join(', ')})`
        : `DMARC fails for ${fromDomain} (policy ${policy}): neither SPF nor DKIM passes for an aligned domain`,
    };
  }
  const dmarc = res.dmarc ? String(res.dmarc.status.result) : 'none';
  if (spfAligned || dkimAligned)
    return { ...base, verdict: 'pass', dmarc, reason: `${why.join(', ')} (aligned with ${fromDomain})` };
  const spfHardFail = spf === 'fail' && !!spfDomain && aligned(spfDomain, fromDomain);
  const dkimHardFail = dkimFail.some((d) => aligned(d, fromDomain));
  if (spfHardFail || dkimHardFail)
    return {
      ...base,
      verdict: 'fail',
      dmarc,
      reason: spfHardFail
        ? `SPF fails: ${fromDomain} does not allow ${opts.ip} to send its mail`
        : `the DKIM signature of ${fromDomain} does not verify`,
    };
  return {
    ...base,
    verdict: 'none',
    dmarc,
    reason:
      dmarc === 'temperror' || spf === 'temperror'
        ? 'DNS lookups failed: the sender could not be checked'
        : `nothing authenticates ${fromDomain} (no aligned SPF or DKIM pass, no DMARC record)`,
  };
}
