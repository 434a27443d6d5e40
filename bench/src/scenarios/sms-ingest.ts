import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { sql } from '../../../apps/server/src/platform/db/db.ts';
import { type DbKind, type Scenario, startServer, tempDir, tempPostgres, withTicker } from '../env.ts';
import { figure } from '../results.ts';

const CONNECTIONS = 16;
const targets = { postgres: 500, pglite: null } as const;
const hex = (n: number) => randomBytes(n / 2).toString('hex');

/** X-Twilio-Signature as Twilio computes it: HMAC-SHA1 over the URL and the fields sorted by name. */
const sign = (token: string, url: string, fields: [string, string][]) =>
  createHmac('sha1', token)
    .update(
      url +
        [...fields]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => k + v)
          .join(''),
    )
    .digest('base64');

/**
 * Signed inbound SMS webhooks (application/x-www-form-urlencoded, Twilio's field set) from 16 keep-alive
 * connections for the measured seconds, each from one of 2,000 shoppers' numbers (so a ticket per sender,
 * then threaded); the rate is 2xx answers over the time until every one of them was a stored message.
 * Every webhook is stored before its 200 (one statement with its job); 0 lost means every 200 became
 * exactly one message. The sender runs in this process (it costs the server some of its two cores).
 */
export const smsIngest: Scenario = {
  name: 'sms-ingest',
  description: 'Signed Twilio SMS webhooks over 16 connections → stored messages (msg/s), none lost',
  databases: ['pglite', 'postgres'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const dir = tempDir('sms');
    const pgDb = db === 'postgres' ? await tempPostgres(ctx.pgUrl!) : undefined;
    const server = await startServer({ databaseUrl: pgDb?.url, dataDir: dir.dir });
    try {
      const ws = await server.newWorkspace('bench-sms');
      const accountSid = `AC${hex(32)}`;
      const authToken = hex(32);
      const account = await server.shop.intake.createAccount(ws.workspaceId, 'sms', {
        name: 'Bench line',
        settings: { accountSid, phoneNumber: '+14155550100' },
        secrets: { authToken },
      });
      const publicUrl = account.webhooks.sms!;
      const path = new URL(publicUrl).pathname;
      const port = Number(new URL(server.url).port);
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
      const seconds = ctx.smoke ? 2 : ctx.seconds;
      let accepted = 0;
      let refused = 0;
      let n = 0;
      const post = (i: number) => {
        const sid = `SM${hex(32)}`;
        const from = `+1415${String(5_500_000 + (i % 2000)).padStart(7, '0')}`;
        const fields: [string, string][] = [
          ['ToCountry', 'US'],
          ['SmsMessageSid', sid],
          ['NumMedia', '0'],
          ['SmsSid', sid],
          ['SmsStatus', 'received'],
          ['Body', `Hi, where is my order #${1000 + i}? It was due yesterday.`],
          ['FromCountry', 'US'],
          ['To', '+14155550100'],
          ['NumSegments', '1'],
          ['MessageSid', sid],
          ['AccountSid', accountSid],
          ['From', from],
          ['ApiVersion', '2010-04-01'],
        ];
        const body = new URLSearchParams(fields).toString();
        return new Promise<boolean>((resolve) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port,
              path,
              method: 'POST',
              agent,
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': Buffer.byteLength(body),
                'x-twilio-signature': sign(authToken, publicUrl, fields),
                // Twilio sends from many addresses; one per connection keeps the webhook limit per IP.
                'x-forwarded-for': `10.9.${i % CONNECTIONS}.${(i >> 4) % 250}`,
              },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode === 200));
            },
          );
          req.on('error', () => resolve(false));
          req.end(body);
        });
      };
      ctx.log(`  ${CONNECTIONS} connections, ${seconds} s, signed form webhooks; ${db}`);
      const started = performance.now();
      const until = Date.now() + seconds * 1000;
      await withTicker(ctx, 'sending', () =>
        Promise.all(
          Array.from({ length: CONNECTIONS }, async () => {
            while (Date.now() < until) {
              if (await post(n++)) accepted++;
              else refused++;
            }
          }),
        ),
      );
      const sendSeconds = (performance.now() - started) / 1000;
      const count = async () =>
        (
          await server.shop.db.one<{ n: number }>(
            sql`SELECT count(*)::int AS n FROM messages WHERE workspace_id = ${ws.workspaceId} AND channel = 'sms' AND kind = 'inbound'`,
          )
        )?.n ?? 0;
      let stored = await count();
      let storedAt = performance.now();
      const deadline = Date.now() + 10 * 60_000;
      await withTicker(ctx, `waiting for ${accepted} messages`, async () => {
        while (stored < accepted && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
          stored = await count();
          storedAt = performance.now();
        }
      });
      agent.destroy();
      if (stored !== accepted)
        throw new Error(`${accepted} webhooks got a 200 but ${stored} messages were stored`);
      const base = { scenario: 'sms-ingest', database: db } as const;
      return [
        figure({
          ...base,
          metric: 'rate',
          value: accepted / ((storedAt - started) / 1000),
          unit: 'msg/s',
          target: targets[db],
          goal: 'min',
          note: `${CONNECTIONS} connections flat out for ${seconds} s; until every 200 was a stored message`,
        }),
        figure({
          ...base,
          metric: 'accept-rate',
          value: accepted / sendSeconds,
          unit: 'msg/s',
          note: '200s per second',
        }),
        figure({ ...base, metric: 'messages', value: accepted, unit: 'msg', note: `${refused} refused` }),
        figure({ ...base, metric: 'lost', value: accepted - stored, unit: 'msg', target: 0, goal: 'max' }),
      ];
    } finally {
      await server.close();
      await pgDb?.drop();
      dir.remove();
    }
  },
};
