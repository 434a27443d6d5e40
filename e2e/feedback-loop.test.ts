import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../apps/server/src/platform/db/db.ts';
import { createInbox, settle } from '../apps/server/test/email-helpers.ts';
import {
  startTestApp,
  type TestActor,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import {
  builtDashboard,
  builtWidget,
  launchChromium,
  listen,
  screenshotDir,
  signIn as signInAt,
} from './support.ts';

const shots = screenshotDir();

/**
 * The feedback loop in Chromium (#15): a shopper leaves feedback with the widget's Feedback tab on
 * /demo/shop → a ticket and a row in the dashboard's Feedback inbox → a lead groups it into a topic,
 * turns the topic into an improvement and marks it done → the "you told us, we changed it" e-mail is in
 * the dev mailbox. And: an agent solves a ticket in the dashboard → the survey e-mail → the shopper rates
 * 2 with a comment on the survey page (no JavaScript) → the ticket is open again with high priority.
 */
describe('feedback loop in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const api = async (headers: Record<string, string>, method: string, url: string, body?: unknown) => {
    const res = await fetch(base + url, {
      method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const fresh = async (javaScriptEnabled = true): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, javaScriptEnabled });
    contexts.push(ctx);
    return ctx.newPage();
  };
  const signIn = async (actor: TestActor): Promise<Page> => {
    const page = await fresh();
    await signInAt(page, base, actor);
    return page;
  };

  beforeAll(async () => {
    builtWidget();
    const dashboardDir = builtDashboard();
    t = await startTestApp({ DASHBOARD_DIR: dashboardDir, EMAIL_SMTP_ENABLED: 'false' });
    base = await listen(t);
    ws = await t.workspace('Feedback Journey');
    await createInbox(t, ws, { name: 'Support', address: 'support@feedback-journey.test' });
    await api(ws.admin.headers, 'PATCH', '/api/v1/notices/settings', {
      quietStart: '00:00',
      quietEnd: '00:00',
      capCount: 100,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.stop();
  });

  it('widget feedback → ticket and inbox → topic → improvement done → notice in the dev mailbox', async () => {
    const shop = await fresh();
    await shop.goto(`${base}/demo/shop?workspace=${ws.slug}`);
    await shop.locator('shopdesk-chat .sd-fbtab').click();
    const form = shop.locator('shopdesk-chat .sd-fb');
    await form.waitFor();
    await form.getByRole('button', { name: 'Bad' }).click();
    await form
      .getByRole('textbox', { name: /Tell us more/ })
      .fill('The size chart for jackets is wrong, my jacket is too small');
    await form.getByRole('textbox', { name: /Your e-mail/ }).fill('mia@example.test');
    await shop.screenshot({ path: join(shots, 'feedback-widget-tab.png') });
    await form.getByRole('button', { name: 'Send feedback' }).click();
    await form.getByText('Thank you! Your feedback reached the team.').waitFor();
    await settle(t);

    const lead = await signIn(ws.lead);
    await lead.goto(`${base}/feedback/inbox`);
    const row = lead
      .getByRole('table', { name: 'Site feedback' })
      .getByRole('row', { name: /size chart for jackets/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('mia@example.test');
    expect(await row.textContent()).toContain('/demo/shop');
    const ticketLink = row.getByRole('link', { name: /^#\d+$/ });
    const ticketId = Number((await ticketLink.textContent())!.slice(1));
    await lead.screenshot({ path: join(shots, 'feedback-inbox.png'), fullPage: true });

    // The comment's words are offered as a new topic; the lead makes one and turns it into an improvement.
    await lead.getByRole('tab', { name: 'Topics' }).click();
    const newTopic = lead.getByRole('form', { name: 'New topic' });
    await newTopic.getByLabel('New topic').fill('Sizing');
    await newTopic.getByLabel('Keywords').fill('size, chart');
    await newTopic.getByRole('button', { name: 'Create topic' }).click();
    const card = lead.getByRole('article', { name: 'Topic Sizing' });
    await card.getByText('1 mentions · 1 negative').waitFor();
    await card.getByRole('button', { name: 'Turn into improvement' }).click();
    await lead.getByText(/Improvement created from “Sizing”/).waitFor();
    await lead.screenshot({ path: join(shots, 'feedback-topics.png'), fullPage: true });

    await lead.getByRole('tab', { name: 'Improvements' }).click();
    const imp = lead.getByRole('article', { name: 'Improvement Improve: Sizing' });
    await imp.getByText('1 linked · 1 customer(s) · told 0').waitFor();
    await imp.getByLabel('Title').fill('Size chart fixed for jackets');
    await imp
      .getByLabel(/What we changed/)
      .fill('Every jacket now has a size chart measured on the garment.');
    await imp.getByRole('button', { name: 'Mark done and tell customers' }).click();
    await lead.getByText('Done — telling 1 customer(s)').waitFor();
    await settle(t);
    await lead.reload();
    await lead
      .getByRole('article', { name: 'Improvement Size chart fixed for jackets' })
      .getByText('told 1')
      .waitFor();
    await lead.screenshot({ path: join(shots, 'feedback-improvements.png'), fullPage: true });

    const sent = (await api(ws.admin.headers, 'GET', '/api/v1/email/dev-mailbox?limit=50')).items as {
      id: number;
      to: string[];
      subject: string;
    }[];
    const notice = sent.filter(
      (m) => m.to.includes('mia@example.test') && m.subject.includes('You told us, we changed it'),
    );
    expect(notice, JSON.stringify(sent.map((m) => [m.to, m.subject]))).toHaveLength(1);
    const noticeText = (await api(ws.admin.headers, 'GET', `/api/v1/email/outbound/${notice[0]!.id}`))
      .text as string;
    expect(noticeText).toContain('The size chart for jackets is wrong');
    expect(noticeText).toContain('Every jacket now has a size chart measured on the garment.');
    await lead.goto(`${base}/settings/dev-mailbox?id=${notice[0]!.id}`);
    await lead.getByRole('heading', { name: 'Dev mailbox' }).waitFor();
    await lead
      .getByRole('list', { name: 'Sent emails' })
      .getByText('You told us, we changed it: Size chart fixed for jackets')
      .waitFor();
    await lead.getByRole('article', { name: /^Email .*You told us, we changed it/ }).waitFor();
    await lead.screenshot({ path: join(shots, 'feedback-improvement-notice.png'), fullPage: true });
    // …and on the shopper's ticket timeline.
    const ticket = await api(ws.agent.headers, 'GET', `/api/v1/tickets/${ticketId}`);
    expect(ticket.tags).toContain('site-feedback');
    expect(ticket.messages.some((m: { bodyText: string }) => m.bodyText.includes('we changed it'))).toBe(
      true,
    );
  });

  it('agent solves in the dashboard → survey e-mail → shopper rates 2 with a comment → ticket reopened, high priority', async () => {
    await api(ws.lead.headers, 'PATCH', '/api/v1/feedback/settings', {
      csat: { delayMinutes: 0, cooldownDays: 0 },
    });
    const created = await api(ws.agent.headers, 'POST', '/api/v1/tickets', {
      subject: 'Zip broke on day one',
      channel: 'email',
      contact: { email: 'noah@example.test', name: 'Noah' },
      message: { body: 'The zip of my jacket broke on the first day.' },
    });
    const ticketId = created.id as number;
    // The lead words the question per language in Settings → Surveys & follow-ups.
    const lead = await signIn(ws.lead);
    await lead.goto(`${base}/settings/feedback`);
    const words = lead.getByRole('group', { name: 'Survey wording per language' });
    await words.getByLabel('Question (empty: the built-in one)').fill('Did we sort out your jacket?');
    await words.getByLabel('Language').selectOption('de');
    await words
      .getByLabel('Question (empty: the built-in one)')
      .fill('Haben wir Ihre Jacke in Ordnung gebracht?');
    await words.getByLabel(/Labels, one per line/).fill('Schlecht\nMäßig\nOkay\nGut\nSuper');
    await lead.getByRole('button', { name: 'Save survey settings' }).click();
    await lead.getByText('Survey settings saved').waitFor();
    await lead.screenshot({ path: join(shots, 'feedback-settings-languages.png'), fullPage: true });
    const saved = await api(ws.lead.headers, 'GET', '/api/v1/feedback/settings');
    expect(saved.csat.texts).toMatchObject({
      en: { question: 'Did we sort out your jacket?' },
      de: {
        question: 'Haben wir Ihre Jacke in Ordnung gebracht?',
        labels: ['Schlecht', 'Mäßig', 'Okay', 'Gut', 'Super'],
      },
    });

    const agent = await signIn(ws.agent);
    await agent.goto(`${base}/tickets/${ticketId}`);
    await agent.getByRole('heading', { name: /Zip broke on day one/ }).waitFor();
    await agent
      .getByRole('textbox', { name: /Reply to the customer/ })
      .fill('A new jacket is on its way, Noah.');
    await agent.getByLabel('Status after sending').selectOption('solved');
    await agent.getByRole('button', { name: 'Send and set solved' }).click();
    await agent.getByRole('listitem', { name: /^Reply from/ }).waitFor();
    await settle(t);
    await t.db.query(
      sql`UPDATE jobs SET run_at = now() WHERE name = 'send-feedback-survey' AND status = 'queued'`,
    );
    await settle(t);

    // The survey e-mail, as the shopper got it, in the dev mailbox.
    await agent.goto(`${base}/settings/dev-mailbox`);
    await agent.getByRole('heading', { name: 'Dev mailbox' }).waitFor();
    const items = (await api(ws.admin.headers, 'GET', '/api/v1/email/dev-mailbox?limit=50')).items as {
      id: number;
      to: string[];
      subject: string;
    }[];
    let text = '';
    for (const m of items.filter((i) => i.to.includes('noah@example.test'))) {
      const body = (await api(ws.admin.headers, 'GET', `/api/v1/email/outbound/${m.id}`)).text as string;
      if (body.includes('/l/survey.')) text = body;
    }
    const link = /http\S+\/l\/survey\.\S+\?score=2/.exec(text)![0];

    // The shopper's survey page works without JavaScript; the rating is pre-selected, the POST records it.
    const shopper = await fresh(false);
    // The link names the configured public address; this test server listens elsewhere.
    await shopper.goto(base + new URL(link).pathname + new URL(link).search);
    expect(await shopper.getByRole('radio', { checked: true }).count()).toBe(1);
    await shopper.getByRole('heading', { name: 'Did we sort out your jacket?' }).waitFor();
    await shopper.getByLabel('Problem not solved').check();
    await shopper.locator('#comment').fill('Still broken after the exchange');
    await shopper.screenshot({ path: join(shots, 'feedback-survey-page.png'), fullPage: true });
    await shopper.getByRole('button', { name: /Send|Submit/ }).click();
    await shopper.getByText('Your rating is saved').waitFor();
    await settle(t);

    await agent.goto(`${base}/tickets/${ticketId}`);
    await agent.getByText('rated this conversation 2/5').waitFor();
    const after = await api(ws.agent.headers, 'GET', `/api/v1/tickets/${ticketId}`);
    expect(after.status).toBe('open');
    expect(after.priority).toBe('high');
    await agent.goto(`${base}/feedback/responses`);
    await agent.getByRole('cell', { name: /Still broken after the exchange/ }).waitFor();
  });

  it("chat ends → inline rating in the widget → the cycle's CSAT answer in Feedback → Responses", async () => {
    const shop = await fresh();
    await shop.goto(`${base}/demo/shop?workspace=${ws.slug}`);
    await shop.locator('shopdesk-chat .sd-launcher').click();
    await shop.locator('shopdesk-chat .sd-prechat input[name="name"]').fill('Lena Chat');
    await shop.locator('shopdesk-chat .sd-prechat button[type="submit"]').click();
    await shop.locator('shopdesk-chat .sd-prechat').waitFor({ state: 'detached' });
    await shop.locator('shopdesk-chat .sd-input').fill('my gloves have a hole');
    await shop.locator('shopdesk-chat .sd-input').press('Enter');
    await shop
      .locator('shopdesk-chat .sd-msg.visitor:not(.pending):not(.failed)', {
        hasText: 'my gloves have a hole',
      })
      .waitFor();
    await settle(t);
    const chats = (await api(ws.agent.headers, 'GET', '/api/v1/tickets?channel=chat')).items as {
      id: number;
      lastMessagePreview: string;
      subject: string;
    }[];
    const ticketId = chats.find(
      (x) => x.subject.includes('gloves') || x.lastMessagePreview.includes('gloves'),
    )!.id;
    await api(ws.agent.headers, 'PATCH', `/api/v1/tickets/${ticketId}`, { status: 'solved' });
    await settle(t);
    const form = shop.locator('shopdesk-chat .sd-rating');
    await form.waitFor();
    await form.getByRole('button', { name: '2 of 5' }).click();
    await form.locator('textarea').fill('The hole is still there');
    await form.getByRole('button', { name: 'Send rating' }).click();
    await form.waitFor({ state: 'detached' });
    await settle(t);

    const lead = await signIn(ws.lead);
    await lead.goto(`${base}/feedback/responses`);
    const row = lead.getByRole('row', { name: /The hole is still there/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('chat');
    expect(await row.textContent()).toContain('2/5');
  });
});
