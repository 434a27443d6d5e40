import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlaService } from '../apps/server/src/modules/sla/index.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, signIn } from './support.ts';

// A lead sets up business hours, an SLA policy and automations through the settings forms, and the inbox
// rows show the SLA countdown.

// Every wait on the page is explicit and generous: expect.poll's default is one second, too short on a
// loaded machine.
const wait = { timeout: 15_000 };

describe('SLA, business hours and automation settings', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard() });
    base = await listen(t);
    ws = await t.workspace('Settings Outfitters');
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

  it('saves business hours and an SLA policy through the forms, with field errors from the server', async () => {
    await page.goto(`${base}/settings/sla`);
    const hours = page.getByRole('form', { name: 'Business hours' });
    await hours.getByLabel('Time zone').selectOption('Europe/Berlin');
    await hours.getByLabel('Open on Saturday').check();
    // Closing before opening is refused by the server, and the message sits next to Saturday.
    await hours.getByLabel('Saturday opens').fill('14:00');
    await hours.getByLabel('Saturday closes').fill('10:00');
    await hours.getByRole('button', { name: 'Add holiday' }).click();
    await hours.getByLabel('Holiday 1 date').fill('2026-12-25');
    await hours.getByLabel('Holiday 1 name').fill('Christmas');
    await hours.getByLabel('every year').check();
    await hours.getByRole('button', { name: 'Save hours' }).click();
    const satRow = hours.locator('tr[data-day="sat"]');
    await expect
      .poll(() => satRow.locator('.field-error').textContent(), wait)
      .toContain('start must be before end');
    expect(await hours.getByLabel('Saturday opens').getAttribute('aria-invalid')).toBe('true');
    await hours.getByLabel('Saturday closes').fill('18:00');
    await hours.getByRole('button', { name: 'Save hours' }).click();
    await page.getByText('Business hours saved').waitFor();
    const cal = (await api('GET', '/api/v1/business-hours')).json().items[0];
    expect(cal).toMatchObject({
      timezone: 'Europe/Berlin',
      weekly: { mon: [{ start: '09:00', end: '17:00' }], sat: [{ start: '14:00', end: '18:00' }] },
      holidays: [{ date: '2026-12-25', yearly: true, name: 'Christmas' }],
    });

    await page.getByRole('button', { name: 'New policy' }).click();
    const form = page.getByRole('form', { name: 'New SLA policy' });
    await form.getByLabel('Policy name').fill('Everyone, fast');
    await form.getByLabel('First response within').fill('30');
    await form.getByLabel('First response unit').selectOption('minutes');
    await form.getByLabel('First response counts').selectOption('calendar');
    await form.getByLabel('Resolution target').uncheck();
    await form.getByLabel('Warn at (% of the target used)').fill('150');
    await form.getByRole('button', { name: 'Add policy' }).click();
    await expect.poll(() => form.locator('[data-field="warnPercent"]').textContent(), wait).toMatch(/99/);
    await form.getByLabel('Warn at (% of the target used)').fill('80');
    await form.getByRole('button', { name: 'Add policy' }).click();
    await page.getByRole('list', { name: 'SLA policies' }).getByText('Everyone, fast').waitFor();
    const [policy] = (await api('GET', '/api/v1/sla/policies')).json().items;
    expect(policy).toMatchObject({
      name: 'Everyone, fast',
      warnPercent: 80,
      targets: { firstResponse: { minutes: 30, business: false }, resolution: null },
    });
  });

  it('shows a live SLA countdown in the inbox row of a new ticket', async () => {
    const ticket = (
      await api('POST', '/api/v1/tickets', ticketBody({ subject: 'Parcel never arrived' }))
    ).json();
    const others = [];
    for (const subject of ['Wrong size', 'Invoice copy'])
      others.push((await api('POST', '/api/v1/tickets', ticketBody({ subject }))).json().id as number);
    const slaCalls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/sla/tickets')) slaCalls.push(r.url());
    });
    await page.goto(`${base}/inbox/all-open`);
    const chip = page.locator(`[data-ticket-id="${ticket.id}"]`).getByTestId('sla-list-badge');
    await expect.poll(() => chip.textContent(), wait).toMatch(/FRT \d+:\d\d/);
    // 30 minutes from the ticket's creation, less the time this test has taken since (read before the
    // chip, so the chip can only show as much or less): whatever the machine's speed.
    const left = 30 * 60 - Math.ceil((Date.now() - Date.parse(ticket.createdAt)) / 1000);
    const shown = /FRT (\d+):(\d\d)/.exec((await chip.textContent()) ?? '')!;
    const shownSeconds = Number(shown[1]) * 60 + Number(shown[2]);
    expect(shownSeconds).toBeLessThanOrEqual(30 * 60);
    expect(shownSeconds).toBeGreaterThanOrEqual(left - 60);
    expect(await chip.getAttribute('data-state')).toBe('running');
    const first = await chip.textContent();
    // It counts down in the browser, without reloading.
    await expect.poll(() => chip.textContent(), wait).not.toBe(first);
    // Every row has its chip, from one request for the whole page (not one per row).
    expect(await page.getByTestId('sla-list-badge').count()).toBe(3);
    // Later calls are refreshes of rows whose ticket changed since (routing or SLA bumping its version),
    // so they may carry fewer ids; the first render never asks row by row.
    expect(slaCalls.length).toBeGreaterThanOrEqual(1);
    const idsOf = (url: string) => new URL(url).searchParams.get('ids')!.split(',').map(Number).sort();
    expect(idsOf(slaCalls[0]!)).toEqual([ticket.id, ...others].sort());
  });

  it('lists tickets due soonest and breached ones in the SLA queue, breached in red', async () => {
    const late = (await api('POST', '/api/v1/tickets', ticketBody({ subject: 'Still no answer' }))).json();
    // Replay the clock 31 minutes ahead: the 30-minute first response is breached.
    await createSlaService(t.deps).recompute(
      ws.workspaceId,
      late.id,
      Date.parse(late.createdAt) + 31 * 60_000,
    );
    await page.goto(`${base}/sla`);
    const rows = page.getByRole('region', { name: 'SLA queue' }).locator('tbody tr');
    await expect.poll(() => rows.count(), wait).toBe(4);
    // Due soonest first: every ticket has the same 30-minute target, so the oldest is due first.
    const order = await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-ticket-id'))));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.at(-1)).toBe(late.id);
    const chip = rows.last().getByTestId('sla-list-badge');
    expect(await chip.getAttribute('data-state')).toBe('breached');
    expect(await chip.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(217, 45, 32)');
    await page.getByRole('button', { name: 'Breached' }).click();
    await expect.poll(() => rows.count(), wait).toBe(1);
    expect(await rows.first().textContent()).toContain('Still no answer');
  });

  it('creates an automation with the form, reorders it, and its test run lists the matching ticket', async () => {
    const refund = (
      await api('POST', '/api/v1/tickets', ticketBody({ subject: 'Refund for my order' }))
    ).json();
    await api('POST', '/api/v1/tickets', ticketBody({ subject: 'Question about sizes' }));
    await page.goto(`${base}/settings/automations`);

    await page.getByRole('button', { name: 'New automation' }).click();
    let form = page.getByRole('form', { name: 'New automation' });
    await form.getByLabel('Automation name').fill('Tag refunds');
    await form.getByRole('button', { name: 'Add condition' }).first().click();
    await form.getByLabel('All condition 1 field').selectOption('subject');
    await form.getByLabel('All condition 1 operator').selectOption('contains');
    await form.getByLabel('All condition 1 value').fill('refund');
    await form.getByLabel('Action 1 tags').fill('refund');
    // A webhook to the server's own network is refused, next to the URL field.
    await form.getByRole('button', { name: 'Add action' }).click();
    await form.getByLabel('Action 2 type').selectOption('webhook');
    await form.getByLabel('Action 2 url').fill('http://169.254.169.254/latest/meta-data/');
    await form.getByRole('button', { name: 'Add automation' }).click();
    await expect
      .poll(() => form.locator('[data-action="1"] .field-error').textContent(), wait)
      .toMatch(/link-local/);
    await form.getByRole('button', { name: 'Remove action 2' }).click();
    await form.getByRole('button', { name: 'Add automation' }).click();
    const triggers = page.getByRole('list', { name: 'Triggers' });
    await triggers.getByText('Tag refunds').waitFor();

    // A second one created beforehand through the API runs first; move "Tag refunds" up.
    await api('POST', '/api/v1/automations', {
      name: 'Escalate urgent',
      kind: 'trigger',
      events: ['ticket.created'],
      conditions: { all: [{ field: 'priority', op: 'is', value: 'urgent' }] },
      actions: [{ type: 'notify', to: 'leads', body: 'Urgent ticket' }],
    });
    await page.reload();
    const order = () => triggers.locator('li strong').allTextContents();
    await expect.poll(order, wait).toEqual(['Tag refunds', 'Escalate urgent']);
    await triggers.getByRole('button', { name: 'Move Escalate urgent up' }).click();
    await expect.poll(order, wait).toEqual(['Escalate urgent', 'Tag refunds']);
    await page.getByText('Order saved').waitFor();
    const saved = (await api('GET', '/api/v1/automations')).json().items.map((a: { name: string }) => a.name);
    expect(saved).toEqual(['Escalate urgent', 'Tag refunds']);

    await triggers.locator('li', { hasText: 'Tag refunds' }).getByRole('button', { name: 'Edit' }).click();
    form = page.getByRole('form', { name: 'Edit automation Tag refunds' });
    await form.getByRole('button', { name: 'Test run' }).click();
    const result = form.getByRole('region', { name: 'Test run result' });
    await result.getByText(`#${refund.id} Refund for my order`).waitFor();
    expect(await result.locator('li').count()).toBe(1);
    expect(await result.textContent()).toContain('1 of 6 open tickets match now');
  });

  it('sets routing rules and an agent status through the routing form', async () => {
    await page.goto(`${base}/settings/routing`);
    const form = page.getByRole('form', { name: 'Routing rules' });
    await form.getByLabel('Mode').selectOption('round_robin');
    await form.getByLabel('Capacity chat').fill('-1');
    await form
      .getByLabel('Skill tags (a ticket with one goes only to agents with that skill)')
      .fill('returns, b2b');
    await form.getByRole('button', { name: 'Save routing' }).click();
    // Negative capacity is refused by the server, next to the chat field.
    await expect
      .poll(() => form.locator('[data-field="defaultCapacity.chat"]').textContent(), wait)
      .toMatch(/>=\s*0/);
    await form.getByLabel('Capacity chat').fill('2');
    await form.getByRole('button', { name: 'Save routing' }).click();
    await page.getByText('Routing saved').waitFor();
    const [cfg] = (await api('GET', '/api/v1/routing/config')).json().items;
    expect(cfg).toMatchObject({
      mode: 'round_robin',
      defaultCapacity: { chat: 2, email: 20, '*': 20 },
      skillTags: ['returns', 'b2b'],
    });

    const row = page.locator(
      `tr[data-agent="${(await api('GET', `/api/v1/agents/${ws.agent.agentId}`)).json().name}"]`,
    );
    await row.getByRole('combobox').selectOption('online');
    await page.getByText(/is online/).waitFor();
    const agents = (await api('GET', '/api/v1/routing/agents')).json().items;
    expect(agents.find((a: { agentId: number }) => a.agentId === ws.agent.agentId).status).toBe('online');
  });
});
