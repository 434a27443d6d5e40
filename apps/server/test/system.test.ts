import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { statements } from './statements-helper.ts';

let t: TestApp;
let ws: TestWorkspace;
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const scrape = { authorization: `Bearer ${METRICS_TOKEN}` };
beforeAll(async () => {
  t = await startTestApp({ METRICS_TOKEN });
  ws = await t.workspace('System Shop');
});
afterAll(() => t?.stop());

describe('operations endpoints', () => {
  it('health is live and ready reports the database and applied migrations', async () => {
    expect((await t.app.inject('/api/health')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/api/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ready');
  });

  it('ready is 503 while a migration is pending', async () => {
    const other = await startTestApp();
    try {
      await other.db.query(sql`DELETE FROM schema_migrations WHERE name = '0001_core.sql'`);
      const res = await other.app.inject('/api/ready');
      expect(res.statusCode).toBe(503);
      expect(res.json().status).toBe('migrations pending');
    } finally {
      await other.stop();
    }
  });

  it('serves Prometheus metrics including request durations', async () => {
    await t.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: ws.agent.headers });
    const m = await t.app.inject({ method: 'GET', url: '/metrics', headers: scrape });
    expect(m.statusCode).toBe(200);
    expect(m.headers['content-type']).toContain('text/plain');
    expect(m.body).toContain('shopdesk_http_request_duration_seconds_bucket');
    expect(m.body).toContain('route="/api/v1/tickets"');
    expect(m.body).toContain('process_resident_memory_bytes');
  });

  it('refuses /metrics without the bearer token', async () => {
    const none = await t.app.inject('/metrics');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect(none.body).not.toContain('shopdesk_');
    const wrong = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-token-0123456789abcdeX' },
    });
    expect(wrong.statusCode).toBe(401);
  });

  it('a scrape queries no database; the jobs gauge comes from the periodic refresh', async () => {
    const seen = await statements(t.db, /./, async () => {
      for (let i = 0; i < 5; i++) await t.app.inject({ method: 'GET', url: '/metrics', headers: scrape });
    });
    expect(seen).toEqual([]);
    const m = await t.app.inject({ method: 'GET', url: '/metrics', headers: scrape });
    expect(m.body).toContain('# TYPE shopdesk_jobs gauge');
  });

  it('/metrics is off without METRICS_TOKEN or METRICS_LISTEN, and on METRICS_LISTEN only there', async () => {
    const off = await startTestApp();
    const separate = await startTestApp({ METRICS_LISTEN: '127.0.0.1:0', METRICS_TOKEN });
    try {
      const res = await off.app.inject('/metrics');
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toContain('METRICS_TOKEN');
      // Not on the public port, even with the token.
      expect(
        (await separate.app.inject({ method: 'GET', url: '/metrics', headers: scrape })).statusCode,
      ).toBe(404);
      const port = (separate.metricsServer!.server.address() as { port: number }).port;
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(body).toContain('process_resident_memory_bytes');
    } finally {
      await off.stop();
      await separate.stop();
    }
  });

  it('echoes a request id and answers unknown API paths with a JSON 404', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/nope',
      headers: { 'x-request-id': 'req-abc-123' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('req-abc-123');
    expect(res.json().error.code).toBe('not_found');
  });

  it('publishes an OpenAPI 3.1 document generated from the route schemas, and a docs page', async () => {
    const spec = (await t.app.inject('/api/openapi.json')).json();
    expect(spec.openapi).toBe('3.1.0');
    for (const [path, method] of [
      ['/api/v1/tickets', 'post'],
      ['/api/v1/tickets/{id}', 'patch'],
      ['/api/v1/tickets/{id}/replies', 'post'],
      ['/api/v1/tickets/merge', 'post'],
      ['/api/v1/contacts/merge', 'post'],
      ['/api/v1/search', 'get'],
      ['/api/v1/views', 'post'],
    ] as const) {
      expect(spec.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    const create = spec.paths['/api/v1/tickets'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['subject', 'contact', 'message']),
    );
    expect(create.responses['201']).toBeDefined();
    expect(spec.paths['/api/v1/tickets'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['status', 'cursor', 'limit']),
    );
    const docs = await t.app.inject('/api/docs');
    expect(docs.headers['content-type']).toContain('text/html');
    expect(docs.body).toContain('/api/v1/tickets/:id/replies');
  });
});
