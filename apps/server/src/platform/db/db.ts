import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql as drizzleSql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { backOff } from 'exponential-backoff';
import pg from 'pg';
import type { Logger } from 'pino';
import { tracer } from '../tracing.ts';
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
  /**
   * Why notifications are not arriving (the LISTEN connection dropped and is being re-established),
   * or null when they are. Always null on the embedded database.
   */
  listenProblem(): string | null;
  /** Runs fn each time a dropped LISTEN connection is back: notifications sent meanwhile were missed. */
  onListenResumed(fn: () => void): void;
  close(): Promise<void>;
  /** Embedded only: the whole data dir as a tarball (a migrated template for tests). */
  dumpDataDir?(): Promise<Blob>;
  /** Embedded with a data dir: this process's lock on it (a server adds its URL and admin socket). */
  lock?: DataDirLock;
}

const dialect = new PgDialect();

/**
 * Statements this process has sent to a database (transaction BEGIN/COMMIT included): benchmarks
 * report statements per request, a figure that does not move with the machine's load.
 */
let statements = 0;
export const statementCount = () => statements;
/** Test/bench hook: sees every statement's text. */
let statementTap: ((text: string) => void) | undefined;
export const tapStatements = (fn: ((text: string) => void) | undefined) => {
  statementTap = fn;
};

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
  extra: Pick<
    Db,
    | 'listen'
    | 'notify'
    | 'notifyMany'
    | 'listenProblem'
    | 'onListenResumed'
    | 'close'
    | 'dumpDataDir'
    | 'lock'
  >,
): Db {
  const db: Db = {
    kind,
    async query<T>(q: SQL) {
      const { sql: text, params } = dialect.sqlToQuery(q);
      statements++;
      statementTap?.(text);
      const t = tracer();
      const result = t
        ? await t.db(text, kind, () => run.query(text, params))
        : await run.query(text, params);
      return result.rows as T[];
    },
    async one<T>(q: SQL) {
      const { sql: text, params } = dialect.sqlToQuery(q);
      statements++;
      statementTap?.(text);
      const t = tracer();
      const result = t
        ? await t.db(text, kind, () => run.query(text, params))
        : await run.query(text, params);
      return result.rows[0] as T | undefined;
    },
    execScript(text: string) {
      statements++;
      statementTap?.(text);
      return run.exec(text).then(() => undefined);
    },
    tx<T>(fn: (d: Db) => Promise<T>) {
      if (!begin) return fn(db);
      statements += 2;
      statementTap?.('BEGIN');
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
  /** Where dropped connections and LISTEN reconnects are reported (PostgreSQL). */
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10, opts.log);
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

// SQLSTATEs and socket errors that mean "the database is not reachable right now", not "this request
// is wrong": admin/crash shutdown, cannot connect now, connection exceptions, too many connections.
const CONNECTION_SQLSTATES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
]);
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** True for an error that says the database connection failed or dropped (retry later), not a bad query. */
export function isConnectionError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string' && (CONNECTION_SQLSTATES.has(e.code) || CONNECTION_ERRNOS.has(e.code)))
    return true;
  return (
    typeof e.message === 'string' &&
    /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(
      e.message,
    )
  );
}

async function openPostgres(url: string, max: number, log: OpenDbOptions['log']): Promise<Db> {
  // A bounded wait for a connection (or a free pool slot) so an unreachable server fails requests with a
  // 503 instead of holding them forever; keep-alive notices a peer that vanished without a FIN.
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 30_000, keepAlive: true });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => log?.warn({ err }, 'an idle database connection dropped; the pool replaces it'));
  // Every connection keeps a listener of its own: the pool's come and go as it hands a connection from
  // one caller to the next, and a FATAL (pg_terminate_backend) arriving in that gap was an unhandled
  // 'error' event that ended the process. The query in flight still rejects, and the pool drops the client.
  pool.on('connect', (client) =>
    client.on('error', (err) =>
      log?.info({ err }, 'a database connection failed; the query it ran fails on its own'),
    ),
  );
  const runner: Runner = {
    query: (text, params) => runPrepared(pool, text, params),
    exec: (text) => pool.query(text),
  };
  const begin = async <T>(fn: (r: Runner) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    // A checked-out client has no listener of the pool's: without one, a connection that drops mid-
    // transaction (a server restart, pg_terminate_backend) is an unhandled 'error' event that ends the
    // process. The query in flight rejects on its own; the broken client is discarded, not reused.
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
      log?.warn({ err }, 'database connection dropped during a transaction');
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn({ query: (t, p) => runPrepared(client, t, p), exec: (t) => client.query(t) });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (!broken && isConnectionError(err)) broken = err as Error;
      if (!broken) await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  };

  // Notifications arrive on one dedicated connection. When it drops, it is re-established with
  // exponential backoff (full jitter, capped at 10 s) and every channel is listened to again;
  // meanwhile `listenProblem()` says so (`/api/ready` answers 503) and notifications are missed, which
  // `onListenResumed` hooks make good (caches drop what they hold).
  let listener: pg.Client | undefined;
  let problem: string | null = null;
  let reconnecting = false;
  let closing = false;
  const handlers = new Map<string, Set<(p: string) => void>>();
  const resumedHooks = new Set<() => void>();
  const quoteChannel = (channel: string) => `LISTEN "${channel.replace(/"/g, '')}"`;

  async function connectListener(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: url, keepAlive: true, application_name: 'shopdesk-listen' });
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, new Error('the connection ended')));
    try {
      await c.connect();
      c.on('notification', (n) => {
        for (const h of handlers.get(n.channel) ?? []) h(n.payload ?? '');
      });
      for (const channel of handlers.keys()) await c.query(quoteChannel(channel));
      return c;
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
  }
  function lost(c: pg.Client, err: Error) {
    if (c !== listener || closing) return;
    listener = undefined;
    problem = `LISTEN connection lost (${err.message}); reconnecting`;
    log?.error({ err }, 'the LISTEN connection dropped: cross-node events stop until it is back');
    void c.end().catch(() => {});
    reconnect();
  }
  function reconnect() {
    if (reconnecting) return;
    reconnecting = true;
    backOff(
      async () => {
        if (closing) return;
        const c = await connectListener();
        if (closing) {
          await c.end().catch(() => {});
          return;
        }
        listener = c;
        problem = null;
        log?.info('the LISTEN connection is back: cross-node events resume');
        for (const fn of resumedHooks) fn();
      },
      {
        numOfAttempts: Number.POSITIVE_INFINITY,
        startingDelay: 200,
        timeMultiple: 2,
        maxDelay: 10_000,
        jitter: 'full',
        delayFirstAttempt: true,
        retry: (err: Error, attempt) => {
          if (closing) return false;
          problem = `LISTEN connection lost; reconnect attempt ${attempt} failed (${err.message})`;
          log?.warn({ err, attempt }, 'reconnecting the LISTEN connection failed; retrying');
          return true;
        },
      },
    )
      .catch(() => {})
      .finally(() => {
        reconnecting = false;
      });
  }

  return wrap('postgres', runner, begin, {
    async listen(channel, onPayload) {
      let set = handlers.get(channel);
      const isNew = !set;
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
      }
      set.add(onPayload);
      // While reconnecting, the new channel is listened to once the connection is back.
      if (!listener && !reconnecting) {
        try {
          listener = await connectListener();
        } catch (err) {
          handlers.get(channel)?.delete(onPayload);
          if (isNew) handlers.delete(channel);
          throw err;
        }
      } else if (listener && isNew) await listener.query(quoteChannel(channel));
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
    listenProblem: () => problem,
    onListenResumed(fn) {
      resumedHooks.add(fn);
    },
    async close() {
      closing = true;
      const c = listener;
      listener = undefined;
      await c?.end().catch(() => {});
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
    listenProblem: () => null,
    onListenResumed() {},
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
