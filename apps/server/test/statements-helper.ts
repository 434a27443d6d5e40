import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db, SQL } from '../src/platform/db/db.ts';

// Counts the statements a piece of work sends (settings-cache and ingest tests).

const dialect = new PgDialect();

/** Pool statements whose text matches `re` while `fn` runs (listeners read outside transactions). */
export async function statements(db: Db, re: RegExp, fn: () => Promise<unknown>) {
  const seen: string[] = [];
  const { query, one } = db;
  const note = (q: SQL) => {
    const text = dialect.sqlToQuery(q).sql;
    if (re.test(text)) seen.push(text);
  };
  db.query = ((q: SQL) => {
    note(q);
    return query.call(db, q);
  }) as typeof query;
  db.one = ((q: SQL) => {
    note(q);
    return one.call(db, q);
  }) as typeof one;
  try {
    await fn();
  } finally {
    db.query = query;
    db.one = one;
  }
  return seen;
}
