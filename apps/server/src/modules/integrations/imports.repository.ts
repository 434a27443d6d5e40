import { type Db, sql } from '../../platform/db/db.ts';

export type ImportRunRow = {
  id: number;
  workspace_id: number;
  source: 'zendesk' | 'csv';
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  label: string;
  settings: Record<string, unknown>;
  credentials_enc: string | null;
  file_sha256: string | null;
  cursor: string | null;
  pages: number;
  tickets_imported: number;
  tickets_skipped: number;
  messages_imported: number;
  tickets_total: number | null;
  error_count: number;
  errors: { at: string; item: string | null; message: string }[];
  last_error: string | null;
  started_by: number | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
};

export async function insertRun(
  db: Db,
  r: {
    workspaceId: number;
    source: string;
    label: string;
    settings: Record<string, unknown>;
    credentialsEnc: string | null;
    fileSha256: string | null;
    startedBy: number | null;
  },
) {
  const row = await db.one<ImportRunRow>(sql`
    INSERT INTO import_runs (workspace_id, source, label, settings, credentials_enc, file_sha256, started_by)
    VALUES (${r.workspaceId}, ${r.source}, ${r.label}, ${JSON.stringify(r.settings)}::jsonb, ${r.credentialsEnc},
            ${r.fileSha256}, ${r.startedBy})
    RETURNING *`);
  return row!;
}

export const findRun = (db: Db, workspaceId: number, id: number) =>
  db.one<ImportRunRow>(sql`SELECT * FROM import_runs WHERE workspace_id = ${workspaceId} AND id = ${id}`);

/** The job's read: by id alone (the job was queued for this run's workspace). */
export const findRunById = (db: Db, id: number) =>
  db.one<ImportRunRow>(sql`SELECT * FROM import_runs WHERE id = ${id}`);

export const listRuns = (db: Db, workspaceId: number, limit: number) =>
  db.query<ImportRunRow>(
    sql`SELECT * FROM import_runs WHERE workspace_id = ${workspaceId} ORDER BY id DESC LIMIT ${limit}`,
  );

/** Tries to claim a source id; false when it was imported before (by this run or any other). */
export async function claimItem(
  db: Db,
  o: { workspaceId: number; source: string; kind: string; externalId: string; runId: number },
): Promise<boolean> {
  const rows = await db.query(sql`
    INSERT INTO import_items (workspace_id, source, kind, external_id, run_id)
    VALUES (${o.workspaceId}, ${o.source}, ${o.kind}, ${o.externalId}, ${o.runId})
    ON CONFLICT DO NOTHING RETURNING 1`);
  return rows.length > 0;
}

export const setItemLocalId = (
  db: Db,
  o: { workspaceId: number; source: string; kind: string; externalId: string; localId: number },
) =>
  db.query(sql`UPDATE import_items SET local_id = ${o.localId}
               WHERE workspace_id = ${o.workspaceId} AND source = ${o.source} AND kind = ${o.kind}
                 AND external_id = ${o.externalId}`);

/** A page's checkpoint: the cursor to continue from and the counts, in the page's own transaction. */
export const checkpoint = (
  db: Db,
  id: number,
  p: {
    cursor: string | null;
    imported: number;
    skipped: number;
    messages: number;
    total: number | null;
    errors: { at: string; item: string | null; message: string }[];
    done: boolean;
  },
) =>
  db.query(sql`
    UPDATE import_runs SET
      cursor = ${p.cursor}, pages = pages + 1,
      tickets_imported = tickets_imported + ${p.imported},
      tickets_skipped = tickets_skipped + ${p.skipped},
      messages_imported = messages_imported + ${p.messages},
      tickets_total = coalesce(${p.total}::int, tickets_total),
      error_count = error_count + ${p.errors.length},
      errors = (SELECT coalesce(jsonb_agg(e ORDER BY n), '[]'::jsonb) FROM (
                 SELECT e, n FROM jsonb_array_elements(errors || ${JSON.stringify(p.errors)}::jsonb) WITH ORDINALITY AS a(e, n)
                 ORDER BY n DESC LIMIT 100) s),
      -- A cancel that came while the page ran stands (the next page's job sees it and stops).
      status = CASE WHEN status = 'cancelled' THEN status WHEN ${p.done} THEN 'done' ELSE 'running' END,
      finished_at = CASE WHEN status = 'cancelled' THEN finished_at WHEN ${p.done} THEN now() END,
      last_error = NULL, updated_at = now()
    WHERE id = ${id}`);

export const setStatus = (
  db: Db,
  workspaceId: number,
  id: number,
  status: ImportRunRow['status'],
  lastError: string | null = null,
) =>
  db.query(sql`
    UPDATE import_runs SET status = ${status}, last_error = coalesce(${lastError}, last_error), updated_at = now(),
      finished_at = CASE WHEN ${status} IN ('done', 'failed', 'cancelled') THEN now() END
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);

/** Source ids of a page that were imported before (a resumed page skips their API calls). */
export const knownItems = (db: Db, workspaceId: number, source: string, kind: string, ids: string[]) =>
  db
    .query<{ external_id: string }>(sql`SELECT external_id FROM import_items
      WHERE workspace_id = ${workspaceId} AND source = ${source} AND kind = ${kind} AND external_id = ANY(${ids}::text[])`)
    .then((rows) => new Set(rows.map((r) => r.external_id)));

/** A source-id map lookup (the ticket page shows where a ticket came from; tests check idempotency). */
export const countItems = (db: Db, workspaceId: number, source: string, kind: string) =>
  db
    .one<{ n: number }>(sql`SELECT count(*)::int AS n FROM import_items
                            WHERE workspace_id = ${workspaceId} AND source = ${source} AND kind = ${kind}`)
    .then((r) => r?.n ?? 0);
