import { type Db, sql } from '../db/db.ts';

/*
 * The admin's view of the queue (the system module's jobs page and /metrics): listing, retrying and
 * counting jobs. Here beside the queue because the queue owns the jobs table (table-owners.mjs).
 */

export type JobRow = {
  id: number;
  name: string;
  status: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  run_at: Date;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
};

export const listJobs = (db: Db, workspaceId: number, status: string, limit: number) =>
  db.query<JobRow>(sql`SELECT id, name, status, attempts, max_attempts, last_error, run_at, created_at, updated_at, finished_at FROM jobs
    WHERE workspace_id = ${workspaceId} AND status = ${status} ORDER BY id DESC LIMIT ${limit}`);

/** A failed job runs again from its first attempt. */
export const retryJob = (db: Db, workspaceId: number, id: number) =>
  db.query<{
    id: number;
  }>(sql`UPDATE jobs SET status = 'queued', attempts = 0, run_at = now(), last_error = NULL, finished_at = NULL,
      max_attempts = greatest(max_attempts, 1), updated_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${id} AND status = 'failed' RETURNING id`);

export const jobCounts = (db: Db) =>
  db.query<{ status: string; n: number }>(
    sql`SELECT status, count(*)::int AS n FROM jobs WHERE status IN ('queued', 'running', 'failed') GROUP BY status`,
  );
