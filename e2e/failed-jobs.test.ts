import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sql } from '../apps/server/src/platform/db/db.ts';
import { defineJob, enqueue } from '../apps/server/src/platform/jobs/queue.ts';
import { startTestApp, type TestApp, type TestWorkspace } from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, signIn } from './support.ts';

// An admin finds background work that gave up in Settings → Failed jobs, reads why, and runs it again.

const wait = { timeout: 15_000 };

describe('failed jobs in the dashboard', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let page: Page;
  let storeDown = true;

  beforeAll(async () => {
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard() });
    base = await listen(t);
    ws = await t.workspace('Failing Outfitters');
    t.jobs.register(
      defineJob({
        name: 'sync-store-orders',
        schema: z.object({}),
        handler: async () => {
          if (storeDown) throw new Error('The store answered 401: the access token was revoked');
        },
      }),
    );
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await signIn(page, base, ws.admin);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('shows a job that gave up with its reason and attempts, and Retry runs it again', async () => {
    const id = (await enqueue(
      t.db,
      'sync-store-orders',
      {},
      { workspaceId: ws.workspaceId, maxAttempts: 1 },
    ))!;
    await t.jobs.drain();

    await page.goto(`${base}/settings/failed-jobs`);
    const table = page.getByRole('table', { name: 'Failed jobs' });
    const row = table.getByRole('row').filter({ hasText: 'sync-store-orders' });
    await row.waitFor(wait);
    expect(await row.textContent()).toContain('The store answered 401: the access token was revoked');
    expect(await row.textContent()).toContain('1 of 1');

    // The cause is fixed; the admin runs it again.
    storeDown = false;
    await row.getByRole('button', { name: `Retry job ${id}` }).click();
    await page.getByRole('status').filter({ hasText: 'queued again' }).waitFor(wait);
    await page.getByText('No failed jobs.').waitFor(wait);
    await t.jobs.drain();
    const done = await t.db.one<{ status: string }>(sql`SELECT status FROM jobs WHERE id = ${id}`);
    expect(done?.status).toBe('done');
  });

  it('is for admins only', async () => {
    const res = await t.app.inject({ url: '/api/v1/jobs', headers: ws.agent.headers });
    expect(res.statusCode).toBe(403);
  });
});
