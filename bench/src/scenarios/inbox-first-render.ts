import { chromium } from 'playwright-core';
import { seedScale } from '../../../apps/server/src/seed/scale-seed.ts';
import { type Scenario, startServer, tempDir } from '../env.ts';
import { figure } from '../results.ts';
import { summarize } from '../stats.ts';
import { ensureBuilt } from './bundles.ts';

/**
 * What an agent waits for every morning: a signed-in browser opens the dashboard and the inbox shows
 * its first ticket rows. Real Chromium against the built dashboard and a workspace of 10,000 tickets.
 */
export const inboxFirstRender: Scenario = {
  name: 'inbox-first-render',
  description: 'dashboard load to first inbox rows in Chromium, 10,000 tickets (PGlite)',
  databases: ['pglite'],
  async run(ctx) {
    const built = ensureBuilt(ctx, 'dashboard');
    if ('missing' in built) throw new Error(built.missing);
    const tickets = ctx.smoke ? 500 : 10_000;
    // The server serves apps/dashboard/dist, which ensureBuilt just brought up to date.
    const tmp = tempDir('first-render');
    const env = await startServer({ dataDir: tmp.dir, memory: true });
    try {
      ctx.log(`  seeding ${tickets.toLocaleString('en')} tickets…`);
      const seeded = await seedScale(env.shop.db, { tickets, slug: 'first-render' });
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      try {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        await page.goto(`${env.url}/`);
        await page.getByLabel('Email').fill(seeded.email);
        await page.getByLabel('Password').fill(seeded.password!);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.getByRole('navigation', { name: 'Views' }).waitFor({ timeout: 60_000 });
        // "All open": the busiest built-in view (the scale admin has nothing assigned to them).
        const inbox = `${env.url}/inbox/all-open`;
        const loads = ctx.smoke ? 2 : 15;
        const ms: number[] = [];
        for (let i = 0; i < loads; i++) {
          // A full page load each time (new document, JS from the HTTP cache as a returning agent has it).
          const t0 = performance.now();
          await page.goto(inbox);
          await page.locator('.row-item').first().waitFor({ timeout: 30_000 });
          ms.push(performance.now() - t0);
        }
        const s = summarize(ms);
        ctx.log(`  first rows: p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms over ${loads} loads`);
        const note = `${tickets.toLocaleString('en')} tickets; ${loads} full page loads after sign-in`;
        return [
          figure({
            scenario: 'inbox-first-render',
            database: 'pglite',
            metric: 'p50',
            value: s.p50,
            unit: 'ms',
            note,
          }),
          figure({
            scenario: 'inbox-first-render',
            database: 'pglite',
            metric: 'p95',
            value: s.p95,
            unit: 'ms',
            target: 1000,
            goal: 'max',
            note,
          }),
        ];
      } finally {
        await browser.close();
      }
    } finally {
      await env.close();
      tmp.remove();
    }
  },
};
