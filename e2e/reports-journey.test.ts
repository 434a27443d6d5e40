import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, screenshotDir, signIn } from './support.ts';

// Issue #16: a lead opens Reports, filters a team and a period (and a channel on top), switches the
// durations to business hours, drills into a bar to the tickets behind it, and exports the CSV.

const wait = { timeout: 15_000 };
const shots = screenshotDir();

describe('reports in the dashboard', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let page: Page;
  let teamId: number;
  let teamTicket: number;

  beforeAll(async () => {
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard() });
    base = await listen(t);
    ws = await t.workspace('Reporting Outfitters');
    const post = (url: string, payload: object) =>
      t.app.inject({ method: 'POST', url, headers: ws.admin.headers, payload });
    teamId = (await post('/api/v1/teams', { name: 'Returns desk' })).json().id;
    teamTicket = (
      await post('/api/v1/tickets', ticketBody({ subject: 'Zip broke on day two', teamId }))
    ).json().id;
    await post('/api/v1/tickets', ticketBody({ subject: 'Other team question' }));
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await signIn(page, base, ws.lead);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('filters a team and a period, drills into a bar and exports CSV', async () => {
    await page.getByRole('link', { name: /Reports/ }).click();
    const created = page.getByRole('button', { name: /Tickets created/ });
    await created.waitFor(wait);
    await expect.poll(() => created.textContent()).toContain('2');
    expect(await created.getAttribute('title')).toContain('Tickets merged into another are left out');

    await page.getByLabel('Date range').selectOption('7');
    await page.getByLabel('Team').selectOption(String(teamId));
    await expect.poll(() => page.url()).toContain(`team=${teamId}`);
    await expect.poll(() => created.textContent()).toMatch(/Tickets created\s*1/);

    // Filters combine: the team's ticket did not come in by chat, so team × chat counts none.
    await page.getByLabel('Channel').selectOption('chat');
    await expect.poll(() => page.url()).toContain('channel=chat');
    await expect.poll(() => created.textContent()).toMatch(/Tickets created\s*0/);
    await page.getByLabel('Channel').selectOption('');
    await expect.poll(() => created.textContent()).toMatch(/Tickets created\s*1/);
    // Durations switch to their business-hours twins; the backlog tile is there too.
    await page.getByLabel('Durations in').selectOption('business');
    await page.getByRole('button', { name: /First response time \(business hours\)/ }).waitFor(wait);
    await page.getByRole('button', { name: /Backlog \(open tickets\)/ }).waitFor(wait);
    await page.getByLabel('Durations in').selectOption('calendar');

    const today = new Date().toISOString().slice(0, 10);
    await page
      .getByRole('navigation', { name: 'Drill into a period' })
      .getByRole('button', { name: `${today}: 1` })
      .click();
    const drill = page.getByRole('region', { name: 'Tickets behind the figure' });
    await drill.getByRole('link', { name: `#${teamTicket} Zip broke on day two` }).waitFor(wait);
    expect(await drill.textContent()).not.toContain('Other team question');
    await page.screenshot({ path: join(shots, 'reports-drilldown.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const file = await download.path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(file, 'utf8').split('\r\n');
    expect(csv[0]).toBe(
      '"period","metric","label","value","n","excluded","avg_seconds","median_seconds","p90_seconds"',
    );
    expect(csv).toContain(`"total","tickets_created","Tickets created","1","1","0","","",""`);
  });
});
