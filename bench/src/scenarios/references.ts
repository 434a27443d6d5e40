import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { openDb, sql } from '../../../apps/server/src/platform/db/db.ts';
import {
  type BenchContext,
  type DbKind,
  refKey,
  type Scenario,
  tempDir,
  tempPostgres,
  withTicker,
} from '../env.ts';
import { runLoad } from '../load.ts';
import { type BenchResult, figure } from '../results.ts';
import { summarize } from '../stats.ts';

/** A create-ticket sized JSON body, so the bare server reads as much as the API does. */
export const sampleBody = JSON.stringify({
  subject: 'Where is my order #104233?',
  contact: { email: 'shopper@example.com', name: 'Sam Shopper' },
  message: {
    body: 'Hi, my parcel has not arrived yet and the tracking has not changed since Monday. Can you check?',
  },
});

/** The ceiling of HTTP on this machine: a bare Node server under the same load generator and clients. */
export const referenceHttp: Scenario = {
  name: 'reference-http',
  description: 'Bare Node http server: JSON POST echoing a small JSON answer, 8 connections (autocannon)',
  databases: [null],
  async run(ctx) {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { subject?: string };
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 1, subject: body.subject ?? null }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      ctx.log(`  8 connections, ${ctx.seconds} s`);
      const r = await withTicker(ctx, 'bare http', () =>
        runLoad({
          kind: 'cannon',
          url: `http://127.0.0.1:${port}`,
          connections: 8,
          seconds: ctx.seconds,
          warmupSeconds: ctx.warmup,
          requests: [
            { method: 'POST', path: '/', headers: { 'content-type': 'application/json' }, body: sampleBody },
          ],
        }),
      );
      ctx.refs.set(refKey('reference-http', null, 'rate'), r.rate);
      const base = { scenario: 'reference-http', database: null } as const;
      return [
        figure({ ...base, metric: 'rate', value: r.rate, unit: 'req/s' }),
        figure({ ...base, metric: 'p99', value: r.latency.p99, unit: 'ms' }),
      ];
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  },
};

/** The floor of real-time latency: a WebSocket echo round trip on loopback, one message at a time. */
export const referenceWsEcho: Scenario = {
  name: 'reference-ws-echo',
  description: 'Bare WebSocket (ws) echo round trip on loopback, sequential 64-byte messages',
  databases: [null],
  async run(ctx) {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (s) => s.on('message', (m, binary) => s.send(m, { binary })));
    const port = (wss.address() as { port: number }).port;
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise<void>((resolve, reject) => client.once('open', () => resolve()).once('error', reject));
    const payload = 'x'.repeat(64);
    const roundTrip = () =>
      new Promise<number>((resolve) => {
        const t0 = process.hrtime.bigint();
        client.once('message', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
        client.send(payload);
      });
    try {
      const warmUntil = Date.now() + ctx.warmup * 1000;
      while (Date.now() < warmUntil) await roundTrip();
      const times: number[] = [];
      const until = Date.now() + ctx.seconds * 1000;
      while (Date.now() < until) times.push(await roundTrip());
      const s = summarize(times);
      ctx.refs.set(refKey('reference-ws-echo', null, 'p50'), s.p50);
      ctx.refs.set(refKey('reference-ws-echo', null, 'p99'), s.p99);
      const base = { scenario: 'reference-ws-echo', database: null } as const;
      return [
        figure({ ...base, metric: 'p50', value: s.p50, unit: 'ms' }),
        figure({ ...base, metric: 'p99', value: s.p99, unit: 'ms' }),
        figure({ ...base, metric: 'rate', value: times.length / ctx.seconds, unit: 'round trips/s' }),
      ];
    } finally {
      client.close();
      await new Promise((r) => wss.close(r));
    }
  },
};

/**
 * The ceiling of writes: single-row INSERTs through the same driver and Db wrapper the server uses,
 * from 8 concurrent callers (8 pooled connections on PostgreSQL; PGlite has one connection and
 * queues them, exactly as it does for the server).
 */
export const referenceInsert: Scenario = {
  name: 'reference-insert',
  description: 'Raw single-row INSERT rate through the same driver, 8 concurrent callers',
  databases: ['pglite', 'postgres'],
  async run(ctx, kind) {
    const dbKind = kind as DbKind;
    const dir = tempDir('insert');
    const pgDb = dbKind === 'postgres' ? await tempPostgres(ctx.pgUrl!) : undefined;
    const db = await openDb({ databaseUrl: pgDb?.url, dataDir: dir.dir, poolSize: 8 });
    try {
      await db.execScript(`CREATE TABLE bench_insert (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, workspace_id bigint NOT NULL, body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())`);
      const body = 'Hi, my parcel has not arrived yet and the tracking has not changed since Monday.';
      const loop = async (until: number, count: { n: number }) => {
        while (Date.now() < until) {
          await db.query(sql`INSERT INTO bench_insert (workspace_id, body) VALUES (${1}, ${body})`);
          count.n++;
        }
      };
      const lanes = (until: number, count: { n: number }) =>
        Promise.all(Array.from({ length: 8 }, () => loop(until, count)));
      await lanes(Date.now() + ctx.warmup * 1000, { n: 0 });
      const count = { n: 0 };
      const t0 = process.hrtime.bigint();
      ctx.log(`  8 callers, ${ctx.seconds} s`);
      await withTicker(ctx, 'inserting', () => lanes(Date.now() + ctx.seconds * 1000, count));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const stored = await db.one<{ n: number }>(sql`SELECT count(*)::int AS n FROM bench_insert`);
      if ((stored?.n ?? 0) < count.n)
        throw new Error(`only ${stored?.n} of ${count.n} inserted rows are in the table`);
      const rate = count.n / seconds;
      ctx.refs.set(refKey('reference-insert', dbKind, 'rate'), rate);
      return [
        figure({
          scenario: 'reference-insert',
          database: dbKind,
          metric: 'rate',
          value: rate,
          unit: 'rows/s',
        }),
      ];
    } finally {
      await db.close();
      await pgDb?.drop();
      dir.remove();
    }
  },
};

export const ratio = (
  ctx: BenchContext,
  scenario: string,
  database: DbKind | null,
  value: number,
  ref: { scenario: string; database: DbKind | null; metric: string },
  metric: string,
): BenchResult[] => {
  const base = ctx.refs.get(refKey(ref.scenario, ref.database, ref.metric));
  if (!base) return [];
  return [
    figure({
      scenario,
      database,
      metric,
      value: value / base,
      unit: '×',
      note: `vs ${ref.scenario}${ref.database ? ` (${ref.database})` : ''} ${ref.metric}`,
    }),
  ];
};
