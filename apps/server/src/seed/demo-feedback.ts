import { FeedbackSettings } from '@shopdesk/contracts';
import { type Db, sql } from '../platform/db/db.ts';

const COMMENTS: [number, string | null, string | null][] = [
  [5, 'Super quick, thank you!', null],
  [4, null, null],
  [5, 'Sam sorted my exchange in minutes.', null],
  [2, 'Took three e-mails to get an answer.', 'Slow answer'],
  [5, null, null],
  [3, 'OK in the end.', null],
  [1, 'Parcel still missing, nobody follows up.', 'Problem not solved'],
  [4, 'Friendly and clear.', null],
  [5, null, null],
  [4, null, null],
  [2, 'The size chart for the jackets is wrong.', 'Product problem'],
  [5, 'Refund arrived the next day.', null],
];

/**
 * The demo's survey rules (CSAT after each resolution with a 24 h delay, follow-ups after two days, NPS
 * after delivery) and some answered surveys spread over the last weeks on solved tickets, so the
 * Feedback screen has figures and a trend. Written directly, the rows the feedback module writes.
 */
export async function seedDemoFeedback(db: Db, workspaceId: number) {
  const settings = FeedbackSettings.parse({
    followUp: { enabled: true, delayHours: 48, closeAfterHours: 72 },
    csat: { enabled: true, delayMinutes: 24 * 60, cooldownDays: 7, samplePercent: 100 },
    nps: { enabled: true, delayDays: 7, throttleDays: 90 },
  });
  await db.query(sql`INSERT INTO feedback_settings (workspace_id, settings) VALUES (${workspaceId}, ${JSON.stringify(settings)}::jsonb)
    ON CONFLICT (workspace_id) DO NOTHING`);
  const tickets = await db.query<{
    id: number;
    channel: string;
    contact_id: number | null;
    assignee_id: number | null;
    assignee_name: string | null;
    team_id: number | null;
    tags: string[];
    subject: string;
  }>(sql`SELECT t.id, t.channel, t.contact_id, t.assignee_id, a.name AS assignee_name, t.team_id, t.tags, t.subject
    FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id
    WHERE t.workspace_id = ${workspaceId} AND t.contact_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM feedback_surveys s WHERE s.ticket_id = t.id)
    ORDER BY t.id LIMIT ${COMMENTS.length * 2}`);
  const now = Date.now();
  for (const [i, t] of tickets.entries()) {
    const c = COMMENTS[i % COMMENTS.length]!;
    const answered = i < COMMENTS.length;
    const sent = new Date(now - (i * 2 + 1) * 86_400_000 - 3_600_000);
    const snapshot = {
      assigneeId: t.assignee_id,
      assigneeName: t.assignee_name,
      teamId: t.team_id,
      channel: t.channel,
      human: i % 6 !== 5,
      tags: t.tags,
      orderActions: i % 5 === 2 ? ['resend'] : [],
      subject: t.subject,
    };
    await db.query(sql`
      INSERT INTO feedback_surveys (workspace_id, kind, ticket_id, cycle_solved_at, cycle, contact_id, channel, status, locale, scale,
        snapshot, send_at, sent_at, expires_at, score, comment, reason, answered_at, answer_count)
      VALUES (${workspaceId}, 'csat', ${t.id}, ${new Date(sent.getTime() - 86_400_000).toISOString()}::timestamptz, 1, ${t.contact_id},
        ${t.channel === 'chat' ? 'chat' : 'email'}, ${answered ? 'answered' : 'sent'}, 'en', 'five', ${JSON.stringify(snapshot)}::jsonb,
        ${sent.toISOString()}::timestamptz, ${sent.toISOString()}::timestamptz,
        ${new Date(sent.getTime() + 14 * 86_400_000).toISOString()}::timestamptz,
        ${answered ? c[0] : null}, ${answered ? c[1] : null}, ${answered ? c[2] : null},
        ${answered ? new Date(sent.getTime() + 5 * 3_600_000).toISOString() : null}::timestamptz, ${answered ? 1 : 0})
      ON CONFLICT DO NOTHING`);
  }
}
