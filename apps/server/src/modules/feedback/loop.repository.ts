import { type Db, sql } from '../../platform/db/db.ts';
import { jobInsert } from '../../platform/jobs/queue.ts';

/** SQL for site feedback, topics and improvements (the feedback loop). */

export type ItemRow = {
  id: number;
  workspace_id: number;
  source_key: string;
  rating: number;
  comment: string;
  page_url: string | null;
  device: string | null;
  email: string | null;
  locale: string | null;
  contact_id: number | null;
  ticket_id: number | null;
  topic_id: number | null;
  topic_name: string | null;
  created_at: Date;
};
const ITEM =
  sql.raw(`i.id, i.workspace_id, i.source_key, i.rating, i.comment, i.page_url, i.device, i.email, i.locale,
  i.contact_id, i.ticket_id, i.topic_id, t.name AS topic_name, i.created_at`);

export interface NewItem {
  workspaceId: number;
  sourceKey: string;
  rating: number;
  comment: string;
  pageUrl: string | null;
  device: string | null;
  email: string | null;
  locale: string | null;
  contactId: number | null;
  topicId: number | null;
  createdAt: Date;
}

/** Stores one piece of site feedback; the same intake event twice returns the stored row. */
export async function insertItem(db: Db, n: NewItem) {
  await db.query(sql`
    INSERT INTO feedback_items (workspace_id, source_key, rating, comment, page_url, device, email, locale, contact_id, topic_id, created_at)
    VALUES (${n.workspaceId}, ${n.sourceKey}, ${n.rating}, ${n.comment}, ${n.pageUrl}, ${n.device}, ${n.email}, ${n.locale},
      ${n.contactId}, ${n.topicId}, ${n.createdAt.toISOString()}::timestamptz)
    ON CONFLICT (workspace_id, source_key) DO NOTHING`);
  return (await db.one<ItemRow>(sql`SELECT ${ITEM} FROM feedback_items i LEFT JOIN feedback_topics t ON t.id = i.topic_id
    WHERE i.workspace_id = ${n.workspaceId} AND i.source_key = ${n.sourceKey}`))!;
}

export const setItemTicket = (
  db: Db,
  workspaceId: number,
  id: number,
  ticketId: number,
  contactId: number | null,
) =>
  db.query(sql`UPDATE feedback_items SET ticket_id = ${ticketId}, contact_id = coalesce(contact_id, ${contactId})
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export const findItem = (db: Db, workspaceId: number, id: number) =>
  db.one<ItemRow>(sql`SELECT ${ITEM} FROM feedback_items i LEFT JOIN feedback_topics t ON t.id = i.topic_id
    WHERE i.workspace_id = ${workspaceId} AND i.id = ${id}`);

export const listItems = (
  db: Db,
  workspaceId: number,
  f: { rating?: number; page?: string; topicId?: number; days: number; limit: number },
) =>
  db.query<ItemRow>(sql`SELECT ${ITEM} FROM feedback_items i LEFT JOIN feedback_topics t ON t.id = i.topic_id
    WHERE i.workspace_id = ${workspaceId} AND i.created_at > now() - make_interval(days => ${f.days})
      ${f.rating === undefined ? sql`` : sql`AND i.rating = ${f.rating}`}
      ${f.topicId === undefined ? sql`` : sql`AND i.topic_id = ${f.topicId}`}
      ${f.page ? sql`AND strpos(lower(coalesce(i.page_url, '')), lower(${f.page})) > 0` : sql``}
    ORDER BY i.created_at DESC, i.id DESC LIMIT ${f.limit}`);

/** Texts to group: site feedback with a comment, and survey answers with a comment or a reason. */
export const textsSince = (db: Db, workspaceId: number, days: number) =>
  db.query<{
    source: 'feedback' | 'survey';
    id: number;
    text: string;
    negative: boolean;
    topic_id: number | null;
    at: Date;
  }>(sql`
    SELECT 'feedback' AS source, id, comment AS text, rating < 0 AS negative, topic_id, created_at AS at FROM feedback_items
      WHERE workspace_id = ${workspaceId} AND created_at > now() - make_interval(days => ${days}) AND comment <> ''
    UNION ALL
    SELECT 'survey', id, trim(coalesce(reason, '') || ' ' || coalesce(comment, '')), score IS NOT NULL AND (
        (scale = 'five' AND score <= 2) OR (scale = 'three' AND score = 1) OR (scale = 'thumbs' AND score = 1)
        OR (scale = 'nps' AND score <= 6)), topic_id, answered_at FROM feedback_surveys
      WHERE workspace_id = ${workspaceId} AND answered_at > now() - make_interval(days => ${days})
        AND (coalesce(comment, '') <> '' OR coalesce(reason, '') <> '')
    ORDER BY at DESC LIMIT 5000`);

export const setTopicOf = (
  db: Db,
  workspaceId: number,
  source: 'feedback' | 'survey',
  id: number,
  topicId: number | null,
) =>
  source === 'feedback'
    ? db.query(
        sql`UPDATE feedback_items SET topic_id = ${topicId} WHERE workspace_id = ${workspaceId} AND id = ${id}`,
      )
    : db.query(
        sql`UPDATE feedback_surveys SET topic_id = ${topicId} WHERE workspace_id = ${workspaceId} AND id = ${id}`,
      );

// Topics

export type TopicRow = { id: number; name: string; keywords: string[]; created_at: Date };

export const listTopics = (db: Db, workspaceId: number) =>
  db.query<TopicRow>(
    sql`SELECT id, name, keywords, created_at FROM feedback_topics WHERE workspace_id = ${workspaceId} ORDER BY id`,
  );

export const findTopic = (db: Db, workspaceId: number, id: number) =>
  db.one<TopicRow>(
    sql`SELECT id, name, keywords, created_at FROM feedback_topics WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );

/** null when the name is taken in this workspace. */
export const insertTopic = (db: Db, workspaceId: number, name: string, keywords: string[]) =>
  db.one<TopicRow>(sql`INSERT INTO feedback_topics (workspace_id, name, keywords) VALUES (${workspaceId}, ${name}, ${keywords}::text[])
    ON CONFLICT (workspace_id, name) DO NOTHING RETURNING id, name, keywords, created_at`);

export const updateTopic = (db: Db, workspaceId: number, id: number, name: string, keywords: string[]) =>
  db.one<TopicRow>(sql`UPDATE feedback_topics SET name = ${name}, keywords = ${keywords}::text[]
    WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id, name, keywords, created_at`);

export const topicNameTaken = async (db: Db, workspaceId: number, name: string, exceptId: number) =>
  !!(await db.one(
    sql`SELECT 1 FROM feedback_topics WHERE workspace_id = ${workspaceId} AND name = ${name} AND id <> ${exceptId}`,
  ));

/** Moves everything of one topic to another (feedback, survey answers, improvements) and deletes it. */
export async function mergeTopic(
  db: Db,
  workspaceId: number,
  from: number,
  into: number,
  keywords: string[],
) {
  await db.query(
    sql`UPDATE feedback_items SET topic_id = ${into} WHERE workspace_id = ${workspaceId} AND topic_id = ${from}`,
  );
  await db.query(
    sql`UPDATE feedback_surveys SET topic_id = ${into} WHERE workspace_id = ${workspaceId} AND topic_id = ${from}`,
  );
  await db.query(
    sql`UPDATE feedback_improvements SET topic_id = ${into} WHERE workspace_id = ${workspaceId} AND topic_id = ${from}`,
  );
  await db.query(
    sql`UPDATE feedback_topics SET keywords = ${keywords}::text[] WHERE workspace_id = ${workspaceId} AND id = ${into}`,
  );
  await db.query(sql`DELETE FROM feedback_topics WHERE workspace_id = ${workspaceId} AND id = ${from}`);
}

export const deleteTopic = (db: Db, workspaceId: number, id: number) =>
  db.one(sql`DELETE FROM feedback_topics WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`);

// Improvements

export type ImprovementRow = {
  id: number;
  workspace_id: number;
  topic_id: number | null;
  title: string;
  change_text: string;
  status: 'planned' | 'in-progress' | 'done';
  done_at: Date | null;
  created_at: Date;
};
const IMP = sql.raw('id, workspace_id, topic_id, title, change_text, status, done_at, created_at');

export const insertImprovement = (
  db: Db,
  workspaceId: number,
  i: { title: string; changeText: string; topicId: number | null; by: number },
) =>
  db.one<ImprovementRow>(sql`INSERT INTO feedback_improvements (workspace_id, topic_id, title, change_text, created_by)
    VALUES (${workspaceId}, ${i.topicId}, ${i.title}, ${i.changeText}, ${i.by}) RETURNING ${IMP}`);

export const findImprovement = (db: Db, workspaceId: number, id: number, forUpdate = false) =>
  db.one<ImprovementRow>(sql`SELECT ${IMP} FROM feedback_improvements WHERE workspace_id = ${workspaceId} AND id = ${id}
    ${forUpdate ? sql`FOR UPDATE` : sql``}`);

export const listImprovements = (db: Db, workspaceId: number) =>
  db.query<ImprovementRow>(
    sql`SELECT ${IMP} FROM feedback_improvements WHERE workspace_id = ${workspaceId} ORDER BY id DESC LIMIT 200`,
  );

export const updateImprovement = (
  db: Db,
  workspaceId: number,
  id: number,
  u: { title: string; changeText: string; status: string; doneAt: Date | null },
) =>
  db.one<ImprovementRow>(sql`UPDATE feedback_improvements SET title = ${u.title}, change_text = ${u.changeText},
    status = ${u.status}, done_at = ${u.doneAt?.toISOString() ?? null}::timestamptz
    WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING ${IMP}`);

export type LinkRow = {
  improvement_id: number;
  source: 'feedback' | 'survey' | 'ticket';
  source_id: number;
  contact_id: number | null;
  said: string;
};

export const linksOf = (db: Db, workspaceId: number, ids: number[]) =>
  ids.length
    ? db.query<LinkRow>(sql`SELECT improvement_id, source, source_id, contact_id, said FROM feedback_improvement_links
        WHERE workspace_id = ${workspaceId} AND improvement_id = ANY(${ids}::bigint[]) ORDER BY created_at, source_id`)
    : Promise.resolve([] as LinkRow[]);

export const addLink = (
  db: Db,
  workspaceId: number,
  l: {
    improvementId: number;
    source: LinkRow['source'];
    sourceId: number;
    contactId: number | null;
    said: string;
  },
) =>
  db.query(sql`INSERT INTO feedback_improvement_links (improvement_id, workspace_id, source, source_id, contact_id, said)
    VALUES (${l.improvementId}, ${workspaceId}, ${l.source}, ${l.sourceId}, ${l.contactId}, ${l.said.slice(0, 500)})
    ON CONFLICT DO NOTHING`);

/** A survey of this workspace: who answered, what they said, on which ticket. */
export const surveyForLink = (db: Db, workspaceId: number, id: number) =>
  db.one<{
    id: number;
    contact_id: number | null;
    ticket_id: number | null;
    text: string;
    locale: string;
  }>(sql`
    SELECT id, contact_id, ticket_id, trim(coalesce(reason, '') || ' ' || coalesce(comment, '')) AS text, locale
    FROM feedback_surveys WHERE workspace_id = ${workspaceId} AND id = ${id}`);

/** What a topic already holds that can be linked to an improvement: negative feedback and answers from known people. */
export const topicEvidence = (db: Db, workspaceId: number, topicId: number) =>
  db.query<{ source: 'feedback' | 'survey'; id: number }>(sql`
    SELECT 'feedback' AS source, id FROM feedback_items
      WHERE workspace_id = ${workspaceId} AND topic_id = ${topicId} AND rating < 0 AND (contact_id IS NOT NULL OR ticket_id IS NOT NULL)
    UNION ALL
    SELECT 'survey', id FROM feedback_surveys WHERE workspace_id = ${workspaceId} AND topic_id = ${topicId} AND contact_id IS NOT NULL
    LIMIT 500`);

export const noticeCounts = (db: Db, workspaceId: number, ids: number[]) =>
  ids.length
    ? db.query<{ improvement_id: number; status: 'queued' | 'sent' | 'skipped'; n: number }>(sql`
        SELECT improvement_id, status, count(*)::int AS n FROM feedback_improvement_notices
        WHERE workspace_id = ${workspaceId} AND improvement_id = ANY(${ids}::bigint[]) GROUP BY improvement_id, status`)
    : Promise.resolve([]);

/** Claims the notice for one person: true the first time only (the primary key is the "once per person"). */
export const claimNotice = async (db: Db, workspaceId: number, improvementId: number, contactId: number) =>
  !!(await db.one(sql`INSERT INTO feedback_improvement_notices (improvement_id, workspace_id, contact_id)
    VALUES (${improvementId}, ${workspaceId}, ${contactId}) ON CONFLICT DO NOTHING RETURNING contact_id`)) ||
  !!(await db.one(sql`SELECT 1 FROM feedback_improvement_notices WHERE improvement_id = ${improvementId}
    AND contact_id = ${contactId} AND status = 'queued'`));

export const settleNotice = (
  db: Db,
  improvementId: number,
  contactId: number,
  status: 'sent' | 'skipped',
  reason: string | null,
) =>
  db.query(sql`UPDATE feedback_improvement_notices SET status = ${status}, skip_reason = ${reason},
    sent_at = CASE WHEN ${status} = 'sent' THEN now() END
    WHERE improvement_id = ${improvementId} AND contact_id = ${contactId} AND status = 'queued'`);

export const noticesOf = (db: Db, workspaceId: number, improvementId: number) =>
  db.query<{ contact_id: number; status: string; skip_reason: string | null }>(sql`
    SELECT contact_id, status, skip_reason FROM feedback_improvement_notices
    WHERE workspace_id = ${workspaceId} AND improvement_id = ${improvementId} ORDER BY contact_id`);

export const enqueueNotify = (
  db: Db,
  workspaceId: number,
  improvementId: number,
  job: string,
  round: string,
) =>
  db.query(
    jobInsert(
      job,
      { workspaceId, improvementId },
      { workspaceId, uniqueKey: `${job}:${improvementId}:${round}` },
    ),
  );
