import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_TEST_SERVERS,
  startTestApp,
  type TestActor,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import {
  type FakeGraph,
  pageWebhook,
  signLikeMeta,
  startFakeGraph,
  whatsAppWebhook,
} from '../apps/server/test/meta-fake.ts';
import { builtDashboard, launchChromium, listen } from './support.ts';

/*
 * WhatsApp and Instagram in the dashboard, in Chromium, against the local Graph API double: an admin
 * connects WhatsApp on its settings page; an agent answers inside the 24-hour window, is held to a
 * template after it, sees a delivery failure in words, and answers an Instagram DM.
 */
describe('messaging apps in the dashboard, in a real browser', () => {
  const PHONE_ID = '106540352242922';
  const IG_ID = '17841400000000001';
  let t: TestApp;
  let g: FakeGraph;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let waHook = '';
  let igHook = '';
  const contexts: BrowserContext[] = [];

  const signIn = async (actor: TestActor): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(actor.email);
    await page.getByLabel('Password').fill(actor.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    return page;
  };
  const deliver = async (url: string, body: unknown) => {
    const raw = JSON.stringify(body);
    const res = await fetch(`${base}${new URL(url).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signLikeMeta(g.appSecret, raw) },
      body: raw,
    });
    expect(res.status).toBe(200);
    await t.jobs.drain();
  };
  const ticketWith = async (text: string) => {
    const list = (await (
      await fetch(`${base}/api/v1/tickets?limit=50`, { headers: ws.agent.headers })
    ).json()) as {
      items: { id: number; subject: string }[];
    };
    const found = list.items.find((x) => x.subject.includes(text));
    if (!found) throw new Error(`no ticket with ${text}`);
    return found.id;
  };
  const waMessage = (from: string, text: string, secondsAgo: number) =>
    whatsAppWebhook({
      phoneNumberId: PHONE_ID,
      from,
      name: 'Ana Souza',
      message: {
        id: `wamid.${from}${secondsAgo}`,
        timestamp: String(Math.floor(Date.now() / 1000) - secondsAgo),
        type: 'text',
        text: { body: text },
      },
    });

  beforeAll(async () => {
    g = await startFakeGraph();
    const dashboardDir = builtDashboard();
    t = await startTestApp({
      OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
      DASHBOARD_DIR: dashboardDir,
      META_GRAPH_URL: g.url,
    });
    base = await listen(t);
    ws = await t.workspace('Messaging Journey');
    browser = await launchChromium();
    g.templates = [
      {
        name: 'order_update',
        language: 'en_US',
        status: 'APPROVED',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} is on its way.' }],
      },
    ];
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    await g?.close();
  });

  it('an admin connects WhatsApp and gets the webhook URL to paste into Meta', async () => {
    const page = await signIn(ws.admin);
    await page.goto(`${base}/settings/whatsapp`);
    const form = page.getByRole('form', { name: 'Connect WhatsApp' });
    await form.getByLabel('Name in the desk').fill('WhatsApp support');
    await form.getByLabel('Phone number id').fill(PHONE_ID);
    await form.getByLabel('WhatsApp Business Account id').fill('102290129340398');
    await form.getByLabel('Number shown to agents').fill('+1 555 078 3881');
    await form.getByLabel('Access token').fill(g.token);
    await form.getByLabel('App secret').fill(g.appSecret);
    await form.getByLabel('Verify token').fill('journey-verify-token');
    await form.getByRole('button', { name: 'Connect WhatsApp' }).click();
    const card = page.getByRole('region', { name: 'WhatsApp account WhatsApp support' });
    await card.getByText('Secrets set: accessToken, appSecret, verifyToken').waitFor();
    waHook = (await card.locator('code').textContent()) ?? '';
    expect(waHook).toMatch(/\/api\/v1\/intake\/whatsapp\/[^/]+\/webhook$/);
    expect(await page.content()).not.toContain(g.appSecret);
    // Meta's subscription check succeeds with the verify token the admin typed.
    const check = await fetch(
      `${base}${new URL(waHook).pathname}?hub.mode=subscribe&hub.verify_token=journey-verify-token&hub.challenge=42`,
    );
    expect(await check.text()).toBe('42');
  });

  it('a WhatsApp message is answered inside the window', async () => {
    await deliver(waHook, waMessage('5511987654321', 'Oi! Is my order 2001 shipped?', 600));
    const page = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${await ticketWith('Is my order 2001 shipped')}`);
    await page
      .getByRole('status', { name: 'Reply window' })
      .getByText(/Window open — 23 h 5\d min left/)
      .waitFor();
    await page
      .getByLabel('Reply to the customer by whatsapp')
      .fill('Yes! It left our warehouse this morning.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect
      .poll(async () => (await t.jobs.drain(), g.sent.at(-1)?.body.text))
      .toEqual({ body: 'Yes! It left our warehouse this morning.', preview_url: false });
    await deliver(
      waHook,
      whatsAppWebhook({
        phoneNumberId: PHONE_ID,
        status: {
          id: g.sent.at(-1)!.id,
          status: 'read',
          timestamp: String(Math.floor(Date.now() / 1000)),
          recipient_id: '5511987654321',
        },
      }),
    );
    await page.getByRole('status', { name: 'WhatsApp delivery' }).getByText('Read').waitFor();
  });

  it('after 24 hours the composer forces a template, previewed with its variables; a failure is shown', async () => {
    await deliver(waHook, waMessage('5511900000001', 'Hello, any update on the refund?', 30 * 3600));
    const page = await signIn(ws.agent);
    const id = await ticketWith('any update on the refund');
    await page.goto(`${base}/tickets/${id}`);
    await page.getByRole('status', { name: 'Reply window' }).getByText('Window closed').waitFor();
    expect(await page.getByLabel('Reply to the customer by whatsapp').isDisabled()).toBe(true);
    const picker = page.getByRole('region', { name: 'Send a template' });
    await picker.getByLabel('Approved template').selectOption({ label: 'order_update · en_US · utility' });
    await picker.getByLabel('Variable {{1}}').fill('Ana');
    await picker.getByLabel('Variable {{2}}').fill('#2002');
    await picker
      .getByLabel('Template preview')
      .getByText('Hi Ana, your order #2002 is on its way.')
      .waitFor();
    g.refuse.set('5511900000001', { code: 131026, message: 'Message undeliverable' });
    await picker.getByRole('button', { name: 'Send template' }).click();
    // The test's jobs run when drained: the send, and Meta's refusal.
    await expect
      .poll(async () => {
        await t.jobs.drain();
        const d = (await (
          await fetch(`${base}/api/v1/tickets/${id}`, { headers: ws.agent.headers })
        ).json()) as {
          messages: { kind: string; deliveryStatus: string }[];
        };
        return d.messages.filter((m) => m.kind === 'outbound').map((m) => m.deliveryStatus);
      })
      .toEqual(['failed']);
    // Meta refuses it: the agent sees why, in words, on the reply.
    await page
      .getByRole('status', { name: 'WhatsApp delivery' })
      .getByText(/Not delivered: The message could not be delivered \(the number is not on WhatsApp/)
      .waitFor();
    await page.getByText('template order_update (en_US)').waitFor();
  });

  it('an Instagram DM is answered', async () => {
    const res = await fetch(`${base}/api/v1/channels/instagram/accounts`, {
      method: 'POST',
      headers: { ...ws.admin.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'IG',
        settings: { pageId: IG_ID, pageName: '@journeyshop' },
        secrets: { accessToken: g.token, appSecret: g.appSecret, verifyToken: 'journey-verify-token' },
      }),
    });
    igHook = ((await res.json()) as { webhooks: { webhook: string } }).webhooks.webhook;
    await deliver(
      igHook,
      pageWebhook('instagram', IG_ID, {
        sender: { id: '5400000000000777' },
        recipient: { id: IG_ID },
        timestamp: Date.now() - 60_000,
        message: { mid: 'aWdfZAG1journey', text: 'Do you restock the green beanie?' },
      }),
    );
    const page = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${await ticketWith('green beanie')}`);
    await page
      .getByRole('status', { name: 'Reply window' })
      .getByText(/24-hour standard messaging window/)
      .waitFor();
    await page.getByLabel('Reply to the customer by instagram').fill('Yes, next Friday!');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect
      .poll(async () => (await t.jobs.drain(), g.sent.at(-1)?.body))
      .toMatchObject({ recipient: { id: '5400000000000777' }, message: { text: 'Yes, next Friday!' } });
    await page.getByRole('status', { name: 'Instagram delivery' }).getByText('Sent').waitFor();
  });
});
