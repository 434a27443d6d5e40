import { type Db, sql } from '../../platform/db/db.ts';

// Control characters mark highlights so the snippet can be HTML-escaped before <mark> goes in.
export const HL_START = '\u0002';
export const HL_END = '\u0003';

/**
 * Read model over tickets and messages (owned by the tickets module): search reads, never writes.
 * Ranks ticket subjects above body matches; the best-matching message gives the snippet.
 */
export async function searchTickets(db: Db, workspaceId: number, q: string, limit: number) {
  return db.query<{
    ticket_id: number;
    message_id: number | null;
    rank: number;
    subject: string;
    status: string;
    contact_name: string | null;
    last_message_at: Date;
    highlight: string;
  }>(sql`
    WITH query AS (SELECT websearch_to_tsquery('simple', ${q}) AS q),
    hits AS (
      SELECT m.ticket_id, m.id AS message_id, ts_rank_cd(m.search, query.q) AS rank
      FROM messages m, query WHERE m.workspace_id = ${workspaceId} AND m.search @@ query.q
      UNION ALL
      SELECT t.id, NULL, ts_rank_cd(t.search, query.q) * 2 + 0.1
      FROM tickets t, query WHERE t.workspace_id = ${workspaceId} AND t.search @@ query.q
    ),
    best AS (
      SELECT DISTINCT ON (ticket_id) ticket_id, message_id, rank FROM hits ORDER BY ticket_id, (message_id IS NULL), rank DESC
    ),
    ranked AS (
      SELECT b.ticket_id, b.message_id, (SELECT max(rank) FROM hits h WHERE h.ticket_id = b.ticket_id) AS rank
      FROM best b
    ),
    top AS (
      SELECT r.*, t.subject, t.status, t.last_message_at, t.contact_id FROM ranked r JOIN tickets t ON t.id = r.ticket_id
      WHERE t.merged_into_id IS NULL
      ORDER BY r.rank DESC, t.last_message_at DESC LIMIT ${limit}
    )
    SELECT top.ticket_id, top.message_id, top.rank::float8 AS rank, top.subject, top.status, c.name AS contact_name, top.last_message_at,
      ts_headline('simple', coalesce(m.body_text, top.subject), query.q,
        ${`StartSel=${HL_START}, StopSel=${HL_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`}) AS highlight
    FROM top CROSS JOIN query
    LEFT JOIN messages m ON m.id = top.message_id
    LEFT JOIN contacts c ON c.id = top.contact_id
    ORDER BY top.rank DESC, top.last_message_at DESC`);
}

export const searchContacts = (db: Db, workspaceId: number, q: string, limit: number) =>
  db.query<{ id: number; name: string | null; email: string | null }>(sql`
    SELECT id, name, email FROM contacts
    WHERE workspace_id = ${workspaceId} AND merged_into_id IS NULL
      AND (coalesce(name, '') || ' ' || coalesce(email, '')) ILIKE ${`%${q.replace(/[%_\\]/g, '\\$&')}%`}
    ORDER BY similarity(coalesce(name, '') || ' ' || coalesce(email, ''), ${q}) DESC, id DESC LIMIT ${limit}`);
