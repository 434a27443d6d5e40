import { type Db, sql } from '../platform/db/db.ts';

/**
 * Analytics for the demo: the reporting time zone is the shop's, and every demo ticket is marked so the
 * first report (or the flush job) computes its figures — the same path a rebuild takes. Bot
 * conversations and NPS answers of the last two weeks give the bot-containment and NPS tiles numbers
 * (10 of 14 finished conversations resolved by the bot ≈ 71 %; NPS of 12 answers ≈ 17).
 */
export async function seedDemoAnalytics(db: Db, workspaceId: number, timeZone: string) {
  await db.query(sql`INSERT INTO analytics_settings (workspace_id, time_zone) VALUES (${workspaceId}, ${timeZone})
    ON CONFLICT (workspace_id) DO NOTHING`);
  await db.query(sql`
    INSERT INTO bot_conversations (workspace_id, channel, conversation_key, outcome, turns, created_at)
    SELECT ${workspaceId}, CASE WHEN i % 3 = 0 THEN 'helpcenter' ELSE 'chat' END, 'demo-analytics-' || i,
           CASE WHEN i <= 10 THEN 'resolved' ELSE 'handed_over' END, 2 + i % 3,
           now() - make_interval(hours => i * 20)
    FROM generate_series(1, 14) AS i
    ON CONFLICT DO NOTHING`);
  // 6 promoters (9–10), 2 passives (7–8), 4 detractors (0–6): 50 % − 33 % ≈ 17.
  const scores = [10, 10, 10, 9, 9, 9, 8, 8, 6, 5, 3, 2];
  await db.query(sql`
    INSERT INTO feedback_surveys (workspace_id, kind, channel, status, scale, send_at, sent_at, score, answered_at, order_key)
    SELECT ${workspaceId}, 'nps', 'email', 'answered', 'nps', now() - make_interval(days => i::int + 1),
           now() - make_interval(days => i::int + 1), s, now() - make_interval(days => i::int), 'demo-analytics-' || i
    FROM unnest(${scores}::int[]) WITH ORDINALITY AS u(s, i)
    ON CONFLICT DO NOTHING`);
  await db.query(sql`INSERT INTO analytics_dirty (workspace_id, subject_id)
    SELECT workspace_id, id FROM tickets WHERE workspace_id = ${workspaceId} ON CONFLICT DO NOTHING`);
}
