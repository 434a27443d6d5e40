import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { createConfigCache } from '../src/platform/events/config-cache.ts';
import { freshDatabaseUrl, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { type PgProxy, startPgProxy } from './pg-proxy.ts';
import { connectRealtime } from './realtime-client.ts';

// *.pg.test.ts run only in the postgres project: a server database whose connections can drop.
let fresh: Awaited<ReturnType<typeof freshDatabaseUrl>>;
let admin: pg.Client;
const poll = { timeout: 20_000, interval: 50 };

/** Terminates this test database's backends that match `where` (an SQL condition on pg_stat_activity). */
const terminate = async (where: string) =>
  (
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND ${where}`,
    )
  ).rowCount ?? 0;

beforeAll(async () => {
  fresh = await freshDatabaseUrl();
  admin = new pg.Client({ connectionString: fresh.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await fresh?.drop();
});

describe('the database connection drops', () => {
  it('a backend terminated mid-transaction fails that transaction only; the process keeps serving', async () => {
    const t = await startTestApp({}, { databaseUrl: fresh.url });
    try {
      const w = await t.workspace('Terminated');
      await expect(
        t.db.tx(async (tx) => {
          const me = await tx.one<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`);
          await admin.query('SELECT pg_terminate_backend($1)', [me!.pid]);
          await new Promise((r) => setTimeout(r, 100));
          await tx.query(sql`SELECT 1`);
        }),
      ).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 100));
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: w.agent.headers });
      expect(res.statusCode).toBe(200);
    } finally {
      await t.stop();
    }
  });

  it('a dropped LISTEN connection makes /api/ready 503 until it is back; then signals and cache invalidation resume', async () => {
    const a = await startTestApp({}, { databaseUrl: fresh.url });
    const b = await startTestApp({}, { databaseUrl: fresh.url });
    try {
      const w = await a.workspace('Listen drop');
      await a.app.listen({ port: 0, host: '127.0.0.1' });
      const socket = await connectRealtime(
        `http://127.0.0.1:${(a.app.server.address() as { port: number }).port}`,
        w.agent.headers,
      );
      const closed = new Promise<number>((r) => socket.ws.once('close', (code) => r(code)));
      const heard: unknown[] = [];
      a.bus.onSignal('probe', (p) => heard.push(p.n));
      let loads = 0;
      const cacheOnA = createConfigCache({ bus: a.bus, kind: 'probe-cache', load: async () => ++loads });
      const cacheOnB = createConfigCache({ bus: b.bus, kind: 'probe-cache', load: async () => 0 });
      expect(await cacheOnA.get(1)).toBe(1);
      expect(await cacheOnA.get(1)).toBe(1);
      expect((await a.app.inject({ url: '/api/ready' })).statusCode).toBe(200);

      expect(await terminate(`query LIKE 'LISTEN %'`)).toBeGreaterThanOrEqual(2);
      await expect
        .poll(async () => {
          const r = await a.app.inject({ url: '/api/ready' });
          return [r.statusCode, r.json().status];
        }, poll)
        .toEqual([503, 'events disconnected']);
      expect((await a.app.inject({ url: '/api/ready' })).json().reason).toMatch(/LISTEN/);
      // A settings change on b while a cannot hear it.
      await cacheOnB.changed(1);

      await expect.poll(async () => (await a.app.inject({ url: '/api/ready' })).statusCode, poll).toBe(200);
      // The missed invalidation is made good: a reads afresh.
      expect(await cacheOnA.get(1)).toBe(2);
      // The dashboard's socket on a is told to reconnect (and so refetch what it missed).
      expect(await closed).toBe(1012);
      // And signals from b arrive again.
      await b.bus.signal('probe', { n: 7 });
      await expect.poll(() => heard, poll).toEqual([7]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe('the database is unreachable', () => {
  let proxy: PgProxy;
  let t: TestApp;
  let w: TestWorkspace;
  beforeAll(async () => {
    proxy = await startPgProxy(fresh.url!);
    t = await startTestApp({}, { databaseUrl: proxy.url(fresh.url!) });
    w = await t.workspace('Unreachable');
  });
  afterAll(async () => {
    await proxy?.restore().catch(() => {});
    await t?.stop();
    await proxy?.close();
  });

  it('answers 503 with Retry-After while it is away, and serves again by itself when it is back', async () => {
    expect((await t.app.inject({ url: '/api/v1/tickets', headers: w.agent.headers })).statusCode).toBe(200);
    await proxy.cut();
    const res = await t.app.inject({ url: '/api/v1/tickets', headers: w.agent.headers });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().error.code).toBe('unavailable');
    expect(JSON.stringify(res.json())).not.toMatch(/ECONNREFUSED|at .*\.ts/);
    expect((await t.app.inject({ url: '/api/ready' })).statusCode).toBe(503);

    await proxy.restore();
    await expect
      .poll(
        async () => (await t.app.inject({ url: '/api/v1/tickets', headers: w.agent.headers })).statusCode,
        poll,
      )
      .toBe(200);
    await expect.poll(async () => (await t.app.inject({ url: '/api/ready' })).statusCode, poll).toBe(200);
  });
});
