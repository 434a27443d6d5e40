import { createHmac } from 'node:crypto';
import http from 'node:http';
import { sql } from '../../../apps/server/src/platform/db/db.ts';
import { type DbKind, type Scenario, startServer, tempDir, tempPostgres, withTicker } from '../env.ts';
import { figure } from '../results.ts';

const CONNECTIONS = 16;
const PARCELS = 5000;
/** Every DUPLICATE_EVERY-th request resends an earlier, already acknowledged event (a provider retry). */
const DUPLICATE_EVERY = 10;
const targets = { postgres: 500, pglite: null } as const;

/**
 * Signed AfterShip `tracking_update` webhooks (base64 HMAC-SHA256 of the raw body) from 16 keep-alive
 * connections for the measured seconds, spread over 5,000 parcels, each carrying one new checkpoint and
 * an expected delivery already passed (so the delay rules run and fire on every parcel). One request in
 * ten replays an earlier event byte for byte: it must be acknowledged and change nothing. The rate is
 * new events acknowledged over the time until each was a stored scan on its shipment (detection done);
 * lost = acknowledged new events without their scan, duplicates = scans stored beyond them.
 */
export const trackingIngest: Scenario = {
  name: 'tracking-ingest',
  description:
    'Signed AfterShip tracking webhooks over 16 connections → scans with detection (ev/s), none lost',
  databases: ['pglite', 'postgres'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const dir = tempDir('tracking');
    const pgDb = db === 'postgres' ? await tempPostgres(ctx.pgUrl!) : undefined;
    const server = await startServer({ databaseUrl: pgDb?.url, dataDir: dir.dir });
    try {
      const ws = await server.newWorkspace('bench-tracking');
      const secret = 'bench-aftership-secret';
      const { hookUrl } = await server.shop.services.tracking.connectSource(
        ws.workspaceId,
        'aftership',
        secret,
      );
      const path = new URL(hookUrl).pathname;
      const port = Number(new URL(server.url).port);
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
      const seconds = ctx.smoke ? 2 : ctx.seconds;
      const base = Date.now() - 3 * 86_400_000;
      const overdue = new Date(Date.now() - 86_400_000).toISOString();
      const sent: Buffer[] = [];
      let fresh = 0;
      let replays = 0;
      let refused = 0;
      let n = 0;
      const bodyOf = (i: number) =>
        Buffer.from(
          JSON.stringify({
            event: 'tracking_update',
            event_id: `bench-${i}`,
            is_tracking_first_tag: false,
            ts: Math.floor(Date.now() / 1000),
            msg: {
              tracking_number: `BT${i % PARCELS}`,
              slug: 'dhl',
              tag: 'InTransit',
              subtag: 'InTransit_001',
              expected_delivery: overdue,
              checkpoints: [
                {
                  tag: 'InTransit',
                  subtag: 'InTransit_001',
                  checkpoint_time: new Date(base + i * 1000).toISOString(),
                  message: `Processed at sorting centre (scan ${i})`,
                  location: 'Leipzig, DE',
                },
              ],
            },
          }),
        );
      const post = (body: Buffer, i: number) =>
        new Promise<boolean>((resolve) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port,
              path,
              method: 'POST',
              agent,
              headers: {
                'content-type': 'application/json',
                'content-length': body.length,
                'aftership-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
                'x-forwarded-for': `10.8.${i % CONNECTIONS}.${(i >> 4) % 250}`,
              },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode === 200 || res.statusCode === 202));
            },
          );
          req.on('error', () => resolve(false));
          req.end(body);
        });
      ctx.log(
        `  ${CONNECTIONS} connections, ${seconds} s, ${PARCELS} parcels, 1 in ${DUPLICATE_EVERY} a replay; ${db}`,
      );
      const started = performance.now();
      const until = Date.now() + seconds * 1000;
      let next = 0;
      await withTicker(ctx, 'sending', () =>
        Promise.all(
          Array.from({ length: CONNECTIONS }, async () => {
            while (Date.now() < until) {
              const i = n++;
              if (i % DUPLICATE_EVERY === DUPLICATE_EVERY - 1 && sent.length) {
                if (await post(sent[(i * 7919) % sent.length]!, i)) replays++;
                else refused++;
                continue;
              }
              const body = bodyOf(next++);
              if (await post(body, i)) {
                fresh++;
                sent.push(body);
              } else refused++;
            }
          }),
        ),
      );
      const sendSeconds = (performance.now() - started) / 1000;
      const count = async () =>
        (
          await server.shop.db.one<{ n: number }>(
            sql`SELECT count(*)::int AS n FROM shipment_events WHERE workspace_id = ${ws.workspaceId}`,
          )
        )?.n ?? 0;
      let stored = await count();
      let storedAt = performance.now();
      const deadline = Date.now() + 10 * 60_000;
      await withTicker(ctx, `waiting for ${fresh} scans`, async () => {
        while (stored < fresh && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
          stored = await count();
          storedAt = performance.now();
        }
      });
      // Let any replay still in its job finish, then check it added nothing.
      await new Promise((r) => setTimeout(r, ctx.smoke ? 500 : 2000));
      stored = await count();
      const detections =
        (
          await server.shop.db.one<{ n: number }>(
            sql`SELECT count(*)::int AS n FROM tracking_detections WHERE workspace_id = ${ws.workspaceId}`,
          )
        )?.n ?? 0;
      agent.destroy();
      if (stored < fresh) throw new Error(`${fresh} new events got a 2xx but ${stored} scans were stored`);
      if (stored > fresh) throw new Error(`${stored - fresh} replays were stored twice`);
      if (!detections) throw new Error('the delay rules did not run');
      const fig = { scenario: 'tracking-ingest', database: db } as const;
      return [
        figure({
          ...fig,
          metric: 'rate',
          value: fresh / ((storedAt - started) / 1000),
          unit: 'ev/s',
          target: targets[db],
          goal: 'min',
          note: `${CONNECTIONS} connections for ${seconds} s; until every new event was a stored scan, rules run`,
        }),
        figure({
          ...fig,
          metric: 'accept-rate',
          value: (fresh + replays) / sendSeconds,
          unit: 'req/s',
          note: '2xx per second',
        }),
        figure({
          ...fig,
          metric: 'events',
          value: fresh,
          unit: 'ev',
          note: `${replays} replays, ${refused} refused, ${detections} detections`,
        }),
        figure({
          ...fig,
          metric: 'lost',
          value: fresh - Math.min(stored, fresh),
          unit: 'ev',
          target: 0,
          goal: 'max',
        }),
        figure({
          ...fig,
          metric: 'duplicates',
          value: Math.max(0, stored - fresh),
          unit: 'ev',
          target: 0,
          goal: 'max',
        }),
      ];
    } finally {
      await server.close();
      await pgDb?.drop();
      dir.remove();
    }
  },
};
