// /metrics shows when something is going wrong (docs/operations.md "Monitor"): job queue depth and lag
// per job name, failed jobs per name, the event outbox's backlog and lag, the intake backlog per channel.
// The gauges come from a periodic refresh (METRICS_REFRESH_SECONDS), never from a query per scrape.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { enqueue } from '../src/platform/jobs/queue.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
let t: TestApp;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await startTestApp({ METRICS_TOKEN, METRICS_REFRESH_SECONDS: '0.2' });
  ws = await t.workspace('Metrics Shop');
});
afterAll(() => t?.stop());

const scrape = async () =>
  (
    await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    })
  ).body;
const value = (body: string, series: string) => {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('queue and lag metrics', () => {
  it('reports what waits, for how long, and what failed', async () => {
    // Three jobs overdue by ten minutes (no worker runs in this app), one failed, one due tomorrow.
    for (let i = 0; i < 3; i++) {
      const id = (await enqueue(t.db, 'deliver-message', { i }))!;
      await t.db.query(sql`UPDATE jobs SET run_at = now() - interval '10 minutes' WHERE id = ${id}`);
    }
    const failed = (await enqueue(t.db, 'automation-webhook', {}))!;
    await t.db.query(sql`UPDATE jobs SET status = 'failed', finished_at = now() WHERE id = ${failed}`);
    await enqueue(t.db, 'sla-check', {}, { runAt: new Date(Date.now() + 86_400_000) });
    // An event whose reactions never ran (its node died), five minutes old.
    await t.db.query(sql`INSERT INTO event_outbox (event, node_id, created_at)
      VALUES ('{"name":"ticket.created"}', 'dead-node', now() - interval '5 minutes')`);
    // Two acknowledged store webhooks not processed yet, the oldest two minutes old.
    for (const [n, age] of [
      ['a', 120],
      ['b', 10],
    ] as const)
      await t.db.query(sql`INSERT INTO inbound_events (workspace_id, channel, provider_id, payload, received_at)
        VALUES (${ws.workspaceId}, 'store:42', ${n}, '\\x7b7d', now() - make_interval(secs => ${age}))`);

    // Both figures from one refresh: one that ran between the inserts above shows the jobs but not the
    // deliveries (seen on a loaded machine).
    await vi.waitFor(
      async () => {
        const now = await scrape();
        expect(value(now, 'shopdesk_job_queue_depth{name="deliver-message"}')).toBe(3);
        expect(value(now, 'shopdesk_intake_backlog{channel="store"}')).toBe(2);
      },
      { timeout: 20_000, interval: 100 },
    );
    const body = await scrape();
    expect(value(body, 'shopdesk_job_oldest_due_seconds{name="deliver-message"}')).toBeGreaterThanOrEqual(
      600,
    );
    expect(value(body, 'shopdesk_jobs_failed{name="automation-webhook"}')).toBe(1);
    // Not due yet: not backlog.
    expect(value(body, 'shopdesk_job_queue_depth{name="sla-check"}')).toBeUndefined();
    expect(value(body, 'shopdesk_outbox_pending')).toBeGreaterThanOrEqual(1);
    expect(value(body, 'shopdesk_outbox_lag_seconds')).toBeGreaterThanOrEqual(300);
    expect(value(body, 'shopdesk_intake_backlog{channel="store"}')).toBe(2);
    expect(value(body, 'shopdesk_intake_oldest_seconds{channel="store"}')).toBeGreaterThanOrEqual(120);

    // Once handled, the gauges fall back.
    await t.db.query(
      sql`UPDATE jobs SET status = 'done', finished_at = now() WHERE name = 'deliver-message'`,
    );
    await t.db.query(sql`UPDATE inbound_events SET processed_at = now() WHERE channel = 'store:42'`);
    await t.db.query(sql`DELETE FROM event_outbox WHERE node_id = 'dead-node'`);
    await vi.waitFor(
      async () => {
        const after = await scrape();
        expect(value(after, 'shopdesk_job_queue_depth{name="deliver-message"}')).toBeUndefined();
        expect(value(after, 'shopdesk_intake_backlog{channel="store"}')).toBeUndefined();
      },
      { timeout: 20_000, interval: 100 },
    );
  });
});
