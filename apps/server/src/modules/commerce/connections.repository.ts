import { type Db, sql } from '../../platform/db/db.ts';

/* Store connections (credentials encrypted by the caller, the built-in API's token as a hash). */

export interface ConnectionRow {
  id: number;
  workspace_id: number;
  platform: 'builtin' | 'shopify' | 'woocommerce';
  name: string;
  base_url: string | null;
  credentials: string | null;
  token_prefix: string | null;
  currency: string;
  active: boolean;
  sync_status: 'idle' | 'backfilling' | 'error';
  backfill_cursor: string | null;
  backfilled_orders: number;
  last_sync_at: Date | null;
  last_webhook_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  created_at: Date;
}

export const insertConnection = async (
  db: Db,
  c: {
    workspaceId: number;
    platform: string;
    name: string;
    baseUrl: string | null;
    credentials: string | null;
    tokenHash: string | null;
    tokenPrefix: string | null;
    currency: string;
  },
) =>
  (await db.one<ConnectionRow>(sql`
    INSERT INTO store_connections (workspace_id, platform, name, base_url, credentials, token_hash, token_prefix, currency)
    VALUES (${c.workspaceId}, ${c.platform}, ${c.name}, ${c.baseUrl}, ${c.credentials}, ${c.tokenHash}, ${c.tokenPrefix}, ${c.currency})
    RETURNING *`))!;

export const findConnection = (db: Db, workspaceId: number, id: number) =>
  db.one<ConnectionRow>(
    sql`SELECT * FROM store_connections WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );

/** Webhooks arrive without a workspace: the connection id in the URL names it. */
export const findConnectionById = (db: Db, id: number) =>
  db.one<ConnectionRow>(sql`SELECT * FROM store_connections WHERE id = ${id}`);

export const findConnectionByTokenHash = (db: Db, hash: string) =>
  db.one<ConnectionRow>(
    sql`SELECT * FROM store_connections WHERE token_hash = ${hash} AND platform = 'builtin' AND active`,
  );

export const listConnections = (db: Db, workspaceId: number) =>
  db.query<ConnectionRow>(
    sql`SELECT * FROM store_connections WHERE workspace_id = ${workspaceId} ORDER BY id`,
  );

export async function updateConnection(
  db: Db,
  workspaceId: number,
  id: number,
  fields: Record<string, unknown>,
) {
  const sets = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => sql`${sql.identifier(k)} = ${v}`);
  if (!sets.length) return;
  await db.query(sql`UPDATE store_connections SET ${sql.join(sets, sql`, `)}, updated_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);
}

export const deleteConnection = (db: Db, workspaceId: number, id: number) =>
  db.query<{ id: number }>(
    sql`DELETE FROM store_connections WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
  );

export async function connectionStats(db: Db, workspaceId: number, id: number) {
  const [orders, pending, failed] = await Promise.all([
    db.one<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM orders WHERE workspace_id = ${workspaceId} AND connection_id = ${id}`,
    ),
    db.one<{ n: number }>(sql`SELECT count(*)::int AS n FROM inbound_events
      WHERE workspace_id = ${workspaceId} AND channel = ${`store:${id}`} AND processed_at IS NULL AND error IS NULL`),
    db.query<{
      id: number;
      error: string | null;
      received_at: Date;
    }>(sql`SELECT id, error, received_at FROM inbound_events
      WHERE workspace_id = ${workspaceId} AND channel = ${`store:${id}`} AND error IS NOT NULL AND processed_at IS NULL
      ORDER BY id DESC LIMIT 10`),
  ]);
  return { orderCount: orders?.n ?? 0, pendingEvents: pending?.n ?? 0, failedEvents: failed };
}
