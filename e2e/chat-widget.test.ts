import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from '../apps/server/test/harness.ts';
import { builtDashboard, builtWidget, launchChromium } from './support.ts';

const _root = join(import.meta.dirname, '..');

describe('live chat in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let dashboardDir: string;

  beforeAll(async () => {
    builtWidget();
    dashboardDir = builtDashboard();
    t = await startTestApp({ DASHBOARD_DIR: dashboardDir }, { workers: true });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.app.server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}`;
    ws = await t.workspace('E2E Chat Shop');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const shopUrl = (extra = '') => `${base}/demo/shop?workspace=${ws.slug}${extra}`;

  async function openWidget(page: Page) {
    await page.locator('shopdesk-chat .sd-launcher').click();
    await page.locator('shopdesk-chat .sd-panel.on').waitFor();
  }

  /** Pixels whose colour differs by more than `tolerance` levels in a channel, decoded by Chromium. */
  async function pixelDiff(a: Buffer, b: Buffer, tolerance = 24) {
    const page = await browser.newPage();
    try {
      return await page.evaluate(
        async ([a, b, tolerance]) => {
          const load = (src: string) =>
            new Promise<HTMLImageElement>((ok, fail) => {
              const img = new Image();
              img.onload = () => ok(img);
              img.onerror = fail;
              img.src = src;
            });
          const pixels = (img: HTMLImageElement) => {
            const c = document.createElement('canvas');
            c.width = img.width;
            c.height = img.height;
            const g = c.getContext('2d')!;
            g.drawImage(img, 0, 0);
            return g.getImageData(0, 0, img.width, img.height).data;
          };
          const [ia, ib] = await Promise.all([load(a as string), load(b as string)]);
          if (ia.width !== ib.width || ia.height !== ib.height) return { sizeDiffers: true, changed: -1 };
          const [pa, pb] = [pixels(ia), pixels(ib)];
          let changed = 0;
          for (let i = 0; i < pa.length; i += 4) {
            const d = Math.max(
              Math.abs(pa[i]! - pb[i]!),
              Math.abs(pa[i + 1]! - pb[i + 1]!),
              Math.abs(pa[i + 2]! - pb[i + 2]!),
            );
            if (d > (tolerance as number)) changed++;
          }
          return { sizeDiffers: false, changed };
        },
        [
          `data:image/png;base64,${a.toString('base64')}`,
          `data:image/png;base64,${b.toString('base64')}`,
          tolerance,
        ],
      );
    } finally {
      await page.close();
    }
  }

  async function chatTicketId(text: string) {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tickets?channel=chat',
      headers: ws.agent.headers,
    });
    const items = res.json().items as
      | { id: number; lastMessagePreview: string; subject: string }[]
      | undefined;
    if (!items) throw new Error(`ticket list failed: ${res.statusCode} ${res.body}`);
    const hit = items.find((x) => x.subject.includes(text) || x.lastMessagePreview.includes(text));
    return hit?.id;
  }

  it('shopper writes on the demo shop, the agent answers from the dashboard, and history survives a reload', async () => {
    const shop = await browser.newContext();
    const page = await shop.newPage();
    await page.goto(shopUrl());
    await openWidget(page);
    await page.locator('shopdesk-chat .sd-prechat input[name="name"]').fill('Sam Shopper');
    await page.locator('shopdesk-chat .sd-prechat button[type="submit"]').click();
    await page.locator('shopdesk-chat .sd-input').fill('<b>Hello</b> where is order 1042?');
    await page.locator('shopdesk-chat .sd-input').press('Enter');
    await page
      .locator('shopdesk-chat .sd-msg.visitor:not(.pending):not(.failed)', { hasText: 'where is order 1042' })
      .waitFor();

    // The agent, in a second browser context, signs in to the dashboard and sees the chat arrive.
    const desk = await browser.newContext();
    const agent = await desk.newPage();
    await agent.goto(`${base}/`);
    await agent.getByLabel('Email').fill(ws.agent.email);
    await agent.getByLabel('Password').fill(ws.agent.password);
    await agent.getByRole('button', { name: 'Sign in', exact: true }).click();
    await agent.locator('a[data-view="channel-chat"]').click();
    await agent.getByText('where is order 1042', { exact: false }).first().click();
    // HTML typed by the visitor is shown as text, not rendered.
    await agent.locator('.timeline').getByText('<b>Hello</b> where is order 1042?').waitFor();
    expect(await agent.locator('.timeline b').count()).toBe(0);
    // While the agent has the ticket open, the shopper's next message appears live.
    await page.locator('shopdesk-chat .sd-input').fill('it was a gift, quite urgent');
    await page.locator('shopdesk-chat .sd-input').press('Enter');
    await agent.locator('.timeline').getByText('it was a gift, quite urgent', { exact: true }).waitFor();
    await agent
      .getByLabel('Reply to the customer by chat')
      .fill('Hi Sam, order 1042 ships today: https://track.example/1042');
    await agent.getByRole('button', { name: 'Send', exact: true }).click();
    const reply = page.locator('shopdesk-chat .sd-msg.agent', { hasText: 'ships today' });
    // The dashboard's collision check asks to confirm when messages (the chat bot's, say) came in meanwhile.
    const anyway = agent.getByRole('button', { name: 'Send anyway' });
    await Promise.race([reply.waitFor(), anyway.waitFor().then(() => anyway.click())]);
    await reply.waitFor();
    expect(await reply.locator('a[href="https://track.example/1042"]').count()).toBe(1);
    await page.locator('shopdesk-chat .sd-who', { hasText: 'agent of E2E Chat Shop' }).waitFor();

    await page.reload();
    await openWidget(page);
    await page.locator('shopdesk-chat .sd-msg.visitor', { hasText: 'where is order 1042' }).waitFor();
    await page.locator('shopdesk-chat .sd-msg.agent', { hasText: 'ships today' }).waitFor();
    await desk.close();
    await shop.close();
  });

  it('a message typed while offline is sent after reconnecting, exactly once', async () => {
    const shop = await browser.newContext();
    const page = await shop.newPage();
    await page.goto(shopUrl());
    await openWidget(page);
    await page.locator('shopdesk-chat .sd-prechat input[name="name"]').fill('Olli Offline');
    await page.locator('shopdesk-chat .sd-prechat button[type="submit"]').click();
    await page.locator('shopdesk-chat .sd-input').fill('first, while online');
    await page.locator('shopdesk-chat .sd-input').press('Enter');
    await page
      .locator('shopdesk-chat .sd-msg.visitor:not(.pending):not(.failed)', { hasText: 'first, while online' })
      .waitFor();

    await shop.setOffline(true);
    // Offline only once the page itself knows it (else the socket may still take the message).
    await page.waitForFunction(() => navigator.onLine === false);
    await page.locator('shopdesk-chat .sd-input').fill('typed in a tunnel');
    await page.locator('shopdesk-chat .sd-input').press('Enter');
    await page.locator('shopdesk-chat .sd-msg.visitor.pending', { hasText: 'typed in a tunnel' }).waitFor();
    await shop.setOffline(false);
    await page
      .locator('shopdesk-chat .sd-msg.visitor:not(.pending):not(.failed)', { hasText: 'typed in a tunnel' })
      .waitFor();

    const ticketId = await chatTicketId('first, while online');
    const ticket = (
      await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}`, headers: ws.agent.headers })
    ).json() as { messages: { bodyText: string }[] };
    expect(ticket.messages.filter((m) => m.bodyText === 'typed in a tunnel')).toHaveLength(1);
    await page.reload();
    await openWidget(page);
    await page.locator('shopdesk-chat .sd-msg.visitor', { hasText: 'typed in a tunnel' }).waitFor();
    expect(
      await page.locator('shopdesk-chat .sd-msg.visitor', { hasText: 'typed in a tunnel' }).count(),
    ).toBe(1);
    await shop.close();
  });

  async function startChat(page: Page, name: string, text: string) {
    await page.goto(shopUrl());
    await openWidget(page);
    await page.locator('shopdesk-chat .sd-prechat input[name="name"]').fill(name);
    await page.locator('shopdesk-chat .sd-prechat button[type="submit"]').click();
    await page.locator('shopdesk-chat .sd-prechat').waitFor({ state: 'detached' });
    await page.locator('shopdesk-chat .sd-input').fill(text);
    await page.locator('shopdesk-chat .sd-input').press('Enter');
    await page
      .locator('shopdesk-chat .sd-msg.visitor:not(.pending):not(.failed)', { hasText: text })
      .waitFor();
  }

  it('keeps the chosen stars and comment while the chat redraws; setLocale and logout reach the UI', async () => {
    const shop = await browser.newContext();
    const page = await shop.newPage();
    await startChat(page, 'Rita Rating', 'please rate me later');
    const ticketId = (await chatTicketId('please rate me later'))!;

    // The page switches the widget to German after it loaded.
    await page.evaluate(() =>
      (window as unknown as { Shopdesk: { setLocale(l: string): void } }).Shopdesk.setLocale('de'),
    );
    await expect
      .poll(() => page.locator('shopdesk-chat .sd-input').getAttribute('placeholder'))
      .toBe('Nachricht schreiben…');
    await expect
      .poll(
        async () =>
          (
            await t.app.inject({
              method: 'GET',
              url: `/api/v1/chat/tickets/${ticketId}/visitor`,
              headers: ws.agent.headers,
            })
          ).json().locale,
      )
      .toBe('de');

    const solved = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tickets/${ticketId}`,
      headers: ws.agent.headers,
      payload: { status: 'solved' },
    });
    expect(solved.statusCode).toBe(200);
    const form = page.locator('shopdesk-chat .sd-rating');
    await form.waitFor();
    await form.getByRole('button', { name: '4 von 5' }).click();
    await form.locator('textarea').fill('Schnell und freundlich');
    // The socket drops and reconnects: its 'ready' frame redraws the whole conversation.
    await shop.setOffline(true);
    await page.waitForFunction(() => navigator.onLine === false);
    await shop.setOffline(false);
    await expect
      .poll(() => page.locator('shopdesk-chat .sd-status').innerText(), { timeout: 30_000 })
      .toBe('');
    expect(await form.locator('.sd-stars button.on').count()).toBe(4);
    expect(await form.locator('textarea').inputValue()).toBe('Schnell und freundlich');
    await form.getByRole('button', { name: 'Bewertung senden' }).click();
    await form.waitFor({ state: 'detached' });
    const ratings = await t.app.inject({
      method: 'GET',
      url: '/api/v1/chat/ratings',
      headers: ws.lead.headers,
    });
    expect(ratings.json().items).toContainEqual(
      expect.objectContaining({ ticketId, score: 4, comment: 'Schnell und freundlich' }),
    );

    // The shop signs the shopper out: their chat leaves the screen and the browser.
    const before = await page.evaluate(() =>
      Object.entries(localStorage).filter(([k]) => k.startsWith('shopdesk:')),
    );
    await page.evaluate(() => (window as unknown as { Shopdesk: { logout(): void } }).Shopdesk.logout());
    await expect.poll(() => page.locator('shopdesk-chat .sd-msg').count()).toBe(0);
    await expect
      .poll(() =>
        page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('shopdesk:'))),
      )
      .not.toEqual(before);
    await page.reload();
    await openWidget(page);
    await page.locator('shopdesk-chat .sd-greeting').waitFor();
    await expect.poll(() => page.locator('shopdesk-chat .sd-status').innerText()).toBe('');
    expect(await page.locator('shopdesk-chat .sd-msg', { hasText: 'please rate me later' }).count()).toBe(0);
    await shop.close();
  });

  it('notices a socket that stopped answering pings, reconnects and delivers what was typed', async () => {
    const shop = await browser.newContext();
    const page = await shop.newPage();
    await page.clock.install();
    // The first socket goes silent both ways once `silent` is set (a half-open connection).
    let sockets = 0;
    let silent = false;
    await page.routeWebSocket(/\/socket$/, (route) => {
      const n = ++sockets;
      const server = route.connectToServer();
      route.onMessage((m) => {
        if (!(silent && n === 1)) server.send(m);
      });
      server.onMessage((m) => {
        if (!(silent && n === 1)) route.send(m);
      });
    });
    await startChat(page, 'Hal Halfopen', 'hello before the tunnel');
    silent = true;
    await page.locator('shopdesk-chat .sd-input').fill('sent into the void');
    await page.locator('shopdesk-chat .sd-input').press('Enter');
    await page.locator('shopdesk-chat .sd-msg.visitor.pending', { hasText: 'sent into the void' }).waitFor();
    // Next ping after 25 s, no pong within 10 s: the widget drops the socket and opens another.
    await page.clock.runFor(40_000);
    await page
      .locator('shopdesk-chat .sd-msg.visitor:not(.pending):not(.failed)', { hasText: 'sent into the void' })
      .waitFor();
    expect(sockets).toBeGreaterThanOrEqual(2);
    const ticketId = await chatTicketId('hello before the tunnel');
    const ticket = (
      await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}`, headers: ws.agent.headers })
    ).json() as { messages: { bodyText: string }[] };
    expect(ticket.messages.filter((m) => m.bodyText === 'sent into the void')).toHaveLength(1);
    await shop.close();
  });

  it("the shop's aggressive global CSS does not change how the widget looks", async () => {
    const cssEvidence = join(tmpdir(), 'shopdesk-chat-widget-css');
    const shots: Buffer[] = [];
    for (const extra of ['&plain=1', '']) {
      const ctx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
      const page = await ctx.newPage();
      await page.goto(shopUrl(extra));
      await openWidget(page);
      await page.locator('shopdesk-chat .sd-prechat').waitFor();
      // Both pages in the same state: connected (the footer no longer says "Connecting…").
      await page.locator('shopdesk-chat .sd-greeting').waitFor();
      await expect
        .poll(() => page.locator('shopdesk-chat .sd-status').innerText(), { timeout: 30_000 })
        .toBe('');
      // Inset by the corner radius: the page itself shows through the widget's rounded corners.
      for (const [sel, inset] of [
        ['shopdesk-chat .sd-panel', 14],
        ['shopdesk-chat .sd-launcher', 12],
      ] as const) {
        const box = (await page.locator(sel).boundingBox())!;
        const clip = {
          x: box.x + inset,
          y: box.y + inset,
          width: box.width - 2 * inset,
          height: box.height - 2 * inset,
        };
        // The panel fills in as settings and availability arrive: compare it once it stopped changing.
        let shot = await page.screenshot({ clip, animations: 'disabled', caret: 'hide' });
        for (let i = 0; i < 20; i++) {
          await page.waitForTimeout(150);
          const next = await page.screenshot({ clip, animations: 'disabled', caret: 'hide' });
          if (Buffer.compare(shot, next) === 0) break;
          shot = next;
        }
        shots.push(shot);
      }
      if (!extra) {
        // The hostile stylesheet is really active on the page itself.
        const font = await page
          .locator('main button')
          .first()
          .evaluate((b) => getComputedStyle(b).fontFamily);
        expect(font).toContain('Comic Sans');
      }
      await ctx.close();
    }
    expect(shots).toHaveLength(4);
    expect(shots[0]!.length).toBeGreaterThan(1000);
    const panel = await pixelDiff(shots[0]!, shots[2]!);
    const launcher = await pixelDiff(shots[1]!, shots[3]!);
    if (panel.changed || launcher.changed || panel.sizeDiffers || launcher.sizeDiffers) {
      // Keep the evidence (in the temp dir: tests write nothing into the repository): which part
      // differs is visible at a glance.
      mkdirSync(cssEvidence, { recursive: true });
      const names = ['panel-plain', 'launcher-plain', 'panel-hostile', 'launcher-hostile'];
      for (const [i, n] of names.entries()) writeFileSync(join(cssEvidence, `${n}.png`), shots[i]!);
    }
    // A leaking rule (another font, colour, size or spacing) changes many pixels by a lot; a loaded
    // machine's software rasteriser may shade a few edge pixels by a handful of levels, which is no leak.
    expect(panel, `panel: plain page vs hostile page (see ${cssEvidence})`).toMatchObject({
      sizeDiffers: false,
      changed: 0,
    });
    expect(launcher, `launcher (see ${cssEvidence})`).toMatchObject({
      sizeDiffers: false,
      changed: 0,
    });
  });
});
