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

const SITE: [number, string, string, number][] = [
  // rating, comment, page, days ago — rows with a known shopper are tied to one of their tickets below
  [-1, 'The size chart for jackets is wrong, I had to send mine back.', '/products/storm-jacket', 2],
  [-1, 'Jacket sizes run small, the chart does not match.', '/products/trail-jacket', 5],
  [-1, 'Parcel arrived late and the courier left it outside.', '/account/orders', 9],
  [1, 'Checkout was quick and easy.', '/checkout', 1],
  [0, 'Would love more colours of the fleece.', '/products/fleece', 3],
  [-1, 'The discount code did not work at checkout.', '/checkout', 12],
  [1, 'Great size guide on the boots page!', '/products/hiking-boots', 16],
  [-1, 'Delivery took two weeks, the courier never called.', '/shipping', 20],
  [1, '', '/', 6],
  [-1, 'Size chart for the rain jacket is off by a whole size.', '/products/rain-jacket', 25],
];

/**
 * The feedback loop in the demo: topics, site feedback from the widget's tab (some from known shoppers,
 * with their ticket), and an improvement in progress linked to the sizing complaints — marking it done
 * in the dashboard sends the "you told us, we changed it" notices to the dev mailbox.
 */
export async function seedDemoFeedbackLoop(db: Db, workspaceId: number, shopUrl: string) {
  const topics = new Map<string, number>();
  for (const [name, keywords] of [
    ['Sizing', ['size', 'chart', 'fit']],
    ['Delivery', ['parcel', 'courier', 'delivery', 'late']],
    ['Checkout', ['checkout', 'discount', 'payment']],
  ] as const) {
    const row = await db.one<{ id: number }>(sql`INSERT INTO feedback_topics (workspace_id, name, keywords)
      VALUES (${workspaceId}, ${name}, ${[...keywords]}::text[])
      ON CONFLICT (workspace_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id`);
    topics.set(name, row!.id);
  }
  const topicOf = (text: string) => {
    const t = text.toLowerCase();
    if (t.includes('size')) return topics.get('Sizing')!;
    if (t.includes('courier') || t.includes('parcel') || t.includes('delivery'))
      return topics.get('Delivery')!;
    if (t.includes('checkout') || t.includes('discount')) return topics.get('Checkout')!;
    return null;
  };
  const people = await db.query<{ contact_id: number; email: string; ticket_id: number }>(sql`
    SELECT DISTINCT ON (c.id) c.id AS contact_id, c.email, t.id AS ticket_id FROM contacts c
    JOIN tickets t ON t.contact_id = c.id AND t.workspace_id = c.workspace_id
    WHERE c.workspace_id = ${workspaceId} AND c.email IS NOT NULL ORDER BY c.id, t.id LIMIT 6`);
  const now = Date.now();
  const sizing: number[] = [];
  let known = 0;
  for (const [i, [rating, comment, page, daysAgo]] of SITE.entries()) {
    // Most complaints come from shoppers who also wrote in (one stays anonymous).
    const who = rating < 0 && i !== 5 ? people[known++] : undefined;
    const row = await db.one<{ id: number }>(sql`
      INSERT INTO feedback_items (workspace_id, source_key, rating, comment, page_url, device, email, locale, contact_id, ticket_id, topic_id, created_at)
      VALUES (${workspaceId}, ${`demo-${i}`}, ${rating}, ${comment}, ${shopUrl + page}, ${i % 3 === 0 ? 'mobile' : 'desktop'},
        ${who?.email ?? null}, 'en', ${who?.contact_id ?? null}, ${who?.ticket_id ?? null}, ${comment ? topicOf(comment) : null},
        ${new Date(now - daysAgo * 86_400_000).toISOString()}::timestamptz)
      ON CONFLICT (workspace_id, source_key) DO NOTHING RETURNING id`);
    if (row && who && comment.toLowerCase().includes('size')) sizing.push(row.id);
  }
  await db.query(sql`UPDATE feedback_surveys SET topic_id = ${topics.get('Sizing')!}
    WHERE workspace_id = ${workspaceId} AND comment ILIKE '%size chart%'`);
  if (!sizing.length) return;
  const imp = await db.one<{ id: number }>(sql`
    INSERT INTO feedback_improvements (workspace_id, topic_id, title, change_text, status)
    VALUES (${workspaceId}, ${topics.get('Sizing')!}, 'Size chart fixed for jackets',
      'Every jacket page now has a size chart measured on the garment itself.', 'in-progress') RETURNING id`);
  await db.query(sql`
    INSERT INTO feedback_improvement_links (improvement_id, workspace_id, source, source_id, contact_id, said)
    SELECT ${imp!.id}, workspace_id, 'feedback', id, contact_id, comment FROM feedback_items
    WHERE workspace_id = ${workspaceId} AND id = ANY(${sizing}::bigint[]) ON CONFLICT DO NOTHING`);
}
