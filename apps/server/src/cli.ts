import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DB_COMMANDS, runCommand, UsageError } from './cli-commands.ts';
import { ConfigError, loadConfig, readEnvFile } from './config.ts';
import { callAdminSocket } from './platform/admin-socket.ts';
import { restore } from './platform/db/backup.ts';
import { DataDirLockedError, readLock } from './platform/db/data-dir-lock.ts';
import { openDb } from './platform/db/db.ts';
import { migrate } from './platform/db/migrate.ts';
import { createLogger } from './platform/log.ts';
import { randomToken, resolveSecretKeys } from './platform/security/crypto.ts';

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
  backup --out DIR                        back up the database, files and keys into a new directory
                                          (embedded: taken by the running server, no stop needed;
                                          PostgreSQL: pg_dump)
  restore --from DIR                      restore a backup into an empty data dir / empty database
                                          (server stopped)
  rotate-secret                           install a new master key and re-encrypt stored credentials
                                          (embedded: in the data dir; with SECRET_KEY set: re-encrypts
                                          under SECRET_KEY, the old key in SECRET_KEYS_PREVIOUS)
  import csv --file F [--workspace W]     import tickets from a CSV file (format: docs/integrations.md)
  import zendesk --url https://x.zendesk.com --email E --token T [--workspace W]
                                          import from Zendesk with an API token; run again after an
                                          interruption: what was imported is skipped
  analytics rebuild [--workspace W]      recompute the reports' figures (all workspaces, or W) set-based,
                                          with a progress bar (backfills, a new metric)
  rotate-secret --new-key                 print a new master key (for SECRET_KEY on several nodes)
  rotate-secret --reencrypt               re-encrypt stored credentials under the current key only
  rotate-secret --drop-previous           forget previous keys once nothing stored needs them
                                          (links and reply tags they signed stop verifying)

While a server runs on the embedded database, these commands run inside it (through its admin socket
in the data dir); otherwise they open the database themselves.
Settings come from the environment or .env; see .env.example.`;

const stdio = {
  out: (t: string) => void process.stdout.write(t),
  err: (t: string) => void process.stderr.write(t),
};

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values: parsed, positionals } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      workspace: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      scale: { type: 'string' },
      file: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      'new-key': { type: 'boolean' },
      reencrypt: { type: 'boolean' },
      'drop-previous': { type: 'boolean' },
    },
    allowPositionals: true,
  });
  // Flags travel as 'true' so the same string map works here and through the admin socket.
  const values: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(parsed).map(([k, v]) => [k, v === true ? 'true' : v === false ? undefined : v]),
  );
  // `analytics rebuild`: the action travels as a value too (same map through the admin socket).
  if (command === 'analytics') values.action = positionals[0];
  if (command === 'import') values.source = positionals[0];
  if (values.file && !isAbsolute(values.file)) values.file = resolve(values.file);
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
  if (command === 'restore') {
    if (!values.from) throw new UsageError('restore needs --from DIR (a directory made by backup)');
    if (!config.DATABASE_URL) {
      const holder = readLock(config.dataDir);
      if (holder) throw new DataDirLockedError(config.dataDir, holder);
    }
    const m = await restore(config, resolve(values.from));
    process.stdout.write(
      `Restored the backup of ${m.createdAt} (${m.migrations.length} migrations, ${m.files} files) into ${config.DATABASE_URL ? 'DATABASE_URL' : config.dataDir}. Start the server as usual.\n`,
    );
    return;
  }
  if (command === 'rotate-secret' && values['new-key']) {
    process.stdout.write(`${randomToken(48)}\n`);
    return;
  }
  if (command !== 'setup' && !DB_COMMANDS.has(command)) throw new UsageError(`Unknown command "${command}"`);
  if (!config.DATABASE_URL) {
    // The embedded database opens in one process only: with a server running, the command runs in it.
    const holder = readLock(config.dataDir);
    if (holder?.adminSocket && command !== 'setup') {
      if (values.out && !isAbsolute(values.out)) values.out = resolve(values.out);
      process.exitCode = await callAdminSocket(holder.adminSocket, { command, args: values }, stdio);
      return;
    }
    if (holder) throw new DataDirLockedError(config.dataDir, holder);
  }
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  resolveSecretKeys(config);
  const db = await openDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.dataDir,
    sharedBuffers: config.PGLITE_SHARED_BUFFERS,
    lockRole: `shopdesk ${command}`,
  });
  try {
    if (command === 'setup') {
      // Used by `start` on a fresh embedded data dir: migrate and seed the demo, then exit.
      await migrate(db);
      const { setupDatabase } = await import('./main.ts');
      await setupDatabase(config, db);
    } else {
      await runCommand(command, values, { db, config, log, io: stdio, inServer: false });
    }
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UsageError) {
    process.stderr.write(`${err.message}\n${err instanceof UsageError ? `\n${usage}\n` : ''}`);
  } else {
    const e = err as { message?: string; code?: string };
    process.stderr.write(`Error: ${e.message ?? String(err)}\n`);
  }
  process.exit(1);
});
