import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from '../apps/server/test/harness.ts';
import { setUpBotShop } from '../apps/server/test/helpcenter-helpers.ts';
import { builtWidget, launchChromium, listen } from './support.ts';

// Issue #23 in a real browser: shoppers write to the bot in the chat widget on the demo shop page as
// new visitors would — in German, with thanks, an exchange, a question no article answers, and an
// order number typed where the bot asked for a postcode.
describe('the bot answers in the shopper’s language and generalises (widget, Chromium)', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    builtWidget();
    t = await startTestApp({}, { workers: true });
    base = await listen(t);
    ws = await t.workspace('E2E Bot Languages');
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
    await page.locator('shopdesk-chat .sd-msg.visitor:not(.pending)', { hasText: text }).last().waitFor();
  }
  async function open(locale: string) {
    const ctx = await browser.newContext({ locale });
    const page = await ctx.newPage();
    await page.goto(`${base}/demo/shop?workspace=${ws.slug}`);
    await page.locator('shopdesk-chat .sd-launcher').click();
    await page.locator('shopdesk-chat .sd-panel.on').waitFor();
    const prechat = page.locator('shopdesk-chat .sd-prechat');
    if (await prechat.isVisible()) {
      await prechat.locator('input[name="name"]').fill('Emma Schmidt');
      await prechat.locator('button[type="submit"]').click();
    }
    return { ctx, page };
  }

  it('a German shopper gets the German article, thanks understood in German, and an exchange started as a return', async () => {
    const { ctx, page } = await open('de-DE');
    await say(page, 'Welche Zahlungsarten akzeptiert ihr?');
    await botSays(page, 'Hat das deine Frage beantwortet?');
    const answer = page.locator('shopdesk-chat .sd-msg:not(.visitor)', { hasText: 'Hat das deine' }).last();
    expect(await answer.textContent()).toContain('Wir akzeptieren Kreditkarte, PayPal');
    expect(await answer.locator('a[href*="/articles/"]').getAttribute('href')).toMatch(
      /\/de\/articles\/\d+-payment-methods$/,
    );
    await say(page, 'Danke für die Hilfe!');
    await botSays(page, 'freut mich, dass ich helfen konnte');
    await say(page, 'Ich möchte die Jacke gegen Größe M umtauschen');
    await botSays(page, 'wie lautet deine Bestellnummer');
    expect(await page.locator('shopdesk-chat .sd-panel').textContent()).not.toContain('Sizing guide');
    await ctx.close();
  });

  it('an English shopper: no unrelated article for an unknown question, and a retyped order number is not a failed proof', async () => {
    const { ctx, page } = await open('en-GB');
    await say(page, 'do you have a physical store in Hamburg?');
    await botSays(page, "I don't know the answer to that");
    const reply = page.locator('shopdesk-chat .sd-msg:not(.visitor)', { hasText: "don't know" }).last();
    expect(await reply.locator('a[href*="/articles/"]').count()).toBe(0);
    await say(page, 'no');
    await botSays(page, 'All right');

    await say(page, 'where is my order 1042');
    await botSays(page, 'shipping postcode');
    for (let i = 0; i < 3; i++) {
      await say(page, '1042');
      await page
        .locator('shopdesk-chat .sd-msg:not(.visitor)', { hasText: 'That is the order number' })
        .nth(i)
        .waitFor();
    }
    await say(page, '10115');
    await botSays(page, 'Order #1042: Shipped');
    await ctx.close();
  });
});
