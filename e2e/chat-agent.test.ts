import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestApp,
  type TestActor,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import { builtDashboard, builtWidget, launchChromium, listen } from './support.ts';

/**
 * The agent's side of live chat in Chromium: a visitor's line chimes and raises a desktop notification,
 * the visitor's typing and reading show live in the ticket, and the agent's avatar reaches the widget.
 */

type Probe = {
  chimes: number;
  notes: { title: string; body: string; tag?: string; instance: { onclick: (() => void) | null } }[];
  permissionRequests: number;
  setHidden(h: boolean): void;
};
declare global {
  interface Window {
    __probe: Probe;
  }
}

/**
 * Runs before the dashboard's own code: counts tones started on the real Web Audio API, replaces the
 * browser's Notification with a recorder (permission starts undecided and is granted when asked), and
 * lets the test put the tab "in the background" (document.hidden), as a switched-away tab is.
 */
function installProbe() {
  let hidden = false;
  // Like the browser's, the answer outlives a reload.
  let permission = (sessionStorage.getItem('probe-permission') ?? 'default') as NotificationPermission;
  const probe: Probe = {
    chimes: 0,
    notes: [],
    permissionRequests: 0,
    setHidden: (h) => {
      hidden = h;
    },
  };
  window.__probe = probe;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args: [number?]) {
    probe.chimes++;
    return start.apply(this, args);
  };
  class RecordingNotification {
    static get permission() {
      return permission;
    }
    static async requestPermission() {
      probe.permissionRequests++;
      permission = 'granted';
      sessionStorage.setItem('probe-permission', permission);
      return permission;
    }
    onclick: (() => void) | null = null;
    constructor(title: string, opts?: NotificationOptions) {
      probe.notes.push({ title, body: opts?.body ?? '', tag: opts?.tag, instance: this });
    }
    close() {}
  }
  Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true });
  Object.defineProperty(Document.prototype, 'hidden', { get: () => hidden, configurable: true });
  Object.defineProperty(Document.prototype, 'visibilityState', {
    get: () => (hidden ? 'hidden' : 'visible'),
    configurable: true,
  });
}

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

describe('live chat, agent side, in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    builtWidget();
    const dashboardDir = builtDashboard();
    t = await startTestApp({ DASHBOARD_DIR: dashboardDir }, { workers: true });
    base = await listen(t);
    ws = await t.workspace('Agent Chat Shop');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function signIn(ctx: BrowserContext, actor: TestActor): Promise<Page> {
    const page = await ctx.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(actor.email);
    await page.getByLabel('Password').fill(actor.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('.topbar summary[aria-label^="Chat alerts"]').waitFor({ timeout: 20_000 });
    return page;
  }

  /** A visitor writing through the widget's HTTP API (as the widget does for files). */
  async function visitor() {
    const s = await t.app.inject({ method: 'POST', url: `/api/v1/widget/${ws.slug}/session`, payload: {} });
    expect(s.statusCode).toBe(200);
    const token = s.json().token as string;
    let n = 0;
    return {
      async say(text: string) {
        const r = await t.app.inject({
          method: 'POST',
          url: `/api/v1/widget/${ws.slug}/messages`,
          payload: { token, clientId: `e2e-agent-alert-${++n}`, text },
        });
        expect(r.statusCode).toBeLessThan(300);
      },
    };
  }

  async function chatTicketId(text: string) {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tickets?channel=chat',
      headers: ws.agent.headers,
    });
    return (res.json().items as { id: number; subject: string }[]).find((x) => x.subject.includes(text))?.id;
  }

  const probe = (page: Page) =>
    page.evaluate(() => ({
      chimes: window.__probe.chimes,
      notes: window.__probe.notes.map((n) => ({ title: n.title, body: n.body })),
      permissionRequests: window.__probe.permissionRequests,
    }));

  it('a visitor line chimes and, in the background, notifies; e-mail stays quiet; the sound can be muted', async () => {
    const desk = await browser.newContext();
    await desk.addInitScript(installProbe);
    const page = await signIn(desk, ws.agent);

    // Permission is asked from a click in the chat menu, never on its own.
    expect((await probe(page)).permissionRequests).toBe(0);
    await page.locator('.topbar summary[aria-label^="Chat alerts"]').click();
    const menu = page.locator('.chat-menu .menu');
    await menu.getByRole('button', { name: 'Allow desktop notifications…' }).click();
    await expect.poll(async () => (await probe(page)).permissionRequests, { timeout: 10_000 }).toBe(1);
    await menu.getByRole('button', { name: 'Allow desktop notifications…' }).waitFor({ state: 'detached' });
    // The demo shop is one click away for every agent, in this workspace.
    expect(await menu.getByRole('link', { name: /demo shop/ }).getAttribute('href')).toBe(
      `/demo/shop?workspace=${ws.slug}`,
    );
    await page.locator('.topbar summary[aria-label^="Chat alerts"]').click(); // close the menu

    await page.evaluate(() => window.__probe.setHidden(true));
    const shopper = await visitor();
    await shopper.say('Is the blue jacket in stock in size M?');
    await expect
      .poll(async () => (await probe(page)).notes, { timeout: 20_000 })
      .toContainEqual(expect.objectContaining({ body: 'Is the blue jacket in stock in size M?' }));
    expect((await probe(page)).chimes).toBeGreaterThan(0);

    // An e-mail ticket arriving meanwhile raises no chat alert.
    const email = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: ws.admin.headers,
      payload: {
        subject: 'Invoice question',
        channel: 'email',
        contact: { email: 'mail@customer.test' },
        message: { body: 'Where is my invoice for order 77?' },
      },
    });
    expect(email.statusCode).toBe(201);

    // Muted: the next line still notifies, but plays nothing.
    await page.evaluate(() => window.__probe.setHidden(false));
    await page.locator('.topbar summary[aria-label^="Chat alerts"]').click();
    await menu.getByLabel('Play a sound').uncheck();
    await page.locator('.topbar summary[aria-label^="Chat alerts (sound off)"]').click();
    await page.evaluate(() => window.__probe.setHidden(true));
    const before = (await probe(page)).chimes;
    await shopper.say('Also, do you ship to Norway?');
    await expect
      .poll(async () => (await probe(page)).notes, { timeout: 20_000 })
      .toContainEqual(expect.objectContaining({ body: 'Also, do you ship to Norway?' }));
    const after = await probe(page);
    expect(after.chimes).toBe(before);
    expect(after.notes.map((n) => n.body)).toEqual([
      'Is the blue jacket in stock in size M?',
      'Also, do you ship to Norway?',
    ]);

    // The choice is kept for this agent across reloads.
    await page.reload();
    await page.locator('.topbar summary[aria-label="Chat alerts (sound off) and demo shop"]').waitFor();

    // Clicking the notification opens the chat.
    const id = await chatTicketId('blue jacket');
    await page.evaluate(() => window.__probe.setHidden(true));
    await shopper.say('Hello?');
    await expect
      .poll(async () => (await probe(page)).notes.map((n) => n.body), { timeout: 20_000 })
      .toContain('Hello?');
    await page.evaluate(() => {
      window.__probe.setHidden(false);
      window.__probe.notes.at(-1)!.instance.onclick!();
    });
    await page.waitForURL(`${base}/tickets/${id}`);
    await page.locator('.timeline').getByText('Hello?', { exact: true }).waitFor();
    await desk.close();
  });

  it('the agent sees the visitor typing and when a reply was seen; the widget shows the agent avatar', async () => {
    const desk = await browser.newContext();
    const agent = await signIn(desk, ws.admin);

    // The agent's own avatar, set on the profile page.
    await agent.goto(`${base}/settings/profile`);
    await agent.getByLabel('Upload a picture').setInputFiles({
      name: 'me.png',
      mimeType: 'image/png',
      buffer: PNG,
    });
    await agent.getByText('Avatar updated.').waitFor();
    const avatarUrl = await agent
      .locator('.user-menu:not(.chat-menu) summary img.avatar')
      .getAttribute('src');
    expect(avatarUrl).toMatch(/\/api\/v1\/agent-avatars\/\d+\/[0-9a-f]{64}\.png$/);

    const shop = await browser.newContext();
    const page = await shop.newPage();
    await page.goto(`${base}/demo/shop?workspace=${ws.slug}`);
    await page.locator('shopdesk-chat .sd-launcher').click();
    await page.locator('shopdesk-chat .sd-panel.on').waitFor();
    await page.locator('shopdesk-chat .sd-prechat input[name="name"]').fill('Robin Shopper');
    await page.locator('shopdesk-chat .sd-prechat button[type="submit"]').click();
    const input = page.locator('shopdesk-chat .sd-input');
    await input.fill('Do the trail shoes run small?');
    await input.press('Enter');
    await page.locator('shopdesk-chat .sd-msg.visitor:not(.pending)', { hasText: 'trail shoes' }).waitFor();

    let id: number | undefined;
    await expect.poll(async () => (id = await chatTicketId('trail shoes')), { timeout: 20_000 }).toBeTruthy();
    await agent.goto(`${base}/tickets/${id}`);
    await agent.locator('.timeline').getByText('Do the trail shoes run small?', { exact: true }).waitFor();

    // The shopper types: the agent sees it (the widget repeats "typing" while keys keep coming).
    const typing = agent.locator('.visitor-typing', { hasText: 'Visitor is typing…' });
    await expect
      .poll(
        async () => {
          await input.pressSequentially('I usually wear ', { delay: 40 });
          return typing.isVisible();
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    await input.fill('I usually wear a 42.');
    await input.press('Enter');
    await agent.locator('.timeline').getByText('I usually wear a 42.', { exact: true }).waitFor();
    await expect.poll(() => typing.count(), { timeout: 10_000 }).toBe(0);

    // A reply the shopper has not seen yet carries no "Seen" (the widget is closed: it only raises a badge).
    await page.evaluate(() => (window as unknown as { Shopdesk: { close(): void } }).Shopdesk.close());
    await agent.getByLabel('Reply to the customer by chat').fill('They run true to size: take a 42.');
    await agent.getByRole('button', { name: 'Send', exact: true }).click();
    const reply = agent.locator('li.msg-outbound', { hasText: 'take a 42' });
    const anyway = agent.getByRole('button', { name: 'Send anyway' });
    // The collision check asks to confirm when a bot answer came in meanwhile.
    await Promise.race([reply.waitFor(), anyway.waitFor().then(() => anyway.click())]);
    await reply.waitFor();
    await page.locator('shopdesk-chat .sd-badge.on').waitFor({ timeout: 20_000 });
    expect(await reply.locator('.chat-seen').count()).toBe(0);

    // Opening the widget shows the reply with the agent's picture, and the agent sees "Seen" live.
    await page.evaluate(() => (window as unknown as { Shopdesk: { open(): void } }).Shopdesk.open());
    await page.locator('shopdesk-chat .sd-msg.agent', { hasText: 'take a 42' }).waitFor();
    expect(await page.locator('shopdesk-chat .sd-avatar img').getAttribute('src')).toBe(avatarUrl);
    await reply.locator('.chat-seen', { hasText: 'Seen' }).waitFor({ timeout: 20_000 });
    await shop.close();
    await desk.close();
  });
});
