import { describe, expect, it } from 'vitest';
import { freshDatabaseUrl, startTestApp } from './harness.ts';

// *.pg.test.ts: two nodes on one PostgreSQL must enforce one budget, not one each.
describe('rate limits across two nodes on one PostgreSQL', () => {
  it('API calls, failed sign-ins and public calls share one budget whichever node answers', async () => {
    const fresh = await freshDatabaseUrl();
    const limits = {
      RATE_LIMIT_PER_MINUTE: '4',
      LOGIN_ATTEMPTS_PER_15_MIN: '3',
      RATE_LIMIT_PUBLIC_PER_MINUTE: '4',
    };
    const a = await startTestApp(limits, { databaseUrl: fresh.url });
    const b = await startTestApp(limits, { databaseUrl: fresh.url });
    try {
      const w = await a.workspace('Limited shop');
      const nodes = [a, b];

      // Alternating nodes: a per-node limit would let 8 through.
      const api = [];
      for (let i = 0; i < 6; i++)
        api.push(
          (
            await nodes[i % 2]!.app.inject({
              method: 'GET',
              url: '/api/v1/tickets',
              headers: w.agent.headers,
            })
          ).statusCode,
        );
      expect(api).toEqual([200, 200, 200, 200, 429, 429]);

      const bad = { email: w.lead.email, password: 'wrong-password' };
      const login = (n: number, payload: object) =>
        nodes[n]!.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload,
          remoteAddress: '203.0.113.5',
        });
      expect([
        (await login(0, bad)).statusCode,
        (await login(1, bad)).statusCode,
        (await login(0, bad)).statusCode,
      ]).toEqual([401, 401, 401]);
      // The right password, on the other node, is still refused until the window passes.
      const locked = await login(1, { email: w.lead.email, password: w.lead.password });
      expect(locked.statusCode).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);

      const pub = [];
      for (let i = 0; i < 6; i++)
        pub.push(
          (
            await nodes[i % 2]!.app.inject({
              method: 'GET',
              url: `/api/v1/widget/${w.slug}/config`,
              remoteAddress: '2001:db8:5::1',
            })
          ).statusCode,
        );
      expect(pub).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await a.stop();
      await b.stop();
      await fresh.drop();
    }
  });
});
