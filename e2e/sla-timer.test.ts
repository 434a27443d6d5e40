import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../apps/server/src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, signIn } from './support.ts';

/** "due in 59m" → 59, "due in 1h 0m" → 60. */
const minutesIn = (text: string) => {
  const m = /(?:(\d+)h )?(\d+)m/.exec(text);
  if (!m) throw new Error(`no duration in "${text}"`);
  return Number(m[1] ?? 0) * 60 + Number(m[2]);
};

describe('SLA timer in the ticket view', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let dashboardDir: string;

  beforeAll(async () => {
    dashboardDir = builtDashboard();
    t = await startTestApp({ DASHBOARD_DIR: dashboardDir });
    base = await listen(t);
    ws = await t.workspace('SLA Outfitters');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('shows the first-response timer, and it turns met when the agent replies', async () => {
    const policy = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sla/policies',
      headers: ws.lead.headers,
      // Tickets are backdated to before the policy below: they count from their own start.
      payload: {
        name: 'Standard',
        applyToOpenTickets: true,
        targets: { firstResponse: { minutes: 60, business: false } },
      },
    });
    expect(policy.statusCode).toBe(201);
    const ticket = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: ws.agent.headers,
        payload: ticketBody(),
      })
    ).json();

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await signIn(page, base, ws.agent);
    await page.goto(`${base}/tickets/${ticket.id}`);

    const badge = page.getByTestId('sla-badge');
    await expect.poll(() => badge.textContent(), { timeout: 15_000 }).toMatch(/First response due in/);
    expect(await badge.getAttribute('data-state')).toBe('running');
    // 60 minutes from the ticket's creation less the time taken since, read before the badge (which shows
    // whole minutes, rounded): within a minute of that, however slow the machine.
    const left = 60 - (Date.now() - Date.parse(ticket.createdAt)) / 60_000;
    expect(minutesIn((await badge.textContent()) ?? '')).toBeGreaterThanOrEqual(Math.floor(left) - 1);
    expect(minutesIn((await badge.textContent()) ?? '')).toBeLessThanOrEqual(60);

    await page
      .getByRole('textbox', { name: /Reply to the customer/ })
      .fill('On its way, tracking number follows.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => badge.getAttribute('data-state'), { timeout: 15_000 }).toBe('met');
    expect(await badge.textContent()).toContain('First response met');
    await ctx.close();
  });
  it('lists every active target with its state and time left, live, in the ticket view', async () => {
    // Tickets tagged "vip-sla" have three targets (the workspace's other tickets keep "Standard").
    const policy = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sla/policies',
      headers: ws.lead.headers,
      payload: {
        name: 'VIP',
        applyToOpenTickets: true,
        match: { tags: ['vip-sla'] },
        targets: {
          firstResponse: { minutes: 30, business: false },
          nextResponse: { minutes: 60, business: false },
          resolution: { minutes: 480, business: false },
        },
      },
    });
    expect(policy.statusCode).toBe(201);
    const policies = await t.app.inject({
      method: 'GET',
      url: '/api/v1/sla/policies',
      headers: ws.lead.headers,
    });
    const ids = policies.json().items.map((p: { id: number }) => p.id) as number[];
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sla/policies/reorder',
      headers: ws.lead.headers,
      payload: { ids: [policy.json().id, ...ids.filter((id) => id !== policy.json().id)] },
    });
    expect(first.statusCode).toBe(200);
    const ticket = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: ws.agent.headers,
        payload: ticketBody({ subject: 'Where is my VIP order?', tags: ['vip-sla'] }),
      })
    ).json();
    // The customer wrote 45 minutes ago: the 30-minute first response is 15 minutes late, resolution has
    // 480 - 45 = 435 minutes (7h 15m) left.
    await t.db.query(
      sql`UPDATE tickets SET created_at = now() - interval '45 minutes' WHERE id = ${ticket.id}`,
    );
    await t.db.query(
      sql`UPDATE messages SET created_at = now() - interval '45 minutes' WHERE ticket_id = ${ticket.id}`,
    );

    const ctx = await browser.newContext({ viewport: { width: 1400, height: 800 } });
    const page = await ctx.newPage();
    await signIn(page, base, ws.agent);
    await page.goto(`${base}/tickets/${ticket.id}`);

    const targets = page.getByRole('list', { name: 'SLA targets (VIP)' }).getByTestId('sla-target');
    const states = () =>
      targets.evaluateAll((els) => els.map((e) => `${e.dataset.metric}:${e.dataset.state}`));
    await expect.poll(states, { timeout: 15_000 }).toEqual(['first_response:breached', 'resolution:running']);
    const frt = targets.first();
    const res = targets.last();
    // Breached 15 minutes ago (plus the seconds this test took): counting up, in red.
    expect(await frt.textContent()).toMatch(/^FRT -1[5-9]:\d\d$/);
    expect(await frt.getAttribute('aria-label')).toMatch(/^First response: breached 1[5-9]m ago$/);
    expect(await frt.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(217, 45, 32)');
    expect(await res.textContent()).toMatch(/^RES 7h 1[0-5]m$/);
    expect(await res.getAttribute('aria-label')).toMatch(/^Resolution: 7h 1[0-5]m left$/);
    // Live: the breached one counts up each second without a reload.
    const before = await frt.textContent();
    await expect.poll(() => frt.textContent(), { timeout: 15_000 }).not.toBe(before);

    // The agent answers (late): first response is done, resolution is the one target left.
    await page
      .getByRole('textbox', { name: /Reply to the customer/ })
      .fill('Sorry for the wait, it ships today.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(states, { timeout: 15_000 }).toEqual(['resolution:running']);
    await expect
      .poll(() => page.getByTestId('sla-badge').textContent(), { timeout: 15_000 })
      .toMatch(/Resolution due in 7h 1[0-5]m/);
    await ctx.close();
  });

  it('sorts the inbox by SLA due soonest and narrows it to breached tickets', async () => {
    const make = async (subject: string, priority: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: ws.agent.headers,
        payload: ticketBody({ subject, priority }),
      });
      expect(res.statusCode).toBe(201);
      return res.json().id as number;
    };
    // The workspace's "Standard" policy gives every ticket a 60-minute first-response target.
    const first = await make('Size exchange for my boots', 'low');
    const second = await make('Parcel lost, refund please', 'normal');
    const late = await make('Third time asking about my refund', 'normal');
    // "late" arrived two hours ago: its 60-minute first-response target has passed.
    await t.db.query(sql`UPDATE tickets SET created_at = now() - interval '2 hours' WHERE id = ${late}`);
    await t.db.query(
      sql`UPDATE messages SET created_at = now() - interval '2 hours' WHERE ticket_id = ${late}`,
    );
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tickets/${late}`,
      headers: ws.agent.headers,
      payload: { tags: ['escalated'] },
    });

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await signIn(page, base, ws.agent);
    await page.goto(`${base}/inbox/all-open`);
    const rows = page.locator('[data-ticket-id]');
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('sla_due_asc');
    const order = async () =>
      await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-ticket-id'))));
    // The breached ticket first, then the others by how soon their target is due.
    await expect
      .poll(async () => (await order()).filter((id) => [first, second, late].includes(id)), {
        timeout: 15_000,
      })
      .toEqual([late, first, second]);
    await page.getByRole('checkbox', { name: 'SLA breached' }).check();
    await expect.poll(order, { timeout: 15_000 }).toEqual([late]);
    expect(page.url()).toContain('sla=breached');
    await ctx.close();
  });
  it('switches the agent between online, away and offline from the top bar', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(ws.agent.email);
    await page.getByLabel('Password').fill(ws.agent.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const status = page.getByRole('combobox', { name: 'Availability' });
    await status.waitFor();
    const mine = async () =>
      (await t.app.inject({ method: 'GET', url: '/api/v1/routing/agents', headers: ws.lead.headers }))
        .json()
        .items.find((a: { agentId: number }) => a.agentId === ws.agent.agentId)?.status;
    for (const s of ['away', 'online', 'offline'] as const) {
      await status.selectOption(s);
      await expect.poll(mine, { timeout: 10_000 }).toBe(s);
    }
    // The choice is what routing sees, and the switch shows it after a reload.
    await page.reload();
    await expect.poll(() => status.inputValue(), { timeout: 10_000 }).toBe('offline');
    await ctx.close();
  });
});
