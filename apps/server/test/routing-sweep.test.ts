import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp } from './harness.ts';

// The routing sweep runs every minute on every installation; its finished rows must not pile up forever.

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

const sweeps = () =>
  t.db.query<{ status: string; age_minutes: number }>(sql`
    SELECT status, floor(extract(epoch FROM now() - coalesce(finished_at, now())) / 60)::int AS age_minutes
    FROM jobs WHERE name = 'routing-sweep' ORDER BY id`);

describe('routing-sweep job', () => {
  it('deletes finished sweeps older than an hour, keeps recent and failed ones, and schedules the next', async () => {
    await t.db.query(sql`DELETE FROM jobs WHERE name = 'routing-sweep'`);
    // A day of history: five finished sweeps in the last hour, 46 older ones, one that failed long ago.
    const ages = [10, 20, 30, 40, 50, ...Array.from({ length: 46 }, (_, i) => 90 + i * 30)];
    for (const m of ages)
      await t.db.query(sql`
        INSERT INTO jobs (name, payload, status, run_at, finished_at, unique_key)
        VALUES ('routing-sweep', '{}'::jsonb, 'done', now() - make_interval(mins => ${m}),
          now() - make_interval(mins => ${m}), ${`old-sweep:${m}`})`);
    await t.db.query(sql`
      INSERT INTO jobs (name, payload, status, run_at, finished_at, last_error, attempts)
      VALUES ('routing-sweep', '{}'::jsonb, 'failed', now() - interval '2 days', now() - interval '2 days', 'boom', 8)`);
    await t.db.query(sql`INSERT INTO jobs (name, payload) VALUES ('routing-sweep', '{}'::jsonb)`);
    expect((await sweeps()).length).toBe(53);

    await t.jobs.drain();

    const left = await sweeps();
    const done = left.filter((j) => j.status === 'done');
    // Kept: the five from the last hour plus the run that just finished; everything older is gone.
    expect(done.map((j) => j.age_minutes).sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(left.filter((j) => j.status === 'failed')).toHaveLength(1);
    // The next sweep is queued for the coming minute.
    expect(left.filter((j) => j.status === 'queued')).toHaveLength(1);
  });
});
