import { describe, expect, it } from 'vitest';
import { freshDatabaseUrl, startTestApp, ticketBody } from './harness.ts';
import { connectRealtime as connect } from './realtime-client.ts';

// *.pg.test.ts files run only in the postgres project: several nodes need a shared server database.
describe('two server nodes on one PostgreSQL', () => {
  it('a reply posted on node 1 reaches a socket connected to node 2', async () => {
    const fresh = await freshDatabaseUrl();
    const n1 = await startTestApp({}, { databaseUrl: fresh.url });
    const n2 = await startTestApp({}, { databaseUrl: fresh.url });
    try {
      const base2 = await n2.app.listen({ port: 0, host: '127.0.0.1' });
      const w = await n1.workspace('Two nodes');
      const sock = await connect(base2, w.agent.headers);
      const tk = (
        await n1.app.inject({
          method: 'POST',
          url: '/api/v1/tickets',
          headers: w.admin.headers,
          payload: ticketBody(),
        })
      ).json();
      await n1.app.inject({
        method: 'POST',
        url: `/api/v1/tickets/${tk.id}/replies`,
        headers: w.admin.headers,
        payload: { body: 'from node 1' },
      });
      const f = await sock.waitFor((x) => x.event === 'message.created' && x.ticketId === tk.id);
      expect(f.ticketId).toBe(tk.id);
      sock.close();
    } finally {
      await n1.stop();
      await n2.stop();
      await fresh.drop();
    }
  });
});
