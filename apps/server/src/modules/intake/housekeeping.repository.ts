import { type Db, sql } from '../../platform/db/db.ts';

/*
 * Housekeeping and metrics over the intake log (inbound_events, owned here): the hourly prune and the
 * backlog gauge. Every source's deliveries are in the one table, so both cover all of them.
 */

/** Rows per statement: each batch is a short transaction, so pruning never holds locks for long. */
const BATCH = 2000;

async function inBatches(run: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await run();
    total += n;
    if (n < BATCH) return total;
  }
}

/**
 * Deletes inbound payloads (raw email, store webhooks: every channel of the intake log) processed more
 * than `days` ago, with their ingest log rows (email_inbound cascades). Ones that failed and were never
 * processed stay until handled.
 */
export const pruneProcessedInbound = (db: Db, days: number) =>
  inBatches(
    async () =>
      (
        await db.query(sql`
          DELETE FROM inbound_events WHERE id IN (
            SELECT id FROM inbound_events
            WHERE processed_at IS NOT NULL AND processed_at < now() - make_interval(secs => ${days * 86400})
            LIMIT ${BATCH})
          RETURNING 1`)
      ).length,
  );

/**
 * For /metrics: the durable intake's backlog — stored payloads not processed yet, per channel kind
 * (`email`, `store` for every store connection), and the age of the oldest (partial index on unprocessed
 * rows). A payload that failed and waits for a retry counts as backlog.
 */
export const intakeBacklog = (db: Db) =>
  db.query<{ channel: string; pending: number; oldest_seconds: number }>(sql`
    SELECT split_part(channel, ':', 1) AS channel, count(*)::int AS pending,
      extract(epoch FROM now() - min(received_at))::float8 AS oldest_seconds
    FROM inbound_events WHERE processed_at IS NULL GROUP BY 1`);
