import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, signIn } from './support.ts';

// The ticket view shows what automations did to the ticket (and updates when a scan acts), and a lead
// sends an inbox's tickets to a team from the routing settings.

describe('automation log in the ticket view, routing rules form', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard() });
    base = await listen(t);
    ws = await t.workspace('Log Outfitters');
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await ctx.newPage();
    await signIn(page, base, ws.admin);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const api = (method: string, url: string, payload?: unknown) =>
    t.app.inject({ method: method as 'GET', url, headers: ws.admin.headers, payload: payload as object });

  it('lists the automations that acted on a ticket, and a scheduled run appears as it happens', async () => {
    await api('POST', '/api/v1/automations', {
      name: 'Tag gift orders',
      kind: 'trigger',
      events: ['ticket.created'],
      conditions: { all: [{ field: 'subject', op: 'contains', value: 'gift' }] },
      actions: [{ type: 'add_tags', tags: ['gift'] }],
    });
    const ticket = (
      await api('POST', '/api/v1/tickets', ticketBody({ subject: 'A gift for my aunt' }))
    ).json();
    await page.goto(`${base}/tickets/${ticket.id}`);
    const log = page.getByRole('list', { name: 'Automation runs' });
    await log.getByText('Tag gift orders').waitFor();
    expect(await log.locator('li').first().textContent()).toMatch(/applied.*on new ticket.*Added tag gift/);

    await api('POST', '/api/v1/automations', {
      name: 'Nudge open tickets',
      kind: 'scheduled',
      conditions: { all: [{ field: 'tags', op: 'includes', value: 'gift' }] },
      actions: [{ type: 'set_priority', priority: 'high' }],
    });
    expect((await api('POST', '/api/v1/automations/run-scheduled')).json().acted).toBe(1);
    // No reload: the ticket's change arrives over the socket and the log refreshes with it.
    await log.getByText('Nudge open tickets').waitFor({ timeout: 15_000 });
    expect(await log.locator('li').first().textContent()).toMatch(/on scheduled scan.*Set priority to high/);
  });

  it('sends an inbox’s tickets to a team through the routing form, with the missing team named', async () => {
    const team = (await api('POST', '/api/v1/teams', { name: 'Billing' })).json();
    const inbox = (
      await api('POST', '/api/v1/email/inboxes', { name: 'Invoices', address: `invoices@${ws.slug}.test` })
    ).json();
    await page.goto(`${base}/settings/routing`);
    const form = page.getByRole('form', { name: 'Team by channel and inbox' });
    await form.getByRole('button', { name: '+ rule' }).click();
    await form.getByLabel('Channel of rule 1').selectOption('email');
    await form.getByLabel('Inbox of rule 1').selectOption(String(inbox.id));
    await form.getByRole('button', { name: 'Save team rules' }).click();
    await expect.poll(() => form.getByLabel('Team of rule 1').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Team of rule 1').selectOption(String(team.id));
    await form.getByRole('button', { name: 'Save team rules' }).click();
    await form.getByText('Team rules saved').waitFor();
    expect((await api('GET', '/api/v1/routing/rules')).json().items).toMatchObject([
      { channel: 'email', inboxId: inbox.id, teamId: team.id },
    ]);
  });
});
