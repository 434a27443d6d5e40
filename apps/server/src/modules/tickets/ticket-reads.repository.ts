import { type Db, sql } from '../../platform/db/db.ts';

/*
 * Reads of tickets, messages and timelines that other modules need, shaped for their hot paths
 * (one round trip each; the sweeps are keyset pages). Exported through index.ts: the tickets module
 * owns these tables, so other modules never name them in their own SQL (table-owners.mjs).
 */

// ── For automations: a ticket as conditions see it ──────────────────────────────────────────────

export type FactTicketRow = {
  id: number;
  subject: string;
  status: string;
  priority: string;
  channel: string;
  tags: string[];
  custom_fields: Record<string, unknown>;
  assignee_id: number | null;
  team_id: number | null;
  created_at: Date;
  merged_into_id: number | null;
  contact_name: string | null;
  contact_email: string | null;
  status_since: Date;
  last_inbound: string | null;
};

const factCols = sql`
  t.id, t.subject, t.status, t.priority, t.channel, t.tags, t.custom_fields, t.assignee_id, t.team_id, t.created_at,
  t.merged_into_id, c.name AS contact_name, c.email AS contact_email,
  coalesce((SELECT max(e.created_at) FROM ticket_events e WHERE e.ticket_id = t.id
            AND e.type IN ('status_changed', 'reopened')), t.created_at) AS status_since,
  (SELECT m.body_text FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'inbound' ORDER BY m.id DESC LIMIT 1) AS last_inbound`;

export const ticketFacts = (db: Db, workspaceId: number, id: number) =>
  db.one<FactTicketRow>(sql`
    SELECT ${factCols} FROM tickets t LEFT JOIN contacts c ON c.id = t.contact_id
    WHERE t.workspace_id = ${workspaceId} AND t.id = ${id}`);

/** Open tickets a scan or preview looks at, oldest activity first. */
export const activeTicketFacts = (db: Db, workspaceId: number, limit: number) =>
  db.query<FactTicketRow>(sql`
    SELECT ${factCols} FROM tickets t LEFT JOIN contacts c ON c.id = t.contact_id
    WHERE t.workspace_id = ${workspaceId} AND t.merged_into_id IS NULL AND t.status IN ('new', 'open', 'pending', 'on-hold')
    ORDER BY t.updated_at, t.id LIMIT ${limit}`);

/** The scan's keyset page: open tickets after `afterId`, in id order (every ticket is reached in turn). */
export const ticketFactsAfter = (db: Db, workspaceId: number, afterId: number, limit: number) =>
  db.query<FactTicketRow>(sql`
    SELECT ${factCols} FROM tickets t LEFT JOIN contacts c ON c.id = t.contact_id
    WHERE t.workspace_id = ${workspaceId} AND t.id > ${afterId} AND t.merged_into_id IS NULL
      AND t.status IN ('new', 'open', 'pending', 'on-hold')
    ORDER BY t.id LIMIT ${limit}`);

/** The messages' texts, one row per asked id that exists in its workspace (ids are global keys). */
export const messageTexts = (db: Db, keys: { workspaceId: number; messageId: number }[]) =>
  db.query<{ id: number; workspace_id: number; ticket_id: number; kind: string; body_text: string }>(sql`
    SELECT m.id, m.workspace_id, m.ticket_id, m.kind, m.body_text
    FROM unnest(${keys.map((k) => k.messageId)}::bigint[], ${keys.map((k) => k.workspaceId)}::bigint[]) AS k(id, ws)
    JOIN messages m ON m.id = k.id AND m.workspace_id = k.ws`);

// ── For routing: where a ticket came in ──────────────────────────────────────────────────────────

/** Its channel and the inbox recorded on its first customer message. */
export const ticketSource = (db: Db, workspaceId: number, ticketId: number) =>
  db.one<{ channel: string; inbox_id: number | null }>(sql`
    SELECT t.channel, (SELECT (m.channel_meta->>'inboxId')::bigint FROM messages m
                       WHERE m.ticket_id = t.id AND m.kind = 'inbound' AND m.channel_meta->>'inboxId' ~ '^[0-9]+$'
                       ORDER BY m.id LIMIT 1) AS inbox_id
    FROM tickets t WHERE t.workspace_id = ${workspaceId} AND t.id = ${ticketId}`);

// ── For the inbox: its built-in views' counts ──────────────────────────────────────────────────

const INBOX_ACTIVE = ['new', 'open', 'pending', 'on-hold'];

/** The counts behind the inbox's built-in views, in two index-friendly scans instead of one request per view. */
export async function inboxCounts(db: Db, workspaceId: number, agentId: number) {
  const totals = await db.one<{
    my_open: number;
    unassigned: number;
    all_open: number;
    pending: number;
    on_hold: number;
    solved: number;
  }>(sql`SELECT
      count(*) FILTER (WHERE status = ANY(${INBOX_ACTIVE}::text[]) AND assignee_id = ${agentId})::int AS my_open,
      count(*) FILTER (WHERE status = ANY(${INBOX_ACTIVE}::text[]) AND assignee_id IS NULL)::int AS unassigned,
      count(*) FILTER (WHERE status = ANY(${INBOX_ACTIVE}::text[]))::int AS all_open,
      count(*) FILTER (WHERE status = 'pending')::int AS pending,
      count(*) FILTER (WHERE status = 'on-hold')::int AS on_hold,
      count(*) FILTER (WHERE status = 'solved')::int AS solved
    FROM tickets WHERE workspace_id = ${workspaceId} AND merged_into_id IS NULL`);
  const groups = await db.query<{ channel: string; team_id: number | null; n: number }>(sql`
    SELECT channel, team_id, count(*)::int AS n FROM tickets
    WHERE workspace_id = ${workspaceId} AND status = ANY(${INBOX_ACTIVE}::text[]) AND merged_into_id IS NULL
    GROUP BY channel, team_id`);
  return { totals: totals!, groups };
}

// ── Existence ─────────────────────────────────────────────────────────────────────────────────

export const ticketExists = async (db: Db, workspaceId: number, id: number) =>
  !!(await db.one(sql`SELECT 1 FROM tickets WHERE workspace_id = ${workspaceId} AND id = ${id}`));
