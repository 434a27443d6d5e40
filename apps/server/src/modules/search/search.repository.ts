import { type Db, planEachTime, type SQL, sql } from '../../platform/db/db.ts';

// Control characters mark highlights so the snippet can be HTML-escaped before <mark> goes in.
export const HL_START = '\u0002';
export const HL_END = '\u0003';

/** Matching messages (and subjects) ranked per search; see searchTickets. */
export const SEARCH_CANDIDATES = 1000;

/** The newest window of rows searched first; each further window is WINDOW_GROWTH times larger. */
export const SEARCH_WINDOW = 20_000;
const WINDOW_GROWTH = 4;

/**
 * Id ranges of a table searched newest first, `[lo, hi]` inclusive, from the newest `SEARCH_WINDOW`
 * ids growing by `WINDOW_GROWTH`, the last one open to the oldest row.
 */
export function searchWindows(maxId: number): [number | null, number | null][] {
  const out: [number | null, number | null][] = [];
  let hi: number | null = null;
  let size = SEARCH_WINDOW;
  let lo = maxId - size + 1;
  while (lo > 1) {
    out.push([lo, hi]);
    hi = lo - 1;
    size *= WINDOW_GROWTH;
    lo = maxId - size + 1;
  }
  out.push([null, hi]);
  return out;
}

/**
 * The newest `n` rows of `table` matching `query`, read window by window, newest first: the branches of
 * a UNION ALL under one LIMIT, which PostgreSQL runs in order and stops as soon as the limit is
 * reached, so a common word touches only the newest windows. Each branch fetches the matches of its
 * id range (the full-text index's hits ANDed with the primary key's range), never every match of the
 * desk; without windows a word in 5 % of 300k messages read 15,000 rows to keep 1,000.
 */
function newestMatches(
  table: 'messages' | 'tickets',
  columns: SQL,
  workspaceId: number,
  query: SQL,
  maxId: number,
  n: number,
) {
  const branches = searchWindows(maxId).map(
    ([lo, hi]) => sql`(SELECT ${columns} FROM ${sql.raw(table)}
      WHERE workspace_id = ${workspaceId} AND search @@ ${query}
        ${lo === null ? sql`` : sql`AND id >= ${lo}`} ${hi === null ? sql`` : sql`AND id <= ${hi}`}
      ORDER BY id DESC LIMIT ${n})`,
  );
  return sql`(SELECT * FROM (${sql.join(branches, sql` UNION ALL `)}) w LIMIT ${n})`;
}

/**
 * Read model over tickets and messages (owned by the tickets module): search reads, never writes.
 * Ranks ticket subjects above body matches; the best-matching message gives the snippet.
 *
 * Ranking reads every candidate's tsvector, so it is bounded: the 1,000 most recent matching
 * messages and 500 most recent matching subjects are ranked (all of them when fewer match), found
 * window by window (newestMatches). A common word in a large desk therefore ranks among recent
 * conversations, which is what agents look for, and costs about the same at 3M messages as at 3k. The
 * tsquery is written inline so the planner sees the actual words, and it is planned for its words on
 * every call (`planEachTime`): a prepared statement switches to a generic plan after five runs, which
 * cannot see the word and took a rare-word search from 7 to 40 ms at 20k tickets on PostgreSQL.
 */
export async function searchTickets(db: Db, workspaceId: number, q: string, limit: number) {
  const query = sql`websearch_to_tsquery('simple', ${q})`;
  // The window bounds are literals for the planner (a subquery's value is unknown when planning).
  const top = await db.one<{ m: number | null; t: number | null }>(sql`
    SELECT (SELECT max(id) FROM messages WHERE workspace_id = ${workspaceId}) AS m,
           (SELECT max(id) FROM tickets WHERE workspace_id = ${workspaceId}) AS t`);
  if (top?.m == null && top?.t == null) return [];
  const messages = newestMatches(
    'messages',
    sql`id, ticket_id, search`,
    workspaceId,
    query,
    Number(top?.m ?? 0),
    SEARCH_CANDIDATES,
  );
  const subjects = newestMatches(
    'tickets',
    sql`id, search`,
    workspaceId,
    query,
    Number(top?.t ?? 0),
    SEARCH_CANDIDATES / 2,
  );
  return db.query<{
    ticket_id: number;
    message_id: number | null;
    rank: number;
    subject: string;
    status: string;
    contact_name: string | null;
    last_message_at: Date;
    highlight: string;
  }>(sql`${planEachTime}
    WITH msg AS (
      SELECT m.ticket_id, m.id AS message_id, ts_rank_cd(m.search, ${query}) AS rank FROM ${messages} m
    ),
    subj AS (
      SELECT t.id AS ticket_id, NULL::bigint AS message_id, ts_rank_cd(t.search, ${query}) * 2 + 0.1 AS rank
      FROM ${subjects} t
    ),
    -- One row per ticket: its best rank, and its best-matching message for the snippet.
    per_ticket AS (
      SELECT ticket_id, max(rank) AS rank,
        (array_agg(message_id ORDER BY message_id IS NULL, rank DESC))[1] AS message_id
      FROM (SELECT * FROM msg UNION ALL SELECT * FROM subj) hits GROUP BY ticket_id
    ),
    top AS (
      SELECT p.ticket_id, p.message_id, p.rank, t.subject, t.status, t.last_message_at, t.contact_id
      FROM per_ticket p JOIN tickets t ON t.id = p.ticket_id
      WHERE t.workspace_id = ${workspaceId} AND t.merged_into_id IS NULL
      ORDER BY p.rank DESC, t.last_message_at DESC LIMIT ${limit}
    )
    SELECT top.ticket_id, top.message_id, top.rank::float8 AS rank, top.subject, top.status, c.name AS contact_name, top.last_message_at,
      ts_headline('simple', coalesce(m.body_text, top.subject), ${query},
        ${`StartSel=${HL_START}, StopSel=${HL_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`}) AS highlight
    FROM top
    LEFT JOIN messages m ON m.id = top.message_id
    LEFT JOIN contacts c ON c.id = top.contact_id
    ORDER BY top.rank DESC, top.last_message_at DESC`);
}

/**
 * Contacts whose name or email contains the query, or is close to it (a typo: `q <% text`, trigram word
 * similarity above pg_trgm.word_similarity_threshold, 0.6 by default; served by contacts_name_trgm).
 */
export const searchContacts = (db: Db, workspaceId: number, q: string, limit: number) =>
  db.query<{ id: number; name: string | null; email: string | null }>(sql`
    SELECT id, name, email FROM contacts
    WHERE workspace_id = ${workspaceId} AND merged_into_id IS NULL
      AND ((coalesce(name, '') || ' ' || coalesce(email, '')) ILIKE ${`%${q.replace(/[%_\\]/g, '\\$&')}%`}
        OR ${q} <% (coalesce(name, '') || ' ' || coalesce(email, '')))
    ORDER BY word_similarity(${q}, coalesce(name, '') || ' ' || coalesce(email, '')) DESC, id DESC LIMIT ${limit}`);

/** The hit shape of searchTickets, for tickets found another way (typo in the subject, the customer's email). */
type TicketHit = Awaited<ReturnType<typeof searchTickets>>[number];

/**
 * Tickets whose subject is close to the query though no word matches exactly (a typo), most similar
 * first. Word similarity at 0.5: "refnd" finds "Refund for order 1042", "parcle" finds "Parcel stuck".
 */
export const searchSubjectsFuzzy = (db: Db, workspaceId: number, q: string, limit: number, not: number[]) =>
  db.tx(async (tx) => {
    await tx.query(sql`SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', true)`);
    return tx.query<TicketHit>(sql`
      SELECT t.id AS ticket_id, NULL::bigint AS message_id, (word_similarity(${q}, t.subject) * 0.1)::float8 AS rank,
        t.subject, t.status, c.name AS contact_name, t.last_message_at, t.subject AS highlight
      FROM tickets t LEFT JOIN contacts c ON c.id = t.contact_id
      WHERE t.workspace_id = ${workspaceId} AND t.merged_into_id IS NULL AND ${q} <% t.subject
        AND NOT (t.id = ANY(${not}::bigint[]))
      ORDER BY word_similarity(${q}, t.subject) DESC, t.last_message_at DESC LIMIT ${limit}`);
  });

/** The tickets of the contact(s) with this email address (and of contacts merged into them), newest first. */
export const ticketsOfEmail = (db: Db, workspaceId: number, email: string, limit: number, not: number[]) =>
  db.query<TicketHit>(sql`
    WITH who AS (
      SELECT id FROM contacts WHERE workspace_id = ${workspaceId} AND lower(email) = lower(${email})
      UNION
      SELECT m.id FROM contacts m JOIN contacts c ON m.merged_into_id = c.id
      WHERE c.workspace_id = ${workspaceId} AND lower(c.email) = lower(${email})
    )
    SELECT t.id AS ticket_id, NULL::bigint AS message_id, 0.05::float8 AS rank, t.subject, t.status,
      c.name AS contact_name, t.last_message_at, t.subject AS highlight
    FROM tickets t JOIN contacts c ON c.id = t.contact_id
    WHERE t.workspace_id = ${workspaceId} AND t.merged_into_id IS NULL AND t.contact_id IN (SELECT id FROM who)
      AND NOT (t.id = ANY(${not}::bigint[]))
    ORDER BY t.last_message_at DESC LIMIT ${limit}`);
