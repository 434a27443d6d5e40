import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// Analytics (issue 16): the figures other modules register (bot containment, NPS, orders, refunds,
// returns) and the derived contacts per 1,000 orders, on hand-built rows with hand-computed values.
let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;

const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const day = (days: number) => ago(days).slice(0, 10);
type Summary = { key: string; value: number | null; n: number; detail: string };

async function summaries(w: TestWorkspace, q = ''): Promise<Summary[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/analytics/report?from=${day(6)}&to=${day(0)}&metrics=tickets_created${q}`,
    headers: w.lead.headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().summaries;
}

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Summary Shop');
  other = await t.workspace('Other Summary Shop');
  const w = ws.workspaceId;
  // Bot: 3 resolved, 1 handed over, 1 still open; one resolved 30 days ago (outside the range).
  for (const [i, outcome, at] of [
    [1, 'resolved', ago(1)],
    [2, 'resolved', ago(2)],
    [3, 'resolved', ago(3)],
    [4, 'handed_over', ago(1)],
    [5, 'open', ago(1)],
    [6, 'resolved', ago(30)],
  ] as const)
    await t.db.query(sql`
      INSERT INTO bot_conversations (workspace_id, channel, conversation_key, outcome, turns, created_at)
      VALUES (${w}, 'chat', ${`c${i}`}, ${outcome}, 2, ${at})`);
  // NPS: 10, 9, 8, 3 → 2 promoters, 1 passive, 1 detractor → 50 − 25 = 25.
  for (const [i, score] of [10, 9, 8, 3].entries())
    await t.db.query(sql`
      INSERT INTO feedback_surveys (workspace_id, kind, channel, status, scale, send_at, sent_at, score, answered_at, order_key)
      VALUES (${w}, 'nps', 'email', 'answered', 'nps', ${ago(2)}, ${ago(2)}, ${score}, ${ago(1)}, ${`o${i}`})`);
  // Orders: 4 placed in the range; 2 tickets created → 500 contacts per 1,000 orders.
  const conn = (await t.db.one<{ id: number }>(sql`
    INSERT INTO store_connections (workspace_id, platform, name) VALUES (${w}, 'builtin', 'Shop') RETURNING id`))!
    .id;
  const orders: number[] = [];
  for (let i = 0; i < 4; i++)
    orders.push(
      (await t.db.one<{ id: number }>(sql`
        INSERT INTO orders (workspace_id, connection_id, external_id, number, number_key, currency, total_minor, placed_at, remote_updated_at)
        VALUES (${w}, ${conn}, ${`x${i}`}, ${`#${1000 + i}`}, ${String(1000 + i)}, 'EUR', 5000, ${ago(2)}, ${ago(2)}) RETURNING id`))!
        .id,
    );
  for (let i = 0; i < 2; i++)
    await t.db.query(sql`
      INSERT INTO tickets (workspace_id, subject, status, channel, created_at)
      VALUES (${w}, 'Where is my order', 'open', 'email', ${ago(1)})`);
  // Money: a refund of 12.50 EUR (damaged) and one of 7.50 EUR (late) succeeded; a failed one does not count.
  for (const [i, amount, status, reason] of [
    [1, 1250, 'succeeded', 'damaged'],
    [2, 750, 'succeeded', 'late'],
    [3, 9900, 'failed', 'damaged'],
  ] as const)
    await t.db.query(sql`
      INSERT INTO order_actions (workspace_id, connection_id, order_id, kind, params, amount_minor, currency, idempotency_key, status)
      VALUES (${w}, ${conn}, ${orders[0]!}, 'refund', ${JSON.stringify({ reason })}::jsonb, ${amount}, 'EUR', ${`k${i}`}, ${status})`);
  await t.app.inject({ method: 'POST', url: '/api/v1/analytics/rebuild', headers: ws.admin.headers });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('figures registered by their modules', () => {
  it('bot containment and handover rate count finished conversations in the range only', async () => {
    const s = await summaries(ws);
    expect(s.find((x) => x.key === 'bot_containment')).toMatchObject({ value: 75, n: 4 });
    expect(s.find((x) => x.key === 'bot_handover_rate')).toMatchObject({ value: 25, n: 4 });
  });

  it('NPS, orders, refunds and contacts per 1,000 orders', async () => {
    const s = await summaries(ws);
    expect(s.find((x) => x.key === 'nps')).toMatchObject({ value: 25, n: 4 });
    expect(s.find((x) => x.key === 'orders')).toMatchObject({ value: 4, n: 4 });
    const money = s.find((x) => x.key === 'money_given')!;
    expect(money).toMatchObject({ value: 2, n: 2 });
    expect(money.detail).toContain('2 refunds (20.00 EUR)');
    expect(money.detail).toContain('damaged 1');
    expect(s.find((x) => x.key === 'contacts_per_1000_orders')).toMatchObject({ value: 500, n: 2 });
    expect(s.find((x) => x.key === 'returns')).toMatchObject({ value: 0 });
  });

  it('another workspace sees none of them; filtered reports leave summaries out', async () => {
    const s = await summaries(other);
    expect(s.find((x) => x.key === 'bot_containment')).toMatchObject({ value: null, n: 0 });
    expect(s.find((x) => x.key === 'contacts_per_1000_orders')).toMatchObject({ value: null, n: 0 });
    expect(await summaries(ws, '&channel=email')).toEqual([]);
  });
});

describe('trends and spike alerts', () => {
  it('compares the last 7 days with the average week of the 8 before, per count metric and per tag', async () => {
    const tw = await t.workspace('Trend Shop');
    // "damaged": one ticket a week for 8 weeks (baseline 1/week), then 3 this week → +200 %, an alert.
    // "sizing": 2 a week for 8 weeks, 2 this week → 0 %. Created overall: 24 over 8 weeks = 3/week, 5 now.
    const add = async (tag: string, at: string) =>
      t.db.query(sql`INSERT INTO tickets (workspace_id, subject, status, channel, tags, created_at)
        VALUES (${tw.workspaceId}, 'Trend', 'open', 'email', ${[tag]}::text[], ${at})`);
    for (let w = 1; w <= 8; w++) {
      await add('damaged', ago(7 * w + 3));
      await add('sizing', ago(7 * w + 2));
      await add('sizing', ago(7 * w + 4));
    }
    for (const d of [1, 2, 3]) await add('damaged', ago(d));
    for (const d of [1, 4]) await add('sizing', ago(d));
    await t.app.inject({ method: 'POST', url: '/api/v1/analytics/rebuild', headers: tw.admin.headers });
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/analytics/trends',
      headers: tw.lead.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      trends: {
        key: string;
        thisWeek: number;
        baseline: number;
        changePercent: number | null;
        alert: boolean;
      }[];
      alerts: { key: string }[];
    };
    const of = (k: string) => body.trends.find((x) => x.key === k);
    expect(of('tag:damaged')).toMatchObject({ thisWeek: 3, baseline: 1, changePercent: 200, alert: true });
    expect(of('tag:sizing')).toMatchObject({ thisWeek: 2, baseline: 2, changePercent: 0, alert: false });
    expect(of('tickets_created')).toMatchObject({
      thisWeek: 5,
      baseline: 3,
      changePercent: 66.7,
      alert: true,
    });
    expect(body.alerts.map((a) => a.key).sort()).toEqual(['tag:damaged', 'tickets_created']);
    const agent = await t.app.inject({
      method: 'GET',
      url: '/api/v1/analytics/trends',
      headers: tw.agent.headers,
    });
    expect(agent.statusCode).toBe(403);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/analytics/trends?weeks=0',
      headers: tw.lead.headers,
    });
    expect(bad.statusCode).toBe(400);
  });
});
