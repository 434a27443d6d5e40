import { createWriteStream } from 'node:fs';
import type { Logger } from 'pino';
import { createAdmin, createToken } from './admin/create-admin.ts';
import { exportWorkspace } from './admin/export.ts';
import { ImportUsageError, importCommand } from './admin/import-cli.ts';
import {
  dropPreviousSecrets,
  type ReencryptReport,
  reencryptStoredSecrets,
  rotateEmbeddedSecret,
} from './admin/rotate-secret.ts';
import type { Config } from './config.ts';
import type { AnalyticsService } from './modules/analytics/index.ts';
import { findWorkspaceBySlug, listWorkspaces } from './modules/workspaces/index.ts';
import type { AdminOutput } from './platform/admin-socket.ts';
import { backup } from './platform/db/backup.ts';
import type { Db } from './platform/db/db.ts';
import { migrate } from './platform/db/migrate.ts';
import { keyRing } from './platform/security/keys.ts';
import { seedDemoImport } from './seed/demo-import.ts';
import { DEMO_SLUG, seedDemo } from './seed/demo-seed.ts';
import { seedDemoWebhooks } from './seed/demo-webhooks.ts';
import { progressBar, SCALE_SLUG, seedScale } from './seed/scale-seed.ts';

export class UsageError extends Error {}

export type CliArgs = Record<string, string | undefined>;

/** Commands that use the database: run by the CLI on its own connection, or inside a running server. */
export const DB_COMMANDS = new Set([
  'migrate',
  'seed',
  'create-admin',
  'create-token',
  'export',
  'rotate-secret',
  'backup',
  'import',
  'analytics',
]);

/**
 * One database command, written to `io`. The same code runs in the CLI process (no server running, or
 * PostgreSQL) and in the server behind its admin socket (embedded database held by the server), so both
 * paths behave alike.
 */
export async function runCommand(
  command: string,
  values: CliArgs,
  ctx: {
    db: Db;
    config: Config;
    log: Logger;
    io: AdminOutput;
    inServer: boolean;
    /** The running server's analytics (admin socket); the CLI builds the app without listeners. */
    analytics?: AnalyticsService;
  },
): Promise<void> {
  const { db, config, log, io } = ctx;
  const applied = await migrate(db);
  switch (command) {
    case 'migrate':
      io.out(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n');
      return;
    case 'seed': {
      if (values.scale !== undefined) {
        const n = Number(values.scale.replace(/_/g, ''));
        if (!Number.isInteger(n) || n < 1) throw new UsageError('--scale needs a positive whole number');
        const progressOut = ctx.inServer
          ? ({ isTTY: false, write: (t: string) => io.err(t) } as unknown as NodeJS.WriteStream)
          : undefined;
        const r = await seedScale(db, {
          tickets: n,
          slug: values.workspace ?? SCALE_SLUG,
          onProgress: progressBar(progressOut),
        });
        io.out(
          `Workspace "${r.slug}": ${r.tickets} tickets, ${r.messages} messages, ${r.contacts} contacts, ${r.orders} orders (${r.seconds.toFixed(0)} s).\n` +
            (r.password ? `Sign in as ${r.email} with password ${r.password}\n` : ''),
        );
        return;
      }
      if (await findWorkspaceBySlug(db, DEMO_SLUG)) {
        io.out('The demo workspace already exists.\n');
        return;
      }
      const r = await seedDemo(db, log, values.password);
      await seedDemoWebhooks(db, config, r.workspaceId);
      await seedDemoImport(db, config, r.workspaceId);
      io.out(`Seeded "Demo Outfitters". Sign in as ${r.email} with password ${r.password}\n`);
      return;
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
      io.out(`Admin ${r.email} created in workspace "${r.workspaceSlug}".\n`);
      return;
    }
    case 'create-token': {
      if (!values.email) throw new UsageError('create-token needs --email');
      const t = await createToken(db, config, log, {
        email: values.email,
        workspace: values.workspace,
        name: values.name ?? 'CLI token',
      });
      io.out(`${t}\n`);
      return;
    }
    case 'export': {
      // --out names a file of the machine both processes run on; the server writes it as the CLI would.
      const file = values.out ? createWriteStream(values.out, { mode: 0o600 }) : null;
      const n = await exportWorkspace(db, values.workspace, (line) =>
        file ? file.write(`${line}\n`) : io.out(`${line}\n`),
      );
      if (file) await new Promise((r) => file.end(r));
      io.err(`Exported ${n} records.\n`);
      return;
    }
    case 'backup': {
      // Embedded: runs inside the server (admin socket), which snapshots its open database.
      if (!values.out) throw new UsageError('backup needs --out DIR (a new directory)');
      const m = await backup(db, config, values.out);
      io.out(
        `Backed up the ${m.kind === 'pglite' ? 'embedded database' : 'PostgreSQL database'} (${m.migrations.length} migrations), ${m.files} files${m.secretKey ? ' and secret.key' : ''} to ${values.out} in ${m.seconds.toFixed(1)} s.\n`,
      );
      return;
    }
    case 'rotate-secret': {
      // SECRET_KEY (the raw setting) is set only when the key comes from the environment; otherwise it
      // lives in the data dir and this command installs the new one there (in a running embedded
      // server too, through its admin socket: the server's config switches to the new ring at once).
      const keyFromEnv = Boolean(config.SECRET_KEY);
      const ring = keyRing(config);
      if (values['drop-previous']) {
        const left = await reencryptStoredSecrets(db, ring, true);
        const n = Object.values(left.rewritten).reduce((a, b) => a + b, 0);
        if (n)
          throw new Error(`${n} stored values still use a previous key; run rotate-secret --reencrypt first`);
        if (keyFromEnv) io.out('Nothing stored needs the previous keys: remove SECRET_KEYS_PREVIOUS.\n');
        else io.out(`Dropped ${(await dropPreviousSecrets(db, config)).dropped} previous key(s).\n`);
        return;
      }
      if (values.reencrypt || keyFromEnv) {
        if (keyFromEnv && !values.reencrypt && !config.previousSecretKeys.length)
          throw new UsageError(
            'SECRET_KEY comes from the environment: set the new key as SECRET_KEY and the old one in SECRET_KEYS_PREVIOUS on every node (rotate-secret --new-key prints one), then run rotate-secret again to re-encrypt',
          );
        io.out(`${reportText(await reencryptStoredSecrets(db, ring))} under key ${ring.currentId}.\n`);
        return;
      }
      const r = await rotateEmbeddedSecret(db, config);
      io.out(
        `New master key ${r.keyId} installed in ${config.dataDir}; previous ${r.previousKeyIds.join(', ')} kept to verify what they signed.\n${reportText(r)}.\n`,
      );
      return;
    }
    case 'import': {
      try {
        await importCommand(values, ctx);
      } catch (err) {
        if (err instanceof ImportUsageError) throw new UsageError(err.message);
        throw err;
      }
      return;
    }
    case 'analytics': {
      if (values.action !== 'rebuild') throw new UsageError('analytics needs an action: analytics rebuild');
      await analyticsRebuild(values, ctx);
      return;
    }
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

/**
 * `analytics rebuild [--workspace slug]`: the set-based rebuild of one workspace's figures (all when no
 * slug), with a progress bar. Needs the metric sources registered by the app, so the CLI builds the app
 * (no workers, no SMTP listener) on its connection; inside a server the running one is used.
 */
async function analyticsRebuild(
  values: CliArgs,
  ctx: {
    db: Db;
    config: Config;
    log: Logger;
    io: AdminOutput;
    inServer: boolean;
    analytics?: AnalyticsService;
  },
) {
  const { db, io } = ctx;
  let built: { services: { analytics: AnalyticsService }; close(): Promise<void> } | null = null;
  let analytics = ctx.analytics;
  if (!analytics) {
    const { buildApp } = await import('./app.ts');
    built = await buildApp(
      { ...ctx.config, EMAIL_SMTP_ENABLED: false },
      { db, workers: false, logger: ctx.log },
    );
    analytics = built.services.analytics;
  }
  try {
    const workspaces = values.workspace
      ? [await findWorkspaceBySlug(db, values.workspace)]
      : await listWorkspaces(db);
    if (workspaces.some((w) => !w)) throw new UsageError(`No workspace "${values.workspace}"`);
    const bar = progressBar(
      ctx.inServer
        ? ({ isTTY: false, write: (t: string) => io.err(t) } as unknown as NodeJS.WriteStream)
        : undefined,
    );
    for (const w of workspaces as { id: number; slug: string }[]) {
      const started = Date.now();
      const r = await analytics.rebuild(w.id, (done, total) =>
        bar({ phase: `analytics ${w.slug}`, done, total }),
      );
      const s = (Date.now() - started) / 1000;
      io.out(
        `Workspace "${w.slug}": ${r.tickets} tickets recomputed in ${s.toFixed(1)} s (${Math.round(r.tickets / Math.max(s, 0.001))} tickets/s).\n`,
      );
    }
  } finally {
    await built?.close();
  }
}

const reportText = (r: ReencryptReport) => {
  const n = Object.values(r.rewritten).reduce((a, b) => a + b, 0);
  return `Re-encrypted ${n} stored credential(s) (${r.current} already current)`;
};
