import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverRoot } from '../paths.ts';
import { type Db, sql } from './db.ts';

export const migrationsDir = join(serverRoot, 'migrations');

// Any fixed number works; it only has to be the same on every node.
const LOCK_KEY = 724_201_101;

export function listMigrations(dir = migrationsDir): string[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_-]+\.sql$/.test(f))
    .sort();
}

/** Applies pending SQL migrations in order. Safe with several nodes starting at once. */
export async function migrate(db: Db, dir = migrationsDir): Promise<string[]> {
  const applied: string[] = [];
  await db.tx(async (tx) => {
    await tx.query(sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
    await tx.query(
      sql`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await tx.query<{ name: string }>(sql`SELECT name FROM schema_migrations`)).map((r) => r.name),
    );
    for (const file of listMigrations(dir)) {
      if (done.has(file)) continue;
      await tx.execScript(readFileSync(join(dir, file), 'utf8'));
      await tx.query(sql`INSERT INTO schema_migrations (name) VALUES (${file})`);
      applied.push(file);
    }
  });
  return applied;
}

export async function pendingMigrations(db: Db, dir = migrationsDir): Promise<string[]> {
  const exists = await db.one<{ t: string | null }>(sql`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!exists?.t) return listMigrations(dir);
  const done = new Set(
    (await db.query<{ name: string }>(sql`SELECT name FROM schema_migrations`)).map((r) => r.name),
  );
  return listMigrations(dir).filter((f) => !done.has(f));
}
