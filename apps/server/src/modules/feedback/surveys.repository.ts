import { type Db, sql } from '../../platform/db/db.ts';
import { jobInsert } from '../../platform/jobs/queue.ts';

/** SQL for the feedback module's settings, surveys and follow-ups. */

export const getSettingsRow = async (db: Db, workspaceId: number) =>
  (
    await db.one<{ settings: Record<string, unknown> }>(
      sql`SELECT settings FROM feedback_settings WHERE workspace_id = ${workspaceId}`,
    )
  )?.settings ?? null;

export const putSettingsRow = (db: Db, workspaceId: number, settings: unknown, by: number | null) =>
  db.query(sql`
    INSERT INTO feedback_settings (workspace_id, settings, updated_by) VALUES (${workspaceId}, ${JSON.stringify(settings)}::jsonb, ${by})
    ON CONFLICT (workspace_id) DO UPDATE SET settings = EXCLUDED.settings, updated_by = EXCLUDED.updated_by, updated_at = now()`);

export type SurveyRow = {
  id: number;
  workspace_id: number;
  kind: 'csat' | 'nps';
  ticket_id: number | null;
  cycle_solved_at: Date | null;
  cycle: number;
  order_id: number | null;
  order_key: string | null;
  contact_id: number | null;
  channel: string;
  status: 'scheduled' | 'sent' | 'answered' | 'skipped' | 'cancelled';
  skip_reason: string | null;
  locale: string;
  scale: 'five' | 'three' | 'thumbs' | 'nps';
  snapshot: Record<string, unknown>;
  send_at: Date;
  sent_at: Date | null;
  expires_at: Date | null;
  score: number | null;
  comment: string | null;
  reason: string | null;
  answered_at: Date | null;
  answer_count: number;
  reacted_at: Date | null;
};

const SURVEY_COLUMNS = [
  'id',
  'workspace_id',
  'kind',
  'ticket_id',
  'cycle_solved_at',
  'cycle',
  'order_id',
  'order_key',
  'contact_id',
  'channel',
  'status',
  'skip_reason',
  'locale',
  'scale',
  'snapshot',
  'send_at',
  'sent_at',
  'expires_at',
  'score',
  'comment',
  'reason',
  'answered_at',
  'answer_count',
  'reacted_at',
];
const surveyCols = sql.raw(SURVEY_COLUMNS.join(', '));
const surveyColsOfS = sql.raw(SURVEY_COLUMNS.map((c) => `s.${c}`).join(', '));

export interface NewSurvey {
  workspaceId: number;
  kind: 'csat' | 'nps';
  ticketId: number | null;
  cycleSolvedAt: Date | null;
  orderId?: number | null;
  orderKey?: string | null;
  contactId: number | null;
  channel: string;
  status: 'scheduled' | 'skipped' | 'sent';
  skipReason?: string | null;
  locale: string;
  scale: SurveyRow['scale'];
  snapshot: Record<string, unknown>;
  sendAt: Date;
  sentAt?: Date | null;
  expiresAt?: Date | null;
}

/**
 * Records a survey for a cycle (or an order) and, when it is scheduled, its send job — in one statement.
 * Nothing happens when the cycle already has one (a replayed event): returns null.
 */
export async function insertSurvey(db: Db, s: NewSurvey, job: string | null) {
  const conflict =
    s.kind === 'csat'
      ? sql`(ticket_id, cycle_solved_at) WHERE kind = 'csat'`
      : sql`(workspace_id, order_key) WHERE kind = 'nps'`;
  const cycle =
    s.kind === 'csat'
      ? sql`(SELECT count(*) + 1 FROM feedback_surveys WHERE workspace_id = ${s.workspaceId} AND ticket_id = ${s.ticketId} AND kind = 'csat')`
      : sql`1`;
  const row = await db.one<{ id: number }>(sql`
    WITH s AS (
      INSERT INTO feedback_surveys (workspace_id, kind, ticket_id, cycle_solved_at, cycle, order_id, order_key, contact_id,
        channel, status, skip_reason, locale, scale, snapshot, send_at, sent_at, expires_at)
      VALUES (${s.workspaceId}, ${s.kind}, ${s.ticketId}, ${s.cycleSolvedAt?.toISOString() ?? null}::timestamptz, ${cycle},
        ${s.orderId ?? null}, ${s.orderKey ?? null}, ${s.contactId}, ${s.channel}, ${s.status}, ${s.skipReason ?? null},
        ${s.locale}, ${s.scale}, ${JSON.stringify(s.snapshot)}::jsonb, ${s.sendAt.toISOString()}::timestamptz,
        ${s.sentAt?.toISOString() ?? null}::timestamptz, ${s.expiresAt?.toISOString() ?? null}::timestamptz)
      ON CONFLICT ${conflict} DO NOTHING
      RETURNING id)
    SELECT id FROM s`);
  if (!row) return null;
  if (job)
    await db.query(
      jobInsert(
        job,
        { workspaceId: s.workspaceId, surveyId: row.id },
        { workspaceId: s.workspaceId, runAt: s.sendAt, uniqueKey: `${job}:${row.id}` },
      ),
    );
  return row.id;
}

export const findSurvey = (db: Db, workspaceId: number, id: number, forUpdate = false) =>
  db.one<SurveyRow>(sql`SELECT ${surveyCols} FROM feedback_surveys WHERE workspace_id = ${workspaceId} AND id = ${id}
    ${forUpdate ? sql`FOR UPDATE` : sql``}`);

/** The CSAT survey of a ticket's latest cycle. */
export const latestTicketSurvey = (db: Db, workspaceId: number, ticketId: number) =>
  db.one<SurveyRow>(sql`SELECT ${surveyCols} FROM feedback_surveys
    WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId} AND kind = 'csat' ORDER BY id DESC LIMIT 1`);

/** When a contact was last sent a survey of this kind (for cooldowns and NPS throttling). */
export const lastSentTo = async (db: Db, workspaceId: number, contactId: number, kind: 'csat' | 'nps') =>
  (
    await db.one<{ at: Date | null }>(sql`
      SELECT max(coalesce(sent_at, CASE WHEN status = 'scheduled' THEN send_at END)) AS at FROM feedback_surveys
      WHERE workspace_id = ${workspaceId} AND contact_id = ${contactId} AND kind = ${kind}
        AND status IN ('scheduled', 'sent', 'answered')`)
  )?.at ?? null;

export const markSurveySent = (
  db: Db,
  id: number,
  snapshot: Record<string, unknown>,
  sentAt: Date,
  expiresAt: Date,
) =>
  db.query(sql`UPDATE feedback_surveys SET status = 'sent', snapshot = ${JSON.stringify(snapshot)}::jsonb,
    sent_at = ${sentAt.toISOString()}::timestamptz, expires_at = ${expiresAt.toISOString()}::timestamptz
    WHERE id = ${id} AND status = 'scheduled'`);

export const markSurveySkipped = (db: Db, id: number, reason: string) =>
  db.query(sql`UPDATE feedback_surveys SET status = 'skipped', skip_reason = ${reason}
    WHERE id = ${id} AND status = 'scheduled'`);

/** A reopened ticket: its survey not yet sent is called off (the next solve asks again). */
export const cancelScheduledSurveys = (db: Db, workspaceId: number, ticketId: number) =>
  db.query(sql`UPDATE feedback_surveys SET status = 'cancelled', skip_reason = 'the ticket was reopened'
    WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId} AND status = 'scheduled'`);

/**
 * Records (or changes) an answer while the window is open. Returns the row after the change and
 * whether it changed anything (the same answer submitted twice changes nothing).
 */
export async function answerSurvey(
  db: Db,
  workspaceId: number,
  id: number,
  /** `channel`: answered elsewhere (the chat widget), which also settles a survey not sent yet. */
  a: { score: number; comment: string | null; reason: string | null; channel?: string },
) {
  const row = await db.one<SurveyRow & { changed: boolean }>(sql`
    WITH prev AS (SELECT id, score, comment, reason FROM feedback_surveys WHERE workspace_id = ${workspaceId} AND id = ${id}
      AND status = ANY(${a.channel ? ['scheduled', 'sent', 'answered'] : ['sent', 'answered']}::text[])
      AND (expires_at IS NULL OR expires_at > now()) FOR UPDATE)
    UPDATE feedback_surveys s SET status = 'answered', score = ${a.score}, comment = ${a.comment}, reason = ${a.reason},
      answered_at = CASE WHEN prev.score IS NOT DISTINCT FROM ${a.score}::smallint AND prev.comment IS NOT DISTINCT FROM ${a.comment}::text
        AND prev.reason IS NOT DISTINCT FROM ${a.reason}::text THEN s.answered_at ELSE now() END,
      answer_count = s.answer_count + CASE WHEN prev.score IS NOT DISTINCT FROM ${a.score}::smallint AND prev.comment IS NOT DISTINCT FROM ${a.comment}::text
        AND prev.reason IS NOT DISTINCT FROM ${a.reason}::text THEN 0 ELSE 1 END
      ${a.channel ? sql`, channel = ${a.channel}` : sql``}
    FROM prev WHERE s.id = prev.id
    RETURNING ${surveyColsOfS},
      NOT (prev.score IS NOT DISTINCT FROM ${a.score}::smallint AND prev.comment IS NOT DISTINCT FROM ${a.comment}::text
        AND prev.reason IS NOT DISTINCT FROM ${a.reason}::text) AS changed`);
  return row ?? null;
}

/** Claims the low-score reaction for a survey: true once, whatever the number of answers or retries. */
export const claimReaction = async (db: Db, id: number) =>
  !!(await db.one(
    sql`UPDATE feedback_surveys SET reacted_at = now() WHERE id = ${id} AND reacted_at IS NULL RETURNING id`,
  ));

export const listSurveys = (
  db: Db,
  workspaceId: number,
  q: {
    kind?: string;
    status?: string;
    scores?: number[] | null;
    scale?: string | null;
    ticketId?: number;
    days: number;
    limit: number;
  },
) =>
  db.query<SurveyRow>(sql`SELECT ${surveyCols} FROM feedback_surveys
    WHERE workspace_id = ${workspaceId}
      AND created_at > now() - make_interval(days => ${q.days})
      ${q.kind ? sql`AND kind = ${q.kind}` : sql``}
      ${q.status ? sql`AND status = ${q.status}` : sql``}
      ${q.ticketId ? sql`AND ticket_id = ${q.ticketId}` : sql``}
      ${q.scores ? sql`AND score = ANY(${q.scores}::int[])` : sql``}
      ${q.scale ? sql`AND scale = ${q.scale}` : sql``}
    ORDER BY coalesce(answered_at, sent_at, send_at) DESC, id DESC LIMIT ${q.limit}`);

/** Answered surveys in the period, for summaries and trends (small columns only). */
export const answeredSince = (db: Db, workspaceId: number, days: number) =>
  db.query<{
    kind: 'csat' | 'nps';
    scale: SurveyRow['scale'];
    score: number;
    channel: string;
    reason: string | null;
    answered_at: Date;
    human: boolean | null;
    assignee_id: number | null;
    assignee_name: string | null;
  }>(sql`
    SELECT kind, scale, score, channel, reason, answered_at, (snapshot->>'human')::boolean AS human,
      (snapshot->>'assigneeId')::bigint AS assignee_id, snapshot->>'assigneeName' AS assignee_name
    FROM feedback_surveys WHERE workspace_id = ${workspaceId} AND answered_at IS NOT NULL
      AND answered_at > now() - make_interval(days => ${days})`);

export const sentCountSince = async (db: Db, workspaceId: number, days: number, kind: 'csat' | 'nps') =>
  Number(
    (
      await db.one<{ n: number }>(sql`SELECT count(*)::int AS n FROM feedback_surveys
        WHERE workspace_id = ${workspaceId} AND kind = ${kind} AND status IN ('sent', 'answered')
          AND sent_at > now() - make_interval(days => ${days})`)
    )?.n ?? 0,
  );

/** Survey comments in the period (topics read them beside the widget's feedback). */
export const surveyComments = (db: Db, workspaceId: number, days: number) =>
  db.query<{
    id: number;
    comment: string;
    score: number;
    scale: SurveyRow['scale'];
    at: Date;
    contact_id: number | null;
  }>(sql`
    SELECT id, comment, score, scale, answered_at AS at, contact_id FROM feedback_surveys
    WHERE workspace_id = ${workspaceId} AND answered_at > now() - make_interval(days => ${days})
      AND coalesce(comment, '') <> '' ORDER BY answered_at DESC LIMIT 2000`);

// Follow-ups

export type FollowUpRow = {
  id: number;
  workspace_id: number;
  ticket_id: number;
  cycle_solved_at: Date;
  channel: string;
  locale: string;
  status: 'scheduled' | 'sent' | 'fixed' | 'not-fixed' | 'closed' | 'cancelled' | 'skipped';
  skip_reason: string | null;
  send_at: Date;
  sent_at: Date | null;
  close_at: Date | null;
  answered_at: Date | null;
};
const followCols = sql`id, workspace_id, ticket_id, cycle_solved_at, channel, locale, status, skip_reason, send_at, sent_at, close_at, answered_at`;

export async function insertFollowUp(
  db: Db,
  f: {
    workspaceId: number;
    ticketId: number;
    cycleSolvedAt: Date;
    channel: string;
    locale: string;
    status: 'scheduled' | 'skipped';
    skipReason?: string | null;
    sendAt: Date;
  },
  job: string | null,
) {
  const row = await db.one<{ id: number }>(sql`
    INSERT INTO feedback_followups (workspace_id, ticket_id, cycle_solved_at, channel, locale, status, skip_reason, send_at)
    VALUES (${f.workspaceId}, ${f.ticketId}, ${f.cycleSolvedAt.toISOString()}::timestamptz, ${f.channel}, ${f.locale},
      ${f.status}, ${f.skipReason ?? null}, ${f.sendAt.toISOString()}::timestamptz)
    ON CONFLICT (ticket_id, cycle_solved_at) DO NOTHING RETURNING id`);
  if (row && job)
    await db.query(
      jobInsert(
        job,
        { workspaceId: f.workspaceId, followUpId: row.id },
        { workspaceId: f.workspaceId, runAt: f.sendAt, uniqueKey: `${job}:${row.id}` },
      ),
    );
  return row?.id ?? null;
}

export const findFollowUp = (db: Db, workspaceId: number, id: number, forUpdate = false) =>
  db.one<FollowUpRow>(sql`SELECT ${followCols} FROM feedback_followups WHERE workspace_id = ${workspaceId} AND id = ${id}
    ${forUpdate ? sql`FOR UPDATE` : sql``}`);

export const listFollowUps = (db: Db, workspaceId: number, ticketId: number | null, limit: number) =>
  db.query<FollowUpRow>(sql`SELECT ${followCols} FROM feedback_followups WHERE workspace_id = ${workspaceId}
    ${ticketId ? sql`AND ticket_id = ${ticketId}` : sql``} ORDER BY id DESC LIMIT ${limit}`);

/** Marks a follow-up sent and schedules its closing job, in one statement. */
export async function markFollowUpSent(db: Db, f: FollowUpRow, closeAt: Date, job: string) {
  await db.query(sql`
    WITH u AS (UPDATE feedback_followups SET status = 'sent', sent_at = now(), close_at = ${closeAt.toISOString()}::timestamptz
      WHERE id = ${f.id} AND status = 'scheduled' RETURNING id)
    ${jobInsert(job, { workspaceId: f.workspace_id, followUpId: f.id }, { workspaceId: f.workspace_id, runAt: closeAt, uniqueKey: `${job}:${f.id}` })}`);
}

export const setFollowUpStatus = async (
  db: Db,
  id: number,
  from: FollowUpRow['status'][],
  to: FollowUpRow['status'],
  reason: string | null = null,
) =>
  !!(await db.one(sql`UPDATE feedback_followups SET status = ${to},
      answered_at = CASE WHEN ${to} IN ('fixed', 'not-fixed') THEN now() ELSE answered_at END,
      skip_reason = coalesce(${reason}, skip_reason)
    WHERE id = ${id} AND status = ANY(${from}::text[]) RETURNING id`));

/** A reopened ticket: its follow-up (scheduled, or sent and unanswered) is called off. */
export const cancelOpenFollowUps = (db: Db, workspaceId: number, ticketId: number) =>
  db.query(sql`UPDATE feedback_followups SET status = 'cancelled', skip_reason = 'the ticket was reopened'
    WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId} AND status IN ('scheduled', 'sent')`);

export const followUpCounts = async (db: Db, workspaceId: number, days: number) =>
  (await db.one<{ sent: number; fixed: number; not_fixed: number; closed: number }>(sql`
    SELECT count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent, count(*) FILTER (WHERE status = 'fixed')::int AS fixed,
      count(*) FILTER (WHERE status = 'not-fixed')::int AS not_fixed, count(*) FILTER (WHERE status = 'closed')::int AS closed
    FROM feedback_followups WHERE workspace_id = ${workspaceId} AND created_at > now() - make_interval(days => ${days})`))!;

// Opt-outs

export const isOptedOut = async (
  db: Db,
  workspaceId: number,
  contactId: number,
  kind: 'surveys' | 'improvements',
) =>
  !!(await db.one(
    sql`SELECT 1 FROM feedback_optouts WHERE workspace_id = ${workspaceId} AND contact_id = ${contactId} AND kind = ${kind}`,
  ));

export const optOut = (db: Db, workspaceId: number, contactId: number, kind: 'surveys' | 'improvements') =>
  db.query(sql`INSERT INTO feedback_optouts (workspace_id, contact_id, kind) VALUES (${workspaceId}, ${contactId}, ${kind})
    ON CONFLICT DO NOTHING`);

/** Workspaces that ask NPS (the hourly scan walks only these). */
export const npsWorkspaces = async (db: Db) =>
  (
    await db.query<{ workspace_id: number }>(
      sql`SELECT workspace_id FROM feedback_settings WHERE settings->'nps'->>'enabled' = 'true'`,
    )
  ).map((r) => r.workspace_id);
