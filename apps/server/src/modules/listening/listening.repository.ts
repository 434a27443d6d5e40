import { type Db, type SQL, sql } from '../../platform/db/db.ts';

export interface SourceRow {
  id: number;
  workspace_id: number;
  kind: string;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  keywords: string[];
  secrets_enc: string | null;
  cursor: string | null;
  last_polled_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  paused_until: Date | null;
  created_at: Date;
}

export interface MentionRow {
  id: number;
  workspace_id: number;
  source_id: number | null;
  kind: string;
  external_id: string;
  author: string;
  author_handle: string | null;
  text: string;
  link: string | null;
  posted_at: Date;
  language: string | null;
  rating: number | null;
  sentiment: string;
  sentiment_score: number;
  sentiment_reasons: { phrase: string; weight: number }[];
  matched_keywords: string[];
  status: string;
  reply_ref: Record<string, unknown> | null;
  contact_id: number | null;
  order_id: number | null;
  order_number: string | null;
  ticket_id: number | null;
  replied_at: Date | null;
  created_at: Date;
}

export const listSources = (db: Db, workspaceId: number) =>
  db.query<SourceRow>(sql`SELECT * FROM listening_sources WHERE workspace_id = ${workspaceId} ORDER BY id`);

export const findSource = (db: Db, workspaceId: number, id: number) =>
  db.one<SourceRow>(sql`SELECT * FROM listening_sources WHERE workspace_id = ${workspaceId} AND id = ${id}`);

/** The poll job's read: by id alone (the job carries the workspace it was enqueued for and checks it). */
export const sourceById = (db: Db, id: number) =>
  db.one<SourceRow>(sql`SELECT * FROM listening_sources WHERE id = ${id}`);

export const insertSource = (
  db: Db,
  s: {
    workspaceId: number;
    kind: string;
    name: string;
    enabled: boolean;
    settings: Record<string, unknown>;
    keywords: string[];
    secretsEnc: string | null;
  },
) =>
  db.one<SourceRow>(sql`
    INSERT INTO listening_sources (workspace_id, kind, name, enabled, settings, keywords, secrets_enc)
    VALUES (${s.workspaceId}, ${s.kind}, ${s.name}, ${s.enabled}, ${JSON.stringify(s.settings)}::jsonb,
            ${s.keywords}::text[], ${s.secretsEnc})
    RETURNING *`) as Promise<SourceRow>;

export const updateSource = (
  db: Db,
  workspaceId: number,
  id: number,
  f: {
    name?: string;
    enabled?: boolean;
    settings?: Record<string, unknown>;
    keywords?: string[];
    secretsEnc?: string | null;
  },
) => {
  const sets: SQL[] = [sql`updated_at = now()`];
  if (f.name !== undefined) sets.push(sql`name = ${f.name}`);
  if (f.enabled !== undefined) sets.push(sql`enabled = ${f.enabled}`);
  if (f.settings !== undefined) sets.push(sql`settings = ${JSON.stringify(f.settings)}::jsonb`);
  if (f.keywords !== undefined) sets.push(sql`keywords = ${f.keywords}::text[]`);
  if (f.secretsEnc !== undefined) sets.push(sql`secrets_enc = ${f.secretsEnc}`);
  // A changed source is tried again at once: the last error and any pause belong to the old settings.
  if (f.enabled || f.settings || f.secretsEnc) sets.push(sql`last_error = NULL, paused_until = NULL`);
  return db.one<SourceRow>(sql`
    UPDATE listening_sources SET ${sql.join(sets, sql`, `)}
    WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING *`);
};

export const deleteSource = async (db: Db, workspaceId: number, id: number) =>
  (
    await db.query(
      sql`DELETE FROM listening_sources WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING 1`,
    )
  ).length > 0;

/** After a successful pass: the new cursor, no error. */
export const recordPoll = (db: Db, id: number, cursor: string | null, pausedUntil: Date | null) =>
  db.query(sql`
    UPDATE listening_sources SET cursor = ${cursor}, last_polled_at = now(), last_error = NULL,
      paused_until = ${pausedUntil?.toISOString() ?? null} WHERE id = ${id}`);

export const recordError = (db: Db, id: number, error: string, pausedUntil: Date | null) =>
  db.query(sql`
    UPDATE listening_sources SET last_error = ${error.slice(0, 500)}, last_error_at = now(),
      paused_until = ${pausedUntil?.toISOString() ?? null} WHERE id = ${id}`);

export const enabledSources = (db: Db) =>
  db.query<{ id: number; workspace_id: number; kind: string }>(
    sql`SELECT id, workspace_id, kind FROM listening_sources WHERE enabled`,
  );

/** Stores a mention once; null when this source item is already known (a replayed intake event). */
export const insertMention = (
  db: Db,
  m: Omit<MentionRow, 'id' | 'status' | 'ticket_id' | 'replied_at' | 'created_at' | 'posted_at'> & {
    posted_at: string;
  },
) =>
  db.one<MentionRow>(sql`
    INSERT INTO listening_mentions (workspace_id, source_id, kind, external_id, author, author_handle, text, link,
      posted_at, language, rating, sentiment, sentiment_score, sentiment_reasons, matched_keywords, reply_ref,
      contact_id, order_id, order_number)
    VALUES (${m.workspace_id}, ${m.source_id}, ${m.kind}, ${m.external_id}, ${m.author}, ${m.author_handle},
      ${m.text}, ${m.link}, ${m.posted_at}, ${m.language}, ${m.rating}, ${m.sentiment}, ${m.sentiment_score},
      ${JSON.stringify(m.sentiment_reasons)}::jsonb, ${m.matched_keywords}::text[],
      ${m.reply_ref ? JSON.stringify(m.reply_ref) : null}::jsonb, ${m.contact_id}, ${m.order_id}, ${m.order_number})
    ON CONFLICT (workspace_id, kind, external_id) DO NOTHING
    RETURNING *`);

export const findMention = (db: Db, workspaceId: number, id: number) =>
  db.one<MentionRow>(
    sql`SELECT * FROM listening_mentions WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );

export const findMentionByExternal = (db: Db, workspaceId: number, kind: string, externalId: string) =>
  db.one<MentionRow>(sql`
    SELECT * FROM listening_mentions WHERE workspace_id = ${workspaceId} AND kind = ${kind} AND external_id = ${externalId}`);

export interface MentionFilter {
  kind?: string;
  sentiment?: string;
  status?: string;
  recovery?: boolean;
  before?: number;
  limit: number;
}

export const listMentions = (db: Db, workspaceId: number, f: MentionFilter) => {
  const where: SQL[] = [sql`workspace_id = ${workspaceId}`];
  if (f.kind) where.push(sql`kind = ${f.kind}`);
  if (f.sentiment) where.push(sql`sentiment = ${f.sentiment}`);
  if (f.status) where.push(sql`status = ${f.status}`);
  // The recovery queue: unhappy voices nobody has opened a ticket for yet.
  if (f.recovery) where.push(sql`sentiment = 'negative' AND ticket_id IS NULL AND status <> 'ignored'`);
  if (f.before) where.push(sql`id < ${f.before}`);
  return db.query<MentionRow>(sql`
    SELECT * FROM listening_mentions WHERE ${sql.join(where, sql` AND `)}
    ORDER BY id DESC LIMIT ${f.limit}`);
};

export const setStatus = async (db: Db, workspaceId: number, ids: number[], status: string) =>
  (
    await db.query<{ id: number }>(sql`
    UPDATE listening_mentions SET status = ${status}
    WHERE workspace_id = ${workspaceId} AND id = ANY(${ids}::bigint[]) RETURNING id`)
  ).map((r) => r.id);

/** Links the ticket once: a second "create ticket" (or a retried job) finds the first one. */
export const setTicket = (
  db: Db,
  workspaceId: number,
  id: number,
  ticketId: number,
  contactId: number | null,
) =>
  db.query(sql`
    UPDATE listening_mentions SET ticket_id = coalesce(ticket_id, ${ticketId}),
      contact_id = coalesce(contact_id, ${contactId}),
      status = CASE WHEN status IN ('new', 'reviewed') THEN 'ticketed' ELSE status END
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export const markReplied = (db: Db, workspaceId: number, id: number) =>
  db.query(sql`
    UPDATE listening_mentions SET status = 'replied', replied_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);

/** Mentions per day, source and sentiment (volume and sentiment over time). */
export const volumeByDay = (db: Db, workspaceId: number, days: number) =>
  db.query<{ day: string; kind: string; sentiment: string; n: number; avg_score: number }>(sql`
    SELECT to_char(date_trunc('day', posted_at), 'YYYY-MM-DD') AS day, kind, sentiment,
      count(*)::int AS n, round(avg(sentiment_score))::int AS avg_score
    FROM listening_mentions
    WHERE workspace_id = ${workspaceId} AND posted_at >= now() - make_interval(days => ${days})
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
