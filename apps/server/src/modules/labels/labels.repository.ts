import { type Db, sql } from '../../platform/db/db.ts';

export interface AccountRow {
  id: number;
  workspace_id: number;
  provider: string;
  credentials: string;
  settings: { carrier?: string | null; baseUrl?: string | null; keyHint?: string };
  updated_at: Date;
}

export interface LabelRow {
  id: number;
  workspace_id: number;
  return_id: number;
  provider: string;
  status: 'pending' | 'ready' | 'failed' | 'void';
  rma: string;
  request: Record<string, unknown>;
  label_url: string | null;
  tracking_number: string | null;
  carrier: string | null;
  service: string | null;
  external_id: string | null;
  cost_minor: number;
  cost_currency: string | null;
  paid_by: 'shop' | 'shopper';
  shopper_fee_minor: number;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

export const getSettings = async (db: Db, workspaceId: number) =>
  (
    await db.one<{ settings: unknown }>(
      sql`SELECT settings FROM label_settings WHERE workspace_id = ${workspaceId}`,
    )
  )?.settings ?? null;

export const putSettings = (db: Db, workspaceId: number, settings: unknown) =>
  db.query(sql`
    INSERT INTO label_settings (workspace_id, settings) VALUES (${workspaceId}, ${JSON.stringify(settings)}::jsonb)
    ON CONFLICT (workspace_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`);

export const accounts = (db: Db, workspaceId: number) =>
  db.query<AccountRow>(
    sql`SELECT * FROM label_accounts WHERE workspace_id = ${workspaceId} ORDER BY provider`,
  );

export const account = (db: Db, workspaceId: number, provider: string) =>
  db.one<AccountRow>(
    sql`SELECT * FROM label_accounts WHERE workspace_id = ${workspaceId} AND provider = ${provider}`,
  );

export const putAccount = (
  db: Db,
  workspaceId: number,
  provider: string,
  credentials: string,
  settings: AccountRow['settings'],
) =>
  db.one<AccountRow>(sql`
    INSERT INTO label_accounts (workspace_id, provider, credentials, settings)
    VALUES (${workspaceId}, ${provider}, ${credentials}, ${JSON.stringify(settings)}::jsonb)
    ON CONFLICT (workspace_id, provider) DO UPDATE
      SET credentials = EXCLUDED.credentials, settings = EXCLUDED.settings, updated_at = now()
    RETURNING *`);

export const deleteAccount = async (db: Db, workspaceId: number, provider: string) =>
  (
    await db.query<{ id: number }>(
      sql`DELETE FROM label_accounts WHERE workspace_id = ${workspaceId} AND provider = ${provider} RETURNING id`,
    )
  ).length > 0;

/** The live label (pending or ready) of a return, if any. */
export const liveLabel = (db: Db, workspaceId: number, returnId: number) =>
  db.one<LabelRow>(sql`
    SELECT * FROM return_labels WHERE workspace_id = ${workspaceId} AND return_id = ${returnId}
      AND status IN ('pending', 'ready')`);

export const labelsOfReturn = (db: Db, workspaceId: number, returnId: number) =>
  db.query<LabelRow>(sql`
    SELECT * FROM return_labels WHERE workspace_id = ${workspaceId} AND return_id = ${returnId} ORDER BY id DESC`);

/**
 * Claims the return's one live label slot; null when another request holds it. A pending claim older
 * than 10 minutes belongs to a process that died while asking the provider: it is released first.
 */
export async function claim(
  db: Db,
  r: {
    workspaceId: number;
    returnId: number;
    provider: string;
    rma: string;
    request: unknown;
    paidBy: 'shop' | 'shopper';
    shopperFee: number;
    agentId: number | null;
  },
) {
  await db.query(sql`
    UPDATE return_labels SET status = 'failed', error = 'Abandoned while the provider was asked', updated_at = now()
    WHERE workspace_id = ${r.workspaceId} AND return_id = ${r.returnId} AND status = 'pending'
      AND updated_at < now() - interval '10 minutes'`);
  return db.one<LabelRow>(sql`
    INSERT INTO return_labels (workspace_id, return_id, provider, rma, request, paid_by, shopper_fee_minor, created_by_agent)
    VALUES (${r.workspaceId}, ${r.returnId}, ${r.provider}, ${r.rma}, ${JSON.stringify(r.request)}::jsonb,
      ${r.paidBy}, ${r.shopperFee}, ${r.agentId})
    ON CONFLICT (workspace_id, return_id) WHERE status IN ('pending', 'ready') DO NOTHING
    RETURNING *`);
}

export const finish = (
  db: Db,
  id: number,
  l: {
    labelUrl: string | null;
    trackingNumber: string | null;
    carrier: string | null;
    service: string | null;
    externalId: string | null;
    cost: number;
    currency: string | null;
  },
) =>
  db.one<LabelRow>(sql`
    UPDATE return_labels SET status = 'ready', label_url = ${l.labelUrl}, tracking_number = ${l.trackingNumber},
      carrier = ${l.carrier}, service = ${l.service}, external_id = ${l.externalId}, cost_minor = ${l.cost},
      cost_currency = ${l.currency}, error = NULL, updated_at = now()
    WHERE id = ${id} RETURNING *`);

export const fail = (db: Db, id: number, error: string) =>
  db.one<LabelRow>(sql`
    UPDATE return_labels SET status = 'failed', error = ${error.slice(0, 1000)}, updated_at = now()
    WHERE id = ${id} RETURNING *`);

export const voidLive = (db: Db, workspaceId: number, returnId: number) =>
  db.query(sql`
    UPDATE return_labels SET status = 'void', updated_at = now()
    WHERE workspace_id = ${workspaceId} AND return_id = ${returnId} AND status = 'ready'`);
