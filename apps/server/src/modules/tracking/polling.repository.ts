import { type Db, sql } from '../../platform/db/db.ts';
import type { ShipmentRow } from './tracking.repository.ts';

/** SQL for carrier polling (polling.ts): the sources that poll, due parcels, backoff and pauses. */
export interface PollSourceRow {
  id: number;
  workspace_id: number;
  provider: string;
  api_key_enc: string | null;
  poll_minutes: number | null;
  paused_until: Date | null;
  last_poll_at: Date | null;
  last_poll_error: string | null;
}

const COLS = sql`id, workspace_id, provider, api_key_enc, poll_minutes, paused_until, last_poll_at, last_poll_error`;

export const pollSource = (db: Db, id: number) =>
  db.one<PollSourceRow>(sql`SELECT ${COLS} FROM tracking_sources WHERE id = ${id}`);
export const pollSourceOf = (db: Db, workspaceId: number, provider: string) =>
  db.one<PollSourceRow>(
    sql`SELECT ${COLS} FROM tracking_sources WHERE workspace_id = ${workspaceId} AND provider = ${provider}`,
  );
export const pollingSources = (db: Db) =>
  db.query<PollSourceRow>(
    sql`SELECT ${COLS} FROM tracking_sources WHERE poll_minutes IS NOT NULL AND api_key_enc IS NOT NULL ORDER BY id`,
  );

/** Creates the source row when the workspace polls before it has a webhook (a secret nobody knows). */
export async function upsertPolling(
  db: Db,
  workspaceId: number,
  provider: string,
  p: { hookKey: string; secretEnc: string; apiKeyEnc: string | null; pollMinutes: number | null },
) {
  await db.query(sql`
    INSERT INTO tracking_sources (workspace_id, provider, hook_key, secret_enc, api_key_enc, poll_minutes)
    VALUES (${workspaceId}, ${provider}, ${p.hookKey}, ${p.secretEnc}, ${p.apiKeyEnc}, ${p.pollMinutes})
    ON CONFLICT (workspace_id, provider) DO UPDATE SET
      api_key_enc = coalesce(EXCLUDED.api_key_enc, tracking_sources.api_key_enc),
      poll_minutes = EXCLUDED.poll_minutes, paused_until = NULL, last_poll_error = NULL`);
}

export const pauseSource = (db: Db, id: number, until: Date | null, error: string | null) =>
  db.query(sql`
    UPDATE tracking_sources SET paused_until = ${until?.toISOString() ?? null}::timestamptz, last_poll_at = now(),
      last_poll_error = ${error} WHERE id = ${id}`);

/** Open parcels whose next poll is due, the longest waiting first. */
export const duePolls = (db: Db, workspaceId: number, now: Date, limit: number) =>
  db.query<ShipmentRow & { poll_failures: number; poll_ref: string | null }>(sql`
    SELECT * FROM shipments
    WHERE workspace_id = ${workspaceId} AND status NOT IN ('delivered', 'expired')
      AND (next_poll_at IS NULL OR next_poll_at <= ${now.toISOString()}::timestamptz)
    ORDER BY next_poll_at NULLS FIRST, id LIMIT ${limit}`);

export const setPolled = (
  db: Db,
  shipmentId: number,
  p: { next: Date; failures: number; ref: string | null },
) =>
  db.query(sql`
    UPDATE shipments SET next_poll_at = ${p.next.toISOString()}::timestamptz, poll_failures = ${p.failures},
      poll_ref = ${p.ref} WHERE id = ${shipmentId}`);

/** A webhook just brought news of this parcel: the poll can wait a whole interval. */
export const deferPoll = (db: Db, workspaceId: number, trackingNumber: string) =>
  db.query(sql`
    UPDATE shipments SET next_poll_at = now() + make_interval(mins => p.m)
    FROM (SELECT max(poll_minutes) AS m FROM tracking_sources WHERE workspace_id = ${workspaceId}) p
    WHERE p.m IS NOT NULL AND workspace_id = ${workspaceId} AND tracking_number = ${trackingNumber}`);
