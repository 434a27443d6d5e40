import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, signIn } from './support.ts';

/**
 * Settings → Returns in Chromium (#14): a lead edits the return policy — window, a block list, the
 * address-mismatch rule, a market and a reason's photos — saves, and the engine's policy says so.
 */
describe('return policy settings, in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    const dashboardDir = builtDashboard();
    t = await startTestApp({ DASHBOARD_DIR: dashboardDir });
    base = await listen(t);
    ws = await t.workspace('Returns Settings');
    browser = await launchChromium();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('a lead edits the policy and it is what the engine applies', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1200 } });
    const page = await ctx.newPage();
    await signIn(page, base, ws.lead);
    await page.goto(`${base}/settings/returns`);
    const form = page.getByTestId('returns-policy');
    await form.waitFor();
    await form.getByLabel('Days to start a return').fill('45');
    await form.getByLabel('Counted from').selectOption('order');
    await form.getByLabel('Blocked order numbers').fill('#6001\n#6002');
    await form.getByLabel('Shipping and billing address differ').selectOption('review');
    await form.getByRole('button', { name: 'Add market' }).click();
    const market = form.getByTestId('market-row').first();
    await market.getByLabel('Market name').fill('Switzerland');
    await market.getByLabel('Countries').fill('ch, li');
    await market.getByLabel('Market window (days)').fill('14');
    const tooSmall = form.getByTestId('reason-row').first();
    await tooSmall.getByLabel('Sub-reasons').fill('Too narrow, Too short');
    await tooSmall.getByLabel('Photos', { exact: true }).selectOption('required');
    await tooSmall.getByLabel('Minimum photos').fill('2');
    await form.getByRole('button', { name: 'Save return policy' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Return policy saved');

    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/returns/policy',
      headers: ws.agent.headers,
    });
    expect(res.json()).toMatchObject({
      windowDays: 45,
      windowFrom: 'order',
      blockedOrders: ['#6001', '#6002'],
      addressMismatch: 'review',
      markets: [{ name: 'Switzerland', countries: ['CH', 'LI'], windowDays: 14 }],
    });
    expect(res.json().reasons[0]).toMatchObject({
      code: 'size_too_small',
      subReasons: ['Too narrow', 'Too short'],
      photos: 'required',
      minPhotos: 2,
    });
    // After a reload the page shows what was saved.
    await page.reload();
    await expect.poll(() => form.getByLabel('Days to start a return').inputValue()).toBe('45');
    await ctx.close();
  });
});
