import { sql, statementCount } from '../../../apps/server/src/platform/db/db.ts';
import {
  type DbKind,
  databaseCpuSeconds,
  type Scenario,
  startServer,
  tempDir,
  tempPostgres,
  withTicker,
} from '../env.ts';
import { type PlainRequest, runLoad } from '../load.ts';
import { figure } from '../results.ts';
import { ratio } from './references.ts';

const targets = { postgres: { rate: 1500, p99: 50 }, pglite: { rate: 300, p99: null } } as const;

/** Four variants per connection: two new shoppers (a contact is created) and two returning ones. */
function requests(token: string): PlainRequest[] {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const body = (email: string, subject: string, text: string) =>
    JSON.stringify({
      subject,
      channel: 'api',
      contact: { email, name: 'Bench Shopper' },
      message: { body: text },
    });
  return [
    body(
      'new-[<id>]@example.com',
      'Where is my order #[<id>]?',
      'Hi, my parcel has not arrived yet and the tracking has not changed since Monday. Can you check?',
    ),
    body(
      'returning-1@example.com',
      'Refund for damaged jacket',
      'The zipper on my Alpine Down Jacket broke the second time I used it. I would like a refund please.',
    ),
    body(
      'new-[<id>]@example.net',
      'Exchange for size L',
      'The Merino Base Layer fits too small, can I exchange it for an L? It is unworn with tags on.',
    ),
    body(
      'returning-2@example.com',
      'Discount code not working',
      'The code WELCOME10 says it is invalid at checkout. I am trying to buy the Summit 45L Backpack.',
    ),
  ].map((b) => ({ method: 'POST', path: '/api/v1/tickets', headers, body: b }));
}

const ticketCount = async (
  server: { shop: { db: import('../../../apps/server/src/platform/db/db.ts').Db } },
  w: number,
) =>
  (await server.shop.db.one<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM tickets WHERE workspace_id = ${w}`,
  ))!.n;

export const apiCreateTicket: Scenario = {
  name: 'api-create-ticket',
  description:
    'POST /api/v1/tickets (ticket + first message + contact) with token auth, 8 concurrent clients',
  databases: ['pglite', 'postgres'],
  needs: ['reference-insert', 'reference-http'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const dir = tempDir('create');
    const pgDb = db === 'postgres' ? await tempPostgres(ctx.pgUrl!) : undefined;
    const server = await startServer({ databaseUrl: pgDb?.url, dataDir: dir.dir });
    try {
      const ws = await server.newWorkspace('bench-create');
      ctx.log(
        `  8 connections, ${ctx.seconds} s, ${db === 'pglite' ? 'PGlite on disk (as npm start)' : 'PostgreSQL'}`,
      );
      // Statements and CPU are counted over the whole run (warm-up included) and divided by every
      // ticket stored, reactions included: they run after the answers, so the run waits for them.
      const count0 = await ticketCount(server, ws.workspaceId);
      const st0 = statementCount();
      const db0 = await databaseCpuSeconds(server, db);
      const cpu0 = process.cpuUsage();
      const r = await withTicker(ctx, 'creating tickets', () =>
        runLoad({
          kind: 'cannon',
          url: server.url,
          connections: 8,
          seconds: ctx.seconds,
          warmupSeconds: ctx.warmup,
          requests: requests(ws.token),
          idReplacement: true,
        }),
      );
      await server.shop.bus.reactionsSettled();
      const cpu = process.cpuUsage(cpu0);
      const db1 = db0 === null ? null : await databaseCpuSeconds(server, db);
      const made = Math.max(1, (await ticketCount(server, ws.workspaceId)) - count0);
      const statements = (statementCount() - st0 - 3) / made;
      const nodeCpuMs = (cpu.user + cpu.system) / 1000 / made;
      const dbCpuMs = db0 === null || db1 === null ? null : ((db1 - db0) * 1000) / made;
      // Acknowledged means stored: every 201 must be a ticket with its message in the database.
      const stored = await server.shop.db.one<{ t: number; m: number }>(sql`
        SELECT (SELECT count(*)::int FROM tickets WHERE workspace_id = ${ws.workspaceId}) AS t,
               (SELECT count(*)::int FROM messages WHERE workspace_id = ${ws.workspaceId}) AS m`);
      if (!stored || stored.t < r.count || stored.m < stored.t)
        throw new Error(
          `answered ${r.count} creates but the database holds ${stored?.t} tickets / ${stored?.m} messages`,
        );
      const base = { scenario: 'api-create-ticket', database: db } as const;
      const t = targets[db];
      return [
        figure({ ...base, metric: 'rate', value: r.rate, unit: 'tickets/s', target: t.rate, goal: 'min' }),
        figure({ ...base, metric: 'p50', value: r.latency.p50, unit: 'ms' }),
        figure({ ...base, metric: 'p95', value: r.latency.p95, unit: 'ms' }),
        figure({ ...base, metric: 'p99', value: r.latency.p99, unit: 'ms', target: t.p99, goal: 'max' }),
        figure({
          ...base,
          metric: 'statements-per-ticket',
          value: statements,
          unit: 'statements',
          note: 'SQL statements the server sent per stored ticket (BEGIN/COMMIT and the reactions included)',
        }),
        // The load-independent view, as smtp-ingest's cpu-per-email: what caps the rate on two cores.
        figure({
          ...base,
          metric: 'cpu-per-ticket',
          value: nodeCpuMs + (dbCpuMs ?? 0),
          unit: 'ms',
          note:
            dbCpuMs === null
              ? 'this process (server, PGlite and the load generator thread)'
              : `server process ${nodeCpuMs.toFixed(2)} ms (incl. load generator thread) + PostgreSQL ${dbCpuMs.toFixed(2)} ms`,
        }),
        ...ratio(
          ctx,
          'api-create-ticket',
          db,
          r.rate,
          { scenario: 'reference-insert', database: db, metric: 'rate' },
          'ratio-to-raw-insert',
        ),
        ...ratio(
          ctx,
          'api-create-ticket',
          db,
          r.rate,
          { scenario: 'reference-http', database: null, metric: 'rate' },
          'ratio-to-bare-http',
        ),
      ];
    } finally {
      await server.close();
      await pgDb?.drop();
      dir.remove();
    }
  },
};
