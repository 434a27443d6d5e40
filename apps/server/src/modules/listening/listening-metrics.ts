import { type Db, sql } from '../../platform/db/db.ts';

const totals = (db: Db, workspaceId: number, days: number) =>
  db.one<{ n: number; negative: number; positive: number; avg_score: number | null }>(sql`
    SELECT count(*)::int AS n, count(*) FILTER (WHERE sentiment = 'negative')::int AS negative,
      count(*) FILTER (WHERE sentiment = 'positive')::int AS positive, round(avg(sentiment_score))::int AS avg_score
    FROM listening_mentions
    WHERE workspace_id = ${workspaceId} AND posted_at >= now() - make_interval(days => ${days})`);

/**
 * Mentions are not tickets, so they are summaries in the analytics registry (not per-ticket metrics):
 * volume and net sentiment over the report's days. Per day, source and sentiment: GET /api/v1/listening/report.
 */
export const listeningSummaries = [
  {
    key: 'mentions',
    label: 'Public mentions',
    definition:
      'Mentions and reviews found by the listening sources (Bluesky, Mastodon, Reddit, feeds), by the time they were posted, over the days from the report’s first day to today. Not split by the report’s filters.',
    async summary(db: Db, w: number, days: number) {
      const t = await totals(db, w, days);
      const n = t?.n ?? 0;
      return { value: n, n, detail: `${t?.negative ?? 0} negative, ${t?.positive ?? 0} positive` };
    },
  },
  {
    key: 'mention_sentiment',
    label: 'Net mention sentiment',
    definition:
      'Positive minus negative mentions as a percentage of all mentions over the same days (−100 … 100); each mention’s sentiment is explained by the words and ratings that made it.',
    async summary(db: Db, w: number, days: number) {
      const t = await totals(db, w, days);
      const n = t?.n ?? 0;
      return {
        value: n ? Math.round((100 * ((t?.positive ?? 0) - (t?.negative ?? 0))) / n) : null,
        n,
        detail: n ? `average score ${t?.avg_score ?? 0} over ${n} mentions` : 'no mentions',
      };
    },
  },
];
