import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, settle } from '../apps/server/test/email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, screenshotDir, signIn } from './support.ts';

const shots = screenshotDir();

/**
 * Problems end to end in Chromium (#17): 20 shoppers write about parcels stuck at one hub; an agent
 * groups their tickets into a problem on the Problems screen, previews who an update would reach,
 * solves the problem — and 20 notices go out, one e-mail per shopper in the dev mailbox, every ticket
 * solved, the problem's timeline saying so.
 */
describe('a problem with 20 linked tickets, solved in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let page: Page;
  const ticketIds: number[] = [];

  beforeAll(async () => {
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard(), EMAIL_SMTP_ENABLED: 'false' });
    base = await listen(t);
    ws = await t.workspace('Hub Outage Shop');
    await createInbox(t, ws, { name: 'Support', address: 'support@hub-outage.test' });
    for (let i = 0; i < 20; i++) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: ws.agent.headers,
        payload: {
          subject: `Parcel stuck in Leipzig (${i + 1})`,
          channel: 'email',
          contact: { email: `shopper${i + 1}@example.com`, name: `Shopper ${i + 1}` },
          message: { body: 'My parcel has not moved for three days. Where is it?' },
        },
      });
      expect(r.statusCode).toBe(201);
      ticketIds.push(r.json().id);
    }
    await settle(t);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await signIn(page, base, ws.agent);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('groups the tickets, previews, solves, and 20 notices go out', async () => {
    await page.getByRole('link', { name: 'Problems' }).click();
    await page.getByRole('heading', { name: 'Problems', exact: true }).waitFor();
    await page.getByLabel('Title').fill('DHL hub Leipzig: parcels held up');
    await page.getByLabel('Cause').fill('A sorting fault at the hub holds parcels for 2–4 days.');
    await page.getByLabel('Tickets (numbers)').fill(ticketIds.join(', '));
    await page.getByRole('button', { name: 'Create problem' }).click();
    await page.getByRole('heading', { name: 'DHL hub Leipzig: parcels held up' }).waitFor();
    await expect
      .poll(() => page.getByTestId('problem-impact').textContent())
      .toContain('20 tickets (20 open)');

    const update = page.getByLabel('Update for every linked customer');
    await update.fill('The hub is sorting again: your parcel should arrive within two days.');
    await page.getByRole('button', { name: 'Preview who would be told' }).click();
    await page.getByText('Would tell 20 of 20 customers').waitFor();
    // A dry run sends nothing.
    await settle(t);
    expect(await notices()).toHaveLength(0);

    await page.getByRole('button', { name: 'Solve and tell everyone' }).click();
    await page.getByText('20 of 20 customers told').waitFor();
    await page.getByText(/^Solved /).waitFor();
    await page.screenshot({ path: join(shots, 'problems-solved.png'), fullPage: true });
    await expect
      .poll(() => page.getByTestId('problem-timeline').textContent())
      .toContain('Solved: 20 customers told');

    await settle(t);
    const mails = await notices();
    expect(mails).toHaveLength(20);
    const to = new Set(mails.map((m) => String(m.to)));
    expect(to.size).toBe(20);
    for (const id of ticketIds) expect((await api(`/api/v1/tickets/${id}`)).status).toBe('solved');

    // The Deliveries screen opens from the navigation too (nothing tracked in this shop yet).
    await page.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByText('Nothing late or broken found').waitFor();
  });

  const notices = async () =>
    (
      (await api('/api/v1/email/dev-mailbox?limit=100')).items as {
        kind: string;
        to: string[];
        subject: string;
      }[]
    )
      // A notice on an existing thread goes as a reply in it ("Re: Update: … [#12]").
      .filter((m) => m.subject.includes('Update: DHL hub Leipzig: parcels held up'));
  const api = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: ws.agent.headers });
    expect(res.statusCode, url).toBe(200);
    return res.json();
  };
});
