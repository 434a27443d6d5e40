import { type Db, sql } from '../../platform/db/db.ts';

/*
 * Reads the quality module needs to review conversations (exported through index.ts, so QA never
 * names the tickets tables): what a review is about, and the conversations a sample draws from.
 */

export interface ReviewFacts {
  id: number;
  subject: string;
  channel: string;
  tags: string[];
  messageIds: number[];
  /** Replies per agent, with the first reply's id (the most active agent is the default reviewee). */
  replies: { agentId: number; count: number; firstId: number }[];
}

export async function reviewFacts(
  db: Db,
  workspaceId: number,
  ticketId: number,
): Promise<ReviewFacts | null> {
  const t = await db.one<{ id: number; subject: string; channel: string; tags: string[] }>(sql`
    SELECT id, subject, channel, tags FROM tickets WHERE workspace_id = ${workspaceId} AND id = ${ticketId}`);
  if (!t) return null;
  const msgs = await db.query<{ id: number; kind: string; author_agent_id: number | null }>(sql`
    SELECT id, kind, author_agent_id FROM messages
    WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId} ORDER BY id`);
  const replies = new Map<number, { agentId: number; count: number; firstId: number }>();
  for (const m of msgs) {
    if (m.kind !== 'outbound' || m.author_agent_id == null) continue;
    const r = replies.get(m.author_agent_id) ?? { agentId: m.author_agent_id, count: 0, firstId: m.id };
    r.count++;
    replies.set(m.author_agent_id, r);
  }
  return { ...t, messageIds: msgs.map((m) => m.id), replies: [...replies.values()] };
}

/** Subjects of these tickets of the workspace (review lists name the conversation). */
export const ticketSubjects = async (db: Db, workspaceId: number, ids: number[]) =>
  new Map(
    (
      await db.query<{ id: number; subject: string }>(sql`
        SELECT id, subject FROM tickets WHERE workspace_id = ${workspaceId} AND id = ANY(${ids}::bigint[])`)
    ).map((r) => [r.id, r.subject]),
  );

export interface ReviewCandidate {
  ticketId: number;
  subject: string;
  channel: string;
  /** The agent with most replies (null: only the bot or nobody answered). */
  agentId: number | null;
}

/**
 * Solved or closed conversations whose resolution falls in the last `days` (bot-only ones included),
 * or, with `onlyIds`, exactly those tickets whatever their state (risk candidates are picked by what
 * happened in them); optionally only those an agent replied in.
 */
export const reviewCandidates = (
  db: Db,
  workspaceId: number,
  o: { days: number; agentId?: number; onlyIds?: number[]; limit: number },
) =>
  db.query<ReviewCandidate>(sql`
    SELECT t.id AS "ticketId", t.subject, t.channel,
      (SELECT m.author_agent_id FROM messages m
       WHERE m.ticket_id = t.id AND m.kind = 'outbound' AND m.author_agent_id IS NOT NULL
       GROUP BY m.author_agent_id ORDER BY count(*) DESC, min(m.id) LIMIT 1) AS "agentId"
    FROM tickets t
    WHERE t.workspace_id = ${workspaceId} AND t.merged_into_id IS NULL
      ${
        o.onlyIds
          ? sql`AND t.id = ANY(${o.onlyIds}::bigint[])`
          : sql`AND t.status IN ('solved', 'closed') AND coalesce(t.solved_at, t.updated_at) >= now() - make_interval(days => ${o.days})`
      }
      ${
        o.agentId
          ? sql`AND EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'outbound' AND m.author_agent_id = ${o.agentId})`
          : sql``
      }
    ORDER BY t.id DESC LIMIT ${o.limit}`);
