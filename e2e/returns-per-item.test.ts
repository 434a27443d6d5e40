import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from '../apps/server/test/harness.ts';
import { builtinStore, deliveredOrder } from '../apps/server/test/returns-helpers.ts';
import { launchChromium, listen } from './support.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * The shopper's portal in German with JavaScript off (#14): two items, an outcome per item — an
 * exchange for the damaged shoes with the photo the reason asks for, store credit for the socks.
 */
describe('returns portal, an outcome per item, in German', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    base = await listen(t);
    ws = await t.workspace('Returns Per Item');
    await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/helpcenter/settings',
      headers: ws.admin.headers,
      payload: { locales: ['en', 'de'] },
    });
    const store = await builtinStore(t, ws);
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/store/batch',
      headers: store,
      payload: { orders: [deliveredOrder('7001', 'mia@example.com')] },
    });
    browser = await launchChromium();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('picks an exchange with a photo for one item and store credit for the other', async () => {
    const order = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/commerce/orders?number=%237001',
        headers: ws.agent.headers,
      })
    ).json().items[0];
    const link = await t.services.returns.portalUrl(ws.workspaceId, order.id, 'de');
    const ctx = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1000, height: 1200 },
    });
    const page = await ctx.newPage();
    await page.goto(`${base}${new URL(link!, base).pathname}`);
    const shoes = page.locator('li.line', { hasText: 'Trail Runner 2' });
    await shoes.getByLabel('Menge zur Rücksendung').selectOption('1');
    await shoes.getByLabel('Grund').selectOption({ label: 'Beschädigt oder defekt' });
    const socks = page.locator('li.line', { hasText: 'Merino Socks' });
    await socks.getByLabel('Menge zur Rücksendung').selectOption('2');
    await socks.getByLabel('Grund').selectOption({ label: 'Zu klein' });
    await page.getByRole('button', { name: 'Weiter' }).click();

    const forShoes = page.getByRole('group', { name: 'Was möchtest du für Trail Runner 2?' });
    await forShoes.waitFor();
    await forShoes.getByLabel(/Umtausch/).check();
    await page.getByLabel(/Fotos von Trail Runner 2/).setInputFiles({
      name: 'box.png',
      mimeType: 'image/png',
      buffer: PNG,
    });
    await page
      .getByRole('group', { name: 'Was möchtest du für Merino Socks?' })
      .getByLabel(/Guthaben/)
      .check();
    await page.getByRole('button', { name: 'Rücksendung absenden' }).click();
    await page.locator('section.return').waitFor();

    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/returns?orderId=${order.id}`,
      headers: ws.admin.headers,
    });
    const [r] = res.json().items;
    expect(r).toMatchObject({ outcome: 'mixed', locale: 'de', createdBy: 'shopper' });
    expect(
      r.lines.map((l: { title: string; outcome: string; photos: unknown[] }) => [
        l.title,
        l.outcome,
        l.photos.length,
      ]),
    ).toEqual([
      ['Trail Runner 2', 'exchange', 1],
      ['Merino Socks', 'store_credit', 0],
    ]);
    // The status card names each item's outcome in German.
    expect(await page.locator('section.return').textContent()).toContain('Guthaben im Shop');
    await ctx.close();
  });
});
