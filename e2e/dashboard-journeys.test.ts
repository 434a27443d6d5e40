import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../apps/server/src/platform/db/db.ts';
import { totpCode } from '../apps/server/src/platform/security/totp.ts';
import {
  startTestApp,
  type TestActor,
  type TestApp,
  type TestWorkspace,
  ticketBody,
} from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, screenshotDir } from './support.ts';

const shots = screenshotDir();

describe('agent dashboard journeys in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let dashboardDir: string;
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

  let adminTotpSecret: string | null = null;
  // The server takes each TOTP time step once (no replay), so every sign-in needs a later step than the
  // last: a code for up to one step ahead is accepted, further ahead we wait for the clock.
  let lastTotpAt = 0;
  const nextTotp = async (secret: string) => {
    const at = Math.max(Date.now(), lastTotpAt + 30_000);
    while (at - Date.now() > 25_000) await new Promise((r) => setTimeout(r, 500));
    lastTotpAt = at;
    return totpCode(secret, at);
  };
  const signIn = async (actor: TestActor): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(actor.email);
    await page.getByLabel('Password').fill(actor.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    if (actor === ws.admin && adminTotpSecret) {
      await page.getByLabel(/Code from your authenticator/).fill(await nextTotp(adminTotpSecret));
      await page.getByRole('button', { name: 'Verify' }).click();
    }
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    return page;
  };

  beforeAll(async () => {
    dashboardDir = builtDashboard();
    t = await startTestApp({ DASHBOARD_DIR: dashboardDir });
    base = await listen(t);
    ws = await t.workspace('Demo Outfitters');
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.stop();
  });

  it('signs in with password and TOTP, and signs out', async () => {
    // Enrol the admin in TOTP through the API, as the profile page does.
    const session = await t.login(ws.admin);
    const headers = { cookie: `sd_session=${session.cookie}`, 'x-csrf-token': session.csrf };
    const enrol = (
      await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/enrol', headers, payload: {} })
    ).json();
    const confirm = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/confirm',
      headers,
      payload: { code: await nextTotp(enrol.secret) },
    });
    expect(confirm.statusCode).toBe(200);
    adminTotpSecret = enrol.secret;

    const ctx = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/inbox`);
    await page.getByLabel('Email').fill(ws.admin.email);
    await page.getByLabel('Password').fill(ws.admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Two-factor check' }).waitFor();
    await page.getByLabel(/Code from your authenticator/).fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel(/Code from your authenticator/).fill(await nextTotp(enrol.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    expect(await page.getByRole('link', { name: /My open/ }).count()).toBe(1);

    await page.getByLabel('Account menu').click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const me = await page.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status));
    expect(me).toBe(401);
  });

  it('shows a reply in a second agent’s browser in real time, with presence and typing', async () => {
    const ticket = await api(
      ws.agent,
      'POST',
      '/api/v1/tickets',
      ticketBody({ subject: 'Parcel stuck in Lyon' }),
    );
    const alice = await signIn(ws.agent);
    const bob = await signIn(ws.lead);
    await bob.goto(`${base}/tickets/${ticket.id}`);
    await bob.getByRole('heading', { name: /Parcel stuck in Lyon/ }).waitFor();
    await alice.goto(`${base}/tickets/${ticket.id}`);
    await alice.getByRole('heading', { name: /Parcel stuck in Lyon/ }).waitFor();

    // Bob sees Alice's avatar, then that she is typing.
    await bob.locator('.presence .avatar[title^="agent of Demo Outfitters"]').waitFor();
    await alice
      .getByRole('textbox', { name: /Reply to the customer/ })
      .fill('Hi Sam, I have asked the carrier.');
    await bob.getByText('agent of Demo Outfitters is typing a reply…').waitFor();

    await alice.getByRole('button', { name: 'Send', exact: true }).click();
    await bob.locator('.msg-outbound', { hasText: 'I have asked the carrier' }).waitFor({ timeout: 10_000 });
    await alice.locator('.msg-outbound', { hasText: 'I have asked the carrier' }).waitFor();
    await bob.screenshot({ path: join(shots, 'ticket-view.png') });
  });

  it('warns before sending when someone else replied since the ticket was opened', async () => {
    const ticket = await api(
      ws.agent,
      'POST',
      '/api/v1/tickets',
      ticketBody({ subject: 'Wrong size delivered' }),
    );
    const page = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${ticket.id}`);
    await page.getByRole('heading', { name: /Wrong size delivered/ }).waitFor();
    await page.getByRole('textbox', { name: /Reply to the customer/ }).fill('We will send the right size.');
    // A teammate answers through the API while this agent is still writing.
    await api(ws.lead, 'POST', `/api/v1/tickets/${ticket.id}/replies`, {
      body: 'Exchange label attached — Lead',
    });
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const warning = page.getByRole('alertdialog');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('Exchange label attached');
    // Nothing was sent yet.
    const before = await api(ws.agent, 'GET', `/api/v1/tickets/${ticket.id}`);
    expect(
      before.messages.filter((m: { bodyText: string }) => m.bodyText.includes('right size')),
    ).toHaveLength(0);
    await page.getByRole('button', { name: 'Send anyway' }).click();
    await page.locator('.msg-outbound', { hasText: 'We will send the right size.' }).waitFor();
  });

  it('keeps an unsent reply when the session ends, and sends it after signing in again', async () => {
    const ticket = await api(
      ws.agent,
      'POST',
      '/api/v1/tickets',
      ticketBody({ subject: 'Session ends mid-reply' }),
    );
    const page = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${ticket.id}`);
    await page.getByRole('heading', { name: /Session ends mid-reply/ }).waitFor();
    const box = page.getByRole('textbox', { name: /Reply to the customer/ });
    await box.fill('Your parcel is on its way again.');
    // The session expires server-side (as after SESSION_TTL_HOURS) while the agent is typing.
    await t.db.query(sql`DELETE FROM sessions WHERE agent_id = ${ws.agent.agentId}`);
    // Whichever request comes first (the app's background refresh or Send) meets the ended session.
    const dialog = page.getByRole('dialog');
    if (!(await dialog.isVisible()))
      await page
        .getByRole('button', { name: 'Send', exact: true })
        .click({ timeout: 5000 })
        .catch(() => {});
    await dialog.getByRole('heading', { name: 'Your session has ended' }).waitFor();
    await dialog.getByLabel('Email').fill(ws.agent.email);
    await dialog.getByLabel('Password').fill(ws.agent.password);
    await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('Your parcel is on its way again.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.msg-outbound', { hasText: 'Your parcel is on its way again.' }).waitFor();
    const after = await api(ws.agent, 'GET', `/api/v1/tickets/${ticket.id}`);
    expect(
      after.messages.filter((m: { bodyText: string }) => m.bodyText === 'Your parcel is on its way again.'),
    ).toHaveLength(1);
  });

  it('fills macro variables into the reply and applies its status with Send', async () => {
    await api(ws.lead, 'POST', '/api/v1/macros', {
      name: 'Shipping delay',
      body: 'Hi {{customer.first_name}}, ticket #{{ticket.id}} is with our warehouse. — {{agent.first_name}}',
      actions: { status: 'pending' },
    });
    const ticket = await api(
      ws.agent,
      'POST',
      '/api/v1/tickets',
      ticketBody({ subject: 'Late order', contact: { email: 'maria@example.com', name: 'Maria Rossi' } }),
    );
    const page = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${ticket.id}`);
    await page.getByLabel('Insert macro').selectOption({ label: 'Shipping delay' });
    const box = page.getByRole('textbox', { name: /Reply to the customer/ });
    await expect
      .poll(() => box.inputValue())
      .toBe(`Hi Maria, ticket #${ticket.id} is with our warehouse. — agent`);
    await page.getByRole('button', { name: 'Send and set pending' }).click();
    await page.locator('.msg-outbound', { hasText: 'Hi Maria' }).waitFor();
    const after = await api(ws.agent, 'GET', `/api/v1/tickets/${ticket.id}`);
    expect(after.status).toBe('pending');
  });

  it('bulk-solves selected tickets from the inbox, and the list updates', async () => {
    const ids: number[] = [];
    for (const s of ['Bulk one', 'Bulk two', 'Bulk three'])
      ids.push((await api(ws.agent, 'POST', '/api/v1/tickets', ticketBody({ subject: s }))).id);
    const page = await signIn(ws.lead);
    await page.goto(`${base}/inbox/all-open`);
    for (const id of ids.slice(0, 2)) await page.getByLabel(`Select ticket ${id}`).check();
    await page.screenshot({ path: join(shots, 'inbox.png') });
    await page.getByRole('toolbar', { name: 'Bulk actions' }).getByRole('button', { name: 'Solve' }).click();
    await page.getByText('Solved: 2 tickets updated').waitFor();
    await expect.poll(() => page.locator(`[data-ticket-id="${ids[0]}"]`).count()).toBe(0);
    expect(await page.locator(`[data-ticket-id="${ids[2]}"]`).count()).toBe(1);
    for (const id of ids.slice(0, 2))
      expect((await api(ws.agent, 'GET', `/api/v1/tickets/${id}`)).status).toBe('solved');
    // A ticket created elsewhere appears without a reload.
    const fresh = await api(ws.agent, 'POST', '/api/v1/tickets', ticketBody({ subject: 'Arrived live' }));
    await page.locator(`[data-ticket-id="${fresh.id}"]`).waitFor({ timeout: 10_000 });
  });

  it('searches messages and shows highlighted snippets', async () => {
    await api(
      ws.agent,
      'POST',
      '/api/v1/tickets',
      ticketBody({ subject: 'Question', message: { body: 'Does the Ridgeline parka come in teal?' } }),
    );
    const page = await signIn(ws.agent);
    await page.getByRole('searchbox', { name: /Search tickets/ }).fill('ridgeline');
    await page.keyboard.press('Enter');
    const hit = page.locator('.hit', { hasText: 'Question' });
    await hit.waitFor();
    expect(await hit.locator('mark').first().textContent()).toMatch(/ridgeline/i);
  });

  it('renders a malicious email without running anything', async () => {
    const evil = [
      '<p>Hello</p>',
      '<script>window.top.__pwned = "script"</script>',
      '<img src="x" onerror="window.top.__pwned = \'onerror\'">',
      '<a href="javascript:window.top.__pwned=\'link\'">Track my order</a>',
      '<img src="https://tracker.example/pixel.gif" alt="pixel">',
      '<blockquote type="cite">Earlier message</blockquote>',
    ].join('');
    const ticket = await api(
      ws.agent,
      'POST',
      '/api/v1/tickets',
      ticketBody({ subject: 'Evil email', channel: 'email', message: { body: 'Hello', html: evil } }),
    );
    const page = await signIn(ws.agent);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${base}/tickets/${ticket.id}`);
    const frame = page.frameLocator('.msg iframe').first();
    await frame.getByText('Hello').waitFor();
    const link = frame.getByText('Track my order');
    await link.click({ timeout: 5_000 }).catch(() => {});
    const pwned = await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned);
    expect(pwned).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.locator('.msg iframe').first().getAttribute('sandbox')).not.toContain('allow-scripts');
    const inner = await frame.locator('body').innerHTML();
    expect(inner).not.toMatch(/<script|onerror|javascript:/i);
    // The remote image waits for the agent's consent; the quoted part is folded.
    expect(await frame.locator('img[alt="pixel"]').getAttribute('src')).toBeNull();
    expect(await page.getByRole('button', { name: 'Show images' }).count()).toBe(1);
    expect(await frame.locator('details.quoted').count()).toBe(1);
    await page.getByRole('button', { name: 'Show images' }).click();
    await expect
      .poll(() => frame.locator('img[alt="pixel"]').getAttribute('src'))
      .toBe('https://tracker.example/pixel.gif');
  });

  it('opens the settings pages for an admin', async () => {
    const page = await signIn(ws.admin);
    await page.goto(`${base}/settings/agents`);
    await page.getByRole('heading', { name: 'Agents' }).waitFor();
    await page.getByRole('cell', { name: ws.lead.email }).waitFor();
    await page.screenshot({ path: join(shots, 'settings.png') });
    for (const [nav, heading] of [
      ['Teams', 'Teams'],
      ['Tags', 'Tags'],
      ['Custom fields', 'Ticket custom fields'],
      ['Macros', 'Macros'],
      ['API tokens', 'API tokens'],
      ['Audit log', 'Audit log'],
    ] as const) {
      await page
        .getByRole('navigation', { name: 'Settings' })
        .getByRole('link', { name: nav, exact: true })
        .click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    }
    await page.keyboard.press('?');
    await page.getByRole('heading', { name: 'Keyboard shortcuts' }).waitFor();
  });
});
