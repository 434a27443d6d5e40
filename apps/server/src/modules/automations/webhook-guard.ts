import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * SSRF guard for automation webhooks. A lead types the URL, the server makes the request: without this
 * guard a webhook could reach the database, the admin port of a sidecar or the cloud metadata service
 * (169.254.169.254). Checked when the automation is saved and again when the call is made, on the address
 * DNS returned — and the socket connects to exactly that checked address, so a name that resolves to a
 * public address at save time and to 127.0.0.1 later (DNS rebinding) is refused. Redirects are not followed.
 */

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['64:ff9b::', 96], // NAT64 can embed any IPv4 address
  ['2002::', 16], // 6to4 likewise
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** Why an address may not be called, or null when it is a public address. */
export function privateAddressReason(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  let ip = address.toLowerCase();
  // IPv4-mapped (::ffff:127.0.0.1) and IPv4-compatible forms are judged as the IPv4 address they carry.
  const mapped = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) ip = mapped[1]!;
  else if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(ip)) {
    const [hi, lo] = ip
      .slice(7)
      .split(':')
      .map((h) => Number.parseInt(h, 16)) as [number, number];
    ip = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const v = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
  return blocked.check(ip, v) ? `${address} is a loopback, private, link-local or reserved address` : null;
}

export class WebhookUrlError extends Error {}

/** Scheme and literal-address checks that need no DNS. Returns the parsed URL. */
function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new WebhookUrlError(`only http and https URLs may be called, not ${url.protocol}`);
  if (url.username || url.password) throw new WebhookUrlError('credentials in the URL are not allowed');
  return url;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

const resolveAll = (host: string) =>
  new Promise<LookupAddress[]>((ok, fail) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addrs) => (err ? fail(err) : ok(addrs))),
  );

/**
 * Save-time check: the URL is http(s) and every address its host resolves to is public (unless private
 * targets are allowed). Throws WebhookUrlError with a message meant for the person typing the URL.
 */
export async function assertWebhookUrl(raw: string, allowPrivate: boolean): Promise<void> {
  const url = parseTarget(raw);
  if (allowPrivate) return;
  const host = hostOf(url);
  if (isIP(host)) {
    const why = privateAddressReason(host);
    if (why) throw new WebhookUrlError(`${why}; webhooks may only call public addresses`);
    return;
  }
  let addrs: LookupAddress[];
  try {
    addrs = await resolveAll(host);
  } catch {
    throw new WebhookUrlError(`the host ${host} could not be resolved`);
  }
  for (const a of addrs) {
    const why = privateAddressReason(a.address);
    if (why) throw new WebhookUrlError(`${host} resolves to ${why}; webhooks may only call public addresses`);
  }
}

/**
 * Resolves like dns.lookup but refuses when any address is private, so the socket can only ever connect
 * to an address that passed the check (no second resolution between check and connect).
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true, verbatim: true }, (err, addrs) => {
    if (err) return callback(err, '', 0);
    const list = addrs as unknown as LookupAddress[];
    for (const a of list) {
      const why = privateAddressReason(a.address);
      if (why) return callback(new WebhookUrlError(`${hostname} resolves to ${why}`), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0];
    if (!first) return callback(new WebhookUrlError(`${hostname} has no address`), '', 0);
    callback(null, first.address, first.family);
  });
};

export interface WebhookResponse {
  status: number;
}

/**
 * POSTs a body to a webhook URL with the guard applied at connect time. A 3xx answer is a failure: its
 * Location is never followed (it could point anywhere, including a private address).
 */
export async function postWebhook(
  raw: string,
  body: string,
  headers: Record<string, string>,
  opts: { allowPrivate: boolean; timeoutMs: number },
): Promise<WebhookResponse> {
  const url = parseTarget(raw);
  const host = hostOf(url);
  if (!opts.allowPrivate && isIP(host)) {
    const why = privateAddressReason(host);
    if (why) throw new WebhookUrlError(why);
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((ok, fail) => {
    const req = mod.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        // Literal IPs skip lookup (checked above); names resolve through the guard.
        lookup: opts.allowPrivate ? undefined : guardedLookup,
        timeout: opts.timeoutMs,
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => ok({ status: res.statusCode ?? 0 }));
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`webhook timed out after ${opts.timeoutMs} ms`)));
    req.on('error', fail);
    req.end(body);
  });
}
