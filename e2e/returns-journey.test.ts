import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestApp,
  type TestActor,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import { deliveredOrder } from '../apps/server/test/returns-helpers.ts';
import { builtDashboard, launchChromium, screenshotDir } from './support.ts';

const shots = screenshotDir();

/**
 * Returns end to end in Chromium (#14): a shopper starts a return from the tracking page of the help
 * center (plain forms, JavaScript off), a lead approves it from the ticket and receives it, the refund
 * reaches the store, and the shopper's page says so; the portal in German.
 */
describe('returns, shopper to store, in a real browser', () => {
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
  const shopper = async (): Promise<Page> => {
    // No JavaScript: the portal must work with plain forms.
    const ctx = await browser.newContext({
      viewport: { width: 1000, height: 900 },
      javaScriptEnabled: false,
    });
    contexts.push(ctx);
    return ctx.newPage();
  };

  beforeAll(async () => {
    const dashboardDir = builtDashboard();
    t = await startTestApp({ DASHBOARD_DIR: dashboardDir });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    ws = await t.workspace('Returns Journey');
    await api(ws.admin.headers, 'PUT', '/api/v1/commerce/policy', {
      currency: 'EUR',
      refundLimits: { agent: 5000, lead: 50000, admin: null },
    });
    await api(ws.admin.headers, 'PATCH', '/api/v1/helpcenter/settings', { locales: ['en', 'de'] });
    const conn = await api(ws.admin.headers, 'POST', '/api/v1/commerce/connections', {
      platform: 'builtin',
      currency: 'EUR',
    });
    await api({ authorization: `Bearer ${conn.token}` }, 'POST', '/api/v1/store/batch', {
      orders: [deliveredOrder('6001', 'lena@example.com'), deliveredOrder('6002', 'jonas@example.com')],
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.stop();
  });

  it('shopper starts a return from the tracking page; a lead approves and receives it; the refund reaches the store', async () => {
    const page = await shopper();
    await page.goto(`${base}/help/${ws.slug}/en/track`);
    await page.getByLabel('Order number').fill('#6001');
    await page.getByLabel(/e-mail/i).fill('lena@example.com');
    await page.getByRole('button', { name: 'Track' }).click();
    await page.getByRole('link', { name: 'Return or exchange items' }).click();
    await page.getByRole('heading', { name: 'Return or exchange items from order #6001' }).waitFor();
    // Before anything is picked: the final-sale cap says why it cannot go back.
    expect(await page.locator('li.ineligible').textContent()).toContain('Final sale — cannot be returned');
    const shoes = page.locator('li.line', { hasText: 'Trail Runner 2' });
    await shoes.getByLabel('Quantity to return').selectOption('1');
    await shoes.getByLabel('Reason').selectOption({ label: 'Too small' });
    await shoes.getByLabel(/Anything we should know/).fill('Half a size too small');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('What would you like?').waitFor();
    await page.screenshot({ path: join(shots, 'returns-portal-outcomes.png'), fullPage: true });
    await page.getByLabel(/Refund to my original payment method/).check();
    expect(await page.getByText('You get €129.00').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Submit return' }).click();
    await page.getByText(/your return RMA-\w+ has been submitted/).waitFor();
    // 129.00 is above the shop's auto-approval cap: it waits for review.
    await page.getByText('Submitted — being reviewed').waitFor();
    await page.screenshot({ path: join(shots, 'returns-portal-status.png'), fullPage: true });

    const r = (await api(ws.admin.headers, 'GET', '/api/v1/returns?limit=10')).items[0];
    expect(r).toMatchObject({ status: 'needs_review', orderNumber: '#6001', createdBy: 'shopper' });

    // The lead opens the return's ticket, approves, and receives the parcel.
    const lead = await signIn(ws.lead);
    await lead.goto(`${base}/tickets/${r.ticketId}`);
    const card = lead.getByTestId(`return-${r.rma}`);
    await card.waitFor();
    expect(await card.getByTestId('return-status').textContent()).toBe('Needs review');
    await card.getByRole('button', { name: 'Approve' }).click();
    await card.getByTestId('return-status').filter({ hasText: 'Approved' }).waitFor();
    await card.getByRole('button', { name: 'Receive & refund' }).click();
    await card.getByTestId('return-status').filter({ hasText: 'Refunded' }).waitFor();
    await lead.getByTestId('return-event').filter({ hasText: 'completed' }).first().waitFor();
    await lead.screenshot({ path: join(shots, 'returns-agent-ticket.png'), fullPage: true });

    // The refund reached the store (the built-in store's copy and its actions feed).
    const o = (await api(ws.agent.headers, 'GET', '/api/v1/commerce/orders?number=6001')).items[0];
    expect(o.refunded).toBe(12900);
    const actions = await api(ws.admin.headers, 'GET', `/api/v1/commerce/actions?orderId=${o.id}`);
    expect(actions).toMatchObject([{ kind: 'refund', status: 'succeeded', amount: 12900 }]);

    await page.reload();
    await page.getByText('Refunded', { exact: true }).waitFor();
  });

  it('a declined return shows the reason to the shopper, in German', async () => {
    const page = await shopper();
    await page.goto(`${base}/help/${ws.slug}/de/returns`);
    await page.getByLabel('Bestellnummer').fill('6002');
    await page.getByLabel(/E-Mail/).fill('jonas@example.com');
    await page.locator('main form[method="post"]').getByRole('button', { name: 'Los', exact: true }).click();
    await page
      .getByRole('heading', { name: 'Artikel aus Bestellung #6002 zurücksenden oder umtauschen' })
      .waitFor();
    const socks = page.locator('li.line', { hasText: 'Merino Socks' });
    await socks.getByLabel('Menge zur Rücksendung').selectOption('2');
    await socks.getByLabel('Grund').selectOption({ label: 'Gefällt mir nicht mehr' });
    await page.getByRole('button', { name: 'Weiter', exact: true }).click();
    await page.screenshot({ path: join(shots, 'returns-portal-de.png'), fullPage: true });
    await page.getByRole('button', { name: 'Rücksendung absenden' }).click();
    await page.getByText(/Danke — deine Rücksendung RMA-\w+ ist eingegangen/).waitFor();
    const r = (await api(ws.admin.headers, 'GET', '/api/v1/returns?limit=10')).items.find(
      (x: { orderNumber: string }) => x.orderNumber === '#6002',
    );
    expect(r.locale).toBe('de');
    await api(ws.agent.headers, 'POST', `/api/v1/returns/${r.id}/decline`, { reason: 'Getragene Socken' });
    await page.reload();
    await page.getByText('Abgelehnt: Getragene Socken').waitFor();
  });
});
