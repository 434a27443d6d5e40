import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * The private-address guard for every connection the server opens on someone's say-so (store APIs,
 * automation webhooks, an inbox's SMTP relay and IMAP server). A URL or host typed into a form must not
 * reach the server's own network: loopback, RFC 1918, link-local (the cloud metadata service), CGNAT,
 * unique-local and multicast — in whatever spelling (`127.1`, `2130706433`, `0x7f000001`, `[::1]`,
 * `[::127.0.0.1]`, `[::ffff:127.0.0.1]`, `localhost`). Hosts are normalised by the WHATWG URL parser
 * (the one that turns those spellings into 127.0.0.1) and addresses are classified by ipaddr.js, not by
 * hand-written parsing. A name is judged by every address it resolves to, and the connection is then
 * pinned to the checked address (`resolveTarget`), so a DNS answer that changes between check and
 * connect (rebinding) cannot redirect it. Private targets are reachable only through an allow-list.
 */

export class OutboundRefusedError extends Error {}
/** The name does not resolve (now): a setting may still be saved; a call is refused. */
export class UnresolvedHostError extends OutboundRefusedError {}

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;
export const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** CIDR ranges (e.g. `10.0.0.0/8`, `127.0.0.1/32`, `fd00::/8`) whose private addresses may be called. */
export interface AllowList {
  readonly entries: readonly string[];
  allows(address: string): boolean;
}

export function parseCidr(entry: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const e = entry.trim().replace(/^\[|\](?=\/|$)/g, '');
  if (e.includes('/')) return ipaddr.parseCIDR(e);
  const ip = ipaddr.parse(e);
  return [ip, ip.kind() === 'ipv4' ? 32 : 128];
}

/** Refuses malformed entries (with the entry in the message), so a typo is caught when it is saved. */
export function allowList(entries: readonly string[]): AllowList {
  const ranges = entries.map((e) => {
    try {
      return parseCidr(e);
    } catch {
      throw new OutboundRefusedError(`"${e}" is not an IP address or CIDR range`);
    }
  });
  return {
    entries,
    allows(address) {
      const ip = ipaddr.parse(address);
      const forms = [ip];
      if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress())
        forms.push((ip as ipaddr.IPv6).toIPv4Address());
      return forms.some((f) => ranges.some(([net, bits]) => f.kind() === net.kind() && f.match(net, bits)));
    },
  };
}
export const NO_PRIVATE_TARGETS = allowList([]);

/** Why an address may not be called without the allow-list, or null for a public unicast address. */
export function privateAddressReason(address: string): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return 'not an IP address';
  }
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return privateAddressReason(v6.toIPv4Address().toString());
    // ::a.b.c.d (IPv4-compatible, deprecated): ipaddr.js calls it unicast, the kernel may reach a.b.c.d.
    if (v6.parts.slice(0, 6).every((p) => p === 0)) return `${address} is an IPv4-compatible IPv6 address`;
  }
  const range = ip.range();
  if (range === 'unicast') return null;
  const words: Record<string, string> = {
    loopback: 'a loopback address',
    private: 'a private (RFC 1918) address',
    linkLocal: 'a link-local address (this includes the cloud metadata service)',
    uniqueLocal: 'a unique-local IPv6 address',
    unspecified: 'the unspecified address',
    multicast: 'a multicast address',
    broadcast: 'the broadcast address',
    carrierGradeNat: 'a carrier-grade NAT address',
  };
  return `${address} is ${words[range] ?? `a special-purpose address (${range})`}`;
}

/**
 * The host as the connection will see it: WHATWG URL host parsing turns `127.1`, `2130706433`,
 * `0x7f000001` and `0177.0.0.1` into 127.0.0.1 and lower-cases names; IPv6 loses its brackets.
 */
export function normalizeHost(host: string): string {
  let h = host.trim();
  if (h.includes(':') && !h.startsWith('[')) h = `[${h}]`;
  let parsed: string;
  try {
    parsed = new URL(`http://${h}/`).hostname;
  } catch {
    throw new OutboundRefusedError(`"${host}" is not a valid host name`);
  }
  return parsed.replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

export interface ResolvedTarget {
  /** The name to present for TLS (SNI, certificate check); the IP itself for a literal. */
  hostname: string;
  /** The checked address the connection must go to. */
  address: string;
  family: 4 | 6;
}

function check(address: string, allow: AllowList, shown: string): void {
  const why = privateAddressReason(address);
  if (why && !allow.allows(address))
    throw new OutboundRefusedError(
      shown === address
        ? `${why}; only public addresses may be called`
        : `${shown} resolves to ${why.replace(`${address} is `, `${address}, `)}; only public addresses may be called`,
    );
}

/**
 * Resolves a host once and checks every address it answered with; the caller connects to `address`
 * only (resolve-and-pin). Refuses when any answer is private and not allowed: a name that mixes public
 * and private answers is a rebinding attempt or a misconfiguration either way.
 */
export async function resolveTarget(
  host: string,
  opts: { allow: AllowList; lookup?: LookupAll },
): Promise<ResolvedTarget> {
  const hostname = normalizeHost(host);
  if (ipaddr.isValid(hostname)) {
    check(hostname, opts.allow, hostname);
    return { hostname, address: hostname, family: ipaddr.parse(hostname).kind() === 'ipv4' ? 4 : 6 };
  }
  let answers: { address: string; family: number }[];
  try {
    answers = await (opts.lookup ?? systemLookup)(hostname);
  } catch {
    throw new UnresolvedHostError(`the host ${hostname} could not be resolved`);
  }
  if (!answers.length) throw new UnresolvedHostError(`the host ${hostname} has no address`);
  for (const a of answers) check(a.address, opts.allow, hostname);
  const first = answers[0]!;
  return { hostname, address: first.address, family: first.family === 6 ? 6 : 4 };
}
