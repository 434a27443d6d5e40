// `npx shopdesk backup --out DIR` and `restore --from DIR` (docs/operations.md "Back up and restore").
//
// A backup is a directory:
//   manifest.json          what, when, which database kind and migrations
//   pglite.tar.gz          embedded database: a snapshot of its data dir (crash-consistent, see below)
//   database.pgdump        PostgreSQL: pg_dump --format=custom (files stored in the database come with it)
//   files/                 the local file store (embedded database, or FILE_STORE=local)
//   secret.key, secret.key.previous   the master keys, when they live in the data dir
//
// Embedded: the running server takes the snapshot (the CLI reaches it through the admin socket), so no
// stop is needed. PGlite runs one statement at a time; its dumpDataDir copies the data dir between two
// statements, after a CHECKPOINT, and PostgreSQL's WAL recovery at the restored database's first start
// makes it consistent as of the last commit before the copy. Files are content-addressed and written
// before the row that names them commits, so copying them after the database holds every file it names.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Config } from '../../config.ts';
import { PREVIOUS_KEYS_FILE, SECRET_KEY_FILE } from '../security/crypto.ts';
import { type Db, openDb, sql } from './db.ts';

export const BACKUP_FORMAT = 1;

export interface BackupManifest {
  format: number;
  kind: 'pglite' | 'postgres';
  createdAt: string;
  migrations: string[];
  files: number;
  secretKey: boolean;
  seconds: number;
}

const KEY_FILES = [SECRET_KEY_FILE, PREVIOUS_KEYS_FILE];

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    n += e.isDirectory() ? countFiles(join(dir, e.name)) : 1;
  return n;
}

function emptyTarget(dir: string) {
  if (existsSync(dir) && readdirSync(dir).length)
    throw new Error(`${dir} is not empty: back up into a new directory`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

function run(cmd: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', (e) =>
      reject(
        new Error(
          (e as NodeJS.ErrnoException).code === 'ENOENT'
            ? `${cmd} is not installed: ${what} needs the PostgreSQL client tools (apt-get install postgresql-client, the same major version as the server)`
            : e.message,
        ),
      ),
    );
    p.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} failed (exit ${code}): ${err.trim()}`)),
    );
  });
}

/** Writes a backup of the open database `db` (and the data dir's files and keys) into `out`. */
export async function backup(db: Db, config: Config, out: string): Promise<BackupManifest> {
  const started = Date.now();
  emptyTarget(out);
  const migrations = (
    await db.query<{ name: string }>(sql`SELECT name FROM schema_migrations ORDER BY name`)
  ).map((r) => r.name);
  if (db.kind === 'pglite') {
    if (!db.dumpDataDir) throw new Error('this database cannot be snapshotted (in memory?)');
    await db.execScript('CHECKPOINT');
    const tar = Buffer.from(await (await db.dumpDataDir()).arrayBuffer());
    writeFileSync(join(out, 'pglite.tar.gz'), gzipSync(tar, { level: 6 }), { mode: 0o600 });
  } else {
    await run(
      'pg_dump',
      ['--format=custom', '--no-owner', '--file', join(out, 'database.pgdump'), config.DATABASE_URL!],
      'a PostgreSQL backup',
    );
  }
  const files = join(config.dataDir, 'files');
  if (existsSync(files)) cpSync(files, join(out, 'files'), { recursive: true });
  let secretKey = false;
  for (const f of KEY_FILES) {
    const path = join(config.dataDir, f);
    if (!existsSync(path)) continue;
    cpSync(path, join(out, f));
    if (f === SECRET_KEY_FILE) secretKey = true;
  }
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    kind: db.kind,
    createdAt: new Date(started).toISOString(),
    migrations,
    files: countFiles(join(out, 'files')),
    secretKey,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

export function readManifest(from: string): BackupManifest {
  const path = join(from, 'manifest.json');
  if (!existsSync(path)) throw new Error(`${from} is not a Shopdesk backup (no manifest.json)`);
  const m = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest;
  if (m.format !== BACKUP_FORMAT) throw new Error(`${from}: backup format ${m.format} is not supported here`);
  return m;
}

/**
 * Restores a backup into the configured database, which must be empty: a fresh data dir for the
 * embedded database, an empty PostgreSQL database for DATABASE_URL. Run it with the server stopped.
 */
export async function restore(config: Config, from: string): Promise<BackupManifest> {
  const m = readManifest(from);
  const wantKind = config.DATABASE_URL ? 'postgres' : 'pglite';
  if (m.kind !== wantKind)
    throw new Error(
      `this backup is of the ${m.kind === 'pglite' ? 'embedded database' : 'PostgreSQL database'}; ${
        m.kind === 'pglite'
          ? 'unset DATABASE_URL to restore it into a data dir'
          : 'set DATABASE_URL to an empty database'
      }`,
    );
  if (m.kind === 'pglite') {
    if (existsSync(join(config.dataDir, 'pglite', 'PG_VERSION')))
      throw new Error(
        `${config.dataDir} already holds a database: restore into a new, empty SHOPDESK_DATA_DIR (move the old one aside first)`,
      );
    const tar = gunzipSync(readFileSync(join(from, 'pglite.tar.gz')));
    // Opening with loadDataDir unpacks the snapshot into the data dir (and takes the data dir's lock).
    const db = await openDb({
      dataDir: config.dataDir,
      loadDataDir: new Blob([tar]),
      lockRole: 'shopdesk restore',
    });
    await db.close();
  } else {
    const db = await openDb({ databaseUrl: config.DATABASE_URL });
    try {
      const used = await db.one(
        sql`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'schema_migrations'`,
      );
      if (used) throw new Error('DATABASE_URL is not empty: restore into a new, empty database');
    } finally {
      await db.close();
    }
    await run(
      'pg_restore',
      ['--no-owner', '--exit-on-error', '--dbname', config.DATABASE_URL!, join(from, 'database.pgdump')],
      'a PostgreSQL restore',
    );
  }
  mkdirSync(config.dataDir, { recursive: true });
  if (existsSync(join(from, 'files')))
    cpSync(join(from, 'files'), join(config.dataDir, 'files'), { recursive: true });
  for (const f of KEY_FILES) {
    const src = join(from, f);
    const dst = join(config.dataDir, f);
    if (!existsSync(src)) continue;
    if (existsSync(dst) && readFileSync(dst, 'utf8') !== readFileSync(src, 'utf8'))
      throw new Error(`${dst} differs from the backup's: move it aside (the backup's key decrypts its data)`);
    cpSync(src, dst);
  }
  return m;
}
