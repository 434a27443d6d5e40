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

  it('assigns 500 concurrent tickets once each and round-robins them evenly', async () => {
    const ws = await a.workspace('Two nodes RR');
    await call(a, 'PUT', '/api/v1/routing/config', ws.lead.headers, {
      mode: 'round_robin',
      defaultCapacity: { '*': 500 },
    });
    const ids = await onlineAgents(ws, 5);
    const res = await burst(ws, 500, 'email');
    expect(res.filter((r) => r.statusCode !== 201)).toEqual([]);
    const { per } = await perAgent(ws, ids);
    expect(per.reduce((x, y) => x + y, 0)).toBe(500);
    expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
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
