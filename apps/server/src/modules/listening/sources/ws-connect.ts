import type { LookupFunction } from 'node:net';
import WebSocket from 'ws';
import type { OutboundPolicy } from '../../../platform/http/outbound.ts';
import { resolveTarget } from '../../../platform/net/outbound-guard.ts';

/**
 * A WebSocket client through the private-address guard: outbound.ts speaks HTTP requests only, so the
 * stream sources resolve and check the host the same way and pin the socket to the checked address
 * (a DNS answer that changes between check and connect cannot redirect it). Redirects are refused.
 */
export async function guardedWebSocket(url: string, policy: OutboundPolicy): Promise<WebSocket> {
  const u = new URL(url);
  if (u.protocol !== 'wss:' && u.protocol !== 'ws:') throw new Error(`${url} is not a ws:// or wss:// URL`);
  const target = await resolveTarget(u.hostname, policy);
  const lookup: LookupFunction = (_host, opts, cb) => {
    if (typeof opts === 'object' && opts?.all) cb(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  };
  // ws hands these to http(s).request: `servername` keeps TLS checking the name, not the pinned address.
  const options = {
    lookup,
    servername: target.hostname,
    followRedirects: false,
    handshakeTimeout: 10_000,
    maxPayload: 1 << 20,
  } as WebSocket.ClientOptions;
  return new WebSocket(url, options);
}
