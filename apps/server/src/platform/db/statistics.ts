import { type Db, sql } from './db.ts';

/**
 * PGlite has no autovacuum, so without this its tables never get planner statistics: after 20k
 * tickets the SLA query run for every new ticket read every message of the workspace instead of one
 * ticket's. The rule is autovacuum's analyse threshold (50 rows + 10 % of the table changed since the
 * last ANALYZE); on PostgreSQL autovacuum does this itself, so the keeper only runs on the embedded db.
 */
export async function analyzeChangedTables(db: Db): Promise<string[]> {
  const rows = await db.query<{ relname: string }>(sql`
    SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.schemaname = 'public'
      AND s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, s.n_live_tup, 0)
    ORDER BY s.n_mod_since_analyze DESC`);
  const names = rows.map((r) => r.relname);
  for (const name of names) await db.execScript(`ANALYZE "${name.replace(/"/g, '""')}"`);
  return names;
}

/** Runs analyzeChangedTables now and then every `everyMs` (one process owns a PGlite database). */
export function startStatisticsKeeper(
  db: Db,
  opts: { everyMs: number; onError: (err: unknown) => void },
): { stop: () => Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = analyzeChangedTables(db).catch(opts.onError);
  };
  const first = setTimeout(tick, Math.min(5_000, opts.everyMs));
  const timer = setInterval(tick, opts.everyMs);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
