import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from '../apps/server/test/harness.ts';
import { authorDemoHelpCenter } from '../apps/server/test/helpcenter-helpers.ts';
import { launchChromium } from './support.ts';

describe('help center in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    ws = await t.workspace('E2E Help Shop');
    await authorDemoHelpCenter(t, ws);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('works without JavaScript: search with a typo, read the article, vote with a comment', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${base}/help/${ws.slug}`);
    expect(page.url()).toBe(`${base}/help/${ws.slug}/en`);
    await page.fill('input[name=q]', 'retunr polcy');
    await page.press('input[name=q]', 'Enter');
    await page.waitForURL(/\/search\?q=/);
    expect(await page.textContent('main')).toContain('Showing results for');
    await page.click('.hit h2 a[href*="returns-policy"]');
    // Each click navigates: wait for the new page before reading it.
    await page.waitForURL(/\/articles\/\d+-returns-policy/);
    await page.locator('article.body h1', { hasText: 'What is your returns policy?' }).waitFor();
    await page.click('form:has(input[value=no]) button');
    await page.locator('textarea[name=comment]').waitFor();
    await page.fill('textarea[name=comment]', 'I need the policy for gift cards');
    await page.click('text=Send feedback');
    await page.locator('.vote.ok').waitFor();
    expect(await page.textContent('.vote.ok')).toContain('Thanks for your feedback');
    await ctx.close();
  });

  it('suggests articles while the shopper types the subject, then files the ticket', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/help/${ws.slug}/en/contact`);
    await page.fill('#email', 'ida@example.com');
    await page.selectOption('#topic', 'Payment');
    await page.type('#subject', 'can I pay with klarna', { delay: 10 });
    // The list for the whole subject (the script marks which question it answers), not a prefix's.
    await page.locator('#suggestions[data-query="can I pay with klarna"] a').first().waitFor();
    expect(await page.textContent('#suggestions')).toContain('Which payment methods do you accept?');
    await page.fill('#message', 'Is Klarna available for orders to Austria?');
    await page.click('button[value=send]');
    await page.waitForURL(/\/contact\/sent/);
    const ref = (await page.textContent('.ok strong'))!.replace('#', '');
    const ticket = (
      await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ref}`, headers: ws.agent.headers })
    ).json();
    expect(ticket).toMatchObject({ channel: 'web', subject: 'can I pay with klarna' });
    await page.close();
  });

  it('lets the bot answer a policy question and hand over to a human with the conversation', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/help/${ws.slug}/en/ask`);
    await page.fill('#text', 'can I pay with klarna?');
    await page.press('#text', 'Enter');
    await page.waitForSelector('text=Which payment methods do you accept?');
    await page.fill('#text', 'talk to a human');
    await page.press('#text', 'Enter');
    await page.waitForSelector("text=What's your e-mail address");
    await page.fill('#text', 'jo@example.com');
    await page.press('#text', 'Enter');
    await page.waitForSelector('text=Our team will reply to jo@example.com');
    const list = (
      await t.app.inject({ method: 'GET', url: '/api/v1/tickets?limit=50', headers: ws.agent.headers })
    ).json();
    const ticket = list.items.find(
      (x: { contact: { email: string } | null }) => x.contact?.email === 'jo@example.com',
    );
    expect(ticket.tags).toContain('bot-handover');
    await page.close();
  });
});
