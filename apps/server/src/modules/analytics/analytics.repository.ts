import { type Db, sql } from '../../platform/db/db.ts';
import { BUCKET_EDGES } from './buckets.ts';
import type { Contribution, Dims } from './registry.ts';

/** All SQL of the analytics tables. Reads nothing but them (table-owners lint). */

/** Advisory-lock namespace: one ticket's contributions are replaced by one flush at a time. */
const LOCK_NS = 16_016;

export async function markDirty(db: Db, rows: { workspaceId: number; ticketId: number }[]) {
  if (!rows.length) return;
  await db.query(sql`
    INSERT INTO analytics_dirty (workspace_id, subject_id)
    SELECT * FROM unnest(${rows.map((r) => r.workspaceId)}::bigint[], ${rows.map((r) => r.ticketId)}::bigint[])
    ON CONFLICT DO NOTHING`);
}

export const workspacesWithDirty = async (db: Db) =>
  (await db.query<{ workspace_id: number }>(sql`SELECT DISTINCT workspace_id FROM analytics_dirty`)).map(
    (r) => r.workspace_id,
  );

export const dirtyCount = async (db: Db, workspaceId: number) =>
  Number(
    (
      await db.one<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM analytics_dirty WHERE workspace_id = ${workspaceId}`,
      )
    )?.n ?? 0,
  );

/** Takes up to `limit` marked tickets (another flusher skips them) and locks them, in id order. */
export async function claimDirty(tx: Db, workspaceId: number, limit: number): Promise<number[]> {
  const rows = await tx.query<{ subject_id: number }>(sql`
    DELETE FROM analytics_dirty WHERE (workspace_id, subject_id) IN (
      SELECT workspace_id, subject_id FROM analytics_dirty WHERE workspace_id = ${workspaceId}
      ORDER BY subject_id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING subject_id`);
  const ids = rows.map((r) => Number(r.subject_id)).sort((a, b) => a - b);
  await lockSubjects(tx, workspaceId, ids);
  return ids;
}

/**
 * Locks tickets (in id order) for replacing their contributions, and shares the workspace lock that a
 * set-based rollup rebuild takes exclusively: rollups change either by deltas or by a recount, never both.
 */
export async function lockSubjects(tx: Db, workspaceId: number, ids: number[]) {
  if (!ids.length) return;
  await tx.query(
    sql`SELECT pg_advisory_xact_lock_shared(${LOCK_NS + 1}, (${workspaceId} % 2147483647)::int)`,
  );
  await tx.query(sql`
    SELECT pg_advisory_xact_lock(${LOCK_NS}, (id % 2147483647)::int)
    FROM unnest(${ids}::bigint[]) WITH ORDINALITY AS u(id, ord)`);
}

export async function timeZoneOf(db: Db, workspaceId: number): Promise<string> {
  const r = await db.one<{ time_zone: string }>(
    sql`SELECT time_zone FROM analytics_settings WHERE workspace_id = ${workspaceId}`,
  );
  return r?.time_zone ?? 'UTC';
}

export async function setTimeZone(db: Db, workspaceId: number, tz: string) {
  await db.query(sql`
    INSERT INTO analytics_settings (workspace_id, time_zone) VALUES (${workspaceId}, ${tz})
    ON CONFLICT (workspace_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, updated_at = now()`);
}

const bucketExpr = sql`CASE WHEN NOT c.included THEN -1 WHEN c.value IS NULL THEN 0
  ELSE width_bucket(c.value, ${BUCKET_EDGES}::float8[]) END`;

/** Adds (sign 1) or takes away (sign -1) the rows of `rows` (a CTE name) from the rollups. */
const rollupUpsert = (rowsCte: string, sign: 1 | -1) => sql`
  INSERT INTO analytics_rollups AS r (workspace_id, metric, dim, dim_value, day, bucket, n, total)
  SELECT c.workspace_id, c.metric, d.dim, d.dim_value, c.day, ${bucketExpr},
         ${sign} * count(*), ${sign} * coalesce(sum(c.value), 0)
  FROM ${sql.raw(rowsCte)} c
  CROSS JOIN LATERAL (SELECT '' AS dim, '' AS dim_value
                      UNION ALL SELECT key, value #>> '{}' FROM jsonb_each(c.dims)
                      WHERE jsonb_typeof(value) = 'string') d
  GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (workspace_id, metric, dim, dim_value, day, bucket)
  DO UPDATE SET n = r.n + EXCLUDED.n, total = r.total + EXCLUDED.total`;

/**
 * Replaces the contributions of these tickets: the old rows leave the rollups, the new ones enter. Called
 * with the tickets locked (claimDirty), so the rollups always equal the sum of the stored contributions.
 */
export async function replaceContributions(
  tx: Db,
  workspaceId: number,
  timeZone: string,
  ticketIds: number[],
  rows: (Contribution & { dims: Dims })[],
) {
  await tx.query(sql`
    WITH old AS (
      DELETE FROM analytics_contributions
      WHERE workspace_id = ${workspaceId} AND subject_id = ANY(${ticketIds}::bigint[])
      RETURNING workspace_id, metric, day, value, included, dims)
    ${rollupUpsert('old', -1)}`);
  if (!rows.length) return;
  await tx.query(sql`
    WITH new AS (${insertRows(workspaceId, timeZone, rows)}
      RETURNING workspace_id, metric, day, value, included, dims)
    ${rollupUpsert('new', 1)}`);
}

const insertRows = (workspaceId: number, timeZone: string, rows: (Contribution & { dims: Dims })[]) => {
  const json = JSON.stringify(
    rows.map((r) => ({
      subject_id: r.subjectId,
      metric: r.metric,
      seq: r.seq,
      at: r.at.toISOString(),
      value: r.value,
      included: r.included,
      reason: r.reason,
      dims: r.dims,
    })),
  );
  return sql`
    INSERT INTO analytics_contributions (workspace_id, subject_id, metric, seq, at, day, value, included, reason, dims)
    SELECT ${workspaceId}, x.subject_id, x.metric, x.seq, x.at, (x.at AT TIME ZONE ${timeZone})::date,
           x.value, x.included, x.reason, x.dims
    FROM jsonb_to_recordset(${json}::jsonb)
      AS x(subject_id bigint, metric text, seq int, at timestamptz, value float8, included boolean, reason text, dims jsonb)`;
};

/**
 * Set-based rebuild, step 1: every contribution of the workspace goes (the rollups are recounted at the
 * end, so nothing is subtracted row by row).
 */
export async function dropContributions(db: Db, workspaceId: number) {
  await db.query(sql`DELETE FROM analytics_contributions WHERE workspace_id = ${workspaceId}`);
}

/** Step 2, per page of tickets: their contributions, without touching the rollups. */
export async function putContributions(
  tx: Db,
  workspaceId: number,
  timeZone: string,
  ticketIds: number[],
  rows: (Contribution & { dims: Dims })[],
) {
  // A flush may have written some of these tickets since step 1: its rows give way to these.
  await tx.query(sql`
    DELETE FROM analytics_contributions WHERE workspace_id = ${workspaceId} AND subject_id = ANY(${ticketIds}::bigint[])`);
  if (rows.length) await tx.query(insertRows(workspaceId, timeZone, rows));
}

/**
 * Step 3: the rollups recounted from the contributions in one statement, under the workspace lock every
 * flush shares, so no delta lands between the delete and the recount.
 */
export async function recountRollups(tx: Db, workspaceId: number) {
  await tx.query(sql`SELECT pg_advisory_xact_lock(${LOCK_NS + 1}, (${workspaceId} % 2147483647)::int)`);
  await tx.query(sql`DELETE FROM analytics_rollups WHERE workspace_id = ${workspaceId}`);
  await tx.query(sql`
    WITH every AS (
      SELECT workspace_id, metric, day, value, included, dims FROM analytics_contributions
      WHERE workspace_id = ${workspaceId})
    ${rollupUpsert('every', 1)}`);
}

export interface RollupRow {
  metric: string;
  day: string;
  bucket: number;
  n: number;
  total: number;
}

/** Filters the live path applies: `dims @>` this object (a tag is a list on the ticket). */
export type DimFilter = { dim: string; value: string };
const containsJson = (filters: DimFilter[]) =>
  JSON.stringify(Object.fromEntries(filters.map((f) => [f.dim, f.dim === 'tag' ? [f.value] : f.value])));

/**
 * Combined filters (channel × team × tag …) have no rollup of their own: the same sums are computed from
 * analytics' own contributions, filtered by containment. Bounded by the report's day range.
 */
export const liveRollups = (
  db: Db,
  workspaceId: number,
  metrics: string[],
  filters: DimFilter[],
  from: string,
  to: string,
) =>
  db.query<RollupRow>(sql`
    SELECT c.metric, c.day::text AS day, ${bucketExpr} AS bucket, count(*)::float8 AS n,
           coalesce(sum(c.value), 0) AS total
    FROM analytics_contributions c
    WHERE c.workspace_id = ${workspaceId} AND c.metric = ANY(${metrics}::text[])
      AND c.day BETWEEN ${from}::date AND ${to}::date AND c.dims @> ${containsJson(filters)}::jsonb
    GROUP BY 1, 2, 3`);

/** Sum of the changes of level metrics (backlog) before a day: the level the range opens with. */
export async function openingLevels(
  db: Db,
  workspaceId: number,
  metrics: string[],
  filters: DimFilter[],
  before: string,
): Promise<Map<string, number>> {
  if (!metrics.length) return new Map();
  const one = filters.length === 1 && filters[0]!.dim !== 'tag' ? filters[0]! : null;
  const rows =
    filters.length === 0 || one
      ? await db.query<{ metric: string; total: number }>(sql`
          SELECT metric, coalesce(sum(total), 0)::float8 AS total FROM analytics_rollups
          WHERE workspace_id = ${workspaceId} AND metric = ANY(${metrics}::text[])
            AND dim = ${one?.dim ?? ''} AND dim_value = ${one?.value ?? ''} AND day < ${before}::date AND bucket >= 0
          GROUP BY 1`)
      : await db.query<{ metric: string; total: number }>(sql`
          SELECT metric, coalesce(sum(value), 0)::float8 AS total FROM analytics_contributions
          WHERE workspace_id = ${workspaceId} AND metric = ANY(${metrics}::text[]) AND included
            AND day < ${before}::date AND dims @> ${containsJson(filters)}::jsonb
          GROUP BY 1`);
  return new Map(rows.map((r) => [r.metric, Number(r.total)]));
}

/** The report's only read: rollup rows of some metrics for one dimension value over a day range. */
export const rollups = (
  db: Db,
  workspaceId: number,
  metrics: string[],
  dim: string,
  dimValue: string,
  from: string,
  to: string,
) =>
  db.query<RollupRow>(sql`
    SELECT metric, day::text AS day, bucket, n::float8 AS n, total
    FROM analytics_rollups
    WHERE workspace_id = ${workspaceId} AND metric = ANY(${metrics}::text[]) AND dim = ${dim}
      AND dim_value = ${dimValue} AND day BETWEEN ${from}::date AND ${to}::date AND n <> 0`);

export interface DrillRow {
  subject_id: number;
  seq: number;
  at: Date;
  day: string;
  value: number | null;
  included: boolean;
  reason: string | null;
  dims: Dims;
}

/** The contributions behind a figure (live query: the drill-down), newest first, keyset by (at, id). */
export const contributionsFor = (
  db: Db,
  o: {
    workspaceId: number;
    metric: string;
    from: string;
    to: string;
    filters: DimFilter[];
    included: boolean | null;
    limit: number;
    offset: number;
  },
) =>
  db.query<DrillRow>(sql`
    SELECT subject_id, seq, at, day::text AS day, value, included, reason, dims
    FROM analytics_contributions
    WHERE workspace_id = ${o.workspaceId} AND metric = ${o.metric}
      AND day BETWEEN ${o.from}::date AND ${o.to}::date
      ${o.filters.length ? sql`AND dims @> ${containsJson(o.filters)}::jsonb` : sql.empty()}
      ${o.included === null ? sql.empty() : sql`AND included = ${o.included}`}
    ORDER BY at DESC, subject_id DESC, seq DESC
    LIMIT ${o.limit} OFFSET ${o.offset}`);
