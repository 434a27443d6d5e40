import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { countWorkspaces } from './modules/workspaces/index.ts';
import { DEMO_ADMIN_EMAIL, seedDemo } from './seed/demo-seed.ts';

/** Start one node: migrate, seed an empty database with the demo, listen, shut down gracefully. */
export async function start(config: Config) {
  const started = Date.now();
  const shopdesk = await buildApp(config);
  const { app, db } = shopdesk;
  const credFile = join(config.dataDir, 'demo-login.json');
  let login: { email: string; password: string } | undefined;
  if (config.SEED_DEMO && (await countWorkspaces(db)) === 0) {
    const seeded = await seedDemo(db);
    login = { email: seeded.email, password: seeded.password };
    writeFileSync(credFile, JSON.stringify(login), { mode: 0o600 });
  } else if (existsSync(credFile)) {
    login = JSON.parse(readFileSync(credFile, 'utf8')) as { email: string; password: string };
  }

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
