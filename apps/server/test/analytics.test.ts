import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// Analytics (issue 16): every metric checked on hand-built tickets with exact expected values, the
// rollups against a from-scratch rebuild, scoping by workspace and role, and 4xx on bad filters.
let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let team: number;
const tk = {} as Record<'t1' | 't2' | 't3' | 't4' | 't5' | 't6', number>;

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
const Z = (s: string) => `2026-03-${s}Z`;

async function ticket(o: {
  channel: string;
  created: string;
  team?: number | null;
  assignee?: number | null;
  status?: string;
  merged?: number;
}) {
  const r = await t.db.one<{ id: number }>(sql`
    INSERT INTO tickets (workspace_id, subject, status, channel, team_id, assignee_id, created_at, merged_into_id)
    VALUES (${ws.workspaceId}, ${`Hand-built ${o.created}`}, ${o.status ?? 'open'}, ${o.channel}, ${o.team ?? null},
            ${o.assignee ?? null}, ${Z(o.created)}, ${o.merged ?? null}) RETURNING id`);
  return r!.id;
}
async function msg(
  ticketId: number,
  kind: 'inbound' | 'outbound' | 'note',
  at: string,
  agent: number | null,
) {
  await t.db.query(sql`
    INSERT INTO messages (workspace_id, ticket_id, kind, channel, author_agent_id, body_text, created_at)
    VALUES (${ws.workspaceId}, ${ticketId}, ${kind}, 'email', ${agent}, 'x', ${Z(at)})`);
}
async function status(ticketId: number, type: string, from: string, to: string, at: string) {
  await t.db.query(sql`
    INSERT INTO ticket_events (workspace_id, ticket_id, type, data, created_at)
    VALUES (${ws.workspaceId}, ${ticketId}, ${type}, ${JSON.stringify({ from, to })}::jsonb, ${Z(at)})`);
}

type Fig = {
  n: number;
  excluded: number;
  value: number | null;
  avg: number | null;
  median: number | null;
  p90: number | null;
};
type Report = {
  filter: { dim: string; value: string } | null;
  metrics: { key: string; total: Fig; series: (Fig & { period: string })[] }[];
};
const metricOf = (r: Report, key: string) => r.metrics.find((m) => m.key === key)!;
async function report(q: string, headers = ws.lead.headers): Promise<Report> {
  const res = await get(`/api/v1/analytics/report?from=2026-03-02&to=2026-03-05&${q}`, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Numbers Shop');
  other = await t.workspace('Other Numbers');
  team = (await t.db.one<{ id: number }>(
    sql`INSERT INTO teams (workspace_id, name) VALUES (${ws.workspaceId}, 'Tier 1') RETURNING id`,
  ))!.id;
  const A = ws.agent.agentId;
  const L = ws.lead.agentId;
  // T1: e-mail; a bot reply and a note do not count; the agent answers after 10 min, solves after 1 h.
  tk.t1 = await ticket({ channel: 'email', created: '02T09:00:00', team, assignee: A, status: 'solved' });
  await msg(tk.t1, 'inbound', '02T09:00:00', null);
  await msg(tk.t1, 'outbound', '02T09:01:00', null);
  await msg(tk.t1, 'note', '02T09:02:00', A);
  await msg(tk.t1, 'outbound', '02T09:10:00', A);
  await status(tk.t1, 'status_changed', 'open', 'solved', '02T10:00:00');
  // T2: chat; answered after 30 min, two replies, solved after 2 h, reopened next day and solved again.
  tk.t2 = await ticket({ channel: 'chat', created: '02T12:00:00', assignee: L, status: 'solved' });
  await msg(tk.t2, 'inbound', '02T12:00:00', null);
  await msg(tk.t2, 'outbound', '02T12:30:00', L);
  await msg(tk.t2, 'outbound', '02T13:00:00', L);
  await status(tk.t2, 'status_changed', 'open', 'solved', '02T14:00:00');
  await status(tk.t2, 'reopened', 'solved', 'open', '03T08:00:00');
  await status(tk.t2, 'status_changed', 'open', 'solved', '03T09:00:00');
  // T3: started by an agent (first message outbound): left out of first response time.
  tk.t3 = await ticket({ channel: 'email', created: '03T10:00:00', team, assignee: A });
  await msg(tk.t3, 'outbound', '03T10:00:00', A);
  // T4: no human reply yet.
  tk.t4 = await ticket({ channel: 'email', created: '03T11:00:00', team });
  await msg(tk.t4, 'inbound', '03T11:00:00', null);
  // T5: answered after 50 min across UTC midnight (still the 4th in New York).
  tk.t5 = await ticket({ channel: 'email', created: '04T23:30:00', team, assignee: A });
  await msg(tk.t5, 'inbound', '04T23:30:00', null);
  await msg(tk.t5, 'outbound', '05T00:20:00', A);
  // T6: merged into T1: not a ticket of its own.
  tk.t6 = await ticket({ channel: 'email', created: '04T08:00:00', merged: tk.t1 });
  await msg(tk.t6, 'inbound', '04T08:00:00', null);
  // SLA record: T1's first response met, T2's breached.
  for (const [id, outcome, at] of [
    [tk.t1, 'met', '02T09:10:00'],
    [tk.t2, 'breached', '02T12:15:00'],
  ] as const)
    await t.db.query(sql`
      INSERT INTO sla_outcomes (workspace_id, ticket_id, metric, cycle, outcome, policy_name, target_minutes, business,
                                started_at, outcome_at)
      VALUES (${ws.workspaceId}, ${id}, 'first_response', 0, ${outcome}, 'Standard', 15, false, ${Z('02T09:00:00')}, ${Z(at)})`);
  const rb = await t.app.inject({
    method: 'POST',
    url: '/api/v1/analytics/rebuild',
    headers: ws.admin.headers,
  });
  expect(rb.statusCode, rb.body).toBe(200);
  expect(rb.json().tickets).toBe(6);
});
afterAll(async () => {
  await t?.stop();
});

describe('definitions on hand-built tickets', () => {
  it('counts created, solved and reopened tickets per day', async () => {
    const r = await report('period=day');
    const created = metricOf(r, 'tickets_created');
    expect(created.total).toMatchObject({ n: 5, excluded: 1, value: 5 });
    expect(created.series.map((s) => [s.period, s.n])).toEqual([
      ['2026-03-02', 2],
      ['2026-03-03', 2],
      ['2026-03-04', 1],
      ['2026-03-05', 0],
    ]);
    const solved = metricOf(r, 'tickets_solved');
    expect(solved.series.map((s) => s.n)).toEqual([2, 1, 0, 0]);
    expect(metricOf(r, 'tickets_reopened').series.map((s) => s.n)).toEqual([0, 1, 0, 0]);
  });

  it('first response time: human public replies only, agent-started and unanswered tickets left out', async () => {
    const frt = metricOf(await report('period=day'), 'first_response_time');
    expect(frt.total).toEqual({ n: 3, excluded: 2, value: 1800, avg: 1800, median: 1800, p90: 3000 });
    expect(frt.series.map((s) => [s.period, s.n, s.avg])).toEqual([
      ['2026-03-02', 2, 1200],
      ['2026-03-03', 0, null],
      ['2026-03-04', 0, null],
      ['2026-03-05', 1, 3000],
    ]);
  });

  it('resolution times, one-touch, replies per resolution and SLA achievement', async () => {
    const r = await report('period=week');
    expect(metricOf(r, 'first_resolution_time').total).toMatchObject({
      n: 2,
      avg: 5400,
      median: 3600,
      p90: 7200,
    });
    expect(metricOf(r, 'full_resolution_time').total).toMatchObject({
      n: 2,
      avg: 39600,
      median: 3600,
      p90: 75600,
    });
    expect(metricOf(r, 'one_touch').total).toMatchObject({ n: 1, excluded: 1, value: 50 });
    expect(metricOf(r, 'replies_per_resolution').total).toMatchObject({ n: 2, value: 1.5 });
    expect(metricOf(r, 'sla_first_response').total).toMatchObject({ n: 1, excluded: 1, value: 50 });
    expect(metricOf(r, 'tickets_created').series.map((s) => s.period)).toEqual(['2026-03-02']);
  });

  it('explains a figure: the tickets counted and those left out, with the rule', async () => {
    const res = await get(
      '/api/v1/analytics/drilldown?metric=first_response_time&from=2026-03-02&to=2026-03-05',
      ws.lead.headers,
    );
    expect(res.statusCode).toBe(200);
    const items = res.json().items as {
      ticketId: number;
      included: boolean;
      reason: string | null;
      value: number | null;
    }[];
    const byId = new Map(items.map((i) => [i.ticketId, i]));
    expect(items).toHaveLength(5);
    expect(byId.get(tk.t1)).toMatchObject({ included: true, value: 600 });
    expect(byId.get(tk.t3)).toMatchObject({ included: false, reason: 'agent-started ticket' });
    expect(byId.get(tk.t4)).toMatchObject({ included: false, reason: 'no human reply yet' });
    const merged = await get(
      '/api/v1/analytics/drilldown?metric=tickets_created&included=false&from=2026-03-02&to=2026-03-05',
      ws.lead.headers,
    );
    expect(merged.json().items).toEqual([
      expect.objectContaining({ ticketId: tk.t6, reason: `merged into #${tk.t1}` }),
    ]);
  });

  it('filters by one dimension: a team', async () => {
    const r = await report(`team=${team}`);
    expect(r.filter).toEqual({ dim: 'team', value: String(team) });
    expect(metricOf(r, 'tickets_created').total.n).toBe(4);
    expect(metricOf(r, 'first_response_time').total).toMatchObject({ n: 2, excluded: 2, avg: 1800 });
  });

  it('exports CSV that parses back to the same figures', async () => {
    const res = await get(
      '/api/v1/analytics/report.csv?from=2026-03-02&to=2026-03-05&metrics=first_response_time',
      ws.lead.headers,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const rows = res.body
      .trim()
      .split('\r\n')
      .map((l) => l.slice(1, -1).split('","'));
    expect(rows[0]).toEqual([
      'period',
      'metric',
      'label',
      'value',
      'n',
      'excluded',
      'avg_seconds',
      'median_seconds',
      'p90_seconds',
    ]);
    expect(rows.find((r) => r[0] === 'total')).toEqual([
      'total',
      'first_response_time',
      'First response time',
      '1800',
      '3',
      '2',
      '1800',
      '1800',
      '3000',
    ]);
    const drill = await get(
      '/api/v1/analytics/drilldown.csv?metric=tickets_created&from=2026-03-02&to=2026-03-05',
      ws.lead.headers,
    );
    expect(drill.body.split('\r\n')[0]).toBe(
      '"ticket_id","subject","status","at","day","value","counted","reason"',
    );
    expect(drill.body.trim().split('\r\n')).toHaveLength(7);
  });
});

describe('scope and bad input', () => {
  it('agents see their own figures only; other workspaces see none of these', async () => {
    const mine = await report('', ws.agent.headers);
    expect(mine.filter).toEqual({ dim: 'agent', value: String(ws.agent.agentId) });
    expect(metricOf(mine, 'tickets_created').total.n).toBe(3); // T1, T3, T5
    expect(
      (
        await get(
          `/api/v1/analytics/report?from=2026-03-02&to=2026-03-05&agent=${ws.lead.agentId}`,
          ws.agent.headers,
        )
      ).statusCode,
    ).toBe(403);
    expect(
      (await get('/api/v1/analytics/report?from=2026-03-02&to=2026-03-05', ws.readonly.headers)).statusCode,
    ).toBe(403);
    const theirs = await report('', other.lead.headers);
    expect(metricOf(theirs, 'tickets_created').total.n).toBe(0);
    const drill = await get(
      '/api/v1/analytics/drilldown?metric=tickets_created&from=2026-03-02&to=2026-03-05',
      other.lead.headers,
    );
    expect(drill.json().items).toEqual([]);
  });

  it('answers 4xx to bad filters and changes nothing', async () => {
    for (const q of [
      'from=2026-03-05&to=2026-03-02',
      'from=2025-01-01&to=2026-03-02',
      'from=2026-03-02&to=2026-03-05&team=1&priority=extreme',
      'from=2026-03-02&to=2026-03-05&metrics=nope',
      'from=2026-03-02&to=2026-03-05&period=year',
      'from=yesterday&to=2026-03-05',
      'to=2026-03-05',
    ]) {
      const res = await get(`/api/v1/analytics/report?${q}`, ws.lead.headers);
      expect(res.statusCode, q).toBe(400);
    }
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/analytics/settings',
      headers: ws.admin.headers,
      payload: { timeZone: 'Mars/Olympus' },
    });
    expect(put.statusCode).toBe(400);
    const byLead = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/analytics/settings',
      headers: ws.lead.headers,
      payload: { timeZone: 'UTC' },
    });
    expect(byLead.statusCode).toBe(403);
  });

  it('is in the OpenAPI document', async () => {
    const spec = (await t.app.inject('/api/openapi.json')).json();
    for (const p of ['report', 'report.csv', 'drilldown', 'drilldown.csv', 'metrics', 'settings'])
      expect(spec.paths[`/api/v1/analytics/${p}`]?.get, p).toBeDefined();
  });
});

describe('rollups', () => {
  const snapshot = async () =>
    (
      await t.db.query<{ k: string }>(sql`
        SELECT metric || '|' || dim || '|' || dim_value || '|' || day::text || '|' || bucket || '|' || n || '|' || total AS k
        FROM analytics_rollups WHERE workspace_id = ${ws.workspaceId} AND n <> 0 ORDER BY 1`)
    ).map((r) => r.k);

  it('follow events incrementally and equal a from-scratch rebuild', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: ws.agent.headers,
      payload: ticketBody({ subject: 'Live one' }),
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${id}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'On its way', status: 'solved' },
    });
    expect(reply.statusCode).toBeLessThan(300);
    const live = await get(`/api/v1/analytics/report?from=${today}&to=${today}`, ws.lead.headers);
    const m = (k: string) => (live.json() as Report).metrics.find((x) => x.key === k)!.total;
    expect(m('tickets_created').n).toBe(1);
    expect(m('tickets_solved').n).toBe(1);

    const before = await snapshot();
    await t.db.query(sql`DELETE FROM analytics_rollups WHERE workspace_id = ${ws.workspaceId}`);
    await t.db.query(sql`DELETE FROM analytics_contributions WHERE workspace_id = ${ws.workspaceId}`);
    await t.app.inject({ method: 'POST', url: '/api/v1/analytics/rebuild', headers: ws.admin.headers });
    expect(await snapshot()).toEqual(before);
    // The per-ticket path (rollup deltas per batch) lands on the same rollups as the set-based recount.
    await t.db.query(sql`DELETE FROM analytics_rollups WHERE workspace_id = ${ws.workspaceId}`);
    await t.db.query(sql`DELETE FROM analytics_contributions WHERE workspace_id = ${ws.workspaceId}`);
    expect((await t.services.analytics.rebuildPerTicket(ws.workspaceId)).tickets).toBe(7);
    expect(await snapshot()).toEqual(before);
  });

  it('moves days with the reporting time zone (rebuild on change)', async () => {
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/analytics/settings',
      headers: ws.admin.headers,
      payload: { timeZone: 'America/New_York' },
    });
    expect(put.statusCode).toBe(200);
    const frt = metricOf(await report('period=day'), 'first_response_time');
    // T5's reply at 00:20 UTC on the 5th is 19:20 on the 4th in New York.
    expect(frt.series.map((s) => s.n)).toEqual([2, 0, 1, 0]);
  });
});
