import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../apps/server/src/platform/jobs/queue.ts';
import { type FakeCarriers, startFakeCarriers } from '../apps/server/test/carriers-fake.ts';
import { demoOrder } from '../apps/server/test/commerce-helpers.ts';
import { createInbox, settle } from '../apps/server/test/email-helpers.ts';
import {
  LOCAL_TEST_SERVERS,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, screenshotDir, signIn } from './support.ts';

const shots = screenshotDir();
const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

/**
 * A late shipment end to end (#17): the shop polls AfterShip (a local server speaking its v4 API) for a
 * parcel no webhook reports; AfterShip says it is held at the Leipzig hub. The tracking-poll job (from the
 * durable queue) stores the scans, the delivery check opens a ticket on the order before the shopper
 * writes and e-mails the shopper — which an admin then sees in Chromium: the problem on the Deliveries
 * screen with its scan history, the ticket with the note and the notice, the e-mail in the dev mailbox.
 */
describe('a late shipment produces a ticket and an e-mail, seen in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let fake: FakeCarriers;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fake = await startFakeCarriers();
    t = await startTestApp({
      DASHBOARD_DIR: builtDashboard(),
      EMAIL_SMTP_ENABLED: 'false',
      OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
      AFTERSHIP_API_URL: fake.url,
    });
    base = await listen(t);
    ws = await t.workspace('Late Parcel Shop');
    await createInbox(t, ws, { name: 'Support', address: 'support@late-parcel.test' });
    const inject = async (
      method: 'POST' | 'PATCH' | 'PUT',
      url: string,
      payload: object,
      headers = ws.admin.headers,
    ) => {
      const r = await t.app.inject({ method, url, headers, payload });
      expect(r.statusCode, `${method} ${url}: ${r.body}`).toBeLessThan(300);
      return r.json();
    };
    await inject('PATCH', '/api/v1/notices/settings', {
      quietStart: '00:00',
      quietEnd: '00:00',
      capCount: 50,
    });
    const conn = await inject('POST', '/api/v1/commerce/connections', {
      platform: 'builtin',
      currency: 'EUR',
    });
    await inject(
      'POST',
      '/api/v1/store/batch',
      {
        orders: [
          demoOrder({
            externalId: 'o-5001',
            number: '#5001',
            updatedAt: ago(3),
            customer: { externalId: 'c-51', email: 'lena@example.com', firstName: 'Lena', lastName: 'Vogel' },
            fulfillmentStatus: 'fulfilled',
            fulfillments: [
              {
                externalId: 'f-51',
                carrier: 'DHL',
                trackingNumber: 'JD0146000051',
                shippedAt: ago(3),
                updatedAt: ago(3),
                shipmentStatus: 'label_printed',
              },
            ],
          }),
        ],
      },
      { authorization: `Bearer ${conn.token}` },
    );
    await inject('POST', '/api/v1/tracking/sweep', {});
    fake.aftership.set('JD0146000051', {
      tracking_number: 'JD0146000051',
      slug: 'dhl',
      tag: 'Exception',
      subtag: 'Exception_010',
      expected_delivery: ago(-4),
      checkpoints: [
        {
          tag: 'InfoReceived',
          subtag: 'InfoReceived_001',
          checkpoint_time: ago(3),
          message: 'Shipment data received',
        },
        {
          tag: 'InTransit',
          subtag: 'InTransit_001',
          checkpoint_time: ago(2),
          message: 'Picked up',
          location: 'Berlin, DE',
        },
        {
          tag: 'Exception',
          subtag: 'Exception_010',
          checkpoint_time: ago(1),
          message: 'Held at the hub: sorting fault',
          location: 'Leipzig hub, DE',
        },
      ],
    });
    await inject('PUT', '/api/v1/tracking/sources/aftership/polling', {
      apiKey: fake.keys.aftership,
      pollMinutes: 60,
    });
    // The sweep job schedules each polling source's run; here the run is enqueued as the sweep would.
    const src = (
      await t.app.inject({ method: 'GET', url: '/api/v1/tracking/sources', headers: ws.admin.headers })
    ).json().items[0] as { id: number };
    await enqueue(t.db, 'tracking-poll', { sourceId: src.id }, { workspaceId: ws.workspaceId });
    await settle(t);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await signIn(page, base, ws.admin);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await fake?.close();
  });

  it('shows the problem, its ticket with the scan history and the notice, and the e-mail', async () => {
    expect(fake.requests.some((r) => r.path === '/v4/trackings/dhl/JD0146000051')).toBe(true);
    await page.getByRole('link', { name: 'Deliveries' }).click();
    const found = page.getByRole('table', { name: 'Delivery problems found' });
    await found.getByText('Carrier exception (held)').waitFor();
    await found.getByRole('button', { name: 'JD0146000051' }).click();
    const history = page.getByRole('region', { name: 'Scan history' });
    await history.getByText(/Held at the hub: sorting fault/).waitFor();
    await page.screenshot({ path: join(shots, 'late-shipment-deliveries.png'), fullPage: true });

    await found
      .getByRole('link', { name: /^#\d+$/ })
      .first()
      .click();
    await page.getByText('Order #5001: delivery needs attention').first().waitFor();
    await page
      .getByText(/Scan history/)
      .first()
      .waitFor();
    await page
      .getByText(/Held at the hub: sorting fault/)
      .first()
      .waitFor();

    await page.goto(`${base}/settings/dev-mailbox`);
    const mail = page.getByRole('list', { name: 'Sent emails' }).getByRole('button', {
      name: /Order #5001: an update on your delivery/,
    });
    await mail.waitFor();
    await expect.poll(() => mail.textContent()).toContain('lena@example.com');
    await mail.click();
    // The e-mail opens (its body renders in a sandboxed frame, so the headers are what is asserted here).
    await page.getByRole('article', { name: /Order #5001: an update on your delivery/ }).waitFor();
    await page.screenshot({ path: join(shots, 'late-shipment-email.png'), fullPage: true });
    // One e-mail to the shopper, however often the check runs again.
    await t.app.inject({ method: 'POST', url: '/api/v1/tracking/sweep', headers: ws.admin.headers });
    await settle(t);
    const box = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/email/dev-mailbox?limit=100',
        headers: ws.admin.headers,
      })
    ).json().items as { to: string[]; subject: string }[];
    expect(box.filter((m) => m.to.includes('lena@example.com') && m.subject.includes('#5001'))).toHaveLength(
      1,
    );
  });
});
