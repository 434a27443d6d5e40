import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_TEST_SERVERS,
  startTestApp,
  type TestActor,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, screenshotDir, signIn as signInAt } from './support.ts';

const shots = screenshotDir();

const day = 86_400_000;

const order = (
  n: number,
  lines: { id: string; title: string; qty: number; price: number }[],
  ageDays: number,
) => {
  const subtotal = lines.reduce((s, l) => s + l.qty * l.price, 0);
  const at = new Date(Date.now() - ageDays * day).toISOString();
  return {
    externalId: `o-${n}`,
    number: `#${n}`,
    customer: { externalId: 'c-mia', email: 'mia@example.com', firstName: 'Mia', lastName: 'Keller' },
    currency: 'EUR',
    subtotal,
    shipping: 500,
    total: subtotal + 500,
    financialStatus: 'paid',
    fulfillmentStatus: 'fulfilled',
    placedAt: at,
    updatedAt: at,
    lineItems: lines.map((l) => ({ externalId: l.id, title: l.title, quantity: l.qty, price: l.price })),
    transactions: [
      { externalId: `t-${n}`, kind: 'sale', gateway: 'stripe', amount: subtotal + 500, processedAt: at },
    ],
    fulfillments: [
      {
        externalId: `f-${n}`,
        carrier: 'DHL',
        trackingNumber: `JJD${n}`,
        trackingUrl: `https://www.dhl.de/track?id=JJD${n}`,
        shippedAt: at,
        updatedAt: at,
      },
    ],
  };
};

describe('commerce from the ticket, in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let dashboardDir: string;
  let ticketId: number;
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
    await signInAt(page, base, actor);
    return page;
  };

  beforeAll(async () => {
    dashboardDir = builtDashboard();
    t = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS, DASHBOARD_DIR: dashboardDir });
    base = await listen(t);
    ws = await t.workspace('Commerce Journey');
    await api(ws.admin.headers, 'PUT', '/api/v1/commerce/policy', {
      currency: 'EUR',
      refundLimits: { agent: 5000, lead: 50000, admin: null },
    });
    const conn = await api(ws.admin.headers, 'POST', '/api/v1/commerce/connections', {
      platform: 'builtin',
      currency: 'EUR',
    });
    await api({ authorization: `Bearer ${conn.token}` }, 'POST', '/api/v1/store/batch', {
      orders: [
        order(
          5001,
          [
            { id: 'a', title: 'Trail Runner 2', qty: 1, price: 12900 },
            { id: 'b', title: 'Merino Socks', qty: 2, price: 1450 },
          ],
          6,
        ),
        order(5002, [{ id: 'c', title: 'Alpine Down Jacket', qty: 1, price: 24900 }], 2),
        {
          // Not shipped yet: its address can still change.
          ...order(5003, [{ id: 'd', title: 'Wool Beanie', qty: 1, price: 2500 }], 10),
          fulfillmentStatus: 'unfulfilled',
          fulfillments: [],
          shippingAddress: {
            name: 'Mia Keller',
            address1: 'Ringstr. 5',
            zip: '80331',
            city: 'München',
            countryCode: 'DE',
          },
        },
      ],
    });
    ticketId = (
      await api(ws.agent.headers, 'POST', '/api/v1/tickets', {
        subject: 'Socks missing from #5001',
        contact: { email: 'mia@example.com', name: 'Mia Keller' },
        message: { body: 'Hello, my order #5001 came without the socks. Can you refund them?' },
      })
    ).id;
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.stop();
  });

  it('agent sees both orders, refunds one line, and the timeline shows it', async () => {
    const page = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${ticketId}`);
    const section = page.getByTestId('orders-section');
    await section.waitFor();
    const first = section.getByTestId('order-#5001');
    const second = section.getByTestId('order-#5002');
    await expect.poll(() => first.count()).toBe(1);
    expect(await second.count()).toBe(1);
    // Newest first, and the order the customer wrote about is marked.
    const numbers = await section.locator('article strong').allTextContents();
    expect(numbers.slice(0, 2)).toEqual(['#5002', '#5001']);
    expect(await first.getByText('mentioned').count()).toBe(1);
    expect(await first.getByRole('link', { name: 'JJD5001' }).getAttribute('href')).toBe(
      'https://www.dhl.de/track?id=JJD5001',
    );

    await first.getByRole('button', { name: 'Actions…' }).click();
    await first.getByLabel('Refund quantity Merino Socks').fill('1');
    await first.getByRole('button', { name: 'Confirm' }).click();
    await first.getByRole('status').filter({ hasText: 'Refunded' }).waitFor();
    await page
      .getByTestId('order-action-event')
      .filter({ hasText: 'Refund of 14.50 EUR on #5001' })
      .filter({ hasText: 'done' })
      .waitFor();
    const o = (await api(ws.agent.headers, 'GET', '/api/v1/commerce/orders?number=5001', undefined)).items[0];
    expect(o.refunded).toBe(1450);
  });

  it('the action form starts fresh after each request: the next refund is not blocked by old values', async () => {
    const page = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${ticketId}`);
    const first = page.getByTestId('order-#5001');
    await first.waitFor();
    await first.getByRole('button', { name: 'Actions…' }).click();
    await first.getByLabel('Refund quantity Merino Socks').fill('1');
    await first.getByLabel('Note').fill('Second pair missing too');
    await first.getByRole('button', { name: 'Confirm' }).click();
    await first.getByRole('status').filter({ hasText: 'Refunded' }).waitFor();
    await page.screenshot({ path: join(shots, 'commerce-refund-form.png') });
    // Each radio, checkbox and quantity sits on one line with its text (they stacked above it before).
    for (const text of ['Restock items', 'Trail Runner 2 (of 1)', 'Amount']) {
      const box = await first.locator('label', { hasText: text }).last().boundingBox();
      expect(box!.height, text).toBeLessThan(40);
    }
    // Both pairs are refunded now: the socks field is back at 0 (of 0) and the note is empty.
    expect(await first.getByLabel('Refund quantity Merino Socks').inputValue()).toBe('0');
    expect(await first.getByLabel('Note').inputValue()).toBe('');
    // The next request goes through instead of the browser's "value must be less than or equal to 0".
    await first.getByRole('radio', { name: 'Amount' }).check();
    await first.getByLabel('Refund amount').fill('1.00');
    await first.getByRole('button', { name: 'Confirm' }).click();
    await first.getByRole('status').filter({ hasText: 'Refunded 1.00' }).waitFor();
    const o = (await api(ws.agent.headers, 'GET', '/api/v1/commerce/orders?number=5001')).items[0];
    expect(o.refunded).toBe(1450 + 1450 + 100);
    const notes = (await api(ws.agent.headers, 'GET', `/api/v1/commerce/actions?orderId=${o.id}`)).map(
      (a: { params: { note?: string } }) => a.params.note ?? null,
    );
    expect(notes).toEqual([null, 'Second pair missing too', null]);
  });

  it('an address edit shows the second address line, with labels a person reads', async () => {
    const page = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${ticketId}`);
    const card = page.getByTestId('order-#5003');
    await card.waitFor();
    await card.locator('button.order-head').click();
    await card.getByRole('button', { name: 'Actions…' }).click();
    await card.getByLabel('Action').selectOption('update_address');
    expect(await card.getByText('address1', { exact: true }).count()).toBe(0);
    await card.getByLabel('Address line 2').fill('Hinterhaus, 3. OG');
    await card.getByLabel('Postcode').fill('80333');
    await page.screenshot({ path: join(shots, 'commerce-address-form.png') });
    await card.getByRole('button', { name: 'Confirm' }).click();
    await card.getByRole('status').waitFor();
    await card.getByText(/Ship to: .*Ringstr\. 5, Hinterhaus, 3\. OG, 80333/).waitFor();
  });

  it('an agent over the limit gets "sent for approval", and a lead approves it', async () => {
    const agent = await signIn(ws.agent);
    await agent.goto(`${base}/tickets/${ticketId}`);
    const second = agent.getByTestId('order-#5002');
    await second.waitFor();
    await second.locator('button.order-head').click();
    await second.getByRole('button', { name: 'Actions…' }).click();
    await second.getByRole('radio', { name: /Full/ }).check();
    await second.getByRole('button', { name: 'Confirm' }).click();
    await second.getByRole('status').filter({ hasText: 'Sent for approval' }).waitFor();
    expect(
      (await api(ws.agent.headers, 'GET', '/api/v1/commerce/orders?number=5002', undefined)).items[0]
        .refunded,
    ).toBe(0);

    const lead = await signIn(ws.lead);
    await lead.goto(`${base}/approvals`);
    const request = lead.locator('[data-testid^="approval-"]').filter({ hasText: '#5002' });
    await request.waitFor();
    expect(await request.textContent()).toContain('above the agent limit');
    await request.getByRole('button', { name: 'Approve' }).click();
    await lead.getByRole('status').filter({ hasText: '#5002: approved and done' }).waitFor();
    expect(
      (await api(ws.agent.headers, 'GET', '/api/v1/commerce/orders?number=5002', undefined)).items[0]
        .refunded,
    ).toBe(25400);
    await agent.reload();
    await agent.getByTestId('order-action-event').filter({ hasText: 'approved' }).first().waitFor();
  });

  it("a new sender who names another customer's order sees neither its details nor its actions", async () => {
    const stranger = (
      await api(ws.agent.headers, 'POST', '/api/v1/tickets', {
        subject: 'Order #5001',
        contact: { email: 'stranger@mail.example', name: 'New Sender' },
        message: { body: 'Please send order #5001 to my new address.' },
      })
    ).id;
    const page = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${stranger}`);
    const section = page.getByTestId('orders-section');
    await section.getByTestId('order-other-#5001').waitFor();
    expect(await section.getByTestId('order-other-#5001').textContent()).toContain(
      'belongs to another customer',
    );
    const text = (await section.textContent()) ?? '';
    for (const personal of ['Mia', 'Trail Runner', 'JJD5001', 'mia@example.com'])
      expect(text).not.toContain(personal);
    expect(await section.getByRole('button', { name: 'Actions…' }).count()).toBe(0);
  });

  it('an admin sees the store connection and its sync status, and edits the policy', async () => {
    const admin = await signIn(ws.admin);
    await admin.goto(`${base}/settings/stores`);
    await admin.getByRole('heading', { name: 'Store connections', exact: true }).first().waitFor();
    const card = admin.locator('[data-testid^="store-"]').first();
    await card.getByText(/3 orders/).waitFor();
    expect(await card.textContent()).toContain('sdstore_');
    await admin.goto(`${base}/settings/commerce-policy`);
    await admin.getByLabel('Agent refund limit').fill('75.00');
    await admin.getByRole('button', { name: 'Save policy' }).click();
    await admin.getByRole('status').filter({ hasText: 'Policy saved' }).waitFor();
    const policy = await api(ws.agent.headers, 'GET', '/api/v1/commerce/policy');
    expect(policy.refundLimits.agent).toBe(7500);
  });
});
