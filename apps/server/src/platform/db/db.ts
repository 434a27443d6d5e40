import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql as drizzleSql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';

export type { SQL };

/**
 * drizzle's `sql` template, except that a JS array is bound as one array parameter (for
 * `= ANY(${ids})`, `text[]` columns) instead of being spread into a list.
 */
export const sql = Object.assign(
  (strings: TemplateStringsArray, ...values: unknown[]): SQL =>
    drizzleSql(strings, ...values.map((v) => (Array.isArray(v) ? drizzleSql.param(v) : v))),
  {
    raw: drizzleSql.raw,
    join: drizzleSql.join,
    identifier: drizzleSql.identifier,
    param: drizzleSql.param,
    empty: drizzleSql.empty,
  },
);

// int8 and numeric come back as JS numbers: ids and counts stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));
pg.types.setTypeParser(1016 as never, pg.types.getTypeParser(1007 as never));

export type DbKind = 'pglite' | 'postgres';

/** The narrow database surface every repository uses; both engines speak the same SQL. */
export interface Db {
  readonly kind: DbKind;
  query<T = Record<string, unknown>>(q: SQL): Promise<T[]>;
  one<T = Record<string, unknown>>(q: SQL): Promise<T | undefined>;
  /** Runs a multi-statement SQL script (migrations). */
  execScript(text: string): Promise<void>;
  /** Runs fn in one transaction; nested calls reuse the outer transaction. */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Subscribe to a NOTIFY channel (PostgreSQL: dedicated connection). Returns an unsubscribe. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  /** Several NOTIFYs in one statement, delivered in array order. */
  notifyMany(channel: string, payloads: string[]): Promise<void>;
  close(): Promise<void>;
  /** Embedded only: the whole data dir as a tarball (a migrated template for tests). */
  dumpDataDir?(): Promise<Blob>;
  /** Embedded with a data dir: this process's lock on it (a server adds its URL and admin socket). */
  lock?: DataDirLock;
}

const dialect = new PgDialect();

// A function scan returns the array's elements in order, so the notifications go out in that order.
const NOTIFY_MANY = 'SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p';

/** Minimal driver surface shared by a pg client/pool and PGlite (or a PGlite transaction). */
type Runner = {
  query: (text: string, params: unknown[]) => Promise<{ rows: unknown[] }>;
  exec: (text: string) => Promise<unknown>;
};

function wrap(
  kind: DbKind,
  run: Runner,
  begin: (<T>(fn: (r: Runner) => Promise<T>) => Promise<T>) | undefined,
  extra: Pick<Db, 'listen' | 'notify' | 'notifyMany' | 'close' | 'dumpDataDir' | 'lock'>,
): Db {
  const db: Db = {
    kind,
    async query<T>(q: SQL) {
      const { sql: text, params } = dialect.sqlToQuery(q);
      return (await run.query(text, params)).rows as T[];
    },
    async one<T>(q: SQL) {
      const { sql: text, params } = dialect.sqlToQuery(q);
      return (await run.query(text, params)).rows[0] as T | undefined;
    },
    execScript(text: string) {
      return run.exec(text).then(() => undefined);
    },
    tx<T>(fn: (d: Db) => Promise<T>) {
      if (!begin) return fn(db);
      return begin((r) => fn(wrap(kind, r, undefined, extra)));
    },
    ...extra,
  };
  return db;
}

export interface OpenDbOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** In-memory PGlite (tests). */
  memory?: boolean;
  /** Start the embedded database from a data-dir tarball made by `dumpDataDir` (test templates). */
  loadDataDir?: Blob;
  poolSize?: number;
  sharedBuffers?: string;
  /** Embedded only: who holds the data dir's lock ("server", or the CLI command), named in the refusal. */
  lockRole?: string;
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10);
  return openPglite(opts);
}

/**
 * Starts a statement that PostgreSQL must plan for its values every time instead of reusing a generic
 * plan: one whose best plan depends on a LIMIT or on skewed data (the job claim, planned generically,
 * scanned and sorted the whole backlog).
 */
const PLAN_EACH_TIME = '/* plan each time */';
export const planEachTime = drizzleSql.raw(`${PLAN_EACH_TIME} `);

/**
 * Named (prepared) statements: PostgreSQL parses and analyses each SQL text once per connection instead
 * of on every call, and after a few runs reuses a generic plan when it costs no more than planning
 * afresh (PostgreSQL's `plan_cache_mode = auto`). On the ingest path parsing and planning were a
 * quarter of the database's CPU. The texts come from code (values are always parameters), so there are
 * a few hundred; the cap keeps an unexpected source of shapes (multi-row VALUES of every length) from
 * filling each connection.
 */
const statementNames = new Map<string, string>();
let statementSeq = 0;
function prepared(text: string, values: unknown[]): pg.QueryConfig {
  if (text.startsWith(PLAN_EACH_TIME)) return { text, values };
  let name = statementNames.get(text);
  if (!name && statementNames.size < 2000) {
    name = `sd${++statementSeq}`;
    statementNames.set(text, name);
  }
  return name ? { name, text, values } : { text, values };
}
async function runPrepared(q: pg.Pool | pg.PoolClient, text: string, values: unknown[]) {
  try {
    return await q.query(prepared(text, values));
  } catch (err) {
    // A migration changed a table under a prepared SELECT (a rolling upgrade): prepare it afresh.
    if ((err as { code?: string }).code === '0A000' && statementNames.has(text)) {
      statementNames.set(text, `sd${++statementSeq}`);
      if ('totalCount' in q) return q.query(prepared(text, values));
    }
    throw err;
  }
}

async function openPostgres(url: string, max: number): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const runner: Runner = {
    query: (text, params) => runPrepared(pool, text, params),
    exec: (text) => pool.query(text),
  };
  const begin = async <T>(fn: (r: Runner) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn({ query: (t, p) => runPrepared(client, t, p), exec: (t) => client.query(t) });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  };
  let listener: pg.Client | undefined;
  const handlers = new Map<string, Set<(p: string) => void>>();
  return wrap('postgres', runner, begin, {
    async listen(channel, onPayload) {
      if (!listener) {
        listener = new pg.Client({ connectionString: url });
        listener.on('error', () => {});
        await listener.connect();
        listener.on('notification', (n) => {
          for (const h of handlers.get(n.channel) ?? []) h(n.payload ?? '');
        });
      }
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await listener.query(`LISTEN "${channel.replace(/"/g, '')}"`);
      }
      set.add(onPayload);
      return async () => {
        set.delete(onPayload);
      };
    },
    async notify(channel, payload) {
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async notifyMany(channel, payloads) {
      if (payloads.length === 1) await pool.query('SELECT pg_notify($1, $2)', [channel, payloads[0]]);
      else if (payloads.length) await pool.query(NOTIFY_MANY, [channel, payloads]);
    },
    async close() {
      await listener?.end().catch(() => {});
      await pool.end();
    },
  });
}

async function openPglite(opts: OpenDbOptions): Promise<Db> {
  let dir: string | undefined;
  let lock: DataDirLock | undefined;
  if (!opts.memory && opts.dataDir) {
    dir = join(opts.dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    // Before PGlite touches the files: a second process must never open a directory another one holds.
    lock = lockDataDir(opts.dataDir, opts.lockRole ?? 'server');
  }
  let client: PGlite;
  try {
    client = await PGlite.create(dir ?? 'memory://', {
      loadDataDir: opts.loadDataDir,
      extensions: { pg_trgm },
      postgresqlconf: [`shared_buffers=${opts.sharedBuffers ?? '16MB'}`],
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
  const runner: Runner = { query: (t, p) => client.query(t, p), exec: (t) => client.exec(t) };
  const begin = <T>(fn: (r: Runner) => Promise<T>): Promise<T> =>
    client.transaction((tx) => fn({ query: (t, p) => tx.query(t, p), exec: (t) => tx.exec(t) }));
  return wrap('pglite', runner, begin, {
    // One process owns a PGlite database, so the in-process bus already reaches every listener.
    async listen(channel, onPayload) {
      return client.listen(channel, onPayload);
    },
    async notify(channel, payload) {
      await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async notifyMany(channel, payloads) {
      if (payloads.length) await client.query(NOTIFY_MANY, [channel, payloads]);
    },
    async close() {
      await client.close();
      lock?.release();
    },
    lock,
    async dumpDataDir() {
      return (await client.dumpDataDir('none')) as Blob;
    },
  });
}
