import { type Db, sql } from '../../platform/db/db.ts';
import { insertWithJob } from '../../platform/jobs/queue.ts';

/** The job that processes one stored delivery (intake.jobs.ts). */
export const PROCESS_INBOUND_JOB = 'process-inbound-event';

// Raw deliveries (inbound_events, 0001_core)

/**
 * Stores a delivery and enqueues its processing job in one statement (they commit together); null when
 * this provider id was stored before (a replay: acknowledged, not stored again).
 */
export const insertEvent = (
  db: Db,
  e: {
    workspaceId: number;
    channel: string;
    providerId: string;
    headers: Record<string, unknown>;
    payload: Buffer;
  },
) =>
  insertWithJob(
    db,
    sql`INSERT INTO inbound_events (workspace_id, channel, provider_id, headers, payload)
        VALUES (${e.workspaceId}, ${e.channel}, ${e.providerId}, ${JSON.stringify(e.headers)}::jsonb, ${e.payload})
        ON CONFLICT (workspace_id, channel, provider_id) DO NOTHING RETURNING id`,
    {
      name: PROCESS_INBOUND_JOB,
      payloadKey: 'eventId',
      uniqueKeyPrefix: 'inbound:',
      workspaceId: e.workspaceId,
      maxAttempts: 10,
    },
  );

export interface EventRow {
  id: number;
  workspace_id: number;
  channel: string;
  provider_id: string;
  headers: Record<string, unknown>;
  payload: Buffer | Uint8Array;
  received_at: Date;
  processed_at: Date | null;
}

export const findEvent = (db: Db, id: number) =>
  db.one<EventRow>(sql`
    SELECT id, workspace_id, channel, provider_id, headers, payload, received_at, processed_at
    FROM inbound_events WHERE id = ${id}`);

export const markEvent = (db: Db, id: number, error: string | null) =>
  db.query(
    error
      ? sql`UPDATE inbound_events SET error = ${error.slice(0, 2000)} WHERE id = ${id}`
      : sql`UPDATE inbound_events SET processed_at = now(), error = NULL WHERE id = ${id}`,
  );

/** An account's deliveries not processed yet, and those of them whose last attempt failed. */
export const eventStats = (db: Db, workspaceId: number, channel: string, accountId: number) =>
  db.one<{ pending: number; failed: number }>(sql`
    SELECT count(*) FILTER (WHERE processed_at IS NULL)::int AS pending,
           count(*) FILTER (WHERE processed_at IS NULL AND error IS NOT NULL)::int AS failed
    FROM inbound_events WHERE workspace_id = ${workspaceId} AND channel = ${channel} AND processed_at IS NULL
      AND headers->>'accountId' = ${String(accountId)}`);

// Accounts

export interface AccountRow {
  id: number;
  workspace_id: number;
  channel: string;
  name: string;
  hook_key: string;
  address: string | null;
  settings: Record<string, unknown>;
  secrets: string | null;
  public_url: string | null;
  active: boolean;
  last_inbound_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const listAccounts = (db: Db, workspaceId: number, channel: string) =>
  db.query<AccountRow>(sql`
    SELECT * FROM channel_accounts WHERE workspace_id = ${workspaceId} AND channel = ${channel} ORDER BY id`);

export const findAccount = (db: Db, workspaceId: number, id: number) =>
  db.one<AccountRow>(sql`SELECT * FROM channel_accounts WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export const findAccountByKey = (db: Db, channel: string, key: string) =>
  db.one<AccountRow>(sql`SELECT * FROM channel_accounts WHERE channel = ${channel} AND hook_key = ${key}`);

/** The account a reply goes out through: the one named, else the workspace's first active one. */
export const accountForSending = (db: Db, workspaceId: number, channel: string, id: number | null) =>
  db.one<AccountRow>(sql`
    SELECT * FROM channel_accounts WHERE workspace_id = ${workspaceId} AND channel = ${channel} AND active
    ORDER BY (id = ${id ?? 0}) DESC, id LIMIT 1`);

export const insertAccount = (
  db: Db,
  a: {
    workspaceId: number;
    channel: string;
    name: string;
    hookKey: string;
    address: string | null;
    settings: Record<string, unknown>;
    secrets: string | null;
    publicUrl: string | null;
    active: boolean;
  },
) =>
  db.one<AccountRow>(sql`
    INSERT INTO channel_accounts (workspace_id, channel, name, hook_key, address, settings, secrets, public_url, active)
    VALUES (${a.workspaceId}, ${a.channel}, ${a.name}, ${a.hookKey}, ${a.address}, ${JSON.stringify(a.settings)}::jsonb,
            ${a.secrets}, ${a.publicUrl}, ${a.active})
    RETURNING *`);

export const updateAccount = (
  db: Db,
  workspaceId: number,
  id: number,
  a: {
    name: string;
    address: string | null;
    settings: Record<string, unknown>;
    secrets: string | null;
    publicUrl: string | null;
    active: boolean;
  },
) =>
  db.one<AccountRow>(sql`
    UPDATE channel_accounts SET name = ${a.name}, address = ${a.address}, settings = ${JSON.stringify(a.settings)}::jsonb,
      secrets = ${a.secrets}, public_url = ${a.publicUrl}, active = ${a.active}, updated_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING *`);

export const deleteAccount = (db: Db, workspaceId: number, id: number) =>
  db.one<{ id: number }>(
    sql`DELETE FROM channel_accounts WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
  );

export const reportAccount = (db: Db, id: number, error: string | null, inbound: boolean) =>
  db.query(sql`
    UPDATE channel_accounts SET
      last_error = ${error ? error.slice(0, 1000) : null}, last_error_at = ${error ? sql`now()` : sql`last_error_at`}
      ${inbound ? sql`, last_inbound_at = now()` : sql``}
    WHERE id = ${id}`);

// Threads

export const findThread = (db: Db, accountId: number, key: string) =>
  db.one<{ ticket_id: number }>(sql`
    SELECT ticket_id FROM channel_threads WHERE account_id = ${accountId} AND thread_key = ${key}`);

export const upsertThread = (db: Db, workspaceId: number, accountId: number, key: string, ticketId: number) =>
  db.query(sql`
    INSERT INTO channel_threads (account_id, thread_key, workspace_id, ticket_id) VALUES (${accountId}, ${key}, ${workspaceId}, ${ticketId})
    ON CONFLICT (account_id, thread_key) DO UPDATE SET ticket_id = excluded.ticket_id, updated_at = now()`);

// Consent

export const upsertConsent = (
  db: Db,
  c: {
    workspaceId: number;
    channel: string;
    address: string;
    state: string;
    keyword: string;
    eventId: number | null;
  },
) =>
  db.query(sql`
    INSERT INTO channel_consents (workspace_id, channel, address, state, keyword, inbound_event_id)
    VALUES (${c.workspaceId}, ${c.channel}, ${c.address}, ${c.state}, ${c.keyword}, ${c.eventId})
    ON CONFLICT (workspace_id, channel, address) DO UPDATE
      SET state = excluded.state, keyword = excluded.keyword, inbound_event_id = excluded.inbound_event_id, changed_at = now()`);

export const findConsent = (db: Db, workspaceId: number, channel: string, address: string) =>
  db.one<{ state: string; keyword: string | null; changed_at: Date }>(sql`
    SELECT state, keyword, changed_at FROM channel_consents
    WHERE workspace_id = ${workspaceId} AND channel = ${channel} AND address = ${address}`);
