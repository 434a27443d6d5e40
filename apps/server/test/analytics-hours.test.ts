import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// Analytics (issue 16), second part: business-hours durations across a holiday and the DST change,
// requester wait and on-hold time, the backlog level over time and combined filters — every expected
// value computed by hand below.
let t: TestApp;
let ws: TestWorkspace;
let team: number;
const tk = {} as Record<'a' | 'b' | 'c', number>;

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });

async function ticket(o: {
  channel: string;
  created: string;
  status: string;
  team?: number | null;
  assignee?: number | null;
  tags?: string[];
}) {
  const r = await t.db.one<{ id: number }>(sql`
    INSERT INTO tickets (workspace_id, subject, status, channel, team_id, assignee_id, tags, created_at)
    VALUES (${ws.workspaceId}, ${`Hours ${o.created}`}, ${o.status}, ${o.channel}, ${o.team ?? null},
            ${o.assignee ?? null}, ${o.tags ?? []}::text[], ${o.created}) RETURNING id`);
  return r!.id;
}
async function msg(ticketId: number, kind: 'inbound' | 'outbound', at: string, agent: number | null) {
  await t.db.query(sql`
    INSERT INTO messages (workspace_id, ticket_id, kind, channel, author_agent_id, body_text, created_at)
    VALUES (${ws.workspaceId}, ${ticketId}, ${kind}, 'email', ${agent}, 'x', ${at})`);
}
async function status(ticketId: number, from: string, to: string, at: string) {
  await t.db.query(sql`
    INSERT INTO ticket_events (workspace_id, ticket_id, type, data, created_at)
    VALUES (${ws.workspaceId}, ${ticketId}, ${from === 'solved' ? 'reopened' : 'status_changed'},
            ${JSON.stringify({ from, to })}::jsonb, ${at})`);
}

type Fig = { n: number; excluded: number; value: number | null; avg: number | null };
type Report = {
  filters: { dim: string; value: string }[];
  metrics: { key: string; kind: string; total: Fig; series: (Fig & { period: string })[] }[];
};
async function report(q: string, headers = ws.lead.headers): Promise<Report> {
  const res = await get(`/api/v1/analytics/report?from=2026-03-27&to=2026-04-02&${q}`, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const metricOf = (r: Report, key: string) => r.metrics.find((m) => m.key === key)!;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Hours Shop');
  team = (await t.db.one<{ id: number }>(
    sql`INSERT INTO teams (workspace_id, name) VALUES (${ws.workspaceId}, 'Returns') RETURNING id`,
  ))!.id;
  // The workspace calendar: Berlin, Mon–Fri 09:00–17:00, Easter-ish holiday on Monday 30 March 2026.
  // Summer time starts on Sunday 29 March (CET +1 → CEST +2).
  const day = [{ start: '09:00', end: '17:00' }];
  await t.db.query(sql`
    INSERT INTO business_calendars (workspace_id, team_id, name, timezone, weekly, holidays)
    VALUES (${ws.workspaceId}, NULL, 'Office', 'Europe/Berlin',
            ${JSON.stringify({ mon: day, tue: day, wed: day, thu: day, fri: day })}::jsonb,
            ${JSON.stringify([{ date: '2026-03-30', name: 'Holiday' }])}::jsonb)`);
  // A: Friday 16:00 Berlin (15:00Z); first reply Tuesday 10:00 Berlin (08:00Z, after DST and the holiday);
  // open → on-hold 08:30Z → pending 09:00Z → solved 10:00Z.
  tk.a = await ticket({ channel: 'email', created: '2026-03-27T15:00:00Z', status: 'solved' });
  await msg(tk.a, 'inbound', '2026-03-27T15:00:00Z', null);
  await msg(tk.a, 'outbound', '2026-03-31T08:00:00Z', ws.lead.agentId);
  await status(tk.a, 'new', 'open', '2026-03-31T08:00:00Z');
  await status(tk.a, 'open', 'on-hold', '2026-03-31T08:30:00Z');
  await status(tk.a, 'on-hold', 'pending', '2026-03-31T09:00:00Z');
  await status(tk.a, 'pending', 'solved', '2026-03-31T10:00:00Z');
  // B: opened before the range, still open (the backlog opens at 1).
  tk.b = await ticket({
    channel: 'chat',
    created: '2026-03-20T10:00:00Z',
    status: 'open',
    tags: ['damaged'],
  });
  // C: chat in the team, assigned to the agent; solved on the 29th, reopened on the 30th, open now.
  tk.c = await ticket({
    channel: 'chat',
    created: '2026-03-28T10:00:00Z',
    status: 'open',
    team,
    assignee: ws.agent.agentId,
    tags: ['damaged', 'vip'],
  });
  await status(tk.c, 'open', 'solved', '2026-03-29T10:00:00Z');
  await status(tk.c, 'solved', 'open', '2026-03-30T10:00:00Z');
  const rb = await t.app.inject({
    method: 'POST',
    url: '/api/v1/analytics/rebuild',
    headers: ws.admin.headers,
  });
  expect(rb.statusCode, rb.body).toBe(200);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('business hours, wait and on-hold time', () => {
  it('counts durations in calendar and in business hours across a weekend, a holiday and DST', async () => {
    const r = await report('period=week');
    // Calendar: Fri 15:00Z → Tue 08:00Z = 3 days 17 h = 320,400 s.
    expect(metricOf(r, 'first_response_time').total).toMatchObject({ n: 1, avg: 320_400 });
    // Business: Fri 16:00–17:00 + Tue 09:00–10:00 Berlin = 2 h (weekend and holiday closed).
    expect(metricOf(r, 'first_response_time_business').total).toMatchObject({ n: 1, avg: 7200 });
    // Full resolution: to Tue 12:00 Berlin: calendar 327,600 s; business 1 h + 3 h = 14,400 s.
    expect(metricOf(r, 'full_resolution_time').total).toMatchObject({ n: 1, avg: 327_600 });
    expect(metricOf(r, 'full_resolution_time_business').total).toMatchObject({ n: 1, avg: 14_400 });
    // C was solved on Sunday, a day after it came in on Saturday: a whole day, no business time.
    expect(metricOf(r, 'first_resolution_time').total).toMatchObject({ n: 2, avg: (327_600 + 86_400) / 2 });
    expect(metricOf(r, 'first_resolution_time_business').total).toMatchObject({ n: 2, avg: 7200 });
  });

  it('requester wait counts new, open and on-hold but not pending; on-hold counts alone', async () => {
    const r = await report('period=week');
    // new 320,400 + open 1,800 + on-hold 1,800 (pending 3,600 left out).
    expect(metricOf(r, 'requester_wait_time').total).toMatchObject({ n: 1, avg: 324_000 });
    expect(metricOf(r, 'requester_wait_time_business').total).toMatchObject({ n: 1, avg: 10_800 });
    expect(metricOf(r, 'on_hold_time').total).toMatchObject({ n: 1, avg: 1800 });
    expect(metricOf(r, 'on_hold_time_business').total).toMatchObject({ n: 1, avg: 1800 });
    const defs = (await get('/api/v1/analytics/metrics', ws.lead.headers)).json().metrics as {
      key: string;
      definition: string;
    }[];
    expect(defs.find((d) => d.key === 'first_response_time_business')?.definition).toContain(
      'business hours',
    );
  });
});

describe('backlog over time', () => {
  it('is the open level at the end of each day, opening with tickets from before the range', async () => {
    const r = await report('period=day&metrics=backlog');
    const b = metricOf(r, 'backlog');
    expect(b.kind).toBe('level');
    // Opening 1 (B); 27th +A = 2; 28th +C = 3; 29th C solved = 2; 30th C reopened = 3; 31st A solved = 2.
    expect(b.series.map((s) => s.value)).toEqual([2, 3, 2, 3, 2, 2, 2]);
    expect(b.total.value).toBe(2);
    const weeks = metricOf(await report('period=week&metrics=backlog'), 'backlog');
    expect(weeks.series.map((s) => [s.period, s.value])).toEqual([
      ['2026-03-23', 2],
      ['2026-03-30', 2],
    ]);
  });
});

describe('combined filters', () => {
  it('combines channel, tag and team (live from the contributions) and matches hand counts', async () => {
    const chatDamaged = await report('channel=chat&tag=damaged&metrics=tickets_created,backlog');
    expect(chatDamaged.filters).toEqual([
      { dim: 'channel', value: 'chat' },
      { dim: 'tag', value: 'damaged' },
    ]);
    expect(metricOf(chatDamaged, 'tickets_created').total.n).toBe(1); // C (B is before the range)
    // Opening 1 (B); 28th C = 2; 29th = 1; 30th = 2.
    expect(metricOf(chatDamaged, 'backlog').series.map((s) => s.value)).toEqual([1, 2, 1, 2, 2, 2, 2]);
    const vip = await report(`tag=vip&team=${team}&metrics=tickets_created,tickets_reopened`);
    expect(metricOf(vip, 'tickets_created').total.n).toBe(1);
    expect(metricOf(vip, 'tickets_reopened').total.n).toBe(1);
    const none = await report('channel=email&tag=damaged&metrics=tickets_created');
    expect(metricOf(none, 'tickets_created').total.n).toBe(0);
    const drill = await get(
      '/api/v1/analytics/drilldown?metric=tickets_created&from=2026-03-27&to=2026-04-02&channel=chat&tag=vip',
      ws.lead.headers,
    );
    expect(drill.json().items.map((i: { ticketId: number }) => i.ticketId)).toEqual([tk.c]);
  });

  it('agents narrow their own figures; another agent is a 403', async () => {
    const mine = await report('channel=chat&metrics=tickets_created', ws.agent.headers);
    expect(mine.filters).toEqual([
      { dim: 'agent', value: String(ws.agent.agentId) },
      { dim: 'channel', value: 'chat' },
    ]);
    expect(metricOf(mine, 'tickets_created').total.n).toBe(1);
    const res = await get(
      `/api/v1/analytics/report?from=2026-03-27&to=2026-04-02&agent=${ws.lead.agentId}`,
      ws.agent.headers,
    );
    expect(res.statusCode).toBe(403);
  });
});
