import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from '../apps/server/test/harness.ts';
import { setUpBotShop } from '../apps/server/test/helpcenter-helpers.ts';
import { builtDashboard, builtWidget, launchChromium, listen } from './support.ts';

// The shopper's journey with the bot in the chat widget on the demo shop page, and the agent who
// receives the conversation after "talk to a human".
describe('the bot in the chat widget', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    builtWidget();
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard() }, { workers: true });
    base = await listen(t);
    ws = await t.workspace('E2E Bot Shop');
    await setUpBotShop(t, ws);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const botSays = (page: Page, text: string) =>
    page.locator('shopdesk-chat .sd-msg:not(.visitor)', { hasText: text }).last().waitFor();
  async function say(page: Page, text: string) {
    await page.locator('shopdesk-chat .sd-input').fill(text);
    await page.locator('shopdesk-chat .sd-input').press('Enter');
    await page.locator('shopdesk-chat .sd-msg.visitor:not(.pending)', { hasText: text }).waitFor();
  }

  it('verifies the shopper before order status, answers a policy question, and hands over with the details', async () => {
    const shop = await browser.newContext();
    const page = await shop.newPage();
    await page.goto(`${base}/demo/shop?workspace=${ws.slug}`);
    await page.locator('shopdesk-chat .sd-launcher').click();
    await page.locator('shopdesk-chat .sd-panel.on').waitFor();
    await page.locator('shopdesk-chat .sd-prechat input[name="name"]').fill('Emma Schmidt');
    await page.locator('shopdesk-chat .sd-prechat button[type="submit"]').click();

    await say(page, 'where is my order 1042');
    await botSays(page, 'e-mail address you ordered with');
    // Nothing about the order before the shopper proved it is theirs.
    expect(await page.locator('shopdesk-chat .sd-panel').textContent()).not.toContain('JD014600006281');
    await say(page, 'someone@else.example');
    await botSays(page, "doesn't match");
    expect(await page.locator('shopdesk-chat .sd-panel').textContent()).not.toContain('JD014600006281');
    await say(page, 'emma@example.com');
    await botSays(page, 'tracking number JD014600006281');
    expect(await page.locator('shopdesk-chat .sd-panel').textContent()).toContain('Carrier: DHL');

    await say(page, 'what is your returns policy?');
    // The widget has no quick-reply buttons: the options are in the text.
    await botSays(page, 'Did that answer your question? Reply yes or no.');
    const answer = page.locator('shopdesk-chat .sd-msg:not(.visitor)', { hasText: 'Did that answer' }).last();
    const link = answer.locator('a[href*="/articles/"]');
    expect(await link.getAttribute('href')).toMatch(
      new RegExp(`/help/${ws.slug}/en/articles/\\d+-returns-policy$`),
    );

    await say(page, 'talk to a human');
    await botSays(page, 'handing you over');

    // The agent, in a second browser context, gets the conversation with what the bot collected.
    const desk = await browser.newContext();
    const agent = await desk.newPage();
    await agent.goto(`${base}/`);
    await agent.getByLabel('Email').fill(ws.agent.email);
    await agent.getByLabel('Password').fill(ws.agent.password);
    await agent.getByRole('button', { name: 'Sign in', exact: true }).click();
    await agent.locator('a[data-view="channel-chat"]').click();
    await agent.getByText('where is my order 1042').first().click();
    const timeline = agent.locator('.timeline');
    await timeline.getByText('where is my order 1042').first().waitFor();
    const note = agent.locator('.msg-note', { hasText: 'Bot handover' }).first();
    await note.waitFor();
    const noteText = (await note.textContent()) ?? '';
    expect(noteText).toContain('Order: #1042 (shopper verified)');
    expect(noteText).toContain('Shopper: talk to a human');
    // The bot's side of the conversation is on the ticket too.
    await timeline.getByText('tracking number JD014600006281').first().waitFor();
    await agent.locator('.tags .tag', { hasText: 'bot-handover' }).waitFor();
    await desk.close();
    await shop.close();
  });
});
