import { type Db, sql } from '../../platform/db/db.ts';

export type SettingsRow = {
  workspace_id: number;
  settings: Record<string, unknown>;
  identity_secret: string;
  token_salt: string;
  updated_at: Date;
  identity_secret_rotated_at: Date | null;
};

export type VisitorRow = {
  id: number;
  workspace_id: number;
  visitor_key: string;
  verified: boolean;
  name: string | null;
  email: string | null;
  prechat: Record<string, string>;
  prechat_done: boolean;
  contact_id: number | null;
  page_url: string | null;
  page_title: string | null;
  user_agent: string | null;
  ip: string | null;
  locale: string | null;
  timezone: string | null;
  referrer: string | null;
  pages: { url: string; title: string | null; at: string }[];
  online_until: Date | null;
  created_at: Date;
  last_seen_at: Date | null;
};

export type ConversationRow = {
  id: number;
  workspace_id: number;
  visitor_id: number;
  ticket_id: number;
  started_at: Date;
  first_response_at: Date | null;
  visitor_read_up_to: number;
  agent_read_up_to: number;
  rating_requested_at: Date | null;
  page_url: string | null;
  user_agent: string | null;
  rating_score: number | null;
  rating_comment: string | null;
};

export type { TranscriptMessageRow as ChatMessageRow } from '../tickets/index.ts';

export const findSettings = (db: Db, workspaceId: number) =>
  db.one<SettingsRow>(sql`SELECT * FROM chat_settings WHERE workspace_id = ${workspaceId}`);

export const insertSettings = (db: Db, workspaceId: number, secretEnc: string, salt: string) =>
  db.query(sql`
    INSERT INTO chat_settings (workspace_id, identity_secret, token_salt)
    VALUES (${workspaceId}, ${secretEnc}, ${salt}) ON CONFLICT (workspace_id) DO NOTHING`);

export const updateSettings = (
  db: Db,
  workspaceId: number,
  settings: Record<string, unknown>,
  secretEnc: string | null,
) =>
  db.query(sql`
    UPDATE chat_settings SET settings = ${JSON.stringify(settings)}::jsonb,
      identity_secret = coalesce(${secretEnc}, identity_secret), updated_at = now(),
      identity_secret_rotated_at = CASE WHEN ${secretEnc}::text IS NULL THEN identity_secret_rotated_at ELSE now() END
    WHERE workspace_id = ${workspaceId}`);

export const findVisitor = (db: Db, workspaceId: number, key: string) =>
  db.one<VisitorRow>(
    sql`SELECT * FROM chat_visitors WHERE workspace_id = ${workspaceId} AND visitor_key = ${key}`,
  );

/** The visitor and their latest conversation's id and ticket, in one round trip. */
export const findVisitorWithLatestConversation = (db: Db, workspaceId: number, key: string) =>
  db.one<VisitorRow & { latest_conversation_id: number | null; latest_ticket_id: number | null }>(sql`
    SELECT v.*, c.id AS latest_conversation_id, c.ticket_id AS latest_ticket_id
    FROM chat_visitors v
    LEFT JOIN LATERAL (
      SELECT id, ticket_id FROM chat_conversations
      WHERE workspace_id = v.workspace_id AND visitor_id = v.id ORDER BY id DESC LIMIT 1
    ) c ON true
    WHERE v.workspace_id = ${workspaceId} AND v.visitor_key = ${key}`);

export const findVisitorById = (db: Db, workspaceId: number, id: number) =>
  db.one<VisitorRow>(sql`SELECT * FROM chat_visitors WHERE workspace_id = ${workspaceId} AND id = ${id}`);

/** Creates the visitor or refreshes what the browser tells us; never downgrades a verified visitor. */
export const upsertVisitor = (
  db: Db,
  workspaceId: number,
  key: string,
  v: {
    verified: boolean;
    name?: string | null;
    email?: string | null;
    userAgent: string | null;
    ip: string;
    locale?: string | null;
    timezone?: string | null;
    referrer?: string | null;
  },
) =>
  db.one<VisitorRow>(sql`
    INSERT INTO chat_visitors (workspace_id, visitor_key, verified, name, email, prechat_done, user_agent, ip, locale,
                               timezone, referrer, last_seen_at)
    VALUES (${workspaceId}, ${key}, ${v.verified}, ${v.name ?? null}, ${v.email ?? null}, ${v.verified}, ${v.userAgent}, ${v.ip},
            ${v.locale ?? null}, ${v.timezone ?? null}, ${v.referrer ?? null}, now())
    ON CONFLICT (workspace_id, visitor_key) DO UPDATE SET
      verified = chat_visitors.verified OR excluded.verified,
      name = coalesce(excluded.name, chat_visitors.name),
      email = coalesce(excluded.email, chat_visitors.email),
      prechat_done = chat_visitors.prechat_done OR excluded.prechat_done,
      user_agent = coalesce(excluded.user_agent, chat_visitors.user_agent),
      ip = excluded.ip, locale = coalesce(excluded.locale, chat_visitors.locale),
      timezone = coalesce(excluded.timezone, chat_visitors.timezone),
      referrer = coalesce(excluded.referrer, chat_visitors.referrer), last_seen_at = now()
    RETURNING *`) as Promise<VisitorRow>;

export const savePrechat = (
  db: Db,
  workspaceId: number,
  id: number,
  p: { name: string | null; email: string | null; fields: Record<string, string>; done: boolean },
) =>
  db.query(sql`
    UPDATE chat_visitors SET name = coalesce(${p.name}, name), email = coalesce(${p.email}, email),
      prechat = prechat || ${JSON.stringify(p.fields)}::jsonb, prechat_done = prechat_done OR ${p.done}
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export const setVisitorLocale = (db: Db, workspaceId: number, key: string, locale: string) =>
  db.query(sql`
    UPDATE chat_visitors SET locale = ${locale} WHERE workspace_id = ${workspaceId} AND visitor_key = ${key}`);

export const setVisitorContact = (db: Db, workspaceId: number, id: number, contactId: number) =>
  db.query(
    sql`UPDATE chat_visitors SET contact_id = ${contactId} WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );

/** The visitor's current page; a different URL than before is also added to their page history. */
export const setVisitorPage = (db: Db, workspaceId: number, key: string, url: string, title: string | null) =>
  db.one<{ changed: boolean }>(sql`
    UPDATE chat_visitors v SET page_url = ${url}, page_title = ${title}, last_seen_at = now(),
      pages = CASE WHEN old.page_url IS DISTINCT FROM ${url} THEN
        jsonb_path_query_array(
          jsonb_build_array(jsonb_build_object('url', ${url}::text, 'title', ${title}::text, 'at', now())) || v.pages,
          '$[0 to 19]')
        ELSE v.pages END
    FROM chat_visitors old
    WHERE old.id = v.id AND v.workspace_id = ${workspaceId} AND v.visitor_key = ${key}
    RETURNING old.page_url IS DISTINCT FROM ${url} AS changed`);

export const setVisitorOnline = (db: Db, workspaceId: number, key: string, online: boolean) =>
  db.query(sql`
    UPDATE chat_visitors SET last_seen_at = now(),
      online_until = CASE WHEN ${online} THEN now() + interval '60 seconds' ELSE now() END
    WHERE workspace_id = ${workspaceId} AND visitor_key = ${key}`);

const conversationCols = sql`c.*, r.score AS rating_score, r.comment AS rating_comment`;

export const latestConversation = (db: Db, workspaceId: number, visitorId: number) =>
  db.one<ConversationRow>(sql`
    SELECT ${conversationCols} FROM chat_conversations c LEFT JOIN chat_ratings r ON r.conversation_id = c.id
    WHERE c.workspace_id = ${workspaceId} AND c.visitor_id = ${visitorId} ORDER BY c.id DESC LIMIT 1`);

export const conversationForTicket = (db: Db, workspaceId: number, ticketId: number) =>
  db.one<ConversationRow>(sql`
    SELECT ${conversationCols} FROM chat_conversations c LEFT JOIN chat_ratings r ON r.conversation_id = c.id
    WHERE c.workspace_id = ${workspaceId} AND c.ticket_id = ${ticketId} ORDER BY c.id DESC LIMIT 1`);

export const ticketIdsOfVisitor = async (db: Db, workspaceId: number, visitorId: number) =>
  (
    await db.query<{ ticket_id: number }>(sql`
    SELECT DISTINCT ticket_id FROM chat_conversations WHERE workspace_id = ${workspaceId} AND visitor_id = ${visitorId}`)
  ).map((r) => r.ticket_id);

export const insertConversation = async (
  db: Db,
  c: {
    workspaceId: number;
    visitorId: number;
    ticketId: number;
    pageUrl: string | null;
    userAgent: string | null;
  },
) =>
  (await db.one<{ id: number }>(sql`
    INSERT INTO chat_conversations (workspace_id, visitor_id, ticket_id, page_url, user_agent)
    VALUES (${c.workspaceId}, ${c.visitorId}, ${c.ticketId}, ${c.pageUrl}, ${c.userAgent}) RETURNING id`))!
    .id;

export const repointConversation = (db: Db, workspaceId: number, id: number, ticketId: number) =>
  db.query(
    sql`UPDATE chat_conversations SET ticket_id = ${ticketId} WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );

/** The reply's own time (a replayed event must not move it), once per conversation; true when set. */
export const markFirstResponse = async (db: Db, workspaceId: number, ticketId: number, repliedAt: Date) =>
  (
    await db.query(sql`
    UPDATE chat_conversations c SET first_response_at = ${repliedAt}::timestamptz
    WHERE ${repliedAt}::timestamptz >= c.started_at
      AND c.id = (SELECT id FROM chat_conversations WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId}
                  ORDER BY id DESC LIMIT 1) AND c.first_response_at IS NULL
    RETURNING c.id`)
  ).length > 0;

export const markRatingRequested = (db: Db, workspaceId: number, conversationId: number) =>
  db.query(sql`
    UPDATE chat_conversations SET rating_requested_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${conversationId}`);

export const setVisitorRead = (db: Db, workspaceId: number, visitorId: number, upTo: number) =>
  db.query<{ ticket_id: number }>(sql`
    UPDATE chat_conversations SET visitor_read_up_to = GREATEST(visitor_read_up_to, ${upTo})
    WHERE workspace_id = ${workspaceId} AND visitor_id = ${visitorId} AND visitor_read_up_to < ${upTo}
    RETURNING ticket_id`);

/** Everything the visitor sent on the ticket (up to `upTo`, its newest inbound message) counts as seen. */
export const setAgentRead = async (db: Db, workspaceId: number, ticketId: number, upTo: number) =>
  (
    await db.one<{ up_to: number }>(sql`
    UPDATE chat_conversations SET agent_read_up_to = GREATEST(agent_read_up_to, ${upTo})
    WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId}
    RETURNING agent_read_up_to AS up_to`)
  )?.up_to ?? 0;

export const upsertRating = (
  db: Db,
  r: {
    workspaceId: number;
    conversationId: number;
    ticketId: number;
    contactId: number | null;
    score: number;
    comment: string | null;
  },
) =>
  db.query(sql`
    INSERT INTO chat_ratings (conversation_id, workspace_id, ticket_id, contact_id, score, comment)
    VALUES (${r.conversationId}, ${r.workspaceId}, ${r.ticketId}, ${r.contactId}, ${r.score}, ${r.comment})
    ON CONFLICT (conversation_id) DO UPDATE SET score = excluded.score, comment = excluded.comment, updated_at = now()`);

export const listRatings = (db: Db, workspaceId: number, limit: number) =>
  db.query<{
    conversation_id: number;
    ticket_id: number;
    score: number;
    comment: string | null;
    created_at: Date;
  }>(sql`
    SELECT conversation_id, ticket_id, score, comment, created_at FROM chat_ratings
    WHERE workspace_id = ${workspaceId} ORDER BY created_at DESC LIMIT ${limit}`);

/** Median first response of the last 7 days' chats, and how many chats it is based on. */
export const firstResponseStats = async (db: Db, workspaceId: number) =>
  (await db.one<{ median: number | null; n: number }>(sql`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - started_at))::float8 AS median,
      count(*)::int AS n
    FROM chat_conversations
    WHERE workspace_id = ${workspaceId} AND started_at >= now() - interval '7 days' AND first_response_at IS NOT NULL`))!;

export const fallbackStatus = async (db: Db, workspaceId: number, messageId: number) =>
  (
    await db.one<{ status: string }>(sql`
    SELECT status FROM chat_email_fallbacks WHERE workspace_id = ${workspaceId} AND message_id = ${messageId}`)
  )?.status;

export const recordFallback = (
  db: Db,
  f: { workspaceId: number; messageId: number; email: string; status: string; detail: string | null },
) =>
  db.query(sql`
    INSERT INTO chat_email_fallbacks (workspace_id, message_id, email, status, detail)
    VALUES (${f.workspaceId}, ${f.messageId}, ${f.email}, ${f.status}, ${f.detail})
    ON CONFLICT (message_id) DO UPDATE SET status = excluded.status, detail = excluded.detail, created_at = now()`);

export const moveConversations = (db: Db, workspaceId: number, fromVisitor: number, toVisitor: number) =>
  db.query(sql`
    UPDATE chat_conversations SET visitor_id = ${toVisitor}
    WHERE workspace_id = ${workspaceId} AND visitor_id = ${fromVisitor}`);

// ---- transcript codes (an address proved by a one-time code before a transcript goes there) ----

export interface TranscriptCodeRow {
  code_hash: string | null;
  expires_at: Date | null;
  attempts: number;
  verified_at: Date | null;
}

export const findTranscriptCode = (db: Db, workspaceId: number, visitorId: number, email: string) =>
  db.one<TranscriptCodeRow>(sql`
    SELECT code_hash, expires_at, attempts, verified_at FROM chat_transcript_codes
    WHERE workspace_id = ${workspaceId} AND visitor_id = ${visitorId} AND email = ${email}`);

/** A new code for the address (the previous one stops working); a verified address stays verified. */
export const saveTranscriptCode = (
  db: Db,
  workspaceId: number,
  visitorId: number,
  email: string,
  codeHash: string,
  ttlSeconds: number,
) =>
  db.query(sql`
    INSERT INTO chat_transcript_codes (workspace_id, visitor_id, email, code_hash, expires_at)
    VALUES (${workspaceId}, ${visitorId}, ${email}, ${codeHash}, now() + make_interval(secs => ${ttlSeconds}))
    ON CONFLICT (workspace_id, visitor_id, email) DO UPDATE
      SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at, attempts = 0`);

/**
 * Checks a code in one statement (two tries at once cannot both use up the last attempt): true when
 * it matches an unexpired code with attempts left; the address is then verified and the code spent.
 */
export async function useTranscriptCode(
  db: Db,
  workspaceId: number,
  visitorId: number,
  email: string,
  codeHash: string,
  maxAttempts: number,
): Promise<boolean> {
  const row = await db.one<{ ok: boolean }>(sql`
    UPDATE chat_transcript_codes
    SET attempts = attempts + 1,
        verified_at = CASE WHEN code_hash = ${codeHash} THEN now() ELSE verified_at END,
        code_hash = CASE WHEN code_hash = ${codeHash} THEN NULL ELSE code_hash END
    WHERE workspace_id = ${workspaceId} AND visitor_id = ${visitorId} AND email = ${email}
      AND code_hash IS NOT NULL AND expires_at > now() AND attempts < ${maxAttempts}
    RETURNING verified_at IS NOT NULL AND code_hash IS NULL AS ok`);
  return row?.ok ?? false;
}
