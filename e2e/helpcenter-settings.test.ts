import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestApp,
  type TestActor,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import { authorDemoHelpCenter } from '../apps/server/test/helpcenter-helpers.ts';
import { builtDashboard, launchChromium, listen } from './support.ts';

/* Settings → Help center in the dashboard drives the server-rendered portal. */
describe('help center settings in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    const dashboardDir = builtDashboard();
    t = await startTestApp({ DASHBOARD_DIR: dashboardDir });
    ws = await t.workspace('E2E Help Settings Shop');
    await authorDemoHelpCenter(t, ws);
    base = await listen(t);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function signIn(page: Page, actor: TestActor) {
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(actor.email);
    await page.getByLabel('Password').fill(actor.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
  }
  const settingsNow = async () =>
    (
      await t.app.inject({ method: 'GET', url: '/api/v1/helpcenter/settings', headers: ws.admin.headers })
    ).json();

  it('a lead changes colour, logo and languages; the portal shows them; errors sit beside their field', async () => {
    const desk = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
    const lead = await desk.newPage();
    await signIn(lead, ws.lead);
    await lead.goto(`${base}/settings/helpcenter`);
    const form = lead.getByRole('form', { name: 'Help center settings' });
    await form.getByLabel('Primary colour', { exact: true }).fill('#b8336a');
    await form.getByLabel('Logo URL').fill('ftp://cdn.example/logo.png');
    await form.getByLabel('Language to add').fill('fr');
    await form.getByRole('button', { name: 'Add language' }).click();
    await form.getByRole('button', { name: 'Save help center settings' }).click();
    // Refused by the server: the message stands beside the logo field and nothing is stored.
    const logoField = form.locator('.field', { has: lead.getByLabel('Logo URL') });
    await logoField.locator('.error').getByText('an https:// or site-relative URL').waitFor();
    expect((await settingsNow()).primaryColor).not.toBe('#b8336a');

    await form.getByLabel('Logo URL').fill('https://cdn.example/logo.png');
    await form.getByRole('button', { name: 'Save help center settings' }).click();
    await form.getByRole('status').getByText('Help center settings saved').waitFor();
    expect(await logoField.locator('.error').count()).toBe(0);
    expect(await settingsNow()).toMatchObject({
      primaryColor: '#b8336a',
      logoUrl: 'https://cdn.example/logo.png',
      locales: ['en', 'de', 'fr'],
    });

    // The shopper's portal, server-rendered, in the new colour, with the logo and the new language.
    const shopper = await browser.newContext({ javaScriptEnabled: false });
    const portal = await shopper.newPage();
    await portal.goto(`${base}/help/${ws.slug}/fr`);
    await portal.locator('.hero h1', { hasText: 'Comment pouvons-nous vous aider ?' }).waitFor();
    expect(await portal.locator('header.top').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(184, 51, 106)',
    );
    expect(await portal.locator('header.top .brand img').getAttribute('src')).toBe(
      'https://cdn.example/logo.png',
    );
    await shopper.close();

    // A default language that is not one of the languages: named by the server beside that field.
    await form.getByRole('button', { name: 'Remove French' }).click();
    await form.getByLabel('Default language').selectOption('de');
    await form.getByRole('button', { name: 'Remove German' }).click();
    await form.getByRole('button', { name: 'Save help center settings' }).click();
    await form
      .locator('.field', { has: lead.getByLabel('Default language') })
      .locator('.error')
      .getByText('must be one of the help center’s languages')
      .waitFor();
    expect((await settingsNow()).defaultLocale).toBe('en');
    await desk.close();
  });

  it('shows agents the settings read-only', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, ws.agent);
    await page.goto(`${base}/settings/helpcenter`);
    const form = page.getByRole('form', { name: 'Help center settings' });
    await form.getByLabel('Title').waitFor();
    expect(await form.getByLabel('Title').isDisabled()).toBe(true);
    expect(await form.getByRole('button', { name: 'Save help center settings' }).count()).toBe(0);
    await ctx.close();
  });
});
