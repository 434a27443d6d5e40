import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_TEST_SERVERS,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import { type FakeSocial, jetstreamPost, startFakeSocial } from '../apps/server/test/listening-fakes.ts';
import { builtDashboard, launchChromium, listen, screenshotDir, signIn } from './support.ts';

const shots = screenshotDir();

/**
 * Social listening end to end in Chromium (#20): a negative Bluesky post about the shop arrives on a
 * local Jetstream, shows in Mentions with why it reads negative, becomes a ticket, and the agent's reply
 * is posted back to the local PDS as a Bluesky reply to that post.
 */
describe('a negative Bluesky post answered from Mentions in a real browser', () => {
  let t: TestApp;
  let f: FakeSocial;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    f = await startFakeSocial();
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard(), OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS });
    base = await listen(t);
    ws = await t.workspace('Hike Shop');
    f.jetstream.push(
      jetstreamPost('did:plc:walker', 'Hike Shop boots fell apart after a week. Terrible, never again.'),
      jetstreamPost('did:plc:other', 'Lovely weather for a hike today'),
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/listening/sources',
      headers: ws.admin.headers,
      payload: {
        kind: 'bluesky',
        name: 'Bluesky',
        enabled: true,
        keywords: ['Hike Shop'],
        settings: { jetstreamUrl: f.wsUrl, pdsUrl: f.url, handle: 'hikeshop.example', windowSeconds: 1 },
        secrets: { appPassword: 'app-pass-1234' },
      },
    });
    expect(res.statusCode).toBe(201);
    await t.jobs.drain();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await signIn(page, base, ws.agent);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await f?.close();
  });

  it('shows the mention, opens a ticket and posts the reply back to Bluesky', async () => {
    await page.getByRole('link', { name: 'Mentions' }).click();
    await page.getByRole('heading', { name: 'Mentions', exact: true }).waitFor();
    const mention = page.getByRole('listitem', { name: 'Mention by did:plc:walker' });
    await mention.getByText('Hike Shop boots fell apart').waitFor();
    await expect(page.getByRole('listitem', { name: 'Mention by did:plc:other' }).count()).resolves.toBe(0);
    await mention.getByRole('button', { name: /negative/ }).click();
    await mention
      .getByRole('list', { name: 'Why this sentiment' })
      .getByText(/terrible/)
      .waitFor();

    await mention.getByRole('button', { name: 'Create ticket' }).click();
    const ticketLink = mention.getByRole('link', { name: /^Ticket #\d+$/ });
    await ticketLink.waitFor();
    const ticketId = Number((await ticketLink.textContent())!.replace(/\D/g, ''));

    await mention.getByLabel('Reply on Bluesky').fill('So sorry! We are sending a new pair today.');
    await mention.getByRole('button', { name: 'Send reply' }).click();
    await mention.getByText(`Reply queued on ticket #${ticketId}`).waitFor();
    await expect
      .poll(async () => {
        await t.jobs.drain();
        return f.posts.at(-1)?.record.text;
      })
      .toBe('So sorry! We are sending a new pair today.');
    const reply = f.posts.at(-1)!.record.reply as { parent: { uri: string } };
    expect(reply.parent.uri).toMatch(/^at:\/\/did:plc:walker\/app\.bsky\.feed\.post\//);
    await page.screenshot({ path: join(shots, 'listening-mentions.png'), fullPage: true });

    // The reply is on the ticket, sent.
    await ticketLink.click();
    await page.getByText('So sorry! We are sending a new pair today.').first().waitFor();
    await page.screenshot({ path: join(shots, 'listening-ticket.png'), fullPage: true });
  }, 180_000);
});
