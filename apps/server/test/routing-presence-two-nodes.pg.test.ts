import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { freshDatabaseUrl, startTestApp, type TestApp, ticketBody } from './harness.ts';
import { connectRealtime } from './realtime-client.ts';

// *.pg.test.ts run only in the postgres project: two nodes need one shared server database.
const call = (
  node: TestApp,
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => node.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

const FAST = { PRESENCE_GRACE_SECONDS: '2', PRESENCE_HEARTBEAT_SECONDS: '0.25' };
const POLL = { timeout: 30_000, interval: 100 };

describe('presence across two nodes', { timeout: 120_000 }, () => {
  it('keeps an agent whose socket is on the other node, and lapses them when that node dies', async () => {
    const fresh = await freshDatabaseUrl();
    const a = await startTestApp(FAST, { databaseUrl: fresh.url });
    const b = await startTestApp(FAST, { databaseUrl: fresh.url });
    let aStopped = false;
    try {
      const ws = await b.workspace('Two node presence');
      await call(b, 'PUT', '/api/v1/routing/config', ws.lead.headers, { mode: 'round_robin' });
      const backup = (
        await call(b, 'POST', '/api/v1/agents', ws.admin.headers, {
          email: `backup-${randomBytes(4).toString('hex')}@example.com`,
          name: 'Backup',
        })
      ).json().id as number;
      const lapsedAt = async () =>
        (
          (await call(b, 'GET', '/api/v1/routing/agents', ws.lead.headers)).json().items as {
            agentId: number;
            lapsedAt: string | null;
          }[]
        ).find((x) => x.agentId === ws.agent.agentId)!.lapsedAt;
      const assignee = async (id: number) =>
        (await call(b, 'GET', `/api/v1/tickets/${id}`, ws.lead.headers)).json().assigneeId as number | null;

      // The agent's only socket is on node a; node b checks for lapses all the while.
      await connectRealtime(await a.app.listen({ port: 0, host: '127.0.0.1' }), ws.agent.headers);
      await call(b, 'PATCH', `/api/v1/routing/agents/${ws.agent.agentId}`, ws.lead.headers, {
        status: 'online',
      });
      const at = (await b.db.one<{ at: Date }>(sql`SELECT now() AS at`))!.at;
      // Wait until node a's heartbeat has kept the socket alive for longer than the grace period.
      await expect
        .poll(async () => {
          const rows = await b.db.query<{ seen_at: Date }>(
            sql`SELECT seen_at FROM agent_connections WHERE agent_id = ${ws.agent.agentId} AND sockets > 0`,
          );
          return rows.some((r) => r.seen_at.getTime() - at.getTime() > 3_000);
        }, POLL)
        .toBe(true);
      expect(await lapsedAt()).toBeNull();
      const chat = (
        await call(b, 'POST', '/api/v1/tickets', ws.lead.headers, ticketBody({ channel: 'chat' }))
      ).json();
      expect(await assignee(chat.id)).toBe(ws.agent.agentId);
      await call(b, 'PATCH', `/api/v1/routing/agents/${backup}`, ws.lead.headers, { status: 'online' });

      // Node a goes away without a word: its row stops being refreshed, and node b notices.
      await a.stop();
      aStopped = true;
      await expect.poll(lapsedAt, POLL).not.toBeNull();
      await expect.poll(() => assignee(chat.id), POLL).toBe(backup);
    } finally {
      if (!aStopped) await a.stop();
      await b.stop();
      await fresh.drop();
    }
  });
});
