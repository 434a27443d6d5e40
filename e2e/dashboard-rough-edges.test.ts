import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestApp,
  type TestActor,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, signIn } from './support.ts';

/**
 * The dashboard's rough edges from issue #24 ("the first hour"), walked in Chromium: a thread that
 * follows the conversation, a collision warning only for what the agent did not see, words instead of
 * field names and JSON, in-app dialogs, usable channels only, and search that forgives typos.
 */
describe('dashboard rough edges (issue 24)', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const open = async (actor: TestActor): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await signIn(page, base, actor);
    return page;
  };

  /** A chat line from the visitor, as the chat channel stores it. */
  const visitorSays = (ticketId: number | null, text: string, subject = 'Chat') =>
    t.services.tickets.receive(ws.workspaceId, {
      channel: 'chat',
      contact: { email: 'visitor@example.com', name: 'Vera Visitor' },
      subject,
      bodyText: text,
      ticketId,
    });

  /** How far (px) the thread is scrolled above its newest content. */
  const distanceFromBottom = (page: Page) =>
    page
      .locator('.timeline-scroll')
      .evaluate((el) => Math.round(el.scrollHeight - el.scrollTop - el.clientHeight));

  /** The message's box lies inside the thread's visible area. */
  const inView = (page: Page, text: string) =>
    page
      .locator('.msg-inbound, .msg-note', { hasText: text })
      .last()
      .evaluate((el) => {
        const box = el.getBoundingClientRect();
        const view = el.closest('.timeline-scroll')!.getBoundingClientRect();
        return box.bottom <= view.bottom + 1 && box.bottom > view.top;
      });

  beforeAll(async () => {
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard() });
    base = await listen(t);
    ws = await t.workspace('Rough Edges');
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.stop();
  });

  it('opens a thread at the newest message and follows it only while the agent is at the bottom', async () => {
    const first = await visitorSays(null, 'Line 1: hello, I need help with my order.', 'Long chat');
    for (let i = 2; i <= 25; i++)
      await visitorSays(first.ticketId, `Line ${i}: ${'and one more detail about the parcel. '.repeat(4)}`);
    const page = await open(ws.agent);
    await page.goto(`${base}/tickets/${first.ticketId}`);
    await page.getByRole('heading', { name: /Long chat/ }).waitFor();
    await page.locator('.msg', { hasText: 'Line 25:' }).last().waitFor();
    await expect.poll(() => inView(page, 'Line 25:')).toBe(true);
    expect(await distanceFromBottom(page)).toBeLessThan(50);

    // A note the agent just added is in view.
    await page.getByRole('tab', { name: 'Internal note' }).click();
    await page.getByRole('textbox', { name: /Internal note/ }).fill('Checked the warehouse: packed today.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.msg', { hasText: 'packed today' }).last().waitFor();
    await expect.poll(() => inView(page, 'packed today')).toBe(true);

    // A new chat line while at the bottom comes into view.
    await visitorSays(first.ticketId, 'Line 26: thanks, any tracking number yet?');
    await page.locator('.msg', { hasText: 'Line 26:' }).last().waitFor({ timeout: 10_000 });
    await expect.poll(() => inView(page, 'Line 26:')).toBe(true);

    // Scrolled up to read: a new line does not move the view, a pill says it is there.
    await page.locator('.timeline-scroll').evaluate((el) => {
      el.scrollTop = 0;
    });
    await visitorSays(first.ticketId, 'Line 27: hello? still there?');
    await page.getByRole('button', { name: /1 new message/ }).waitFor({ timeout: 10_000 });
    expect(await page.locator('.timeline-scroll').evaluate((el) => el.scrollTop)).toBe(0);
    await page.getByRole('button', { name: /1 new message/ }).click();
    await expect.poll(() => inView(page, 'Line 27:')).toBe(true);
  });

  it('does not warn about chat lines the agent watched arrive, only about what was missed', async () => {
    const first = await visitorSays(null, 'Hi, is the blue jacket back in stock?', 'Stock question');
    const page = await open(ws.agent);
    await page.goto(`${base}/tickets/${first.ticketId}`);
    await page.getByRole('heading', { name: /Stock question/ }).waitFor();
    const box = page.getByRole('textbox', { name: /Reply to the customer/ });
    const send = page.getByRole('button', { name: 'Send', exact: true });

    // The visitor writes while the agent watches; the agent answers: no warning.
    await visitorSays(first.ticketId, 'Size M if possible.');
    await page.locator('.msg-inbound', { hasText: 'Size M if possible.' }).waitFor({ timeout: 10_000 });
    await box.fill('Let me check size M for you.');
    await send.click();
    await page.locator('.msg-outbound', { hasText: 'Let me check size M' }).waitFor();
    expect(await page.getByRole('alertdialog').count()).toBe(0);

    // The visitor writes while the agent is typing, at the bottom of the chat: still the normal flow.
    await box.fill('It is back next week');
    await visitorSays(first.ticketId, 'Or size L.');
    await page.locator('.msg-inbound', { hasText: 'Or size L.' }).waitFor({ timeout: 10_000 });
    await send.click();
    await page.locator('.msg-outbound', { hasText: 'It is back next week' }).waitFor();
    expect(await page.getByRole('alertdialog').count()).toBe(0);

    // The agent has scrolled up to read back and did not see the new line: that one warns.
    await page.locator('.timeline-scroll').evaluate((el) => {
      el.scrollTop = 0;
    });
    await visitorSays(first.ticketId, 'Actually, cancel my order please.');
    await page.getByRole('button', { name: /1 new message/ }).waitFor({ timeout: 10_000 });
    await box.fill('Great, see you then');
    await send.click();
    const warning = page.getByRole('alertdialog');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('cancel my order');
  });
});
