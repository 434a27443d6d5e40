import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/db.ts';
import {
  claimKey,
  completeKey,
  deleteExpiredKeys,
  type IdempotencyScope,
  readKey,
  releaseKey,
  takeOverKey,
} from '../db/idempotency-keys.ts';
import { AppError } from '../errors.ts';

/** Keys are kept this long; a retry later than that creates again (as documented in docs/api.md). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** A pending claim older than this belongs to a request that died (crash, kill -9) and may be taken over. */
const LEASE_SECONDS = 30;
/** How long a concurrent duplicate waits for the first request to finish before answering 409. */
const WAIT_MS = 10_000;

export interface StoredResponse {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** The Idempotency-Key header, if sent: 1–255 visible ASCII characters (a UUID is the usual choice). */
export function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const v = req.headers['idempotency-key'];
  const key = Array.isArray(v) ? v[0] : v;
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key))
    throw new AppError(
      'validation_failed',
      'Idempotency-Key must be 1–255 visible ASCII characters (e.g. a UUID)',
      [{ path: 'headers.idempotency-key', message: '1–255 visible ASCII characters' }],
    );
  return key;
}

export const requestHash = (parts: unknown[]) =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex');

let lastSweep = 0;

/**
 * Runs `run` once per key: the first request claims the key, runs and stores its response; a retry
 * (or a concurrent duplicate, after waiting) gets that stored response back. The same key with a
 * different request is refused (422). A claim left pending by a request that died is taken over
 * after a lease: `recover` then finds what that request created (it wrote the key in its own
 * transaction), so a retry after a crash still does not create twice.
 */
export async function runIdempotent(
  db: Db,
  scope: IdempotencyScope,
  hash: string,
  run: () => Promise<{ status: number; body: unknown }>,
  recover?: () => Promise<{ status: number; body: unknown } | null>,
): Promise<StoredResponse> {
  if (Date.now() - lastSweep > 600_000) {
    lastSweep = Date.now();
    await deleteExpiredKeys(db);
  }
  const execute = async (): Promise<StoredResponse> => {
    let out: { status: number; body: unknown };
    try {
      out = await run();
    } catch (err) {
      // Nothing was created (the service's transaction rolled back): a retry may try again.
      await releaseKey(db, scope).catch(() => {});
      throw err;
    }
    await completeKey(db, scope, out.status, out.body);
    return { ...out, replayed: false };
  };
  if (await claimKey(db, scope, hash, IDEMPOTENCY_TTL_SECONDS)) return execute();
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const row = await readKey(db, scope, LEASE_SECONDS);
    if (!row) {
      // The first request failed and let go of the key.
      if (await claimKey(db, scope, hash, IDEMPOTENCY_TTL_SECONDS)) return execute();
      continue;
    }
    if (row.request_hash !== hash)
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different request; use a new key for a new request',
      );
    if (row.status === 'done')
      return { status: row.response_status ?? 200, body: row.response_body, replayed: true };
    if (row.stale && (await takeOverKey(db, scope, LEASE_SECONDS))) {
      const found = recover ? await recover() : null;
      if (!found) return execute();
      await completeKey(db, scope, found.status, found.body);
      return { ...found, replayed: true };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new AppError(
    'conflict',
    'A request with this Idempotency-Key is still in progress; retry in a few seconds',
  );
}
