import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from '../apps/server/test/harness.ts';
import { authorDemoHelpCenter } from '../apps/server/test/helpcenter-helpers.ts';
import { builtDashboard, launchChromium, listen, signIn } from './support.ts';

/* Settings → Bot in the dashboard changes what the bot says and where it answers. */
describe('bot settings in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    const dashboardDir = builtDashboard();
    t = await startTestApp({ DASHBOARD_DIR: dashboardDir });
    ws = await t.workspace('E2E Bot Settings Shop');
    await authorDemoHelpCenter(t, ws);
    base = await listen(t);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** The help center's "ask" page as a new shopper (no earlier conversation). */
  async function askPage() {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${base}/help/${ws.slug}/en/ask`);
    return { page, close: () => ctx.close() };
  }

  it('an admin changes the greeting and switches the bot off; shoppers see it; errors sit beside their field', async () => {
    const desk = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
    const admin = await desk.newPage();
    await signIn(admin, base, ws.admin);
    await admin.goto(`${base}/settings/bot`);
    const form = admin.getByRole('form', { name: 'Bot settings' });
    await form.getByLabel('Greeting').fill('Moin! Ask me about sizes, returns or your order.');
    await form.getByLabel('After this many answers that did not help').fill('0');
    await form.getByRole('button', { name: 'Save bot settings' }).click();
    await form
      .locator('.field', { has: admin.getByLabel('After this many answers that did not help') })
      .locator('.error')
      .waitFor();
    const unchanged = (
      await t.app.inject({ method: 'GET', url: '/api/v1/bot/settings', headers: ws.admin.headers })
    ).json();
    expect(unchanged.greeting).not.toContain('Moin!');

    await form.getByLabel('After this many answers that did not help').fill('3');
    await form.getByRole('button', { name: 'Save bot settings' }).click();
    await form.getByRole('status').getByText('Bot settings saved').waitFor();

    const first = await askPage();
    await first.page
      .locator('.chat .bot', { hasText: 'Moin! Ask me about sizes, returns or your order.' })
      .waitFor();
    await first.close();
    // The conversation counts in the containment figures.
    await admin.reload();
    await expect
      .poll(() => admin.getByRole('region', { name: 'Containment' }).innerText(), { timeout: 15_000 })
      .toMatch(/1\s*conversations/);

    await form.getByLabel('Help center “Ask a question” page').uncheck();
    await form.getByRole('button', { name: 'Save bot settings' }).click();
    await form.getByRole('status').getByText('Bot settings saved').waitFor();
    const off = await askPage();
    await off.page.getByText('The assistant is not available right now.').waitFor();
    expect(await off.page.locator('.chat').innerText()).not.toContain('Moin!');
    await off.close();
    await desk.close();
  });

  it('shows agents the settings and figures read-only', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, base, ws.agent);
    await page.goto(`${base}/settings/bot`);
    const form = page.getByRole('form', { name: 'Bot settings' });
    await form.getByLabel('Greeting').waitFor();
    expect(await form.getByLabel('Greeting').isDisabled()).toBe(true);
    expect(await form.getByRole('button', { name: 'Save bot settings' }).count()).toBe(0);
    await page.getByRole('region', { name: 'Containment' }).getByText('containment').waitFor();
    await ctx.close();
  });
});
