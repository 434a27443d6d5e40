import type { FastifyInstance } from 'fastify';

/**
 * A request carrying X-Forwarded-For while TRUST_PROXY was never set usually means a reverse proxy the
 * operator forgot to name: every client then shares the proxy's address in the per-IP rate limits.
 * Say so once per process (a client may send the header itself, so it is a hint, not an error).
 */
export function warnUntrustedForwarding(app: FastifyInstance, cfg: { trustProxySet: boolean }): void {
  if (cfg.trustProxySet) return;
  let warned = false;
  app.addHook('onRequest', async (req) => {
    if (warned || req.headers['x-forwarded-for'] === undefined) return;
    warned = true;
    app.log.warn(
      { remoteAddress: req.socket.remoteAddress },
      'TRUST_PROXY is not set but requests carry X-Forwarded-For: behind a reverse proxy, set TRUST_PROXY to its address (e.g. TRUST_PROXY=127.0.0.1 or 10.0.0.0/8) so rate limits see the client; set TRUST_PROXY=false to keep ignoring the header and silence this warning',
    );
  });
}
