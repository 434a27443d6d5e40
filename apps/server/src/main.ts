import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Logger } from 'pino';
import { type App, buildApp, pkg } from './app.ts';
import { DB_COMMANDS, runCommand, UsageError } from './cli-commands.ts';
import { type Config, refuseUnsafeStart, tracingSettings } from './config.ts';
import { receivingAddresses } from './modules/email/index.ts';
import { countWorkspaces } from './modules/workspaces/index.ts';
import { closeAdminSocket, listenAdminSocket } from './platform/admin-socket.ts';
import { DataDirLockedError, readLock } from './platform/db/data-dir-lock.ts';
import type { Db } from './platform/db/db.ts';
import { migrate } from './platform/db/migrate.ts';
import { createLogger } from './platform/log.ts';
import { serverRoot } from './platform/paths.ts';
import { startTracing, stopTracing } from './platform/tracing.ts';
import { seedDemoImport } from './seed/demo-import.ts';
import { DEMO_ADMIN_EMAIL, DEMO_INBOX_ADDRESS, seedDemo } from './seed/demo-seed.ts';
import { seedDemoWebhooks } from './seed/demo-webhooks.ts';

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
  const login = await seedIfEmpty(config, db);
  // The demo's rows arrive at once: plan the first requests with statistics (PGlite has no autovacuum).
  if (login) await db.execScript('ANALYZE');
  return login;
}

async function seedIfEmpty(config: Config, db: Db): Promise<Login | undefined> {
  if (!config.SEED_DEMO || (await countWorkspaces(db)) > 0) return undefined;
  const seeded = await seedDemo(db);
  await seedDemoWebhooks(db, config, seeded.workspaceId);
  await seedDemoImport(db, config, seeded.workspaceId);
  const login = { email: seeded.email, password: seeded.password };
  writeFileSync(join(config.dataDir, 'demo-login.json'), JSON.stringify(login), { mode: 0o600 });
  return login;
}

/** Start one node: migrate, seed an empty database with the demo, listen, shut down gracefully. */
export async function start(config: Config) {
  const started = Date.now();
  refuseUnsafeStart(config);
  const tracing = tracingSettings();
  let login: Login | undefined;
  // Refuse before any work (and before the setup child) when another process holds the embedded database.
  const holder = config.DATABASE_URL ? null : readLock(config.dataDir);
  if (holder) throw new DataDirLockedError(config.dataDir, holder);
  if (!config.DATABASE_URL && !existsSync(join(config.dataDir, 'pglite', 'PG_VERSION'))) {
    // First embedded start: initdb, migrations and the demo seed run in a short-lived child process.
    // PGlite's WebAssembly memory grows during them and is never handed back, so the serving process
    // would otherwise idle at ~450 MB instead of ~300 MB.
    await runSetupProcess();
  }
  const log = createLogger(config.LOG_LEVEL);
  await startTracing(tracing, log, pkg.version);
  const shopdesk = await buildApp(config, { logger: log });
  const { app, db } = shopdesk;
  login ??= await seedIfEmpty(config, db);
  const credFile = join(config.dataDir, 'demo-login.json');
  if (!login && existsSync(credFile)) login = JSON.parse(readFileSync(credFile, 'utf8')) as Login;

  let adminSocket: Awaited<ReturnType<typeof openAdminSocket>> = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    await adminSocket?.close();
    await shopdesk.close();
    await stopTracing();
    process.exit(0);
  };
  // A stray rejection (a fire-and-forget write that loses its database connection, say) is a bug to
  // log, not a reason to drop every request in flight: Node's default would end the process.
  process.on('unhandledRejection', (err) =>
    app.log.error({ err }, 'a promise rejected with nobody waiting for it; the node keeps serving'),
  );
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.PORT, host: config.HOST });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  const url = config.PUBLIC_URL ?? `http://localhost:${port}`;
  adminSocket = db.lock ? await openAdminSocket(config, shopdesk) : null;
  db.lock?.update({ url, ...(adminSocket ? { adminSocket: adminSocket.path } : {}) });
  process.stdout.write(
    banner({
      url,
      seconds: (Date.now() - started) / 1000,
      where: db.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL',
      login,
      credFile: existsSync(credFile) ? relativeToCwd(credFile) : null,
      mail: await mailLine(config, shopdesk),
    }),
  );
  return shopdesk;
}

const relativeToCwd = (p: string) => {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
};

/** Where mail to the desk can be sent: the SMTP port and the demo inbox's address, when both exist. */
async function mailLine(config: Config, shopdesk: App): Promise<string | null> {
  const port = shopdesk.email.smtpPort;
  if (port === null) return null;
  const addresses = await receivingAddresses(shopdesk.db);
  const host =
    config.EMAIL_SMTP_HOST === '0.0.0.0' || config.EMAIL_SMTP_HOST === '::'
      ? 'localhost'
      : config.EMAIL_SMTP_HOST;
  if (!addresses.length)
    return `  Inbound mail: SMTP on ${host}:${port} (add an email inbox under Settings → Email to receive it)`;
  const shown = addresses.includes(DEMO_INBOX_ADDRESS) ? DEMO_INBOX_ADDRESS : addresses[0]!;
  return `  Mail to ${shown} on SMTP ${host}:${port} becomes a ticket; replies land in the dev mailbox (Settings → Email)`;
}

/** The README's API example, for a server at `url` (the README shows it for http://localhost:3000). */
export function apiExample(url: string): string[] {
  return [
    `TOKEN=$(npx shopdesk create-token --email ${DEMO_ADMIN_EMAIL})`,
    `curl -s -X POST ${url}/api/v1/tickets -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `  -d '{"subject":"Parcel missing","contact":{"email":"ann@example.com"},"message":{"body":"It never came."}}'`,
    `curl -s "${url}/api/v1/search?q=parcel" -H "authorization: Bearer $TOKEN"`,
  ];
}

function banner(b: {
  url: string;
  seconds: number;
  where: string;
  login: Login | undefined;
  credFile: string | null;
  mail: string | null;
}) {
  const demo = b.login?.email === DEMO_ADMIN_EMAIL;
  const lines = [
    '',
    `  Shopdesk is running at ${b.url}  (ready in ${b.seconds.toFixed(1)} s, ${b.where})`,
    demo
      ? `  Sign in as ${b.login!.email} with password ${b.login!.password}  (demo workspace "Demo Outfitters"${b.credFile ? `; kept in ${b.credFile}` : ''})`
      : '  Sign in with an admin created by: npx shopdesk create-admin --email you@shop.com --password …',
    ...(b.mail ? [b.mail] : []),
    `  API docs: ${b.url}/api/docs`,
    ...(demo
      ? [
          '  Try the API (the README example with this address; the CLI works while the server runs):',
          ...apiExample(b.url).map((l) => `    ${l}`),
        ]
      : []),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The local admin socket: CLI commands run here, on this process's database, while it holds the
 * embedded data dir. A path too long for a Unix socket only costs that convenience.
 */
async function openAdminSocket(
  config: Config,
  shopdesk: App,
): Promise<{ path: string; close: () => Promise<void> } | null> {
  const path = join(config.dataDir, 'admin.sock');
  const log = shopdesk.app.log as unknown as Logger;
  try {
    const server = await listenAdminSocket(path, async (req, io) => {
      log.info({ command: req.command }, 'admin socket: running a CLI command');
      if (!DB_COMMANDS.has(req.command)) {
        io.err(`Unknown command "${req.command}"\n`);
        return 1;
      }
      try {
        await runCommand(req.command, req.args, {
          db: shopdesk.db,
          config,
          log,
          io,
          inServer: true,
          analytics: shopdesk.services.analytics,
        });
        return 0;
      } catch (err) {
        io.err(
          `${err instanceof UsageError ? '' : 'Error: '}${err instanceof Error ? err.message : String(err)}\n`,
        );
        return 1;
      }
    });
    return { path, close: () => closeAdminSocket(server, path) };
  } catch (err) {
    log.warn({ err, path }, 'admin socket could not start: CLI commands need the server stopped');
    return null;
  }
}
