import { type Db, sql } from '../../platform/db/db.ts';

/*
 * Raw webhook deliveries. inbound_events is the one intake log of every channel (owned by email, see
 * table-owners.mjs); commerce touches only its own rows, channel `store:<connection id>`.
 */

/** Stores a delivery once; returns its id, or null when this provider id was seen before. */
export const insertInboundEvent = async (
  db: Db,
  e: {
    workspaceId: number;
    channel: string;
    providerId: string;
    headers: Record<string, unknown>;
    payload: Buffer;
  },
) =>
  (
    await db.one<{ id: number }>(sql`
      INSERT INTO inbound_events (workspace_id, channel, provider_id, headers, payload)
      VALUES (${e.workspaceId}, ${e.channel}, ${e.providerId}, ${JSON.stringify(e.headers)}::jsonb, ${e.payload})
      ON CONFLICT (workspace_id, channel, provider_id) DO NOTHING RETURNING id`)
  )?.id ?? null;

export const findInboundEvent = (db: Db, id: number) =>
  db.one<{
    id: number;
    workspace_id: number;
    channel: string;
    headers: Record<string, string>;
    payload: Buffer | Uint8Array;
    processed_at: Date | null;
  }>(
    sql`SELECT id, workspace_id, channel, headers, payload, processed_at FROM inbound_events WHERE id = ${id}`,
  );

export const markInboundEvent = (db: Db, id: number, error: string | null) =>
  db.query(
    error
      ? sql`UPDATE inbound_events SET error = ${error.slice(0, 2000)} WHERE id = ${id}`
      : sql`UPDATE inbound_events SET processed_at = now(), error = NULL WHERE id = ${id}`,
  );
