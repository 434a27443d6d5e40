import { describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { freshDatabaseUrl, startTestApp, type TestApp, ticketBody } from './harness.ts';

// *.pg.test.ts run only in the postgres project: two nodes need one shared server database.
const call = (
  node: TestApp,
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => node.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

describe('scheduled automations on two nodes', () => {
  it('act once per ticket when both nodes scan at the same time', async () => {
    const fresh = await freshDatabaseUrl();
    const a = await startTestApp({}, { databaseUrl: fresh.url });
    const b = await startTestApp({}, { databaseUrl: fresh.url });
    try {
      const w = await a.workspace('Two node scans');
      for (let i = 0; i < 20; i++)
        await call(
          i % 2 ? a : b,
          'POST',
          '/api/v1/tickets',
          w.agent.headers,
          ticketBody({ subject: `Scan ${i}`, tags: ['stale'] }),
        );
      await call(a, 'POST', '/api/v1/automations', w.lead.headers, {
        name: 'Tag stale',
        kind: 'scheduled',
        conditions: { all: [{ field: 'tags', op: 'includes', value: 'stale' }] },
        actions: [{ type: 'add_note', body: 'Still open after the scan' }],
      });
      const [x, y] = await Promise.all([
        call(a, 'POST', '/api/v1/automations/run-scheduled', w.admin.headers),
        call(b, 'POST', '/api/v1/automations/run-scheduled', w.admin.headers),
      ]);
      expect(x.json().acted + y.json().acted).toBe(20);
      const notes = await a.db.query<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM messages WHERE workspace_id = ${w.workspaceId} AND kind = 'note'
          AND body_text = 'Still open after the scan'`);
      expect(notes[0]!.n).toBe(20);
    } finally {
      await a.stop();
      await b.stop();
      await fresh.drop();
    }
  });
});
