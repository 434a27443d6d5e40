import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_TEST_SERVERS,
  startTestApp,
  type TestApp,
  type TestWorkspace,
  ticketBody,
} from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, signIn } from './support.ts';

// An admin connects another tool: Settings → Webhooks, subscribes a URL, copies the secret shown once,
// sees the signed delivery in the log with the receiver's answer, redelivers it, and switches it off.

const wait = { timeout: 15_000 };
type Hit = { body: string; headers: Record<string, string> };

describe('webhooks in the dashboard', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let page: Page;
  let receiver: Server;
  let receiverUrl: string;
  const hits: Hit[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        hits.push({ body, headers: req.headers as Record<string, string> });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks from the ERP');
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/erp-hook`;
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard(), OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS });
    base = await listen(t);
    ws = await t.workspace('Hooked Outfitters');
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await signIn(page, base, ws.admin);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await new Promise((ok) => receiver?.close(ok));
  });

  it('subscribes, shows the signed delivery with its answer, redelivers and switches off', async () => {
    await page.goto(`${base}/settings/webhooks`);
    await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor(wait);
    await page.getByLabel('Endpoint URL').fill(receiverUrl);
    await page.getByLabel('Description').fill('Our ERP');
    await page.getByRole('checkbox', { name: 'ticket.created' }).waitFor(wait);
    expect(await page.getByRole('checkbox', { name: 'ticket.created' }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Add subscription' }).click();
    const secret = (await page.getByTestId('webhook-secret').locator('pre').textContent(wait))!.trim();
    expect(secret).toMatch(/^whsec_/);
    const table = page.getByRole('table', { name: 'Webhook subscriptions' });
    await table.getByRole('cell', { name: receiverUrl }).waitFor(wait);

    const ticket = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: ws.agent.headers,
      payload: ticketBody({ subject: 'Parcel lost in transit' }),
    });
    expect(ticket.statusCode).toBe(201);
    await t.jobs.drain();
    expect(hits).toHaveLength(1);
    const h = hits[0]!.headers;
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update(`${h['webhook-id']}.${h['webhook-timestamp']}.${hits[0]!.body}`)
      .digest('base64');
    expect(h['webhook-signature']).toBe(`v1,${expected}`);

    await table.getByRole('button', { name: 'Deliveries' }).click();
    const log = page.getByRole('region', { name: 'Delivery log' });
    const row = log.getByRole('row').filter({ hasText: 'ticket.created' });
    await row.filter({ hasText: 'succeeded' }).waitFor(wait);
    await row.getByRole('button', { name: 'ticket.created' }).click();
    const detail = page.getByRole('region', { name: 'Delivery detail' });
    await detail.getByText('thanks from the ERP').waitFor(wait);
    expect(await detail.textContent()).toContain('Parcel lost in transit');

    await row.getByRole('button', { name: 'Redeliver' }).click();
    await page.getByRole('status').filter({ hasText: 'Redelivery queued' }).waitFor(wait);
    await t.jobs.drain();
    expect(hits).toHaveLength(2);
    expect(hits[1]!.headers['webhook-id']).toBe(h['webhook-id']);

    await table.getByRole('button', { name: 'Switch off' }).click();
    await table.getByRole('button', { name: 'Switch on' }).waitFor(wait);
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: ws.agent.headers,
      payload: ticketBody(),
    });
    await t.jobs.drain();
    expect(hits).toHaveLength(2);
  });
});
