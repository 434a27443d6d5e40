import { describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { freshDatabaseUrl, startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// *.pg.test.ts run only in the postgres project. SLA policies, routing rules and triggers are kept per
// workspace in each node's memory; an edit made through one node must reach tickets created on the other
// within moments (the caches' TTL is 30 s, so a pass here is the cross-node signal, not expiry).
const call = (
  node: TestApp,
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => node.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

const poll = { timeout: 15_000, interval: 100 };

describe('settings caches on two nodes', () => {
  it('a settings edit on one node applies to the next ticket created on the other', async () => {
    const fresh = await freshDatabaseUrl();
    const a = await startTestApp({}, { databaseUrl: fresh.url });
    const b = await startTestApp({}, { databaseUrl: fresh.url });
    try {
      const w: TestWorkspace = await a.workspace('Two node settings');
      const ticketOnB = async () => {
        const res = await call(b, 'POST', '/api/v1/tickets', w.agent.headers, ticketBody());
        expect(res.statusCode).toBe(201);
        return res.json().id as number;
      };
      const detail = async (id: number) =>
        (await call(b, 'GET', `/api/v1/tickets/${id}`, w.agent.headers)).json() as {
          tags: string[];
          assigneeId: number | null;
        };
      // A ticket's reactions (triggers, routing, SLA) have run once its outbox rows are gone: each is
      // deleted after its listeners finished, follow-up events included.
      const settled = () =>
        expect
          .poll(
            async () => (await a.db.one<{ n: number }>(sql`SELECT count(*)::int AS n FROM event_outbox`))!.n,
            { timeout: 15_000, interval: 50 },
          )
          .toBe(0);
      const slaOf = async (id: number) =>
        (await call(b, 'GET', `/api/v1/sla/tickets?ids=${id}`, w.agent.headers)).json().items as unknown[];

      // Warm every cache on b with "nothing configured".
      const before = await ticketOnB();
      await settled();
      expect(await detail(before)).toMatchObject({ tags: [], assigneeId: null });
      expect(await slaOf(before)).toEqual([]);

      // Edited through a.
      expect(
        (
          await call(a, 'POST', '/api/v1/automations', w.lead.headers, {
            name: 'Tag new',
            kind: 'trigger',
            events: ['ticket.created'],
            conditions: { all: [], any: [] },
            actions: [{ type: 'add_tags', tags: ['seen-by-b'] }],
          })
        ).statusCode,
      ).toBe(201);
      expect(
        (
          await call(a, 'POST', '/api/v1/sla/policies', w.lead.headers, {
            name: 'Everyone',
            targets: { firstResponse: { minutes: 60, business: false } },
          })
        ).statusCode,
      ).toBe(201);
      expect(
        (await call(a, 'PUT', '/api/v1/routing/presence', w.agent.headers, { status: 'online' })).statusCode,
      ).toBe(200);
      expect(
        (await call(a, 'PUT', '/api/v1/routing/config', w.lead.headers, { mode: 'round_robin' })).statusCode,
      ).toBe(200);

      // b's next ticket sees all three, well inside the TTL.
      await expect
        .poll(async () => {
          const id = await ticketOnB();
          await settled();
          const d = await detail(id);
          return {
            tagged: d.tags.includes('seen-by-b'),
            assigned: d.assigneeId,
            sla: (await slaOf(id)).length,
          };
        }, poll)
        .toEqual({ tagged: true, assigned: w.agent.agentId, sla: 1 });
    } finally {
      await a.stop();
      await b.stop();
      await fresh.drop();
    }
  });
});
