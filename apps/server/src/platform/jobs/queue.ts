import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { type Db, planEachTime, type SQL, sql } from '../db/db.ts';
import { tracer } from '../tracing.ts';

export interface EnqueueOptions {
  workspaceId?: number | null;
  runAt?: Date;
  /** A job with the same key is enqueued at most once (idempotent producers). */
  uniqueKey?: string;
  maxAttempts?: number;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
  handler: (
    payload: z.output<S>,
    ctx: { jobId: number; attempt: number; maxAttempts: number; workspaceId: number | null },
  ) => Promise<void>;
  /** Seconds a claim is held before another worker may take the job over. */
  leaseSeconds?: number;
  /**
   * Delete this job's finished rows once they are this many ms old (checked every 10 minutes by a
   * running worker). For jobs enqueued per event that nothing reads back once done.
   */
  keepDoneForMs?: number;
}

export const defineJob = <S extends z.ZodType>(def: JobDefinition<S>) => def;

/** Thrown by a handler when retrying cannot help (a refused address, a 4xx): the job fails at once. */
export class PermanentJobError extends Error {}

type JobRow = {
  id: number;
  name: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  workspace_id: number | null;
};

/** How long a busy worker waits after a job ends before claiming, so several finished jobs share a claim. */
const BUSY_CLAIM_DELAY_MS = 5;

/**
 * Exponential backoff (2 s, 4 s, 8 s … up to one hour) with jitter: each delay is drawn between the
 * step and 1.5 times it, so jobs that failed together (a provider outage) do not all retry in the same
 * second and fail together again. Upwards only: a retry never comes sooner than the plain step.
 */
export const backoffSeconds = (attempt: number) => {
  const step = Math.min(2400, 2 ** attempt); // ×1.5 at most: never more than an hour
  return Math.round(step * (1 + Math.random() / 2) * 1000) / 1000;
};

/**
 * The INSERT that enqueues a job, for a repository to run as a CTE of its own statement (a change and the
 * job it calls for in one round trip). Returns the job's id, nothing when the unique key was taken.
 */
export const jobInsert = (name: string, payload: unknown, opts: EnqueueOptions = {}): SQL => sql`
    INSERT INTO jobs (name, payload, workspace_id, run_at, unique_key, max_attempts)
    VALUES (${name}, ${JSON.stringify(payload)}::jsonb, ${opts.workspaceId ?? null}, ${(opts.runAt ?? new Date()).toISOString()},
            ${opts.uniqueKey ?? null}, ${opts.maxAttempts ?? 8})
    ON CONFLICT (unique_key) DO NOTHING
    RETURNING id`;

export async function enqueue(
  db: Db,
  name: string,
  payload: unknown,
  opts: EnqueueOptions = {},
): Promise<number | null> {
  const row = await db.one<{ id: number }>(jobInsert(name, payload, opts));
  return row?.id ?? null;
}

/**
 * Runs `insert` (a data-modifying statement `RETURNING id`) and enqueues a job for the row it returns in
 * the same statement: the row and the job that processes it commit together in one round trip. The job's
 * payload is `{ [payloadKey]: id }` and its unique key `uniqueKeyPrefix + id`. Returns the row's id, or
 * null when the insert returned nothing (a duplicate it skipped).
 */
export async function insertWithJob(
  db: Db,
  insert: SQL,
  job: {
    name: string;
    payloadKey: string;
    uniqueKeyPrefix: string;
    workspaceId: number | null;
    maxAttempts?: number;
  },
): Promise<number | null> {
  const row = await db.one<{ id: number }>(sql`
    WITH r AS (${insert}),
    j AS (
      INSERT INTO jobs (name, payload, workspace_id, run_at, unique_key, max_attempts)
      SELECT ${job.name}, jsonb_build_object(${job.payloadKey}::text, r.id), ${job.workspaceId}, now(),
             ${job.uniqueKeyPrefix}::text || r.id, ${job.maxAttempts ?? 8}::int FROM r
      ON CONFLICT (unique_key) DO NOTHING)
    SELECT id FROM r`);
  return row?.id ?? null;
}

/**
 * Deletes finished jobs of one name that ended before `olderThanMs` ago. Recurring jobs (a sweep every
 * minute) would otherwise leave a row per run forever; failed jobs are kept for inspection.
 */
export async function pruneDoneJobs(db: Db, name: string, olderThanMs: number): Promise<number> {
  const rows = await db.query(sql`
    DELETE FROM jobs WHERE name = ${name} AND status = 'done'
      AND finished_at < now() - make_interval(secs => ${olderThanMs / 1000}) RETURNING 1`);
  return rows.length;
}

/**
 * Housekeeping (RETAIN_FINISHED_JOBS_DAYS, RETAIN_WEBHOOK_DELIVERIES_DAYS): deletes finished jobs that
 * ended more than `olderThanMs` ago — of the names in `only`, or of every name but those in `except` —
 * in batches of short statements. A job's unique key is a column of its row, so it goes with it. Failed
 * jobs are never touched: they stay until someone retries or deletes them.
 */
export async function pruneFinishedJobs(
  db: Db,
  olderThanMs: number,
  names: { only: string[] } | { except: string[] },
): Promise<number> {
  const batch = 2000;
  const filter =
    'only' in names ? sql`name = ANY(${names.only}::text[])` : sql`NOT (name = ANY(${names.except}::text[]))`;
  let total = 0;
  for (;;) {
    const rows = await db.query(sql`
      DELETE FROM jobs WHERE id IN (
        SELECT id FROM jobs WHERE status = 'done' AND ${filter}
          AND finished_at < now() - make_interval(secs => ${olderThanMs / 1000})
        LIMIT ${batch})
      RETURNING 1`);
    total += rows.length;
    if (rows.length < batch) return total;
  }
}

/**
 * Per job name, for /metrics: jobs due now and not yet running (the queue depth), the age of the oldest
 * of them (how far the workers are behind), and failed jobs. Uses the partial indexes on runnable and
 * failed rows; run by a timer, never per scrape.
 */
export const queueStats = (db: Db) =>
  db.query<{ name: string; due: number; oldest_seconds: number; failed: number }>(sql`
    SELECT name, sum(due)::int AS due, max(oldest)::float8 AS oldest_seconds, sum(failed)::int AS failed FROM (
      SELECT name, count(*) AS due, extract(epoch FROM now() - min(run_at)) AS oldest, 0 AS failed
        FROM jobs WHERE status = 'queued' AND run_at <= now() GROUP BY name
      UNION ALL
      SELECT name, 0, 0, count(*) FROM jobs WHERE status = 'failed' GROUP BY name
    ) x GROUP BY name`);

export interface JobRunner {
  register(def: JobDefinition): void;
  start(): void;
  /** Stop claiming, wait for running jobs to finish. */
  stop(): Promise<void>;
  prune(): Promise<void>;
  /** Claim and run what is due now, once (tests, CLI). Returns how many ran. */
  drain(): Promise<number>;
  wake(): void;
}

export function createJobRunner(
  db: Db,
  log: Logger,
  opts: {
    concurrency: number;
    pollMs?: number;
    nodeId?: string;
    /** The lease a claim takes (60 s unless set); a job's own `leaseSeconds` replaces it while it runs. */
    leaseSeconds?: number;
    /** How often a running handler renews its lease; a third of the lease unless set (tests). */
    heartbeatMs?: number;
  },
): JobRunner {
  const defs = new Map<string, JobDefinition>();
  const claimLease = opts.leaseSeconds ?? 60;
  const nodeId = opts.nodeId ?? `${hostname()}:${process.pid}`;
  const inflight = new Set<Promise<void>>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let timerDue = 0;
  let pruneTimer: NodeJS.Timeout | undefined;
  async function prune() {
    for (const def of defs.values()) {
      if (def.keepDoneForMs === undefined) continue;
      try {
        await pruneDoneJobs(db, def.name, def.keepDoneForMs);
      } catch (err) {
        log.warn({ err, job: def.name }, 'pruning finished jobs failed');
      }
    }
  }
  let ticking = false;

  // Finished jobs are marked done by the next claim statement (one round trip for both): a job ends,
  // the runner looks for the next one at once, so the mark trails the job by one statement. A crash in
  // between re-runs the job after its lease, which every handler must already survive.
  let finished: number[] = [];

  async function claim(n: number): Promise<JobRow[]> {
    const done = finished;
    if ((n <= 0 || defs.size === 0) && !done.length) return [];
    finished = [];
    try {
      // A running job whose lease expired belongs to a worker that died (or stalled): it is taken over,
      // unless it has used up its attempts. Then it ends failed here, in the same pass, with the reason:
      // a job that kills or stalls every worker that runs it (a poison job) must not be re-run forever.
      const rows = await db.query<JobRow & { status: string }>(sql`${planEachTime}
        WITH finished AS (
          UPDATE jobs SET status = 'done', finished_at = now(), updated_at = now(), locked_until = NULL, last_error = NULL
          WHERE id = ANY(${done}::bigint[]) AND locked_by = ${nodeId} AND status = 'running')
        UPDATE jobs SET
          status = CASE WHEN status = 'running' AND attempts >= max_attempts THEN 'failed' ELSE 'running' END,
          attempts = CASE WHEN status = 'running' AND attempts >= max_attempts THEN attempts ELSE attempts + 1 END,
          last_error = CASE WHEN status = 'running' AND attempts >= max_attempts
            THEN left('Gave up after ' || attempts || ' attempts: the lease ran out while it was running (the worker stopped or stalled)'
              || coalesce('; earlier error: ' || last_error, ''), 2000)
            ELSE last_error END,
          finished_at = CASE WHEN status = 'running' AND attempts >= max_attempts THEN now() END,
          locked_by = ${nodeId}, updated_at = now(),
          locked_until = CASE WHEN status = 'running' AND attempts >= max_attempts THEN NULL
            ELSE now() + make_interval(secs => ${claimLease}) END
        WHERE id IN (
          SELECT id FROM jobs
          WHERE run_at <= now() AND (status = 'queued' OR (status = 'running' AND locked_until < now()))
            AND id <> ALL(${done}::bigint[])
          ORDER BY run_at, id
          LIMIT ${defs.size === 0 ? 0 : Math.max(0, n)}
          FOR UPDATE SKIP LOCKED)
        RETURNING id, name, payload, attempts, max_attempts, workspace_id, status`);
      const poisoned = rows.filter((r) => r.status === 'failed');
      for (const r of poisoned)
        log.error(
          { job: r.name, jobId: r.id, attempts: r.attempts },
          'job failed for good: its lease ran out on its last attempt',
        );
      return poisoned.length ? rows.filter((r) => r.status !== 'failed') : rows;
    } catch (err) {
      finished = done.concat(finished);
      throw err;
    }
  }

  /** Extends this node's lease on a running job; false when another node has taken it over. */
  const renewLease = async (id: number, seconds: number) =>
    (
      await db.query(sql`UPDATE jobs SET locked_until = now() + make_interval(secs => ${seconds})
        WHERE id = ${id} AND locked_by = ${nodeId} AND status = 'running' RETURNING 1`)
    ).length > 0;

  async function runOne(job: JobRow): Promise<void> {
    const def = defs.get(job.name);
    const lease = def?.leaseSeconds ?? claimLease;
    // Heartbeat: a handler that runs longer than its lease keeps it, so no other node runs it again
    // meanwhile. A handler that blocks the event loop cannot beat, and is taken over as if dead.
    const heartbeat = setInterval(
      () => {
        renewLease(job.id, lease).then(
          (held) => {
            if (!held) log.warn({ job: job.name, jobId: job.id }, 'job lease was lost while running');
          },
          (err: unknown) => log.warn({ err, jobId: job.id }, 'renewing a job lease failed'),
        );
      },
      opts.heartbeatMs ?? (lease * 1000) / 3,
    );
    heartbeat.unref();
    try {
      if (!def) throw new Error(`no handler registered for job "${job.name}"`);
      if (lease > claimLease) await renewLease(job.id, lease);
      const payload = def.schema.parse(job.payload);
      const ctx = {
        jobId: job.id,
        attempt: job.attempts,
        maxAttempts: job.max_attempts,
        workspaceId: job.workspace_id,
      };
      const t = tracer();
      if (t)
        await t.job(job.name, { 'shopdesk.job.id': job.id, 'shopdesk.job.attempt': job.attempts }, () =>
          def.handler(payload, ctx),
        );
      else await def.handler(payload, ctx);
      finished.push(job.id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const final = err instanceof PermanentJobError || job.attempts >= job.max_attempts;
      log.warn({ job: job.name, jobId: job.id, attempt: job.attempts, final, err: message }, 'job failed');
      // If this write fails too the lease runs out and the job is retried: nothing to do here.
      await db
        .query(sql`
        UPDATE jobs SET status = ${final ? 'failed' : 'queued'}, last_error = ${message.slice(0, 2000)}, updated_at = now(),
          locked_until = NULL, run_at = now() + make_interval(secs => ${backoffSeconds(job.attempts)}),
          finished_at = ${final ? new Date().toISOString() : null}
        WHERE id = ${job.id} AND locked_by = ${nodeId}`)
        .catch((e: unknown) => log.warn({ err: e, jobId: job.id }, 'recording a job failure failed'));
    } finally {
      clearInterval(heartbeat);
    }
  }

  let ticked: Promise<number> = Promise.resolve(0);
  function tick(): Promise<number> {
    if (ticking) return Promise.resolve(0);
    ticked = claimAndRun();
    return ticked;
  }
  async function claimAndRun(): Promise<number> {
    ticking = true;
    let ran = 0;
    try {
      for (;;) {
        const free = opts.concurrency - inflight.size;
        const jobs = await claim(free);
        if (jobs.length === 0) break;
        for (const job of jobs) {
          const p = runOne(job).finally(() => {
            inflight.delete(p);
            // Busy: let a few more jobs finish so the next claim takes (and marks done) several at once;
            // a claim per finished job cost the ingest path ~0.3 ms of database time per email. Idle: at once.
            if (running) schedule(inflight.size >= opts.concurrency / 2 ? BUSY_CLAIM_DELAY_MS : 0);
          });
          inflight.add(p);
          ran++;
        }
        if (inflight.size >= opts.concurrency) break;
      }
    } catch (err) {
      log.error({ err }, 'job claim failed');
    } finally {
      ticking = false;
    }
    return ran;
  }

  // A wake-up or a finished job while a tick runs must not wait for the next poll: it asks for another tick.
  let again = false;
  function schedule(ms: number) {
    if (!running) return;
    if (ticking) {
      again = true;
      return;
    }
    // An earlier tick already planned stands (a later request must not push it back).
    const due = Date.now() + ms;
    if (timer && timerDue <= due) return;
    clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(async () => {
      timer = undefined;
      again = false;
      await tick();
      schedule(again ? 0 : (opts.pollMs ?? 1000));
    }, ms);
  }

  return {
    register(def) {
      defs.set(def.name, def);
    },
    start() {
      running = true;
      schedule(0);
      pruneTimer = setInterval(() => void prune(), 10 * 60_000);
      pruneTimer.unref();
    },
    /** Runs the retention of finished jobs now (the worker does it every 10 minutes). */
    prune,
    async stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      clearInterval(pruneTimer);
      // A claim in flight may still start jobs; wait for it, then for every job it started.
      await ticked;
      while (inflight.size) await Promise.allSettled([...inflight]);
      await claim(0).catch((err) => log.warn({ err }, 'marking finished jobs done failed'));
    },
    async drain() {
      let total = 0;
      for (;;) {
        const n = await tick();
        await Promise.allSettled([...inflight]);
        total += n;
        if (n === 0) return total;
      }
    },
    wake() {
      if (running) schedule(0);
    },
  };
}
