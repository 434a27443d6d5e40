import { appendFileSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openDb, sql } from '../src/platform/db/db.ts';
import {
  listMigrations,
  MigrationChangedError,
  migrate,
  migrationsDir,
  pendingMigrations,
} from '../src/platform/db/migrate.ts';
import { freshDatabaseUrl } from './harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freshDb(): Promise<{ db: Db; url: string | undefined }> {
  const fresh = await freshDatabaseUrl();
  const db = await openDb(fresh.url ? { databaseUrl: fresh.url } : { memory: true });
  cleanups.push(fresh.drop, () => db.close());
  return { db, url: fresh.url };
}

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'shopdesk-migrations-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// The release before this one shipped the migrations below 0800 (0800_toast_lz4.sql and later are new).
const FIRST_OF_THIS_RELEASE = '0800';

describe('migrations on a live desk', { timeout: 180_000 }, () => {
  it("upgrades a database made by the previous release's schema, keeping its data", async () => {
    const { db } = await freshDb();
    const old = dirWith({});
    for (const f of listMigrations().filter((f) => f < FIRST_OF_THIS_RELEASE))
      copyFileSync(join(migrationsDir, f), join(old, f));
    await migrate(db, old);
    // That release recorded no checksums.
    await db.query(sql`ALTER TABLE schema_migrations DROP COLUMN checksum`);
    const [ws] = await db.query<{ id: number }>(
      sql`INSERT INTO workspaces (name, slug) VALUES ('Old Shop', 'old-shop') RETURNING id`,
    );
    const [contact] = await db.query<{ id: number }>(
      sql`INSERT INTO contacts (workspace_id, name, email) VALUES (${ws!.id}, 'Ann', 'ann@old.test') RETURNING id`,
    );
    for (let i = 0; i < 5; i++) {
      const [t] = await db.query<{ id: number }>(
        sql`INSERT INTO tickets (workspace_id, subject, channel, contact_id) VALUES (${ws!.id}, ${`Parcel ${i}`}, 'email', ${contact!.id}) RETURNING id`,
      );
      await db.query(
        sql`INSERT INTO messages (workspace_id, ticket_id, kind, channel, author_contact_id, body_text) VALUES (${ws!.id}, ${t!.id}, 'inbound', 'email', ${contact!.id}, ${`Where is parcel ${i}?`})`,
      );
    }

    const applied = await migrate(db);
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.every((f) => f >= FIRST_OF_THIS_RELEASE)).toBe(true);
    expect(await pendingMigrations(db)).toEqual([]);
    const tickets = await db.query<{ subject: string; body: string }>(
      sql`SELECT t.subject, m.body_text AS body FROM tickets t JOIN messages m ON m.ticket_id = t.id
          WHERE t.workspace_id = ${ws!.id} ORDER BY t.id`,
    );
    expect(tickets.map((t) => t.subject)).toEqual([
      'Parcel 0',
      'Parcel 1',
      'Parcel 2',
      'Parcel 3',
      'Parcel 4',
    ]);
    expect(tickets[4]!.body).toBe('Where is parcel 4?');
    // The upgrade's first start recorded a checksum for every migration, old ones included.
    const missing = await db.query(sql`SELECT name FROM schema_migrations WHERE checksum IS NULL`);
    expect(missing).toEqual([]);
    // A second start has nothing to do.
    expect(await migrate(db)).toEqual([]);
  });

  it('stops with a clear error naming the file when an applied migration was edited', async () => {
    const { db } = await freshDb();
    const dir = dirWith({
      '0001_shop.sql': 'CREATE TABLE shop_things (id int PRIMARY KEY);\n',
      '0002_more.sql': 'ALTER TABLE shop_things ADD COLUMN name text;\n',
    });
    expect(await migrate(db, dir)).toEqual(['0001_shop.sql', '0002_more.sql']);
    // Line endings alone are no change.
    writeFileSync(join(dir, '0002_more.sql'), 'ALTER TABLE shop_things ADD COLUMN name text;\r\n');
    expect(await migrate(db, dir)).toEqual([]);
    appendFileSync(join(dir, '0001_shop.sql'), 'CREATE INDEX shop_things_id ON shop_things (id);\n');
    writeFileSync(join(dir, '0003_new.sql'), 'ALTER TABLE shop_things ADD COLUMN extra text;\n');
    const err = await migrate(db, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationChangedError);
    expect(String(err)).toMatch(/Migration 0001_shop\.sql was changed after it was applied/);
    expect(String(err)).toMatch(/put the change in a new migration/);
    // Nothing after it ran.
    expect(await pendingMigrations(db, dir)).toEqual(['0003_new.sql']);
  });

  it('runs a no-transaction migration (CREATE INDEX CONCURRENTLY) between ordinary ones, once across nodes', async () => {
    const { db, url } = await freshDb();
    const dir = dirWith({
      '0001_orders.sql':
        "CREATE TABLE big_orders (id int PRIMARY KEY, email text);\nINSERT INTO big_orders SELECT g, g::text || '@x.test' FROM generate_series(1, 2000) g;\n",
      '0002_orders_email.sql': [
        '-- shopdesk:no-transaction',
        '-- A failed earlier attempt leaves an INVALID index behind: drop it first.',
        'DROP INDEX CONCURRENTLY IF EXISTS big_orders_email;',
        'CREATE INDEX CONCURRENTLY big_orders_email ON big_orders (email);',
        '',
      ].join('\n'),
      '0003_orders_note.sql': 'ALTER TABLE big_orders ADD COLUMN note text;\n',
    });
    // Two nodes starting at once on PostgreSQL; the embedded database has one process.
    const other = url ? await openDb({ databaseUrl: url }) : null;
    if (other) cleanups.push(() => other.close());
    const results = await Promise.all([migrate(db, dir), ...(other ? [migrate(other, dir)] : [])]);
    expect(results.flat().sort()).toEqual([
      '0001_orders.sql',
      '0002_orders_email.sql',
      '0003_orders_note.sql',
    ]);
    const idx = await db.query<{ valid: boolean }>(
      sql`SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'big_orders_email'`,
    );
    expect(idx).toEqual([{ valid: true }]);
    expect(await pendingMigrations(db, dir)).toEqual([]);
  });
});
