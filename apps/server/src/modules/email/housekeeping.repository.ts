import { type Db, sql } from '../../platform/db/db.ts';

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
 * Drops the raw MIME of mail sent more than `days` ago. The row stays: replies thread by its
 * Message-ID, and auto-acknowledgement limits count it. (octet_length reads a TOASTed value's size
 * without fetching it.)
 */
export const pruneSentMailRaw = (db: Db, days: number) =>
  inBatches(
    async () =>
      (
        await db.query(sql`
          UPDATE email_outbound SET raw = '\\x'::bytea WHERE id IN (
            SELECT id FROM email_outbound
            WHERE created_at < now() - make_interval(secs => ${days * 86400}) AND octet_length(raw) > 0
            LIMIT ${BATCH})
          RETURNING 1`)
      ).length,
  );
