import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverRoot } from '../paths.ts';
import { type Db, sql } from './db.ts';

export const migrationsDir = join(serverRoot, 'migrations');

// Any fixed number works; it only has to be the same on every node.
const LOCK_KEY = 724_201_101;

/** First-line marker of a migration that must run outside a transaction (CREATE INDEX CONCURRENTLY). */
export const NO_TRANSACTION = '-- shopdesk:no-transaction';

export function listMigrations(dir = migrationsDir): string[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_-]+\.sql$/.test(f))
    .sort();
}

/** An applied migration's file no longer matches what was applied: the schema would silently differ. */
export class MigrationChangedError extends Error {
  constructor(readonly file: string) {
    super(
      `Migration ${file} was changed after it was applied to this database (its checksum differs). ` +
        'A released migration must never be edited: restore the released version of the file and put the ' +
        'change in a new migration (docs/operations.md, "Migrations").',
    );
  }
}

// Line endings do not change what a migration does (a checkout on Windows must not stop the start).
const checksum = (text: string) => createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');

/**
 * The statements of a no-transaction migration, each sent alone: PostgreSQL runs a multi-statement
 * query string as one implicit transaction, which CREATE INDEX CONCURRENTLY refuses. Such files hold
 * plain DDL, one statement ending in `;` at the end of a line (no functions with bodies).
 */
function statements(text: string): string[] {
  return text
    .split(/;[ \t]*(?:--[^\n]*)?\r?\n|;[ \t]*$/)
    .map((s) => s.replace(/^\s*--[^\n]*\n/gm, '').trim())
    .filter(Boolean);
}

/**
 * Applies pending SQL migrations in order. Safe with several nodes starting at once: one node applies,
 * the others wait on an advisory lock. Ordinary migrations run together in one transaction; a
 * no-transaction one runs alone between them, its statements one by one.
 */
export async function migrate(db: Db, dir = migrationsDir): Promise<string[]> {
  const applied: string[] = [];
  for (;;) {
    const next = await locked(db, async (tx) => {
      const done = await appliedChecksums(tx, dir);
      for (const file of listMigrations(dir)) {
        if (done.has(file)) continue;
        const text = readFileSync(join(dir, file), 'utf8');
        if (text.startsWith(NO_TRANSACTION)) return { file, text };
        await tx.execScript(text);
        await tx.query(
          sql`INSERT INTO schema_migrations (name, checksum) VALUES (${file}, ${checksum(text)})`,
        );
        applied.push(file);
      }
      return null;
    });
    if (!next) return applied;
    await applyOutsideTransaction(db, next.file, next.text);
    applied.push(next.file);
  }
}

/**
 * Runs fn in a transaction holding the migration lock. Waiting nodes poll with a try-lock instead of
 * blocking in pg_advisory_xact_lock: a blocked statement keeps a snapshot open, and CREATE INDEX
 * CONCURRENTLY on the lock holder would wait for that snapshot forever (a deadlock PostgreSQL cannot see).
 */
async function locked<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  for (;;) {
    const r = await db.tx(async (tx) => {
      const got = await tx.one<{ ok: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${LOCK_KEY}) AS ok`);
      return got?.ok ? { value: await fn(tx) } : null;
    });
    if (r) return r.value;
    await new Promise((res) => setTimeout(res, 100 + Math.random() * 100));
  }
}

/**
 * The recorded checksums, after checking every applied file against its own. A database migrated
 * before checksums existed gets them recorded now, from the files as they are (the upgrade's first start).
 */
async function appliedChecksums(tx: Db, dir: string): Promise<Set<string>> {
  await tx.query(
    sql`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  await tx.query(sql`ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text`);
  const rows = await tx.query<{ name: string; checksum: string | null }>(
    sql`SELECT name, checksum FROM schema_migrations`,
  );
  const files = new Set(listMigrations(dir));
  for (const row of rows) {
    if (!files.has(row.name)) continue; // a squashed or renamed old file: nothing to compare
    const sum = checksum(readFileSync(join(dir, row.name), 'utf8'));
    if (row.checksum === null)
      await tx.query(sql`UPDATE schema_migrations SET checksum = ${sum} WHERE name = ${row.name}`);
    else if (row.checksum !== sum) throw new MigrationChangedError(row.name);
  }
  return new Set(rows.map((r) => r.name));
}

async function applyOutsideTransaction(db: Db, file: string, text: string): Promise<void> {
  if (db.kind === 'pglite') {
    // One process owns the embedded database: nobody to race, and no transaction to stay out of.
    for (const s of statements(text)) await db.execScript(s);
    await db.query(sql`INSERT INTO schema_migrations (name, checksum) VALUES (${file}, ${checksum(text)})`);
    return;
  }
  // One pinned connection, taken out of the transaction db.tx opened on it, holds the migration lock
  // as a session lock and runs the statements: no other transaction of ours stays open meanwhile (an
  // idle one keeps a snapshot, which CREATE INDEX CONCURRENTLY would wait for forever).
  await db.tx(async (conn) => {
    await conn.execScript('COMMIT');
    for (;;) {
      const got = await conn.one<{ ok: boolean }>(sql`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS ok`);
      if (got?.ok) break;
      await new Promise((res) => setTimeout(res, 100 + Math.random() * 100));
    }
    try {
      const again = await conn.one(sql`SELECT 1 AS x FROM schema_migrations WHERE name = ${file}`);
      if (again) return; // another node applied it while this one waited
      for (const s of statements(text)) await conn.execScript(s);
      await conn.query(
        sql`INSERT INTO schema_migrations (name, checksum) VALUES (${file}, ${checksum(text)})`,
      );
    } finally {
      await conn.query(sql`SELECT pg_advisory_unlock(${LOCK_KEY})`);
      // db.tx ends with COMMIT: give it a transaction to end.
      await conn.execScript('BEGIN');
    }
  });
}

export async function pendingMigrations(db: Db, dir = migrationsDir): Promise<string[]> {
  const exists = await db.one<{ t: string | null }>(sql`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!exists?.t) return listMigrations(dir);
  const done = new Set(
    (await db.query<{ name: string }>(sql`SELECT name FROM schema_migrations`)).map((r) => r.name),
  );
  return listMigrations(dir).filter((f) => !done.has(f));
}
