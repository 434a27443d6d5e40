import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, readEnvFile } from './config.ts';
import { openDb, sql } from './platform/db/db.ts';
import { migrate } from './platform/db/migrate.ts';
import { createLogger } from './platform/log.ts';
import { resolveSecretKey } from './platform/security/crypto.ts';
import { createAdmin, createToken } from './seed/admin.ts';
import { DEMO_SLUG, seedDemo } from './seed/demo-seed.ts';
import { exportWorkspace } from './seed/export.ts';
import { progressBar, SCALE_SLUG, seedScale } from './seed/scale-seed.ts';

const usage = `Usage: shopdesk <command> [options]

Commands:
  start                                   run the server (migrates; seeds the demo on an empty database)
  migrate                                 apply pending database migrations
  seed                                    seed the "Demo Outfitters" demo workspace
  seed --scale N [--workspace slug]       load a large workspace: N tickets, ~3N messages, 0.4N contacts
                                          (benchmarks; resumes when run again with the same N)
  create-admin --email E --password P [--workspace W] [--name N]
                                          create an admin (and the workspace W if it does not exist)
  create-token --email E [--workspace W] [--name N]
                                          print a new API token for that agent
  export [--workspace W] [--out FILE]     write a workspace as JSON lines (stdout by default)

Settings come from the environment or .env; see .env.example.`;

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      workspace: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      scale: { type: 'string' },
    },
    allowPositionals: true,
  });
  readEnvFile();
  const config = loadConfig();
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (command === 'start') {
    const { start } = await import('./main.ts');
    await start(config);
    return;
  }
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  config.secretKey = resolveSecretKey(config.secretKey, config.dataDir);
  const db = await openDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.dataDir,
    sharedBuffers: config.PGLITE_SHARED_BUFFERS,
  });
  try {
    const applied = await migrate(db);
    switch (command) {
      case 'setup': {
        // Used by `start` on a fresh embedded data dir: migrate and seed the demo, then exit.
        const { setupDatabase } = await import('./main.ts');
        await setupDatabase(config, db);
        break;
      }
      case 'migrate':
        process.stdout.write(
          applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n',
        );
        break;
      case 'seed': {
        if (values.scale !== undefined) {
          const n = Number(values.scale.replace(/_/g, ''));
          if (!Number.isInteger(n) || n < 1) throw new UsageError('--scale needs a positive whole number');
          const r = await seedScale(db, {
            tickets: n,
            slug: values.workspace ?? SCALE_SLUG,
            onProgress: progressBar(),
          });
          process.stdout.write(
            `Workspace "${r.slug}": ${r.tickets} tickets, ${r.messages} messages, ${r.contacts} contacts (${r.seconds.toFixed(0)} s).\n` +
              (r.password ? `Sign in as ${r.email} with password ${r.password}\n` : ''),
          );
          break;
        }
        if (await db.one(sql`SELECT 1 FROM workspaces WHERE slug = ${DEMO_SLUG}`)) {
          process.stdout.write('The demo workspace already exists.\n');
          break;
        }
        const r = await seedDemo(db, log, values.password);
        process.stdout.write(`Seeded "Demo Outfitters". Sign in as ${r.email} with password ${r.password}\n`);
        break;
      }
      case 'create-admin': {
        if (!values.email || !values.password)
          throw new UsageError('create-admin needs --email and --password');
        const r = await createAdmin(db, {
          email: values.email,
          password: values.password,
          workspace: values.workspace,
          name: values.name,
        });
        process.stdout.write(`Admin ${r.email} created in workspace "${r.workspaceSlug}".\n`);
        break;
      }
      case 'create-token': {
        if (!values.email) throw new UsageError('create-token needs --email');
        const t = await createToken(db, config, log, {
          email: values.email,
          workspace: values.workspace,
          name: values.name ?? 'CLI token',
        });
        process.stdout.write(`${t}\n`);
        break;
      }
      case 'export': {
        const out = values.out ? createWriteStream(values.out) : process.stdout;
        const n = await exportWorkspace(db, values.workspace, (line) => out.write(`${line}\n`));
        if (values.out) await new Promise((r) => (out as ReturnType<typeof createWriteStream>).end(r));
        process.stderr.write(`Exported ${n} records.\n`);
        break;
      }
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } finally {
    await db.close();
  }
}

class UsageError extends Error {}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UsageError) {
    process.stderr.write(`${err.message}\n${err instanceof UsageError ? `\n${usage}\n` : ''}`);
  } else {
    const e = err as { message?: string; code?: string };
    process.stderr.write(`Error: ${e.message ?? String(err)}\n`);
  }
  process.exit(1);
});
