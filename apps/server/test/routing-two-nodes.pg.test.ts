import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { freshDatabaseUrl, startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// Two app nodes on one PostgreSQL database: the only place where two routers really race.
// The same rules are covered on PGlite by the single-node concurrent test in routing-api.test.ts.
// *.pg.test.ts run only in the postgres project.
describe('routing with two nodes on one PostgreSQL', { timeout: 240_000 }, () => {
  let a: TestApp;
  let b: TestApp;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    a = await startTestApp({}, { databaseUrl: fresh.url });
    b = await startTestApp({}, { databaseUrl: fresh.url });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await drop?.();
  });

  const call = (
    node: TestApp,
    method: string,
    url: string,
    headers: Record<string, string>,
    payload?: unknown,
  ) => node.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

  async function onlineAgents(ws: TestWorkspace, n: number) {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const res = await call(a, 'POST', '/api/v1/agents', ws.admin.headers, {
        email: `two-nodes-${randomBytes(4).toString('hex')}@example.com`,
        name: `Agent ${i}`,
      });
      ids.push(res.json().id);
      await call(b, 'PATCH', `/api/v1/routing/agents/${res.json().id}`, ws.lead.headers, {
        status: 'online',
      });
    }
    return ids;
  }

  const burst = (ws: TestWorkspace, n: number, channel: string) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        call(
          i % 2 ? a : b,
          'POST',
          '/api/v1/tickets',
          ws.agent.headers,
          ticketBody({ subject: `Burst ${i}`, channel }),
        ),
      ),
    );

  const perAgent = async (ws: TestWorkspace, ids: number[]) => {
    const rows = await a.db.query<{ assignee_id: number | null; n: number }>(sql`
      SELECT assignee_id, count(*)::int AS n FROM tickets WHERE workspace_id = ${ws.workspaceId} GROUP BY assignee_id`);
    return { per: ids.map((id) => rows.find((r) => r.assignee_id === id)?.n ?? 0), rows };
  };

  const assignedTwice = (ws: TestWorkspace) =>
    a.db.query(sql`
      SELECT ticket_id FROM ticket_events WHERE workspace_id = ${ws.workspaceId} AND type = 'assigned'
      GROUP BY ticket_id HAVING count(*) > 1`);

  it('assigns 500 concurrent tickets once each, fairly and within capacity; the rest drain in SLA order', async () => {
    const ws = await a.workspace('Two nodes RR');
    // Urgent tickets are due in 10 minutes, the rest in an hour: the queue is ordered by that.
    await call(a, 'POST', '/api/v1/sla/policies', ws.lead.headers, {
      name: 'Urgent',
      match: { priorities: ['urgent'] },
      targets: { firstResponse: { minutes: 10, business: false } },
    });
    await call(a, 'POST', '/api/v1/sla/policies', ws.lead.headers, {
      name: 'Everything else',
      targets: { firstResponse: { minutes: 60, business: false } },
    });
    // 5 agents × 90 = 450 places for 500 tickets: capacity binds.
    await call(a, 'PUT', '/api/v1/routing/config', ws.lead.headers, {
      mode: 'round_robin',
      defaultCapacity: { '*': 90 },
    });
    const ids = await onlineAgents(ws, 5);
    const res = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        call(
          i % 2 ? a : b,
          'POST',
          '/api/v1/tickets',
          ws.agent.headers,
          ticketBody({
            subject: `Burst ${i}`,
            channel: 'email',
            priority: i % 7 === 0 ? 'urgent' : 'normal',
          }),
        ),
      ),
    );
    expect(res.filter((r) => r.statusCode !== 201)).toEqual([]);
    const { per } = await perAgent(ws, ids);
    expect(per).toEqual([90, 90, 90, 90, 90]);
    expect(await assignedTwice(ws)).toEqual([]);

    type Queued = { ticketId: number; dueAt: string | null };
    const queued = (await call(b, 'GET', '/api/v1/routing/queue?limit=500', ws.lead.headers)).json()
      .items as Queued[];
    expect(queued).toHaveLength(50);
    const due = queued.map((q) => Date.parse(q.dueAt!));
    expect(due.every((d, i) => Number.isFinite(d) && (i === 0 || due[i - 1]! <= d))).toBe(true);

    // Each agent solves two tickets, on both nodes at once: the ten tickets due soonest move up.
    const toSolve = await a.db.query<{ id: number }>(sql`
      SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY assignee_id ORDER BY id) AS n FROM tickets
                      WHERE workspace_id = ${ws.workspaceId} AND assignee_id IS NOT NULL) x WHERE n <= 2`);
    expect(toSolve).toHaveLength(10);
    const solved = await Promise.all(
      toSolve.map((r, i) =>
        call(i % 2 ? a : b, 'PATCH', `/api/v1/tickets/${r.id}`, ws.lead.headers, { status: 'solved' }),
      ),
    );
    expect(solved.map((r) => r.statusCode)).toEqual(toSolve.map(() => 200));

    const first = queued.slice(0, 10).map((q) => q.ticketId);
    const owners = await a.db.query<{ id: number; assignee_id: number | null }>(sql`
      SELECT id, assignee_id FROM tickets WHERE id = ANY(${first}::bigint[])`);
    expect(owners.filter((o) => o.assignee_id === null)).toEqual([]);
    const left = (await call(a, 'GET', '/api/v1/routing/queue?limit=500', ws.lead.headers)).json()
      .items as Queued[];
    expect(left.map((q) => q.ticketId)).toEqual(queued.slice(10).map((q) => q.ticketId));

    const open = await a.db.query<{ assignee_id: number; n: number }>(sql`
      SELECT assignee_id, count(*)::int AS n FROM tickets
      WHERE workspace_id = ${ws.workspaceId} AND status IN ('new', 'open') AND assignee_id IS NOT NULL
      GROUP BY assignee_id`);
    expect(ids.map((id) => open.find((o) => o.assignee_id === id)?.n)).toEqual([90, 90, 90, 90, 90]);
    const turns = await a.db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM ticket_events WHERE workspace_id = ${ws.workspaceId} AND type = 'assigned'
      GROUP BY (data->>'to') ORDER BY 1`);
    expect(turns.length).toBe(5);
    expect(turns[4]!.n - turns[0]!.n).toBeLessThanOrEqual(1);
    expect(await assignedTwice(ws)).toEqual([]);
  });

  it('never fills an agent beyond capacity; the rest wait in the queue', async () => {
    const ws = await a.workspace('Two nodes capacity');
    await call(a, 'PUT', '/api/v1/routing/config', ws.lead.headers, {
      mode: 'least_loaded',
      defaultCapacity: { chat: 3 },
    });
    const ids = await onlineAgents(ws, 4);
    const res = await burst(ws, 100, 'chat');
    expect(res.filter((r) => r.statusCode !== 201)).toEqual([]);
    const { per } = await perAgent(ws, ids);
    expect(per).toEqual([3, 3, 3, 3]);
    const queue = (await call(b, 'GET', '/api/v1/routing/queue?limit=500', ws.lead.headers)).json().items;
    expect(queue).toHaveLength(88);
    expect(await assignedTwice(ws)).toEqual([]);
  });
});
