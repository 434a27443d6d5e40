import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb, sql } from './db.ts';
import { analyzeChangedTables } from './statistics.ts';

// The embedded database has no autovacuum: without the keeper a table filled after start never gets
// statistics, and the planner guesses (reltuples -1 / 0) — the SLA query then read whole workspaces.
describe('statistics keeper on the embedded database', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ memory: true });
    await db.execScript('CREATE TABLE filled (id int PRIMARY KEY, v text); CREATE TABLE quiet (id int);');
    await db.execScript('ANALYZE');
  });
  afterAll(() => db.close());

  const estimate = async (table: string) =>
    (await db.one<{ n: number }>(sql`SELECT reltuples::int AS n FROM pg_class WHERE relname = ${table}`))!.n;

  it('analyses the tables whose rows changed by more than autovacuum would tolerate, and only those', async () => {
    await db.execScript(
      'INSERT INTO filled SELECT g, g::text FROM generate_series(1, 5000) g; INSERT INTO quiet VALUES (1);',
    );
    expect(await estimate('filled')).toBeLessThanOrEqual(0);
    // PostgreSQL flushes its change counters at most once a second.
    let analysed: string[] = [];
    for (let i = 0; i < 30 && !analysed.includes('filled'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      await db.query(sql`SELECT 1`);
      analysed = await analyzeChangedTables(db);
    }
    expect(analysed).toContain('filled');
    expect(analysed).not.toContain('quiet');
    expect(await estimate('filled')).toBe(5000);
    expect(await analyzeChangedTables(db)).not.toContain('filled');
  });
});
