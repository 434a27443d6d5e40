import type { ScorecardCategory } from '@shopdesk/contracts';
import { type Db, sql } from '../../platform/db/db.ts';

/** All SQL for the quality module's tables: scorecards with their versions, reviews and their threads. */

export interface ScorecardRow {
  id: number;
  name: string;
  active: boolean;
  version: number;
  channels: string[];
  tags: string[];
  categories: ScorecardCategory[];
  version_id: number;
  created_at: Date;
  updated_at: Date;
}

const scorecardSelect = sql`
  SELECT s.id, s.name, s.active, s.version, s.channels, s.tags, v.categories, v.id AS version_id, s.created_at, s.updated_at
  FROM qa_scorecards s JOIN qa_scorecard_versions v ON v.scorecard_id = s.id AND v.version = s.version`;

export const listScorecards = (db: Db, workspaceId: number) =>
  db.query<ScorecardRow>(sql`${scorecardSelect} WHERE s.workspace_id = ${workspaceId} ORDER BY s.id`);

export const getScorecard = (db: Db, workspaceId: number, id: number) =>
  db.one<ScorecardRow>(sql`${scorecardSelect} WHERE s.workspace_id = ${workspaceId} AND s.id = ${id}`);

export async function insertScorecard(
  db: Db,
  workspaceId: number,
  s: { name: string; active: boolean; channels: string[]; tags: string[]; categories: ScorecardCategory[] },
  by: number | null,
) {
  return db.tx(async (tx) => {
    const row = await tx.one<{ id: number }>(sql`
      INSERT INTO qa_scorecards (workspace_id, name, active, channels, tags)
      VALUES (${workspaceId}, ${s.name}, ${s.active}, ${s.channels}::text[], ${s.tags}::text[]) RETURNING id`);
    await tx.query(sql`
      INSERT INTO qa_scorecard_versions (workspace_id, scorecard_id, version, name, categories, created_by)
      VALUES (${workspaceId}, ${row!.id}, 1, ${s.name}, ${JSON.stringify(s.categories)}::jsonb, ${by})`);
    return row!.id;
  });
}

/** Changes the settings; new categories (or a new name) become the next version, under the row lock. */
export async function updateScorecard(
  db: Db,
  workspaceId: number,
  id: number,
  patch: {
    name?: string;
    active?: boolean;
    channels?: string[];
    tags?: string[];
    categories?: ScorecardCategory[];
  },
  by: number | null,
) {
  return db.tx(async (tx) => {
    const cur = await tx.one<ScorecardRow>(
      sql`${scorecardSelect} WHERE s.workspace_id = ${workspaceId} AND s.id = ${id} FOR UPDATE OF s`,
    );
    if (!cur) return false;
    const name = patch.name ?? cur.name;
    const categories = patch.categories ?? cur.categories;
    const changed = name !== cur.name || JSON.stringify(categories) !== JSON.stringify(cur.categories);
    const version = changed ? cur.version + 1 : cur.version;
    if (changed)
      await tx.query(sql`
        INSERT INTO qa_scorecard_versions (workspace_id, scorecard_id, version, name, categories, created_by)
        VALUES (${workspaceId}, ${id}, ${version}, ${name}, ${JSON.stringify(categories)}::jsonb, ${by})`);
    await tx.query(sql`
      UPDATE qa_scorecards SET name = ${name}, active = ${patch.active ?? cur.active}, version = ${version},
        channels = ${patch.channels ?? cur.channels}::text[], tags = ${patch.tags ?? cur.tags}::text[], updated_at = now()
      WHERE workspace_id = ${workspaceId} AND id = ${id}`);
    return true;
  });
}

export const scorecardVersions = (db: Db, workspaceId: number, scorecardId: number) =>
  db.query<{
    version: number;
    name: string;
    categories: ScorecardCategory[];
    created_by: number | null;
    created_at: Date;
  }>(
    sql`SELECT version, name, categories, created_by, created_at FROM qa_scorecard_versions
        WHERE workspace_id = ${workspaceId} AND scorecard_id = ${scorecardId} ORDER BY version DESC`,
  );

export interface ReviewRow {
  id: number;
  ticket_id: number;
  scorecard_id: number;
  scorecard_name: string;
  scorecard_version: number;
  categories: ScorecardCategory[];
  reviewer_id: number | null;
  reviewee_id: number | null;
  source: 'manual' | 'random' | 'risk';
  ratings: { category: string; score: number | null; rootCause: string | null; comment: string | null }[];
  message_comments: { messageId: number; body: string }[];
  comment: string;
  score: number | null;
  critical_failed: boolean;
  status: 'submitted' | 'acknowledged' | 'disputed';
  acknowledged_at: Date | null;
  created_at: Date;
}

/** Who may see which reviews: everything (admin), or reviews they wrote or about these agents. */
export type Visibility = { all: true } | { all: false; reviewerId: number; revieweeIds: number[] };

const visible = (v: Visibility) =>
  v.all
    ? sql``
    : sql`AND (r.reviewer_id = ${v.reviewerId} OR r.reviewee_id = ANY(${v.revieweeIds}::bigint[]))`;

const reviewSelect = sql`
  SELECT r.id, r.ticket_id, v.scorecard_id, v.name AS scorecard_name, v.version AS scorecard_version, v.categories,
    r.reviewer_id, r.reviewee_id, r.source, r.ratings, r.message_comments, r.comment, r.score, r.critical_failed,
    r.status, r.acknowledged_at, r.created_at
  FROM qa_reviews r JOIN qa_scorecard_versions v ON v.id = r.scorecard_version_id`;

export const listReviews = (
  db: Db,
  workspaceId: number,
  v: Visibility,
  f: { revieweeId?: number; ticketId?: number; limit: number },
) =>
  db.query<ReviewRow>(sql`${reviewSelect}
    WHERE r.workspace_id = ${workspaceId} ${visible(v)}
      ${f.revieweeId ? sql`AND r.reviewee_id = ${f.revieweeId}` : sql``}
      ${f.ticketId ? sql`AND r.ticket_id = ${f.ticketId}` : sql``}
    ORDER BY r.created_at DESC, r.id DESC LIMIT ${f.limit}`);

export const getReview = (db: Db, workspaceId: number, v: Visibility, id: number) =>
  db.one<ReviewRow>(
    sql`${reviewSelect} WHERE r.workspace_id = ${workspaceId} AND r.id = ${id} ${visible(v)}`,
  );

export async function insertReview(
  db: Db,
  workspaceId: number,
  r: {
    ticketId: number;
    versionId: number;
    reviewerId: number;
    revieweeId: number | null;
    source: string;
    ratings: unknown[];
    messageComments: unknown[];
    comment: string;
    score: number | null;
    criticalFailed: boolean;
  },
) {
  const row = await db.one<{ id: number }>(sql`
    INSERT INTO qa_reviews (workspace_id, ticket_id, scorecard_version_id, reviewer_id, reviewee_id, source,
      ratings, message_comments, comment, score, critical_failed)
    VALUES (${workspaceId}, ${r.ticketId}, ${r.versionId}, ${r.reviewerId}, ${r.revieweeId}, ${r.source},
      ${JSON.stringify(r.ratings)}::jsonb, ${JSON.stringify(r.messageComments)}::jsonb, ${r.comment}, ${r.score},
      ${r.criticalFailed})
    ON CONFLICT (workspace_id, ticket_id, reviewer_id) DO NOTHING RETURNING id`);
  return row?.id ?? null;
}

export const setReviewStatus = (
  db: Db,
  workspaceId: number,
  id: number,
  status: string,
  acknowledge: boolean,
) =>
  db.query(sql`
    UPDATE qa_reviews SET status = ${status}, updated_at = now()
      ${acknowledge ? sql`, acknowledged_at = coalesce(acknowledged_at, now())` : sql``}
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export const insertComment = (
  db: Db,
  workspaceId: number,
  c: {
    reviewId: number;
    authorId: number;
    kind: 'comment' | 'dispute';
    category: string | null;
    body: string;
  },
) =>
  db.query(sql`
    INSERT INTO qa_review_comments (workspace_id, review_id, author_id, kind, category, body)
    VALUES (${workspaceId}, ${c.reviewId}, ${c.authorId}, ${c.kind}, ${c.category}, ${c.body})`);

export const commentsOf = (db: Db, workspaceId: number, reviewIds: number[]) =>
  db.query<{
    id: number;
    review_id: number;
    author_id: number | null;
    kind: 'comment' | 'dispute';
    category: string | null;
    body: string;
    created_at: Date;
  }>(sql`
    SELECT id, review_id, author_id, kind, category, body, created_at FROM qa_review_comments
    WHERE workspace_id = ${workspaceId} AND review_id = ANY(${reviewIds}::bigint[]) ORDER BY id`);

/** Tickets already reviewed (a sample skips them). */
export const reviewedTicketIds = async (db: Db, workspaceId: number, ticketIds: number[]) =>
  new Set(
    (
      await db.query<{ ticket_id: number }>(sql`
        SELECT DISTINCT ticket_id FROM qa_reviews WHERE workspace_id = ${workspaceId} AND ticket_id = ANY(${ticketIds}::bigint[])`)
    ).map((r) => r.ticket_id),
  );

/** The reviews of the period with their ratings and categories, for the score report. */
export const reviewsSince = (db: Db, workspaceId: number, v: Visibility, days: number) =>
  db.query<
    Pick<ReviewRow, 'reviewee_id' | 'score' | 'ratings' | 'categories' | 'created_at'> & { week: string }
  >(sql`
    SELECT r.reviewee_id, r.score, r.ratings, v.categories, r.created_at,
      to_char(date_trunc('week', r.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week
    FROM qa_reviews r JOIN qa_scorecard_versions v ON v.id = r.scorecard_version_id
    WHERE r.workspace_id = ${workspaceId} AND r.created_at >= now() - make_interval(days => ${days}) ${visible(v)}
    ORDER BY r.created_at`);
