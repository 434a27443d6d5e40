import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestApp,
  type TestActor,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import { authorDemoHelpCenter } from '../apps/server/test/helpcenter-helpers.ts';
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

  const api = async (actor: TestActor, method: string, url: string, body?: unknown) => {
    const res = await fetch(base + url, {
      method,
      headers: { ...actor.headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

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

  it('speaks in words: timeline, automation log, audit log, automation and SLA forms', async () => {
    const team = await api(ws.admin, 'POST', '/api/v1/teams', { name: 'Billing' });
    await api(ws.lead, 'POST', '/api/v1/automations', {
      name: 'Invoices to billing',
      kind: 'trigger',
      events: ['ticket.created'],
      conditions: { all: [{ field: 'subject', op: 'contains', value: 'invoice' }] },
      actions: [
        { type: 'assign_team', teamId: team.id },
        { type: 'add_tags', tags: ['billing'] },
      ],
    });
    const ticket = await api(ws.agent, 'POST', '/api/v1/tickets', {
      subject: 'Where is my invoice?',
      contact: { email: 'ines@example.com', name: 'Ines' },
      message: { body: 'I need the invoice for order 1042.' },
    });
    const agent = await open(ws.agent);
    await agent.goto(`${base}/tickets/${ticket.id}`);
    const timeline = agent.getByRole('list', { name: 'Conversation' });
    await timeline.getByText('Automation “Invoices to billing” moved the ticket to team Billing').waitFor();
    await timeline.getByText('Automation “Invoices to billing” added the tag billing').waitFor();
    expect(await timeline.textContent()).not.toMatch(/[{}]|via:|team changed/);
    const runs = agent.getByRole('list', { name: 'Automation runs' });
    await runs.getByText('Moved to team Billing').waitFor();
    expect(await runs.textContent()).not.toMatch(/→|team \d/);

    // The audit log: an admin's change of a role reads as words, and the filters narrow the list.
    await api(ws.admin, 'PATCH', `/api/v1/agents/${ws.readonly.agentId}`, { role: 'agent' });
    const admin = await open(ws.admin);
    await admin.goto(`${base}/settings/audit-log`);
    const table = admin.locator('table.audit-table');
    await table.locator('tr[data-action="agent.role_changed"]').waitFor();
    expect(await table.textContent()).not.toMatch(/[{}"]/);
    expect(await table.locator('tr[data-action="agent.role_changed"]').textContent()).toContain(
      'Changed an agent’s role',
    );
    const filters = admin.getByRole('form', { name: 'Filter the audit log' });
    await filters.getByLabel('What').selectOption({ label: 'Changed an agent’s role' });
    await expect
      .poll(async () => [
        ...new Set(
          await table
            .locator('tbody tr')
            .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))),
        ),
      ])
      .toEqual(['agent.role_changed']);
    await filters.getByLabel('What').selectOption({ label: 'Any action' });
    await filters.getByLabel('Who').selectOption({ label: 'agent of Rough Edges' });
    await expect
      .poll(async () => [...new Set(await table.locator('tbody tr td:nth-child(2)').allTextContents())])
      .toEqual(['agent of Rough Edges']);
    await filters.getByLabel('From', { exact: true }).fill('2020-01-01');
    await filters.getByLabel('To', { exact: true }).fill('2020-01-31');
    await admin.getByText('No entries match these filters.').waitFor();
    // The page fits the window: no sideways scrolling of the whole settings screen.
    expect(await admin.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    // Automation conditions on the assignee pick a name; SLA thresholds are money in the shop's currency.
    await admin.goto(`${base}/settings/automations`);
    await admin.getByRole('button', { name: 'New automation' }).click();
    const form = admin.getByRole('form', { name: 'New automation' });
    await form.getByRole('button', { name: 'Add condition' }).first().click();
    const field = form.getByLabel('All condition 1 field');
    expect(await field.locator('option').allTextContents()).not.toContain('Assignee (agent id)');
    await field.selectOption({ label: 'Assignee' });
    await form.getByLabel('All condition 1 value').selectOption({ label: 'agent of Rough Edges' });

    await admin.goto(`${base}/settings/sla`);
    await admin.getByRole('button', { name: 'New policy' }).click();
    const policy = admin.getByRole('form', { name: 'New SLA policy' });
    await policy.getByLabel('Policy name').fill('Big spenders');
    expect(await policy.getByText('(cents)').count()).toBe(0);
    const { currency } = await api(ws.admin, 'GET', '/api/v1/commerce/policy');
    await policy.getByLabel(`Customer has spent at least (${currency})`).fill('500');
    await policy.getByRole('button', { name: 'Add policy' }).click();
    await admin
      .getByRole('list', { name: 'SLA policies' })
      .getByText(/customers who spent \D*500\.00\D* or more/)
      .waitFor();
    const [saved] = (await api(ws.admin, 'GET', '/api/v1/sla/policies')).items;
    expect(saved.match.minLifetimeValue).toBe(50000);
  });

  it('saves and shares views and merges tickets through in-app dialogs; Link disarms Merge', async () => {
    const nativeDialogs: string[] = [];
    const agent = await open(ws.agent);
    agent.on('dialog', (d) => {
      nativeDialogs.push(d.message());
      void d.dismiss();
    });
    await agent.goto(`${base}/inbox/all-open?priority=urgent`);
    await agent.getByRole('button', { name: 'Save as view' }).click();
    const save = agent.getByRole('dialog', { name: 'Save as view' });
    await save.getByLabel('View name').fill('Urgent for everyone');
    await save.getByLabel(/Share with the workspace/).check();
    await save.getByRole('button', { name: 'Save view' }).click();
    await agent.getByRole('heading', { name: 'Urgent for everyone' }).waitFor();
    const nav = agent.getByRole('navigation', { name: 'Views' });
    await nav.getByRole('link', { name: /Urgent for everyone/ }).waitFor();

    // A teammate sees the shared view but cannot change it; the owner can rename it.
    const lead = await open(ws.lead);
    await lead
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: /Urgent for everyone/ })
      .click();
    await lead.getByRole('heading', { name: 'Urgent for everyone' }).waitFor();
    expect(await lead.getByRole('button', { name: 'Edit view' }).count()).toBe(0);
    await agent.getByRole('button', { name: 'Edit view' }).click();
    const edit = agent.getByRole('dialog', { name: /Edit view/ });
    await edit.getByLabel('View name').fill('Urgent (team)');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await nav.getByRole('link', { name: /Urgent \(team\)/ }).waitFor();
    const views = (await api(ws.lead, 'GET', '/api/v1/views')).items as { name: string; shared: boolean }[];
    expect(views.find((v) => v.name === 'Urgent (team)')?.shared).toBe(true);

    // Merge or link: after linking, the Merge button is no longer armed with that number.
    const a = await api(ws.agent, 'POST', '/api/v1/tickets', {
      subject: 'Parcel damaged (1)',
      contact: { email: 'dora@example.com', name: 'Dora' },
      message: { body: 'The box was crushed.' },
    });
    const b = await api(ws.agent, 'POST', '/api/v1/tickets', {
      subject: 'Parcel damaged (2)',
      contact: { email: 'dora@example.com', name: 'Dora' },
      message: { body: 'Photos attached.' },
    });
    const c = await api(ws.agent, 'POST', '/api/v1/tickets', {
      subject: 'Parcel damaged (3)',
      contact: { email: 'dora@example.com', name: 'Dora' },
      message: { body: 'Any news?' },
    });
    await agent.goto(`${base}/tickets/${a.id}`);
    await agent.getByText('Merge or link').click();
    const number = agent.getByLabel('Other ticket number');
    await number.fill(String(c.id));
    await agent.getByRole('button', { name: 'Link', exact: true }).click();
    await agent
      .getByRole('status')
      .filter({ hasText: `Linked #${c.id}` })
      .waitFor();
    expect(await number.inputValue()).toBe('');
    expect(await agent.getByRole('button', { name: /Merge this ticket into/ }).isDisabled()).toBe(true);

    await number.fill(String(b.id));
    await agent.getByRole('button', { name: `Merge this ticket into #${b.id}` }).click();
    const confirm = agent.getByRole('dialog', { name: 'Merge tickets' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await api(ws.agent, 'GET', `/api/v1/tickets/${a.id}`)).mergedIntoId).toBeNull();
    await agent.getByRole('button', { name: `Merge this ticket into #${b.id}` }).click();
    await confirm.getByRole('button', { name: `Merge into #${b.id}` }).click();
    await agent.getByRole('heading', { name: /Parcel damaged \(2\)/ }).waitFor();
    expect((await api(ws.agent, 'GET', `/api/v1/tickets/${a.id}`)).mergedIntoId).toBe(b.id);
    expect(nativeDialogs).toEqual([]);

    // Settings deletes ask in the app too.
    await api(ws.admin, 'POST', '/api/v1/tags', { name: 'obsolete' });
    const admin = await open(ws.admin);
    admin.on('dialog', (d) => {
      nativeDialogs.push(d.message());
      void d.dismiss();
    });
    await admin.goto(`${base}/settings/tags`);
    await admin
      .getByRole('row', { name: /obsolete/ })
      .getByRole('button', { name: 'Delete' })
      .click();
    await admin
      .getByRole('dialog', { name: 'Please confirm' })
      .getByRole('button', { name: 'Delete tag' })
      .click();
    await admin.getByRole('status').filter({ hasText: 'obsolete deleted' }).waitFor();
    expect(nativeDialogs).toEqual([]);
  });

  it('offers the channels the workspace can use in filters and settings', async () => {
    // Every channel has a connector in the deployment now (Twilio, and Meta's apps: docs/messaging-apps.md),
    // so the messaging apps are offered where a channel is chosen.
    const usable = /Messenger.*Instagram.*WhatsApp/s;
    const agent = await open(ws.agent);
    await agent.goto(`${base}/inbox/all-open`);
    const filter = agent.getByRole('combobox', { name: 'Channel' });
    await expect
      .poll(() => filter.locator('option').allTextContents())
      .toEqual([
        'Any channel',
        'Email',
        'Chat',
        'SMS',
        'Phone',
        'Messenger',
        'Instagram',
        'WhatsApp',
        'Web form',
        'API',
        // Listening's replies go back to the post (docs/listening.md).
        'Social mentions',
      ]);

    const admin = await open(ws.admin);
    await admin.goto(`${base}/settings/sla`);
    await admin.getByRole('button', { name: 'New policy' }).click();
    const channels = admin.getByRole('group', { name: 'Channels' });
    await channels.getByLabel('Email').waitFor();
    expect(await channels.textContent()).toMatch(usable);

    await admin.goto(`${base}/settings/routing`);
    await admin
      .getByLabel(/Capacity any other channel/)
      .first()
      .waitFor();
    const form = admin.getByRole('form', { name: 'Routing rules' }).first();
    expect(await form.textContent()).toMatch(usable);
  });

  it('first-day screens: a landing view with tickets, assignees who can work, a 2FA QR code, team checkboxes, aligned policy page, one-line help-center search', async () => {
    // Lands on a view with tickets (nothing is assigned to the lead), then on the view used last.
    const ticket = await api(ws.agent, 'POST', '/api/v1/tickets', {
      subject: 'Who takes this?',
      contact: { email: 'olga@example.com', name: 'Olga' },
      message: { body: 'Hello' },
    });
    const lead = await open(ws.lead);
    await expect.poll(() => new URL(lead.url()).pathname).toBe('/inbox/unassigned');
    await lead
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: /All open/ })
      .click();
    await lead.getByRole('heading', { name: 'All open' }).waitFor();
    await lead.goto(`${base}/inbox`);
    await expect.poll(() => new URL(lead.url()).pathname).toBe('/inbox/all-open');

    // A read-only account is not offered as an assignee, and the API refuses it.
    await api(ws.admin, 'PATCH', `/api/v1/agents/${ws.readonly.agentId}`, { role: 'read-only' });
    await lead.goto(`${base}/tickets/${ticket.id}`);
    const assignee = lead.getByRole('complementary', { name: 'Ticket details' }).getByLabel('Assignee');
    await expect.poll(() => assignee.locator('option').allTextContents()).toContain('agent of Rough Edges');
    expect(await assignee.locator('option').allTextContents()).not.toContain('read-only of Rough Edges');
    const refused = await fetch(`${base}/api/v1/tickets/${ticket.id}`, {
      method: 'PATCH',
      headers: { ...ws.lead.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ assigneeId: ws.readonly.agentId, version: ticket.version }),
    });
    expect(refused.status).toBe(400);

    // Two-factor setup shows a QR code to scan.
    await lead.goto(`${base}/settings/profile`);
    await lead.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const qr = lead.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    expect(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);

    // Teams are ticked, not picked from a multi-select list box.
    const team = await api(ws.admin, 'POST', '/api/v1/teams', { name: 'Returns desk' });
    const admin = await open(ws.admin);
    await admin.goto(`${base}/settings/agents`);
    const teams = admin.getByRole('group', { name: 'Teams of agent of Rough Edges' });
    await teams.getByLabel('Returns desk').click();
    await admin.getByText('agent of Rough Edges added to Returns desk').waitFor();
    const agents = (await api(ws.admin, 'GET', '/api/v1/agents')).items;
    expect(agents.find((a: { id: number }) => a.id === ws.agent.agentId).teamIds).toContain(team.id);
    expect(await admin.locator('select[multiple]').count()).toBe(0);

    // The policy page's fields line up in one column.
    await admin.goto(`${base}/settings/commerce-policy`);
    await admin.getByLabel('Agent refund limit').waitFor();
    const lefts = await admin
      .locator('form.policy-form > label > input:not([type="checkbox"])')
      .evaluateAll((els) => [...new Set(els.map((el) => Math.round(el.getBoundingClientRect().left)))]);
    expect(lefts).toHaveLength(1);

    // The help center's search button stays on one line on a phone.
    await authorDemoHelpCenter(t, ws);
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 } });
    contexts.push(phone);
    const shopper = await phone.newPage();
    await shopper.goto(`${base}/help/${ws.slug}/en`);
    const form = shopper.getByRole('search').first();
    const input = await form.locator('input[type="search"]').boundingBox();
    const button = await form.getByRole('button').boundingBox();
    expect(button!.height).toBeLessThanOrEqual(input!.height + 1);
    expect(Math.abs(button!.y - input!.y)).toBeLessThanOrEqual(1);
    expect(button!.x + button!.width).toBeLessThanOrEqual(360);
  });
});
