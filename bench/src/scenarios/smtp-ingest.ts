import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { sql } from '../../../apps/server/src/platform/db/db.ts';
import { type DbKind, type Scenario, startServer, tempDir, tempPostgres, withTicker } from '../env.ts';
import { figure } from '../results.ts';

const CONNECTIONS = 8;
const targets = { postgres: 300, pglite: null } as const;

/** A realistic ~10 KB customer email (text + HTML alternative); `{{n}}` makes each one unique. */
function template(): string {
  const para =
    'Hello, I ordered the Alpine Down Jacket in size M three weeks ago and the tracking page still says ' +
    'that the label was created but the parcel was never handed to the carrier. I need it for a trip next ' +
    'week, so could you please check with the warehouse and tell me whether it will arrive in time? ';
  let text = '';
  while (text.length < 4_600) text += para;
  const html = `<html><body>${text
    .match(/.{1,400}/g)!
    .map((p) => `<p>${p}</p>`)
    .join('\n')}</body></html>`;
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  return [
    'From: "Shopper {{n}}" <shopper-{{n}}@customer.example>',
    'To: support@bench-shop.example',
    'Subject: Order #{{n}} has not shipped',
    'Message-ID: <bench-{{n}}@customer.example>',
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    ...text.match(/.{1,76}/g)!,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    '',
    ...html.match(/.{1,76}/g)!,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/**
 * Sustained inbound SMTP: eight connections each deliver 10 KB emails back to back (every one a new
 * shopper, so a new contact and ticket) for the measured seconds; then we wait until every message that
 * got a 250 is a stored ticket. The rate is accepted messages over the time until the last one was stored.
 */
export const smtpIngest: Scenario = {
  name: 'smtp-ingest',
  description: 'Inbound SMTP, 10 KB emails over 8 connections → stored tickets (msg/s), none lost',
  databases: ['pglite', 'postgres'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const dir = tempDir('smtp');
    const pgDb = db === 'postgres' ? await tempPostgres(ctx.pgUrl!) : undefined;
    const server = await startServer({ databaseUrl: pgDb?.url, dataDir: dir.dir });
    const transports: ReturnType<typeof nodemailer.createTransport>[] = [];
    try {
      const ws = await server.newWorkspace('bench-smtp');
      await server.shop.email.service.createInbox(
        { workspaceId: ws.workspaceId, agentId: ws.agentId, role: 'admin', name: 'Bench', via: 'token' },
        { name: 'Support', address: 'support@bench-shop.example' },
      );
      const port = server.shop.email.smtpPort;
      if (!port) throw new Error('the SMTP server did not start');
      const tpl = template();
      const size = Buffer.byteLength(tpl.replaceAll('{{n}}', '000000'));
      ctx.log(
        `  ${CONNECTIONS} SMTP connections, ${(size / 1024).toFixed(1)} KB emails, ${ctx.seconds} s of sending, ${db === 'pglite' ? 'PGlite on disk (as npm start)' : 'PostgreSQL'}`,
      );

      let next = 0;
      let accepted = 0;
      let refused = 0;
      const started = performance.now();
      const stopAt = started + ctx.seconds * 1000;
      const sender = async () => {
        const t = nodemailer.createTransport({
          host: '127.0.0.1',
          port,
          secure: false,
          ignoreTLS: true,
          pool: true,
          maxConnections: 1,
          maxMessages: Number.POSITIVE_INFINITY,
        });
        transports.push(t);
        while (performance.now() < stopAt) {
          const n = String(++next).padStart(6, '0');
          try {
            const info = await t.sendMail({
              envelope: { from: `shopper-${n}@customer.example`, to: ['support@bench-shop.example'] },
              raw: tpl.replaceAll('{{n}}', n),
            });
            if (/^250/.test(String(info.response))) accepted++;
            else refused++;
          } catch {
            refused++;
          }
        }
      };
      await withTicker(ctx, 'sending', () => Promise.all(Array.from({ length: CONNECTIONS }, sender)));
      const sentAt = performance.now();

      const count = async () =>
        (
          await server.shop.db.one<{ n: number }>(
            sql`SELECT count(*)::int AS n FROM tickets WHERE workspace_id = ${ws.workspaceId} AND channel = 'email'`,
          )
        )?.n ?? 0;
      let stored = await count();
      let storedAt = performance.now();
      const deadline = Date.now() + 10 * 60_000;
      await withTicker(ctx, `waiting for ${accepted} tickets`, async () => {
        while (stored < accepted && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          stored = await count();
          storedAt = performance.now();
        }
      });
      if (stored !== accepted)
        throw new Error(
          `${accepted} emails got a 250 but ${stored} tickets were stored (lost or duplicated)`,
        );
      if (refused) ctx.log(`  ${refused} emails were refused by the server (the sender would retry them)`);

      const base = { scenario: 'smtp-ingest', database: db } as const;
      return [
        figure({
          ...base,
          metric: 'rate',
          value: accepted / ((storedAt - started) / 1000),
          unit: 'msg/s',
          target: targets[db],
          goal: 'min',
        }),
        figure({
          ...base,
          metric: 'accept-rate',
          value: accepted / ((sentAt - started) / 1000),
          unit: 'msg/s',
        }),
        figure({ ...base, metric: 'drain-after-send', value: (storedAt - sentAt) / 1000, unit: 's' }),
        figure({ ...base, metric: 'messages', value: accepted, unit: 'msg' }),
        figure({ ...base, metric: 'lost', value: accepted - stored, unit: 'msg', target: 0, goal: 'max' }),
      ];
    } finally {
      for (const t of transports) t.close();
      await server.close();
      await pgDb?.drop();
      dir.remove();
    }
  },
};
