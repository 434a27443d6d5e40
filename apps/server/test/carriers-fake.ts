import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the carrier aggregators' tracking APIs as documented:
 * - AfterShip v4: `GET /v4/trackings/{slug}/{number}` and `POST /v4/trackings` with the
 *   `aftership-api-key` header; answers `{ meta: { code }, data: { tracking } }`, 404 with meta code 4004
 *   for a number it does not track; `X-RateLimit-Limit/Remaining/Reset` (Reset a Unix time) on every answer.
 * - EasyPost: `POST /v2/trackers { tracker: { tracking_code, carrier } }` and `GET /v2/trackers/{id}`
 *   with HTTP Basic (API key as user); answers the Tracker object; errors `{ error: { code, message } }`.
 * - Shippo: `GET /tracks/{carrier}/{number}` with `Authorization: ShippoToken <key>`; answers the Track.
 * Each provider's answers can be scripted per call (`next`), and every request is recorded.
 */
export interface FakeCarriers {
  url: string;
  keys: { aftership: string; easypost: string; shippo: string };
  /** Trackings each provider knows, by tracking number (their own object). */
  aftership: Map<string, Record<string, unknown>>;
  easypost: Map<string, Record<string, unknown>>;
  shippo: Map<string, Record<string, unknown>>;
  /** Scripted answers, used (and removed) before the normal ones: { status, headers, body }. */
  next: {
    provider: 'aftership' | 'easypost' | 'shippo';
    status: number;
    headers?: Record<string, string>;
    body?: unknown;
  }[];
  /** Headers added to every AfterShip answer (its rate-limit headers). */
  aftershipHeaders: Record<string, string>;
  requests: { provider: string; method: string; path: string; auth: string; body: string }[];
  close(): Promise<void>;
}

export async function startFakeCarriers(): Promise<FakeCarriers> {
  const fake: FakeCarriers = {
    url: '',
    keys: { aftership: 'as-api-key-123', easypost: 'EZTK-test-key', shippo: 'shippo_test_abc' },
    aftership: new Map(),
    easypost: new Map(),
    shippo: new Map(),
    next: [],
    aftershipHeaders: {},
    requests: [],
    close: async () => {},
  };
  let trackerSeq = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      const provider = path.startsWith('/v4/')
        ? 'aftership'
        : path.startsWith('/v2/')
          ? 'easypost'
          : 'shippo';
      const auth =
        provider === 'aftership'
          ? String(req.headers['aftership-api-key'] ?? '')
          : String(req.headers.authorization ?? '');
      fake.requests.push({ provider, method: req.method ?? '', path, auth, body });
      const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, {
          'content-type': 'application/json',
          ...(provider === 'aftership' ? fake.aftershipHeaders : {}),
          ...headers,
        });
        res.end(JSON.stringify(json));
      };
      const scripted = fake.next.findIndex((n) => n.provider === provider);
      if (scripted >= 0) {
        const n = fake.next.splice(scripted, 1)[0]!;
        return send(n.status, n.body ?? {}, n.headers);
      }
      if (provider === 'aftership') {
        if (auth !== fake.keys.aftership)
          return send(401, {
            meta: { code: 401, message: 'Invalid API key.', type: 'Unauthorized' },
            data: {},
          });
        const tracked = (number: string) => fake.aftership.get(number);
        if (req.method === 'GET') {
          const [, , , slug, number] = path.split('/');
          const t = tracked(decodeURIComponent(number ?? ''));
          if (!t || t.slug !== slug)
            return send(404, {
              meta: { code: 4004, message: 'Tracking does not exist.', type: 'NotFound' },
              data: {},
            });
          return send(200, { meta: { code: 200 }, data: { tracking: t } });
        }
        const input = (JSON.parse(body) as { tracking: { tracking_number: string; slug?: string } }).tracking;
        const t = tracked(input.tracking_number) ?? {
          tracking_number: input.tracking_number,
          slug: input.slug ?? 'dhl',
          tag: 'Pending',
          subtag: 'Pending_001',
          checkpoints: [],
        };
        fake.aftership.set(input.tracking_number, t);
        return send(201, { meta: { code: 201 }, data: { tracking: t } });
      }
      if (provider === 'easypost') {
        const basic = `Basic ${Buffer.from(`${fake.keys.easypost}:`).toString('base64')}`;
        if (auth !== basic)
          return send(401, { error: { code: 'APIKEY.INACTIVE', message: 'API key is invalid', errors: [] } });
        if (req.method === 'POST') {
          const input = (JSON.parse(body) as { tracker: { tracking_code: string; carrier?: string } })
            .tracker;
          let t = fake.easypost.get(input.tracking_code);
          if (!t) {
            t = {
              id: `trk_${++trackerSeq}`,
              object: 'Tracker',
              tracking_code: input.tracking_code,
              carrier: input.carrier ?? 'USPS',
              status: 'unknown',
              tracking_details: [],
            };
            fake.easypost.set(input.tracking_code, t);
          }
          return send(200, t);
        }
        const id = path.split('/')[3];
        const t = [...fake.easypost.values()].find((x) => x.id === id);
        if (!t)
          return send(404, {
            error: { code: 'NOT_FOUND', message: 'The requested resource could not be found.', errors: [] },
          });
        return send(200, t);
      }
      if (auth !== `ShippoToken ${fake.keys.shippo}`) return send(401, { detail: 'Invalid token.' });
      const [, , carrier, number] = path.split('/');
      const t = fake.shippo.get(decodeURIComponent(number ?? ''));
      // Shippo answers an unknown number with a Track whose status is UNKNOWN.
      return send(
        200,
        t ?? {
          carrier,
          tracking_number: number,
          tracking_status: { status: 'UNKNOWN', status_date: null },
          tracking_history: [],
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}
