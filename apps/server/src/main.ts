import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { countWorkspaces } from './modules/workspaces/index.ts';
import type { Db } from './platform/db/db.ts';
import { migrate } from './platform/db/migrate.ts';
import { serverRoot } from './platform/paths.ts';
import { DEMO_ADMIN_EMAIL, seedDemo } from './seed/demo-seed.ts';

type Login = { email: string; password: string };

function runSetupProcess(): Promise<void> {
  const bin = join(serverRoot, 'bin/shopdesk.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'setup'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: process.env,
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`database setup failed (exit ${code})`)),
    );
  });
}

/** Migrate, and seed the demo into an empty database; the demo login is kept in the data dir. */
export async function setupDatabase(config: Config, db: Db): Promise<Login | undefined> {
  await migrate(db);
  return seedIfEmpty(config, db);
}

async function seedIfEmpty(config: Config, db: Db): Promise<Login | undefined> {
  if (!config.SEED_DEMO || (await countWorkspaces(db)) > 0) return undefined;
  const seeded = await seedDemo(db);
  const login = { email: seeded.email, password: seeded.password };
  writeFileSync(join(config.dataDir, 'demo-login.json'), JSON.stringify(login), { mode: 0o600 });
  return login;
}

/** Start one node: migrate, seed an empty database with the demo, listen, shut down gracefully. */
export async function start(config: Config) {
  const started = Date.now();
  let login: Login | undefined;
  if (!config.DATABASE_URL && !existsSync(join(config.dataDir, 'pglite', 'PG_VERSION'))) {
    // First embedded start: initdb, migrations and the demo seed run in a short-lived child process.
    // PGlite's WebAssembly memory grows during them and is never handed back, so the serving process
    // would otherwise idle at ~450 MB instead of ~300 MB.
    await runSetupProcess();
  }
  const shopdesk = await buildApp(config);
  const { app, db } = shopdesk;
  login ??= await seedIfEmpty(config, db);
  const credFile = join(config.dataDir, 'demo-login.json');
  if (!login && existsSync(credFile)) login = JSON.parse(readFileSync(credFile, 'utf8')) as Login;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    await shopdesk.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.PORT, host: config.HOST });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  const url = config.PUBLIC_URL ?? `http://localhost:${port}`;
  const lines = [
    '',
    `  Shopdesk is running at ${url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s, ${db.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'})`,
    login?.email === DEMO_ADMIN_EMAIL
      ? `  Sign in as ${login.email} with password ${login.password}  (demo workspace "Demo Outfitters")`
      : '  Sign in with an admin created by: npx shopdesk create-admin --email you@shop.com --password …',
    `  API docs: ${url}/api/docs`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return shopdesk;
}
