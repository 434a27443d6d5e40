import { ScorecardCategory } from '@shopdesk/contracts';
import { reviewScore } from '../modules/quality/index.ts';
import { type Db, sql } from '../platform/db/db.ts';

const V1 = [
  { key: 'greeting', name: 'Greeting and name', section: 'Tone', weight: 1, scale: 'binary' },
  { key: 'empathy', name: 'Empathy', section: 'Tone', weight: 2, scale: '3' },
  {
    key: 'accuracy',
    name: 'Correct answer',
    section: 'Solution',
    weight: 3,
    scale: '5',
    rootCauses: ['Knowledge gap', 'Wrong macro', 'Did not check the order'],
  },
  {
    key: 'policy',
    name: 'Money actions follow the written policy',
    section: 'Solution',
    weight: 2,
    scale: 'binary',
    critical: true,
    policyCheck: true,
    rootCauses: ['Over the limit', 'Outside the returns window'],
  },
].map((c) => ScorecardCategory.parse(c));
// Version 2 added a category; the older reviews keep version 1.
const V2 = [
  ...V1,
  ScorecardCategory.parse({
    key: 'closing',
    name: 'Clear next steps',
    section: 'Solution',
    weight: 1,
    scale: '4',
  }),
];

const RATINGS: Record<string, number | null>[] = [
  { greeting: 1, empathy: 3, accuracy: 5, policy: 1, closing: 4 },
  { greeting: 1, empathy: 2, accuracy: 4, policy: null, closing: 3 },
  { greeting: 0, empathy: 2, accuracy: 2, policy: 1, closing: 2 },
  { greeting: 1, empathy: 3, accuracy: 4, policy: 1, closing: 4 },
  { greeting: 1, empathy: 1, accuracy: 3, policy: null, closing: 3 },
  { greeting: 1, empathy: 3, accuracy: 5, policy: 1, closing: 4 },
];

/**
 * A QA scorecard with two versions and a few reviews by Lee Lead of Sam's and Riley's solved
 * conversations over the last weeks — one acknowledged, one disputed — so the Quality screen has
 * scores and a trend. Written directly, the rows the quality module writes.
 */
export async function seedDemoQuality(db: Db, workspaceId: number) {
  const lead = await db.one<{ id: number }>(
    sql`SELECT id FROM agents WHERE workspace_id = ${workspaceId} AND role = 'lead' ORDER BY id LIMIT 1`,
  );
  if (!lead) return;
  const card = await db.one<{ id: number }>(sql`
    INSERT INTO qa_scorecards (workspace_id, name, version) VALUES (${workspaceId}, 'Support conversations', 2) RETURNING id`);
  const versionIds: number[] = [];
  for (const [i, cats] of [V1, V2].entries()) {
    const v = await db.one<{ id: number }>(sql`
      INSERT INTO qa_scorecard_versions (workspace_id, scorecard_id, version, name, categories, created_by, created_at)
      VALUES (${workspaceId}, ${card!.id}, ${i + 1}, 'Support conversations', ${JSON.stringify(cats)}::jsonb, ${lead.id},
        now() - make_interval(days => ${i === 0 ? 40 : 14}))
      RETURNING id`);
    versionIds.push(v!.id);
  }
  // Solved conversations with an agent's reply, the agent who wrote most replies as reviewee.
  const tickets = await db.query<{ id: number; agent_id: number; first_message_id: number }>(sql`
    SELECT t.id, m.author_agent_id AS agent_id, min(m.id) AS first_message_id FROM tickets t
    JOIN messages m ON m.ticket_id = t.id AND m.kind = 'outbound' AND m.author_agent_id IS NOT NULL
    WHERE t.workspace_id = ${workspaceId} AND t.status IN ('solved', 'closed') AND m.author_agent_id <> ${lead.id}
    GROUP BY t.id, m.author_agent_id ORDER BY t.id LIMIT ${RATINGS.length}`);
  for (const [i, t] of tickets.entries()) {
    const old = i < 3; // the first three were scored with version 1, weeks ago
    const cats = old ? V1 : V2;
    const ratings = cats.map((c) => {
      const score = RATINGS[i]![c.key] ?? null;
      const negative = score !== null && c.rootCauses.length > 0 && score <= 2 && c.scale !== 'binary';
      return { category: c.key, score, rootCause: negative ? c.rootCauses[0]! : null, comment: null };
    });
    const { score, criticalFailed } = reviewScore(cats, ratings);
    const ageDays = old ? 30 - i * 5 : 12 - (i - 3) * 4;
    const status = i === 0 || i === 3 ? 'acknowledged' : i === 2 ? 'disputed' : 'submitted';
    const r = await db.one<{ id: number }>(sql`
      INSERT INTO qa_reviews (workspace_id, ticket_id, scorecard_version_id, reviewer_id, reviewee_id, source, ratings,
        message_comments, comment, score, critical_failed, status, acknowledged_at, created_at, updated_at)
      VALUES (${workspaceId}, ${t.id}, ${versionIds[old ? 0 : 1]}, ${lead.id}, ${t.agent_id}, ${i % 2 ? 'random' : 'manual'},
        ${JSON.stringify(ratings)}::jsonb,
        ${JSON.stringify(i === 2 ? [{ messageId: t.first_message_id, body: 'Check the order before promising a date.' }] : [])}::jsonb,
        ${i === 2 ? 'Friendly, but the delivery date was a guess.' : 'Clear and kind — thank you.'}, ${score}, ${criticalFailed},
        ${status}, ${status === 'acknowledged' ? sql`now() - make_interval(days => ${ageDays - 1})` : null},
        now() - make_interval(days => ${ageDays}), now() - make_interval(days => ${ageDays}))
      ON CONFLICT DO NOTHING RETURNING id`);
    if (r && status === 'disputed')
      await db.query(sql`
        INSERT INTO qa_review_comments (workspace_id, review_id, author_id, kind, category, body, created_at)
        VALUES (${workspaceId}, ${r.id}, ${t.agent_id}, 'dispute', 'accuracy',
          'The tracking page showed that date when I answered.', now() - make_interval(days => ${ageDays - 1}))`);
  }
}
