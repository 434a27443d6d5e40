/**
 * A shortened housekeeping soak (docs/operations.md "Housekeeping"): one node under a steady load of
 * ticket creates and replies (each reply is a delivery job and a sent raw MIME), with every retention
 * shortened to --retention-minutes and housekeeping run every minute (the server runs it hourly), so
 * that many retention periods pass in a short run. Every minute it prints the live rows and on-disk size
 * of the tables housekeeping prunes. Flat rows and sizes once the first retention period has passed
 * are what the 24-hour soak at real retentions would show, compressed.
 *
 *   npx tsx bench/src/soak.ts --minutes 10 --rate 10 --retention-minutes 2
 *   BENCH_DATABASE_URL=postgres://… npx tsx bench/src/soak.ts   # PostgreSQL (an empty database)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildApp } from '../../apps/server/src/app.ts';
import { envValue, loadConfig } from '../../apps/server/src/config.ts';
import { runHousekeeping } from '../../apps/server/src/housekeeping.ts';
import { createWorkspace } from '../../apps/server/src/modules/workspaces/index.ts';
import { sql } from '../../apps/server/src/platform/db/db.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '10' },
    'retention-minutes': { type: 'string', default: '2' },
  },
});
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const retentionDays = String(Number(args['retention-minutes']) / 1440);

const TABLES = ['jobs', 'email_outbound', 'inbound_events', 'tickets', 'messages'];

const dir = mkdtempSync(join(tmpdir(), 'shopdesk-soak-'));
const url = envValue('BENCH_DATABASE_URL');
const config = loadConfig({
  SHOPDESK_DATA_DIR: dir,
  LOG_LEVEL: 'warn',
  SECRET_KEY: 'soak-secret-key-that-is-long-enough-123456',
  RATE_LIMIT_PER_MINUTE: '1000000',
  RETAIN_FINISHED_JOBS_DAYS: retentionDays,
  RETAIN_WEBHOOK_DELIVERIES_DAYS: retentionDays,
  RETAIN_INBOUND_DAYS: retentionDays,
  RETAIN_SENT_MAIL_DAYS: retentionDays,
  ...(url ? { DATABASE_URL: url } : {}),
});
const shopdesk = await buildApp(config, { workers: true, logger: pino({ level: 'warn' }) });
const { app, db, services } = shopdesk;
const ws = await createWorkspace(db, 'Soak shop', `soak-${Date.now()}`);
const agent = await services.agents.create(
  { workspaceId: ws.id, agentId: null },
  { email: 'soak@soak.test', name: 'Soak', role: 'agent', password: 'soak-password-123' },
);
const { token } = await services.agents.createToken(ws.id, agent.id, 'soak');
const headers = { authorization: `Bearer ${token}` };

async function sizes() {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const r = await db.one<{ n: number; bytes: number }>(
      sql`SELECT (SELECT count(*) FROM ${sql.identifier(t)})::int AS n, pg_total_relation_size(${t}::regclass)::bigint AS bytes`,
    );
    out[t] = `${r!.n} rows ${(r!.bytes / 1024 / 1024).toFixed(1)} MB`;
  }
  return out;
}

let sent = 0;
let failed = 0;
const started = Date.now();
const end = started + minutes * 60_000;
const load = (async () => {
  for (let i = 0; Date.now() < end; i++) {
    const tick = Date.now();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers,
      payload: {
        subject: `Soak ${i}`,
        contact: { email: `s${i % 500}@soak.test` },
        message: { body: 'Where is it?' },
      },
    });
    if (res.statusCode === 201) {
      const reply = await app.inject({
        method: 'POST',
        url: `/api/v1/tickets/${res.json().id}/replies`,
        headers,
        payload: { body: 'It is on its way.' },
      });
      if (reply.statusCode !== 201) failed++;
    } else failed++;
    sent += 2;
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 / rate - (Date.now() - tick))));
  }
})();

console.log(
  `soak: ${minutes} min, ${rate} tickets+replies/s, retention ${args['retention-minutes']} min, ${db.kind}`,
);
console.log(['minute', 'requests', 'pruned', ...TABLES].join(' | '));
for (let m = 1; m <= minutes; m++) {
  await new Promise((r) => setTimeout(r, started + m * 60_000 - Date.now()));
  const pruned = await runHousekeeping(db, config);
  const s = await sizes();
  console.log([m, sent, JSON.stringify(pruned), ...TABLES.map((t) => s[t])].join(' | '));
}
await load;
console.log(`failed requests: ${failed}`);
await shopdesk.close();
rmSync(dir, { recursive: true, force: true });
