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
}

/** The conversation, locked for this turn (two messages of one shopper are handled one after the other). */
export async function lockConversation(
  db: Db,
  workspaceId: number,
  channel: string,
  key: string,
  ticketId: number | null,
) {
  await db.query(
    sql`INSERT INTO bot_conversations (workspace_id, channel, conversation_key, ticket_id)
        VALUES (${workspaceId}, ${channel}, ${key}, ${ticketId}) ON CONFLICT DO NOTHING`,
  );
  return (await db.one<ConversationRow>(
    sql`SELECT * FROM bot_conversations WHERE workspace_id = ${workspaceId} AND channel = ${channel}
        AND conversation_key = ${key} FOR UPDATE`,
  ))!;
}

export const findConversation = (db: Db, workspaceId: number, channel: string, key: string) =>
  db.one<ConversationRow>(
    sql`SELECT * FROM bot_conversations WHERE workspace_id = ${workspaceId} AND channel = ${channel} AND conversation_key = ${key}`,
  );

export const saveConversation = (
  db: Db,
  id: number,
  f: { state: unknown; outcome: string; handoverReason: string | null; ticketId: number | null },
) =>
  db.query(
    sql`UPDATE bot_conversations SET state = ${JSON.stringify(f.state)}::jsonb, outcome = ${f.outcome},
          handover_reason = coalesce(${f.handoverReason}, handover_reason), ticket_id = coalesce(${f.ticketId}::bigint, ticket_id),
          turns = turns + 1, updated_at = now()
        WHERE id = ${id}`,
  );

export async function containment(db: Db, workspaceId: number, days: number) {
  const rows = await db.query<{ channel: string; outcome: string; n: number }>(
    sql`SELECT channel, outcome, count(*)::int AS n FROM bot_conversations
        WHERE workspace_id = ${workspaceId} AND created_at > now() - make_interval(days => ${days}) AND turns > 0
        GROUP BY channel, outcome`,
  );
  return rows;
}
