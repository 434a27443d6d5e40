import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../apps/server/src/channels/channel-adapter.ts';
import { startTestApp, type TestApp, type TestWorkspace } from '../apps/server/test/harness.ts';
import { builtWidget, launchChromium, listen } from './support.ts';

/*
 * "E-mail me this chat" on a shop's page: the widget asks for the address and the mailed code in its
 * own panel (the page's prompt() would block the shop and cannot be styled or translated).
 */
describe('chat transcript by e-mail in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  const sent: OutboundMessage[] = [];

  beforeAll(async () => {
    builtWidget();
    t = await startTestApp({}, { workers: true });
    // Stands in for the e-mail channel, so the test can read the code the shopper receives.
    t.channels.register({
      channel: 'email',
      deliver: async (m) => {
        sent.push(m);
        return { externalId: `<mail-${m.messageId}@test>` };
      },
    });
    base = await listen(t);
    ws = await t.workspace('Transcript Shop');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('asks for the address and the mailed code inside the widget, then mails the transcript', async () => {
    const page = await browser.newPage();
    const nativeDialogs: string[] = [];
    page.on('dialog', (d) => {
      nativeDialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${base}/demo/shop?workspace=${ws.slug}`);
    await page.locator('shopdesk-chat .sd-launcher').click();
    await page.locator('shopdesk-chat .sd-panel.on').waitFor();
    const prechat = page.locator('shopdesk-chat .sd-prechat');
    if (await prechat.isVisible()) {
      await prechat.locator('input[name="name"]').fill('Tess Shopper');
      await prechat.locator('button[type="submit"]').click();
    }
    await page.locator('shopdesk-chat .sd-input').fill('do you ship to Iceland?');
    await page.locator('shopdesk-chat .sd-input').press('Enter');
    await page.locator('shopdesk-chat .sd-msg.visitor:not(.pending)', { hasText: 'Iceland' }).waitFor();

    await page.locator('shopdesk-chat .sd-foot .sd-link').click();
    const form = page.locator('shopdesk-chat .sd-transcript');
    await form.locator('input[name="email"]').fill('tess@shopper.test');
    await form.locator('button[type="submit"]').click();
    await form.getByText('We e-mailed a code to tess@shopper.test').waitFor();

    let code: string | undefined;
    for (let i = 0; i < 100 && !code; i++) {
      code = sent
        .filter((m) => m.to.email === 'tess@shopper.test')
        .map((m) => /\b(\d{6})\b/.exec(m.bodyText)?.[1])
        .find(Boolean);
      if (!code) await new Promise((r) => setTimeout(r, 100));
    }
    expect(code, 'the code mail reached the shopper').toBeTruthy();
    // A wrong code is refused in the form and sends nothing.
    await form.locator('input[name="code"]').fill(code === '000000' ? '111111' : '000000');
    await form.locator('button[type="submit"]').click();
    await form.locator('.sd-err').filter({ hasText: /\S/ }).waitFor();
    await form.locator('input[name="code"]').fill(code!);
    await form.locator('button[type="submit"]').click();
    await page
      .locator('shopdesk-chat .sd-status', { hasText: 'Transcript sent to tess@shopper.test' })
      .waitFor();
    expect(await form.count()).toBe(0);

    for (let i = 0; i < 100; i++) {
      if (sent.some((m) => m.to.email === 'tess@shopper.test' && m.bodyText.includes('Iceland'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(
      sent.find((m) => m.to.email === 'tess@shopper.test' && m.bodyText.includes('Iceland')),
    ).toBeTruthy();
    expect(nativeDialogs).toEqual([]);
    await page.close();
  });
});
