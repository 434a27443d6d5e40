import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type App, buildApp } from '../../apps/server/src/app.ts';
import { loadConfig } from '../../apps/server/src/config.ts';
import { createWorkspace } from '../../apps/server/src/modules/workspaces/index.ts';
import { sql } from '../../apps/server/src/platform/db/db.ts';
import type { BenchResult } from './results.ts';

export type DbKind = 'pglite' | 'postgres';

export interface BenchContext {
  smoke: boolean;
  /** Measured seconds per load run, after `warmup` seconds of unmeasured load. */
  seconds: number;
  warmup: number;
  /** PostgreSQL the benchmark may create databases on (and keep the scale workspace in); undefined: PGlite only. */
  pgUrl?: string;
  /** Tickets of the large workspace per database. */
  scale: Record<DbKind, number>;
  /** Where a seeded PGlite scale database is kept between runs. */
  cacheDir: string;
  log(msg: string): void;
  /** Figures of the reference scenarios already measured in this run, by `scenario|database|metric`. */
  refs: Map<string, number>;
}

export interface Scenario {
  name: string;
  description: string;
  /** Databases it runs against; [null] for scenarios that do not touch one. */
  databases: (DbKind | null)[];
  /** Reference scenarios whose figures it divides by (run first, once). */
  needs?: string[];
  run(ctx: BenchContext, db: DbKind | null): Promise<BenchResult[]>;
}

export const refKey = (scenario: string, db: DbKind | null, metric: string) => `${scenario}|${db}|${metric}`;

export function tempDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `shopdesk-bench-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A new, empty PostgreSQL database for one scenario, dropped afterwards. */
export async function tempPostgres(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    throw new Error(
      `cannot create a scratch database on BENCH_DATABASE_URL (${(err as Error).message}); the role needs CREATEDB`,
    );
  } finally {
    await admin.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}

export async function postgresVersion(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return r.rows[0]!.v;
  } finally {
    await c.end();
  }
}

export interface BenchServer {
  shop: App;
  url: string;
  /** An API token for an agent of the workspace (creating the workspace and agent when not given). */
  token(workspaceId: number, agentId: number): Promise<string>;
  newWorkspace(name: string): Promise<{ workspaceId: number; agentId: number; token: string }>;
  close(): Promise<void>;
}

/**
 * The real server, in this process, as `npm start` builds it (job worker on), listening on a free
 * port. Request logging is at `warn` so the figures measure the server, not the terminal, and the
 * per-token rate limit is lifted because eight clients on one token would hit it in a second.
 */
export async function startServer(o: {
  databaseUrl?: string;
  dataDir: string;
  memory?: boolean;
}): Promise<BenchServer> {
  const config = loadConfig({
    SHOPDESK_DATA_DIR: o.dataDir,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000000',
    // Load generators fake one client IP each through X-Forwarded-For from loopback.
    TRUST_PROXY: '127.0.0.1',
    SEED_DEMO: 'false',
    PORT: '0',
    HOST: '127.0.0.1',
    SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
    RUN_WORKERS: 'true',
    // Other channels listen too (SMTP); on a free port so a dev server on this machine cannot collide.
    EMAIL_SMTP_PORT: '0',
    EMAIL_SMTP_HOST: '127.0.0.1',
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
  });
  const shop = await buildApp(config, { memoryDb: o.memory ?? false });
  await shop.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = shop.app.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('server did not listen');
  const token = async (workspaceId: number, agentId: number) =>
    (await shop.services.agents.createToken(workspaceId, agentId, 'bench', null)).token;
  return {
    shop,
    url: `http://127.0.0.1:${addr.port}`,
    token,
    async newWorkspace(name) {
      const slug = `${name}-${randomBytes(3).toString('hex')}`;
      const ws = await createWorkspace(shop.db, name, slug);
      const agent = await shop.services.agents.create(
        { workspaceId: ws.id, agentId: null },
        { email: `agent@${slug}.test`, name: 'Bench Agent', role: 'agent' },
      );
      return { workspaceId: ws.id, agentId: agent.id, token: await token(ws.id, agent.id) };
    },
    async close() {
      // The load generator stops mid-request; let those handlers finish before the database closes.
      await new Promise((r) => setTimeout(r, 1000));
      await shop.close();
    },
  };
}

/** Runs fn with a ticking progress line every few seconds while it works. */
export async function withTicker<T>(ctx: BenchContext, label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const timer = setInterval(
    () => ctx.log(`  … ${label} (${Math.round((Date.now() - started) / 1000)} s)`),
    5000,
  );
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/**
 * CPU seconds the database's server processes for this database have used so far, read from /proc (so
 * only for a PostgreSQL on this machine; null otherwise, and for PGlite, whose CPU is the process's own).
 */
export async function databaseCpuSeconds(server: BenchServer, db: DbKind): Promise<number | null> {
  if (db !== 'postgres') return null;
  try {
    const rows = await server.shop.db.query<{ pid: number }>(
      sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
    );
    let ticks = 0;
    for (const { pid } of rows) {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime + stime, in USER_HZ (100 on Linux)
    }
    return ticks / 100;
  } catch {
    return null;
  }
}
