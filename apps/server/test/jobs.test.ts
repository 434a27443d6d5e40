import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sql } from '../src/platform/db/db.ts';
import { backoffSeconds, createJobRunner, defineJob, enqueue } from '../src/platform/jobs/queue.ts';
import { createLogger } from '../src/platform/log.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
const log = createLogger('silent');

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Jobs Shop');
});
afterAll(() => t?.stop());

const row = (id: number) =>
  t.db.one<{ status: string; attempts: number; last_error: string | null; run_at: Date }>(
    sql`SELECT status, attempts, last_error, run_at FROM jobs WHERE id = ${id}`,
  );

describe('durable jobs', () => {
  it('deletes finished rows past their retention, keeping recent and failed ones', async () => {
    const runner = createJobRunner(t.db, log, { concurrency: 1 });
    runner.register(
      defineJob({ name: 'tidy', schema: z.object({}), handler: async () => {}, keepDoneForMs: 60_000 }),
    );
    const old = (await enqueue(t.db, 'tidy', {}))!;
    const recent = (await enqueue(t.db, 'tidy', {}))!;
    await runner.drain();
    await t.db.query(sql`UPDATE jobs SET finished_at = now() - interval '2 minutes' WHERE id = ${old}`);
    const failed = (await enqueue(t.db, 'tidy', {}))!;
    await t.db.query(
      sql`UPDATE jobs SET status = 'failed', finished_at = now() - interval '2 hours' WHERE id = ${failed}`,
    );
    await runner.prune();
    expect(await row(old)).toBeUndefined();
    expect(await row(recent)).toMatchObject({ status: 'done' });
    expect(await row(failed)).toMatchObject({ status: 'failed' });
  });

  it('enqueues once per unique key', async () => {
    // Scheduled far ahead: the other tests' runners count what they claim, and must not claim this.
    const later = new Date(Date.now() + 3600_000);
    const a = await enqueue(t.db, 'noop', {}, { uniqueKey: 'once-only', runAt: later });
    const b = await enqueue(t.db, 'noop', {}, { uniqueKey: 'once-only', runAt: later });
    expect(a).toBeTypeOf('number');
    expect(b).toBeNull();
  });

  it('retries a failing job with exponential backoff, then marks it failed and visible to admins', async () => {
    const runner = createJobRunner(t.db, log, { concurrency: 1 });
    let calls = 0;
    runner.register(
      defineJob({
        name: 'always-fails',
        schema: z.object({}),
        handler: async () => {
          calls++;
          throw new Error('carrier API said 503');
        },
      }),
    );
    const id = (await enqueue(t.db, 'always-fails', {}, { workspaceId: ws.workspaceId, maxAttempts: 3 }))!;
    await runner.drain();
    const first = await row(id);
    expect(first).toMatchObject({ status: 'queued', attempts: 1, last_error: 'carrier API said 503' });
    expect(first!.run_at.getTime()).toBeGreaterThan(Date.now() + 1000);
    for (let i = 0; i < 2; i++) {
      await t.db.query(sql`UPDATE jobs SET run_at = now() WHERE id = ${id}`);
      await runner.drain();
    }
    expect(calls).toBe(3);
    expect(await row(id)).toMatchObject({ status: 'failed', attempts: 3 });

    const failed = (
      await t.app.inject({ method: 'GET', url: '/api/v1/jobs?status=failed', headers: ws.admin.headers })
    ).json().items;
    expect(failed.find((j: { id: number }) => j.id === id)).toMatchObject({
      name: 'always-fails',
      lastError: 'carrier API said 503',
      attempts: 3,
      finishedAt: expect.any(String),
    });
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: ws.agent.headers })).statusCode,
    ).toBe(403);
    const retry = await t.app.inject({
      method: 'POST',
      url: `/api/v1/jobs/${id}/retry`,
      headers: ws.admin.headers,
    });
    expect(retry.statusCode).toBe(204);
    expect((await row(id))!.status).toBe('queued');
  });

  it('a job whose worker died mid-run is taken over after its lease and completes exactly once', async () => {
    const effects: number[] = [];
    const id = (await enqueue(t.db, 'charge-once', { n: 7 }))!;

    // Worker 1 claims the job and "dies": it never finishes (the handler never resolves).
    const dying = createJobRunner(t.db, log, { concurrency: 1, nodeId: 'node-dies' });
    dying.register(
      defineJob({
        name: 'charge-once',
        schema: z.object({ n: z.number() }),
        handler: () => new Promise<void>(() => {}),
      }),
    );
    void dying.drain();
    await new Promise((r) => setTimeout(r, 200));
    expect((await row(id))!.status).toBe('running');

    // Worker 2 does not take a job under a live lease…
    const healthy = createJobRunner(t.db, log, { concurrency: 1, nodeId: 'node-ok' });
    healthy.register(
      defineJob({
        name: 'charge-once',
        schema: z.object({ n: z.number() }),
        handler: async (p) => {
          effects.push(p.n);
        },
      }),
    );
    expect(await healthy.drain()).toBe(0);
    // …but does once the lease has expired (simulated instead of waiting 60 s).
    await t.db.query(sql`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = ${id}`);
    expect(await healthy.drain()).toBe(1);
    expect(effects).toEqual([7]);
    expect(await row(id)).toMatchObject({ status: 'done', attempts: 2 });
    expect(await healthy.drain()).toBe(0);
    expect(effects).toEqual([7]);
  });

  it('a job whose lease runs out on its last attempt (a poison job) ends failed with the reason, not re-run', async () => {
    const id = (await enqueue(t.db, 'poison', {}, { workspaceId: ws.workspaceId, maxAttempts: 2 }))!;
    let runs = 0;
    const def = defineJob({
      name: 'poison',
      schema: z.object({}),
      // Stalls (or kills) every worker that runs it: it never finishes.
      handler: () => {
        runs++;
        return new Promise<void>(() => {});
      },
    });
    for (const node of ['stalled-1', 'stalled-2']) {
      const stalled = createJobRunner(t.db, log, { concurrency: 1, nodeId: node });
      stalled.register(def);
      void stalled.drain();
      await new Promise((r) => setTimeout(r, 150));
      await t.db.query(sql`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = ${id}`);
    }
    expect(runs).toBe(2);
    const next = createJobRunner(t.db, log, { concurrency: 1, nodeId: 'next' });
    next.register(def);
    await next.drain();
    expect(runs).toBe(2);
    const r = await row(id);
    expect(r).toMatchObject({ status: 'failed', attempts: 2 });
    expect(r!.last_error).toMatch(/Gave up after 2 attempts: the lease ran out/);
    const failed = (
      await t.app.inject({ method: 'GET', url: '/api/v1/jobs?status=failed', headers: ws.admin.headers })
    ).json().items;
    expect(failed.find((j: { id: number }) => j.id === id)).toMatchObject({ name: 'poison', attempts: 2 });
  });

  it('a handler running longer than its lease renews it, so no other node runs it meanwhile', async () => {
    const id = (await enqueue(t.db, 'long-export', {}))!;
    let finish!: () => void;
    let runs = 0;
    const def = defineJob({
      name: 'long-export',
      schema: z.object({}),
      handler: () => {
        runs++;
        return new Promise<void>((r) => {
          finish = r;
        });
      },
    });
    const busy = createJobRunner(t.db, log, { concurrency: 1, nodeId: 'busy', heartbeatMs: 50 });
    busy.register(def);
    const drained = busy.drain();
    await new Promise((r) => setTimeout(r, 150));
    // The claim's lease has run out while the handler is still working (as after 60 s of work).
    await t.db.query(sql`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = ${id}`);
    await new Promise((r) => setTimeout(r, 400));
    const other = createJobRunner(t.db, log, { concurrency: 1, nodeId: 'other' });
    other.register(def);
    await other.drain();
    expect(runs).toBe(1);
    finish();
    await drained;
    expect(await row(id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('spreads retries of jobs that failed together (jittered backoff within the exponential ceiling)', () => {
    const delays = Array.from({ length: 50 }, () => backoffSeconds(5));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(32);
      expect(d).toBeLessThanOrEqual(48);
    }
    expect(new Set(delays).size).toBeGreaterThan(10);
    const capped = Array.from({ length: 20 }, () => backoffSeconds(30));
    expect(Math.max(...capped)).toBeLessThanOrEqual(3600);
    expect(new Set(capped).size).toBeGreaterThan(1);
  });

  it('runs jobs scheduled for later only when due', async () => {
    const runner = createJobRunner(t.db, log, { concurrency: 2 });
    const ran: string[] = [];
    runner.register(
      defineJob({
        name: 'remind',
        schema: z.object({ k: z.string() }),
        handler: async (p) => void ran.push(p.k),
      }),
    );
    await enqueue(t.db, 'remind', { k: 'later' }, { runAt: new Date(Date.now() + 3600_000) });
    await enqueue(t.db, 'remind', { k: 'now' });
    await runner.drain();
    expect(ran).toEqual(['now']);
  });
});
