import { type Db, sql } from '../../platform/db/db.ts';
import { enqueue, insertWithJob } from '../../platform/jobs/queue.ts';

export type SubscriptionRow = {
  id: number;
  workspace_id: number;
  url: string;
  description: string;
  events: string[];
  active: boolean;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_valid_until: Date | null;
  rotated_at: Date | null;
  failing_since: Date | null;
  failed_deliveries: number;
  last_success_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
};

export type DeliveryRow = {
  id: number;
  workspace_id: number;
  subscription_id: number;
  message_id: string;
  event_type: string;
  payload: unknown;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
};

export type AttemptRow = {
  id: number;
  manual: boolean;
  request_headers: Record<string, string>;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  error: string | null;
  duration_ms: number;
  created_at: Date;
};

export const listSubscriptions = (db: Db, workspaceId: number) =>
  db.query<SubscriptionRow>(
    sql`SELECT * FROM webhook_subscriptions WHERE workspace_id = ${workspaceId} ORDER BY id`,
  );

export const getSubscription = (db: Db, workspaceId: number, id: number) =>
  db.one<SubscriptionRow>(
    sql`SELECT * FROM webhook_subscriptions WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );

export const insertSubscription = (
  db: Db,
  s: { workspaceId: number; url: string; description: string; events: string[]; active: boolean },
  secretEnc: string,
) =>
  db.one<SubscriptionRow>(sql`
    INSERT INTO webhook_subscriptions (workspace_id, url, description, events, active, secret_enc)
    VALUES (${s.workspaceId}, ${s.url}, ${s.description}, ${s.events}::text[], ${s.active}, ${secretEnc})
    RETURNING *`);

export const countSubscriptions = async (db: Db, workspaceId: number) =>
  (await db.one<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM webhook_subscriptions WHERE workspace_id = ${workspaceId}`,
  ))!.n;

/** Switching on again clears the failure record, so one more failure does not switch it off at once. */
export const updateSubscription = (
  db: Db,
  workspaceId: number,
  id: number,
  p: { url?: string; description?: string; events?: string[]; active?: boolean },
) =>
  db.one<SubscriptionRow>(sql`
    UPDATE webhook_subscriptions SET
      url = coalesce(${p.url ?? null}, url),
      description = coalesce(${p.description ?? null}, description),
      events = coalesce(${p.events ?? null}::text[], events),
      active = coalesce(${p.active ?? null}::boolean, active),
      disabled_reason = CASE WHEN ${p.active ?? null}::boolean IS NULL THEN disabled_reason ELSE NULL END,
      failing_since = CASE WHEN ${p.active ?? null}::boolean AND NOT active THEN NULL ELSE failing_since END,
      failed_deliveries = CASE WHEN ${p.active ?? null}::boolean AND NOT active THEN 0 ELSE failed_deliveries END,
      updated_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING *`);

export const rotateSecret = (db: Db, workspaceId: number, id: number, secretEnc: string, graceUntil: Date) =>
  db.one<SubscriptionRow>(sql`
    UPDATE webhook_subscriptions
    SET previous_secret_enc = secret_enc, previous_valid_until = ${graceUntil}, secret_enc = ${secretEnc},
        rotated_at = now(), updated_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING *`);

export const deleteSubscription = (db: Db, workspaceId: number, id: number) =>
  db.query<{ id: number }>(
    sql`DELETE FROM webhook_subscriptions WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
  );

/**
 * The fan-out of one event: a delivery per subscription, each committed with its job in one statement.
 * The unique source key skips subscriptions that already have this event (a replayed outbox row).
 */
export async function insertDeliveries(
  db: Db,
  workspaceId: number,
  rows: { subscriptionId: number; messageId: string }[],
  eventType: string,
  sourceKey: string,
  payload: unknown,
  maxAttempts: number,
): Promise<number[]> {
  const ids: number[] = [];
  const body = JSON.stringify(payload);
  for (const r of rows) {
    const id = await insertWithJob(
      db,
      sql`INSERT INTO webhook_deliveries (workspace_id, subscription_id, message_id, event_type, source_key, payload)
        VALUES (${workspaceId}, ${r.subscriptionId}, ${r.messageId}, ${eventType}, ${sourceKey}, ${body}::jsonb)
        ON CONFLICT (subscription_id, source_key) DO NOTHING RETURNING id`,
      {
        name: 'deliver-webhook',
        payloadKey: 'deliveryId',
        uniqueKeyPrefix: 'deliver-webhook:',
        workspaceId,
        maxAttempts,
      },
    );
    if (id !== null) ids.push(id);
  }
  return ids;
}

/** The delivery with what signing it needs, for the delivery job. */
export const deliveryForSending = (db: Db, id: number) =>
  db.one<
    DeliveryRow & {
      url: string;
      active: boolean;
      secret_enc: string;
      previous_secret_enc: string | null;
      previous_valid_until: Date | null;
    }
  >(sql`
    SELECT d.*, s.url, s.active, s.secret_enc, s.previous_secret_enc, s.previous_valid_until
    FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
    WHERE d.id = ${id}`);

export const insertAttempt = (
  db: Db,
  a: {
    workspaceId: number;
    deliveryId: number;
    manual: boolean;
    requestHeaders: Record<string, string>;
    responseStatus: number | null;
    responseHeaders: Record<string, string> | null;
    responseBody: string | null;
    error: string | null;
    durationMs: number;
  },
) =>
  db.query(sql`
    INSERT INTO webhook_delivery_attempts (workspace_id, delivery_id, manual, request_headers, response_status,
      response_headers, response_body, error, duration_ms)
    VALUES (${a.workspaceId}, ${a.deliveryId}, ${a.manual}, ${JSON.stringify(a.requestHeaders)}::jsonb,
      ${a.responseStatus}, ${a.responseHeaders ? JSON.stringify(a.responseHeaders) : null}::jsonb,
      ${a.responseBody}, ${a.error}, ${a.durationMs})`);

/** A success: the delivery is done and the subscription's failure record starts over. */
export const markSucceeded = async (db: Db, id: number, subscriptionId: number, status: number) => {
  await db.query(sql`
    UPDATE webhook_deliveries SET status = 'succeeded', attempts = attempts + 1, last_status = ${status},
      last_error = NULL, finished_at = now() WHERE id = ${id}`);
  await db.query(sql`
    UPDATE webhook_subscriptions SET failing_since = NULL, failed_deliveries = 0, last_success_at = now()
    WHERE id = ${subscriptionId}`);
};

/**
 * A failed attempt; `final` when the delivery has no attempts left. Counts a finished failure against
 * the subscription and returns it, so the caller can decide to switch it off.
 */
export const markFailed = async (
  db: Db,
  id: number,
  subscriptionId: number,
  o: { status: number | null; error: string; final: boolean; manual: boolean },
) => {
  await db.query(sql`
    UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ${o.status}, last_error = ${o.error},
      status = CASE WHEN ${o.final} THEN 'failed' ELSE status END,
      finished_at = CASE WHEN ${o.final} THEN now() ELSE finished_at END
    WHERE id = ${id}`);
  // A manual redelivery is a test by a person: it does not count towards switching the subscription off.
  if (o.manual) return null;
  return db.one<SubscriptionRow>(sql`
    UPDATE webhook_subscriptions SET failing_since = coalesce(failing_since, now()),
      failed_deliveries = failed_deliveries + ${o.final ? 1 : 0}
    WHERE id = ${subscriptionId} RETURNING *`);
};

/** Switches a failing subscription off, once (the guard keeps a concurrent second switch-off silent). */
export const disableSubscription = (db: Db, id: number, reason: string) =>
  db.one<SubscriptionRow>(sql`
    UPDATE webhook_subscriptions SET active = false, disabled_reason = ${reason}, updated_at = now()
    WHERE id = ${id} AND active RETURNING *`);

export const markSkipped = (db: Db, id: number, reason: string) =>
  db.query(sql`
    UPDATE webhook_deliveries SET status = 'failed', last_error = ${reason}, finished_at = now()
    WHERE id = ${id} AND status = 'pending'`);

/** A manual redelivery: pending again, with a job of its own (one attempt), in one transaction. */
export const requeueDelivery = (db: Db, workspaceId: number, id: number) =>
  db.tx(async (tx) => {
    const d = await tx.one<{ id: number; attempts: number }>(sql`
      UPDATE webhook_deliveries SET status = 'pending', finished_at = NULL
      WHERE workspace_id = ${workspaceId} AND id = ${id} AND status <> 'pending' RETURNING id, attempts`);
    if (!d) return null;
    await enqueue(
      tx,
      'deliver-webhook',
      { deliveryId: d.id, manual: true },
      { workspaceId, uniqueKey: `deliver-webhook:${d.id}:manual:${d.attempts}`, maxAttempts: 1 },
    );
    return d;
  });

export const listDeliveries = (
  db: Db,
  workspaceId: number,
  subscriptionId: number,
  o: { status?: string; before?: number; limit: number },
) =>
  db.query<DeliveryRow>(sql`
    SELECT * FROM webhook_deliveries
    WHERE workspace_id = ${workspaceId} AND subscription_id = ${subscriptionId}
      ${o.status ? sql`AND status = ${o.status}` : sql``}
      ${o.before ? sql`AND id < ${o.before}` : sql``}
    ORDER BY id DESC LIMIT ${o.limit}`);

export const getDelivery = (db: Db, workspaceId: number, id: number) =>
  db.one<DeliveryRow>(
    sql`SELECT * FROM webhook_deliveries WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );

export const listAttempts = (db: Db, workspaceId: number, deliveryId: number) =>
  db.query<AttemptRow>(sql`
    SELECT * FROM webhook_delivery_attempts WHERE workspace_id = ${workspaceId} AND delivery_id = ${deliveryId}
    ORDER BY id`);

/** Housekeeping: finished deliveries (and their attempts) older than the retention. */
export const pruneDeliveries = async (db: Db, olderThanDays: number) => {
  let total = 0;
  for (;;) {
    const rows = await db.query(sql`
      DELETE FROM webhook_deliveries WHERE id IN (
        SELECT id FROM webhook_deliveries WHERE status <> 'pending'
          AND created_at < now() - make_interval(days => ${olderThanDays}) LIMIT 2000)
      RETURNING 1`);
    total += rows.length;
    if (rows.length < 2000) return total;
  }
};
