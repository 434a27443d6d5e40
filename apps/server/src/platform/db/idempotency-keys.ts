import { type Db, sql } from './db.ts';

/** SQL for the idempotency_keys table (platform/http/idempotency.ts holds the rules). */

export interface IdempotencyScope {
  workspaceId: number;
  caller: string;
  key: string;
}

export interface IdempotencyRow {
  request_hash: string;
  status: 'pending' | 'done';
  response_status: number | null;
  response_body: unknown;
  stale: boolean;
}

/** Inserts a pending claim, or takes over an expired row; true when this request now owns the key. */
export async function claimKey(
  db: Db,
  s: IdempotencyScope,
  hash: string,
  ttlSeconds: number,
): Promise<boolean> {
  const row = await db.one(sql`
    INSERT INTO idempotency_keys (workspace_id, caller, key, request_hash, expires_at)
    VALUES (${s.workspaceId}, ${s.caller}, ${s.key}, ${hash}, now() + make_interval(secs => ${ttlSeconds}))
    ON CONFLICT (workspace_id, caller, key) DO UPDATE
      SET request_hash = EXCLUDED.request_hash, status = 'pending', response_status = NULL,
          response_body = NULL, claimed_at = now(), expires_at = EXCLUDED.expires_at
      WHERE idempotency_keys.expires_at < now()
    RETURNING 1 AS claimed`);
  return !!row;
}

export async function readKey(
  db: Db,
  s: IdempotencyScope,
  leaseSeconds: number,
): Promise<IdempotencyRow | undefined> {
  return db.one<IdempotencyRow>(sql`
    SELECT request_hash, status, response_status, response_body,
           claimed_at < now() - make_interval(secs => ${leaseSeconds}) AS stale
    FROM idempotency_keys
    WHERE workspace_id = ${s.workspaceId} AND caller = ${s.caller} AND key = ${s.key}`);
}

/** Takes over a pending claim whose lease ran out (its request died); true for exactly one taker. */
export async function takeOverKey(db: Db, s: IdempotencyScope, leaseSeconds: number): Promise<boolean> {
  const row = await db.one(sql`
    UPDATE idempotency_keys SET claimed_at = now()
    WHERE workspace_id = ${s.workspaceId} AND caller = ${s.caller} AND key = ${s.key}
      AND status = 'pending' AND claimed_at < now() - make_interval(secs => ${leaseSeconds})
    RETURNING 1 AS taken`);
  return !!row;
}

export async function completeKey(db: Db, s: IdempotencyScope, status: number, body: unknown): Promise<void> {
  await db.query(sql`
    UPDATE idempotency_keys
    SET status = 'done', response_status = ${status}, response_body = ${JSON.stringify(body ?? null)}::jsonb
    WHERE workspace_id = ${s.workspaceId} AND caller = ${s.caller} AND key = ${s.key}`);
}

/** The request failed: forget the claim so that a retry may try again. */
export async function releaseKey(db: Db, s: IdempotencyScope): Promise<void> {
  await db.query(sql`
    DELETE FROM idempotency_keys
    WHERE workspace_id = ${s.workspaceId} AND caller = ${s.caller} AND key = ${s.key} AND status = 'pending'`);
}

export async function deleteExpiredKeys(db: Db): Promise<void> {
  await db.query(sql`DELETE FROM idempotency_keys WHERE expires_at < now()`);
}
