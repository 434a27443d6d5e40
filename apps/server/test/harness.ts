import { createHash, randomBytes, randomBytes as rnd } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@shopdesk/contracts';
import pg from 'pg';
import type { Logger } from 'pino';
import { type App, buildApp } from '../src/app.ts';
import { type Config, envValue, loadConfig } from '../src/config.ts';
import { createWorkspace } from '../src/modules/workspaces/index.ts';
import { openDb } from '../src/platform/db/db.ts';
import { listMigrations, migrate, migrationsDir } from '../src/platform/db/migrate.ts';

export const testDb = (envValue('SHOPDESK_TEST_DB') ?? 'pglite') as 'pglite' | 'postgres';

/** A fresh database for one test file: in-memory PGlite, or a new PostgreSQL database dropped afterwards. */
export async function freshDatabaseUrl(): Promise<{ url: string | undefined; drop: () => Promise<void> }> {
  if (testDb !== 'postgres') return { url: undefined, drop: async () => {} };
  const base = envValue('TEST_DATABASE_URL');
  if (!base) throw new Error('SHOPDESK_TEST_DB=postgres needs TEST_DATABASE_URL');
  const name = `sd_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}

export interface TestActor {
  agentId: number;
  email: string;
  password: string;
  token: string;
  role: Role;
  /** Bearer header for app.inject. */
  headers: { authorization: string };
}

export interface TestWorkspace {
  workspaceId: number;
  slug: string;
  admin: TestActor;
  lead: TestActor;
  agent: TestActor;
  readonly: TestActor;
}

export interface TestApp extends App {
  config: Config;
  /** Creates a workspace with one agent per role, each with an API token. */
  workspace(name?: string): Promise<TestWorkspace>;
  /** Cookie session (+ CSRF token) for an agent, as the dashboard has it. */
  login(
    actor: Pick<TestActor, 'email' | 'password'>,
    workspace?: string,
  ): Promise<{ cookie: string; csrf: string }>;
  stop(): Promise<void>;
}

let counter = 0;
let template: Promise<Blob> | undefined;

/**
 * initdb plus every migration costs seconds per app; tests start their in-memory PGlite from a
 * migrated tarball instead, cached in the temp dir by the migrations' content (shared by workers).
 */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const hash = createHash('sha256');
    for (const f of listMigrations()) hash.update(f).update(readFileSync(join(migrationsDir, f)));
    const file = join(tmpdir(), `shopdesk-pglite-${hash.digest('hex').slice(0, 16)}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const db = await openDb({ memory: true });
    await migrate(db);
    const blob = await db.dumpDataDir!();
    await db.close();
    const tmp = `${file}.${rnd(4).toString('hex')}`;
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    renameSync(tmp, file);
    return blob;
  })();
  return template;
}

export async function startTestApp(
  overrides: Record<string, string> = {},
  /**
   * databaseUrl: a PostgreSQL database the caller owns (several nodes, or a restart). dataDir: an on-disk
   * PGlite the caller owns, kept after stop() so a new app can start on it (a restart on PGlite).
   */
  opts: {
    workers?: boolean;
    databaseUrl?: string;
    dataDir?: string;
    migrationsDir?: string;
    /** Capture the app's log (the default writes nothing: LOG_LEVEL=silent). */
    logger?: Logger;
  } = {},
): Promise<TestApp> {
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'shopdesk-test-'));
  const fresh = opts.databaseUrl ? { url: opts.databaseUrl, drop: async () => {} } : await freshDatabaseUrl();
  const config = loadConfig({
    SHOPDESK_DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    RUN_WORKERS: 'false',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-1234',
    // Tests on both databases serve /demo/shop (for their own workspaces); buildApp never seeds.
    SEED_DEMO: 'true',
    // Tests read a created ticket's reactions right after the response; the deferred path has its own
    // test (reactions-after-response.test.ts) and is what the server runs by default.
    REACTIONS: 'inline',
    ...(fresh.url ? { DATABASE_URL: fresh.url } : {}),
    ...overrides,
  });
  const shopdesk = await buildApp(config, {
    memoryDb: !fresh.url && !opts.dataDir,
    pgliteTemplate: fresh.url || opts.dataDir ? undefined : await pgliteTemplate(),
    workers: opts.workers ?? false,
    migrationsDir: opts.migrationsDir,
    logger: opts.logger,
  });
  const { services } = shopdesk;

  const t: TestApp = {
    ...shopdesk,
    config,
    async workspace(name = `Shop ${++counter}`) {
      const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomBytes(2).toString('hex')}`;
      const ws = await createWorkspace(shopdesk.db, name, slug);
      const make = async (role: Role): Promise<TestActor> => {
        const email = `${role}-${randomBytes(3).toString('hex')}@${slug}.test`;
        const password = `pw-${randomBytes(8).toString('hex')}`;
        const a = await services.agents.create(
          { workspaceId: ws.id, agentId: null },
          { email, name: `${role} of ${name}`, role, password },
        );
        const tok = await services.agents.createToken(ws.id, a.id, 'test');
        return {
          agentId: a.id,
          email,
          password,
          token: tok.token,
          role,
          headers: { authorization: `Bearer ${tok.token}` },
        };
      };
      return {
        workspaceId: ws.id,
        slug,
        admin: await make('admin'),
        lead: await make('lead'),
        agent: await make('agent'),
        readonly: await make('read-only'),
      };
    },
    async login(actor, workspace) {
      const res = await shopdesk.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: actor.email, password: actor.password, workspace },
      });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
      const cookie = res.cookies.find((c) => c.name === 'sd_session')!.value;
      return { cookie, csrf: (res.json() as { csrfToken: string }).csrfToken };
    },
    async stop() {
      await shopdesk.close();
      await fresh.drop();
      if (!opts.dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** A minimal valid ticket body for API calls. */
export const ticketBody = (over: Record<string, unknown> = {}) => ({
  subject: 'Where is my order #1042?',
  contact: { email: 'shopper@example.com', name: 'Sam Shopper' },
  message: { body: 'Hi, my parcel has not arrived yet. Can you check?' },
  ...over,
});

/**
 * Tests whose fake stores, SMTP relays and IMAP servers listen on 127.0.0.1 reach them through the
 * config-level outbound allow-list (OUTBOUND_ALLOW_CIDRS); everything else private stays refused.
 */
export const LOCAL_TEST_SERVERS = '127.0.0.1/32';

/** Capabilities for adapters tests register in place of a real channel (nothing limited). */
export const TEST_CAPABILITIES = {
  messagingWindowHours: null,
  media: true,
  deliveryReceipts: false,
  templates: false,
  maxLength: null,
};
