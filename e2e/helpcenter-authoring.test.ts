import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestApp,
  type TestActor,
  type TestApp,
  type TestWorkspace,
  ticketBody,
} from '../apps/server/test/harness.ts';
import { call } from '../apps/server/test/helpcenter-helpers.ts';
import { builtDashboard, launchChromium, listen } from './support.ts';

// 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

// Authoring in the dashboard, checked against what shoppers see on the server-rendered help center.
describe('help center authoring in the dashboard', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let articleUrl = '';

  beforeAll(async () => {
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard() });
    base = await listen(t);
    ws = await t.workspace('E2E Authoring Shop');
    const s = await call(t, 'PATCH', '/api/v1/helpcenter/settings', ws.admin.headers, {
      locales: ['en', 'de'],
    });
    expect(s.statusCode).toBe(200);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function signIn(actor: TestActor): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(actor.email);
    await page.getByLabel('Password').fill(actor.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('.rail').waitFor();
    return { ctx, page };
  }
  const portal = (path: string) => call(t, 'GET', path);
  const status = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text }).waitFor();

  it('writes, previews, drafts, publishes, edits, restores, translates an article and shows its stats', async () => {
    const { ctx, page } = await signIn(ws.lead);
    await page.getByRole('link', { name: /Help center/ }).click();
    await page.getByRole('heading', { name: 'Help center articles' }).waitFor();

    // Categories and sections.
    await page.getByRole('link', { name: 'Categories & sections' }).click();
    await page.getByLabel('New category').fill('Orders and delivery');
    await page.getByRole('button', { name: 'Add' }).click();
    await status(page, 'Category “Orders and delivery” created.');
    await page.getByLabel('New section in Orders and delivery').fill('Gifts');
    await page.getByRole('button', { name: 'Add' }).first().click();
    await status(page, 'Section “Gifts” created.');
    await page.getByLabel('Category name (German)').fill('Bestellungen und Versand');
    await page.locator('.hc-category-names').getByRole('button', { name: 'Save' }).click();
    await status(page, 'Category saved.');

    // A new article with a heading and a table, previewed as the portal renders it.
    await page.getByRole('link', { name: 'Articles', exact: true }).click();
    await page.getByRole('link', { name: 'New article' }).click();
    await page.getByLabel('Section').selectOption({ label: 'Orders and delivery › Gifts' });
    await page.getByLabel('Title (English)').fill('Gift wrapping');
    await page.getByLabel('Summary (English)').fill('How we wrap gifts and what it costs.');
    await page
      .getByLabel('Body (Markdown, English)')
      .fill('## Wrapping options\n\n| Option | Price |\n| --- | --- |\n| Paper | 3 EUR |\n| Box | 6 EUR |\n');
    const preview = page.frameLocator('iframe[title="Preview (English)"]');
    await preview.locator('h2', { hasText: 'Wrapping options' }).waitFor();
    expect(await preview.locator('table td').allTextContents()).toEqual(['Paper', '3 EUR', 'Box', '6 EUR']);
    // An image uploaded into the article lands at the caret and shows in the preview.
    await page.getByLabel('Upload image into the English article').setInputFiles({
      name: 'gift-box.png',
      mimeType: 'image/png',
      buffer: PNG,
    });
    await status(page, 'Image gift-box.png uploaded and inserted.');
    expect(await page.getByLabel('Body (Markdown, English)').inputValue()).toMatch(
      new RegExp(`!\\[gift-box\\]\\(/help/${ws.slug}/images/[0-9a-f]{64}\\.png\\)`),
    );
    await preview.locator('img[alt="gift-box"]').waitFor();
    await page.waitForFunction(() => {
      const f = document.querySelector<HTMLIFrameElement>('iframe[title="Preview (English)"]');
      return (f?.contentDocument?.querySelector('img') as HTMLImageElement | null)?.naturalWidth === 1;
    });
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/helpcenter\/articles\/\d+$/);
    const id = Number(page.url().split('/').pop());
    // A draft is not on the portal.
    expect((await portal(`/help/${ws.slug}/en/articles/${id}`)).statusCode).toBe(404);

    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await status(page, 'English version published');
    articleUrl = (await page.getByRole('link', { name: 'View on the help center ↗' }).getAttribute('href'))!;
    expect(articleUrl).toMatch(new RegExp(`/help/${ws.slug}/en/articles/${id}-gift-wrapping`));
    const shopper = await browser.newContext();
    const sp = await shopper.newPage();
    // Links name the configured public URL; the test server listens on its own port.
    await sp.goto(`${base}${new URL(articleUrl).pathname}`);
    expect(await sp.textContent('h1')).toBe('Gift wrapping');
    expect(await sp.locator('main table td').allTextContents()).toContain('3 EUR');
    // The image may still be loading (lazily, on a busy machine): wait until it has decoded.
    await expect
      .poll(
        () =>
          sp
            .locator('main img[alt="gift-box"]')
            .evaluate((i: HTMLImageElement) => (i.complete ? i.naturalWidth : -1)),
        { timeout: 20_000 },
      )
      .toBe(1);

    // Internal only: shoppers no longer see it; switched back, they do.
    await page.getByLabel('Internal only (agents)').check();
    await page.locator('.badge.hc-internal').first().waitFor();
    // The switch shows at once (optimistic); the portal follows once the server has stored it.
    const portalStatus = async () => (await portal(new URL(articleUrl).pathname)).statusCode;
    await expect.poll(portalStatus, { timeout: 10_000 }).toBe(404);
    await page.getByLabel('Internal only (agents)').uncheck();
    await page.locator('.list-head .badge.hc-internal').waitFor({ state: 'detached' });
    await expect.poll(portalStatus, { timeout: 10_000 }).toBe(200);

    // Edit again: the draft changes nothing for shoppers until it is published.
    const body = page.getByLabel('Body (Markdown, English)');
    await body.fill((await body.inputValue()).replace('3 EUR', '4 EUR'));
    await page.getByRole('button', { name: 'Save draft' }).click();
    await status(page, 'English draft saved');
    await sp.reload();
    expect(await sp.locator('main table td').allTextContents()).toContain('3 EUR');
    await page.getByRole('button', { name: 'Publish changes' }).click();
    await status(page, 'English version published');
    await sp.reload();
    expect(await sp.locator('main table td').allTextContents()).toContain('4 EUR');

    // History: restore the first published version, then publish it.
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByRole('button', { name: /^Restore version 1 \(English, Published\)/ }).click();
    await status(page, 'Version 1 (English) is the draft again');
    await page.getByRole('tab', { name: 'Edit' }).click();
    expect(await page.getByLabel('Body (Markdown, English)').inputValue()).toContain('3 EUR');
    await page.getByRole('button', { name: 'Publish changes' }).click();
    await status(page, 'English version published');
    await sp.reload();
    expect(await sp.locator('main table td').allTextContents()).toContain('3 EUR');

    // Translation side by side: English on the left, the new German version on the right.
    await page.getByRole('tab', { name: 'Translations' }).click();
    const original = page.getByRole('region', { name: 'Original (English)' });
    await original.getByText('| Paper | 3 EUR |').waitFor();
    await page.getByRole('button', { name: 'Create German version' }).click();
    await page.getByLabel('Title (German)').fill('Geschenkverpackung');
    const de = page.getByLabel('Body (Markdown, German)');
    expect(await de.inputValue()).toContain('Wrapping options'); // starts from the original
    await de.fill('## Verpackungsoptionen\n\n| Option | Preis |\n| --- | --- |\n| Papier | 3 EUR |\n');
    await page
      .frameLocator('iframe[title="Preview (German)"]')
      .locator('h2', { hasText: 'Verpackungsoptionen' })
      .waitFor();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await status(page, 'German version published');
    await sp.reload();
    const option = sp.locator('#lang option', { hasText: /Deutsch|German/ });
    expect(await option.getAttribute('value')).toContain(`/de/articles/${id}-gift-wrapping`);
    await sp.selectOption('#lang', (await option.getAttribute('value'))!);
    await sp.locator('form[action$="/language"] button').click();
    await sp.waitForURL(/\/de\/articles\//);
    expect(await sp.textContent('h1')).toBe('Geschenkverpackung');

    // Unpublishing the German version sends German visitors to the English text; publishing brings it back.
    await page.getByRole('button', { name: 'Unpublish' }).click();
    await status(page, 'German version unpublished.');
    await sp.reload();
    expect(await sp.textContent('h1')).toBe('Gift wrapping');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await status(page, 'German version published');

    // A colleague saved meanwhile: the stale save is refused, and their version can be loaded.
    await page.getByRole('tab', { name: 'Edit' }).click();
    const en = (await call(t, 'GET', `/api/v1/helpcenter/articles/${id}`, ws.agent.headers))
      .json()
      .translations.find((x: { locale: string }) => x.locale === 'en');
    const theirs = await call(
      t,
      'PUT',
      `/api/v1/helpcenter/articles/${id}/translations/en`,
      ws.agent.headers,
      {
        title: 'Gift wrapping service',
        bodyMd: en.bodyMd,
        summary: en.summary,
        baseVersion: en.draftVersion,
      },
    );
    expect(theirs.statusCode).toBe(200);
    await page.getByLabel('Summary (English)').fill('Wrapping for every gift.');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('alert').filter({ hasText: 'Someone saved this article' }).waitFor();
    await page.getByRole('button', { name: /Load their version/ }).click();
    await expect.poll(() => page.getByLabel('Title (English)').inputValue()).toBe('Gift wrapping service');

    // The list shows both languages as published; the filters narrow it.
    await page.getByRole('link', { name: '← Articles' }).click();
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('link', { name: 'Gift wrapping' }).waitFor();
    await page.getByLabel('Status').selectOption('draft');
    await page.getByText('No articles match.').waitFor();
    await page.getByLabel('Status').selectOption('published');
    await page.getByRole('link', { name: 'Gift wrapping' }).click();

    // Stats count the shopper's visits.
    await page.getByRole('tab', { name: 'Stats' }).click();
    const views = page.locator('.hc-figure', { hasText: 'Views' }).locator('.hc-figure-value');
    await views.waitFor();
    expect(Number(await views.textContent())).toBeGreaterThanOrEqual(1);

    // A lead deletes the German version: German visitors get the English article again.
    await page.getByRole('tab', { name: 'Translations' }).click();
    await page.getByRole('button', { name: 'Delete German version' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await status(page, 'German version deleted.');
    await sp.goto(`${base}/help/${ws.slug}/de/articles/${id}-gift-wrapping`);
    expect(await sp.textContent('h1')).toBe('Gift wrapping');
    await shopper.close();
    await ctx.close();
  });

  it('lets an agent insert an article link into a reply; the sent message carries the URL', async () => {
    expect(articleUrl).not.toBe('');
    const created = await call(
      t,
      'POST',
      '/api/v1/tickets',
      ws.agent.headers,
      ticketBody({ subject: 'Gift for my aunt' }),
    );
    expect(created.statusCode).toBe(201);
    const ticketId = created.json().id;
    const { ctx, page } = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${ticketId}`);
    const reply = page.getByLabel('Reply to the customer by api');
    await reply.fill('Hi Sam, we can wrap it for you.  Thanks!');
    // Caret after "you." — the link goes there, not at the end.
    await reply.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(32, 32));
    await page.getByRole('button', { name: 'Insert article link' }).click();
    await page.getByLabel('Search help center articles').fill('gift wraping');
    await page
      .getByRole('dialog', { name: 'Insert a help center article link' })
      .getByRole('button', { name: /Gift wrapping/ })
      .click();
    const text = await reply.inputValue();
    expect(text).toBe(`Hi Sam, we can wrap it for you. Gift wrapping: ${articleUrl} Thanks!`);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.timeline').getByText(articleUrl).first().waitFor();
    const ticket = (await call(t, 'GET', `/api/v1/tickets/${ticketId}`, ws.agent.headers)).json();
    const sent = ticket.messages.find((m: { kind: string }) => m.kind === 'outbound');
    expect(sent.bodyText).toContain(articleUrl);
    await ctx.close();
  });
  it('arranges categories, sections and articles in the order shoppers see, and changes an address', async () => {
    const h = ws.admin.headers;
    const made = async (url: string, body: unknown) => {
      const r = await call(t, 'POST', url, h, body);
      expect(r.statusCode).toBe(201);
      return r.json().id as number;
    };
    const returns = await made('/api/v1/helpcenter/categories', {
      slug: 'returns',
      names: { en: { name: 'Returns' } },
    });
    await made('/api/v1/helpcenter/categories', { slug: 'payments', names: { en: { name: 'Payments' } } });
    const refunds = await made('/api/v1/helpcenter/sections', {
      slug: 'refunds',
      categoryId: returns,
      names: { en: { name: 'Refunds' } },
    });
    for (const [slug, title] of [
      ['refund-timing', 'When will I get my refund?'],
      ['refund-methods', 'How refunds are paid'],
      ['refund-fees', 'Are there refund fees?'],
    ])
      await made('/api/v1/helpcenter/articles', {
        slug,
        sectionId: refunds,
        visibility: 'public',
        title,
        bodyMd: `${title} Answered here.`,
        summary: title,
        keywords: 'refund',
        publish: true,
      });

    const { ctx, page } = await signIn(ws.lead);
    await page.goto(`${base}/helpcenter/categories`);
    const list = page.getByRole('list', { name: 'Articles in Refunds' });
    const titles = () => list.getByRole('link').allTextContents();
    await expect
      .poll(titles)
      .toEqual(['When will I get my refund?', 'How refunds are paid', 'Are there refund fees?']);
    await page.getByRole('button', { name: 'Move article Are there refund fees? up' }).click();
    await status(page, 'Order saved.');
    await expect
      .poll(titles)
      .toEqual(['When will I get my refund?', 'Are there refund fees?', 'How refunds are paid']);
    await page.getByRole('button', { name: 'Move article Are there refund fees? up' }).click();
    await expect
      .poll(titles)
      .toEqual(['Are there refund fees?', 'When will I get my refund?', 'How refunds are paid']);
    await page.getByRole('button', { name: 'Move category Payments up' }).click();
    const categoryOrder = async () => {
      const labels = await page
        .locator('section.hc-category')
        .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      return labels.indexOf('Category Payments') < labels.indexOf('Category Returns');
    };
    await expect.poll(categoryOrder, { timeout: 10_000 }).toBe(true);

    // Shoppers see the new order on the server-rendered section page.
    const section = await portal(`/help/${ws.slug}/en/sections/refunds`);
    expect(section.statusCode).toBe(200);
    const at = (text: string) => section.body.indexOf(text);
    expect(at('Are there refund fees?')).toBeGreaterThan(-1);
    expect(at('Are there refund fees?')).toBeLessThan(at('When will I get my refund?'));
    expect(at('When will I get my refund?')).toBeLessThan(at('How refunds are paid'));

    // A new address for one article: the portal serves it there.
    await list.getByRole('link', { name: 'How refunds are paid' }).click();
    await page.getByRole('button', { name: 'Change address' }).click();
    await page.getByLabel('Article address').fill('refund-payment-methods');
    await page.getByRole('button', { name: 'Save address' }).click();
    await page.getByText('/refund-payment-methods').waitFor();
    await expect
      .poll(async () => (await portal(`/help/${ws.slug}/en/sections/refunds`)).body, { timeout: 10_000 })
      .toMatch(/articles\/\d+-refund-payment-methods/);
    await ctx.close();
  });
});
