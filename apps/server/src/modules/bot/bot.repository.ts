import { type Db, sql } from '../../platform/db/db.ts';

export interface ConversationRow {
  id: number;
  workspace_id: number;
  channel: string;
  conversation_key: string;
  ticket_id: number | null;
  state: Record<string, unknown>;
  outcome: 'open' | 'resolved' | 'handed_over';
  turns: number;
  lease_token: string | null;
}

/**
 * Takes the conversation's lease for one turn (creating the row on first contact): the row when this
 * caller now holds it, undefined while another turn (on any node) holds an unexpired lease.
 */
export async function claimConversation(
  db: Db,
  c: { workspaceId: number; channel: string; key: string; ticketId: number | null },
  token: string,
  leaseSeconds: number,
) {
  await db.query(
    sql`INSERT INTO bot_conversations (workspace_id, channel, conversation_key, ticket_id)
        VALUES (${c.workspaceId}, ${c.channel}, ${c.key}, ${c.ticketId}) ON CONFLICT DO NOTHING`,
  );
  return db.one<ConversationRow>(
    sql`UPDATE bot_conversations SET lease_token = ${token}, lease_until = now() + make_interval(secs => ${leaseSeconds})
        WHERE workspace_id = ${c.workspaceId} AND channel = ${c.channel} AND conversation_key = ${c.key}
          AND (lease_until IS NULL OR lease_until < now())
        RETURNING *`,
  );
}

/** Gives the lease back without saving (the turn failed). */
export const releaseConversation = (db: Db, id: number, token: string) =>
  db.query(
    sql`UPDATE bot_conversations SET lease_token = NULL, lease_until = NULL WHERE id = ${id} AND lease_token = ${token}`,
  );

export const findConversation = (db: Db, workspaceId: number, channel: string, key: string) =>
  db.one<ConversationRow>(
    sql`SELECT * FROM bot_conversations WHERE workspace_id = ${workspaceId} AND channel = ${channel} AND conversation_key = ${key}`,
  );

/** Saves the turn and gives the lease back; false when the lease was lost (expired and taken over). */
export async function saveConversation(
  db: Db,
  id: number,
  token: string,
  f: { state: unknown; outcome: string; handoverReason: string | null; ticketId: number | null },
) {
  const rows = await db.query<{ id: number }>(
    sql`UPDATE bot_conversations SET state = ${JSON.stringify(f.state)}::jsonb, outcome = ${f.outcome},
          handover_reason = coalesce(${f.handoverReason}, handover_reason), ticket_id = coalesce(${f.ticketId}::bigint, ticket_id),
          turns = turns + 1, updated_at = now(), lease_token = NULL, lease_until = NULL
        WHERE id = ${id} AND lease_token = ${token}
        RETURNING id`,
  );
  return rows.length > 0;
}

/** Recent failed proofs for these limit keys: seconds since each failure, newest first. */
export async function recentLookupFailures(
  db: Db,
  workspaceId: number,
  keys: string[],
  withinSeconds: number,
) {
  return db.query<{ limit_key: string; age: number }>(
    sql`SELECT limit_key, extract(epoch FROM now() - failed_at)::float8 AS age FROM bot_lookup_failures
        WHERE workspace_id = ${workspaceId} AND limit_key = ANY(${keys}::text[])
          AND failed_at > now() - make_interval(secs => ${withinSeconds})
        ORDER BY failed_at DESC LIMIT 500`,
  );
}

export async function recordLookupFailure(db: Db, workspaceId: number, keys: string[]) {
  await db.query(
    sql`INSERT INTO bot_lookup_failures (workspace_id, limit_key) SELECT ${workspaceId}, k FROM unnest(${keys}::text[]) AS k`,
  );
  await db.query(
    sql`DELETE FROM bot_lookup_failures WHERE workspace_id = ${workspaceId} AND failed_at < now() - interval '1 day'`,
  );
}

export async function containment(db: Db, workspaceId: number, days: number) {
  const rows = await db.query<{ channel: string; outcome: string; n: number }>(
    sql`SELECT channel, outcome, count(*)::int AS n FROM bot_conversations
        WHERE workspace_id = ${workspaceId} AND created_at > now() - make_interval(days => ${days}) AND turns > 0
        GROUP BY channel, outcome`,
  );
  return rows;
}
