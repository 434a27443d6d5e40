import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { call } from './helpcenter-helpers.ts';

// What the dashboard's authoring screens rely on beyond the portal tests: list filters, the editor
// preview, image upload, and history/stats scoped to the caller's workspace and role.

let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
const ids: Record<string, number> = {};

// 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Authoring Shop');
  other = await t.workspace('Other Authoring Shop');
  const h = ws.admin.headers;
  await call(t, 'PATCH', '/api/v1/helpcenter/settings', h, { locales: ['en', 'de'] });
  const cat = (
    await call(t, 'POST', '/api/v1/helpcenter/categories', h, {
      slug: 'orders',
      names: { en: { name: 'Orders' } },
    })
  ).json();
  const cat2 = (
    await call(t, 'POST', '/api/v1/helpcenter/categories', h, {
      slug: 'account',
      names: { en: { name: 'Account' } },
    })
  ).json();
  const sec = (
    await call(t, 'POST', '/api/v1/helpcenter/sections', h, {
      slug: 'shipping',
      categoryId: cat.id,
      names: { en: { name: 'Shipping' } },
    })
  ).json();
  const sec2 = (
    await call(t, 'POST', '/api/v1/helpcenter/sections', h, {
      slug: 'login',
      categoryId: cat2.id,
      names: { en: { name: 'Login' } },
    })
  ).json();
  const mk = async (slug: string, over: Record<string, unknown>) => {
    const r = await call(t, 'POST', '/api/v1/helpcenter/articles', h, { slug, title: slug, ...over });
    expect(r.statusCode).toBe(201);
    ids[slug] = r.json().id;
  };
  await mk('delivery-times', { sectionId: sec.id, title: 'Delivery times', publish: true });
  await mk('customs-fees', { sectionId: sec.id, title: 'Customs fees' });
  await mk('reset-password', { sectionId: sec2.id, title: 'Reset your password', publish: true });
  await mk('agent-refund-guide', { title: 'Agent refund guide', visibility: 'internal', publish: true });
  await call(t, 'PUT', `/api/v1/helpcenter/articles/${ids['delivery-times']}/translations/de`, h, {
    title: 'Lieferzeiten',
  });
  // Published, then edited again: "draft" (unpublished changes) and "published" at the same time.
  await call(t, 'PUT', `/api/v1/helpcenter/articles/${ids['reset-password']}/translations/en`, h, {
    title: 'Reset your password (new)',
  });
});
afterAll(() => t?.stop());

const list = async (qs: string, headers = ws.readonly.headers) => {
  const r = await call(t, 'GET', `/api/v1/helpcenter/articles?${qs}`, headers);
  expect(r.statusCode).toBe(200);
  return (r.json().items as { slug: string }[]).map((a) => a.slug).sort();
};

describe('article list filters', () => {
  it('filters by category, status, language, visibility and title words', async () => {
    const orders = (await call(t, 'GET', '/api/v1/helpcenter/categories', ws.agent.headers)).json()
      .categories[0];
    expect(await list(`categoryId=${orders.id}`)).toEqual(['customs-fees', 'delivery-times']);
    expect(await list('status=published')).toEqual([
      'agent-refund-guide',
      'delivery-times',
      'reset-password',
    ]);
    expect(await list('status=draft')).toEqual(['customs-fees', 'delivery-times', 'reset-password']);
    expect(await list('status=draft&locale=en')).toEqual(['customs-fees', 'reset-password']);
    expect(await list('locale=de')).toEqual(['delivery-times']);
    expect(await list('visibility=internal')).toEqual(['agent-refund-guide']);
    expect(await list('q=PASSWORD')).toEqual(['reset-password']);
    expect(await list('q=50%25')).toEqual([]);
  });

  it('refuses unknown filter values and never lists another workspace’s articles', async () => {
    const bad = await call(t, 'GET', '/api/v1/helpcenter/articles?status=live', ws.agent.headers);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('status');
    expect(await list('', other.admin.headers)).toEqual([]);
    const orders = (await call(t, 'GET', '/api/v1/helpcenter/categories', ws.agent.headers)).json()
      .categories[0];
    expect(await list(`categoryId=${orders.id}`, other.admin.headers)).toEqual([]);
  });
});

describe('editor preview', () => {
  it('renders headings and tables as the portal does and neutralises raw HTML', async () => {
    const r = await call(t, 'POST', '/api/v1/helpcenter/preview', ws.agent.headers, {
      bodyMd:
        '## Sizes\n\n| Size | Chest |\n| --- | --- |\n| M | 96 cm |\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))',
    });
    expect(r.statusCode).toBe(200);
    const { html, headings } = r.json();
    expect(html).toContain('<h2 id="sizes">Sizes</h2>');
    expect(html).toMatch(/<table>[\s\S]*<td>96 cm<\/td>/);
    expect(html).not.toContain('<script');
    // A link with a script URL stays plain text.
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<p>[x](javascript:alert(1))</p>');
    expect(headings).toEqual([{ level: 2, text: 'Sizes', id: 'sizes' }]);
  });

  it('is for agents: read-only and anonymous callers are refused', async () => {
    expect(
      (await call(t, 'POST', '/api/v1/helpcenter/preview', ws.readonly.headers, { bodyMd: 'x' })).statusCode,
    ).toBe(403);
    expect((await call(t, 'POST', '/api/v1/helpcenter/preview', {}, { bodyMd: 'x' })).statusCode).toBe(401);
  });
});

describe('search over tables', () => {
  it('finds an article by a word in a table cell next to another cell', async () => {
    const r = await call(t, 'POST', '/api/v1/helpcenter/articles', ws.agent.headers, {
      slug: 'payment-options',
      title: 'Ways to pay',
      bodyMd: '| Method | When charged |\n| --- | --- |\n| Klarna | after delivery |\n| Card | at checkout |',
      publish: true,
    });
    expect(r.statusCode).toBe(201);
    const r2 = (await call(t, 'GET', '/api/v1/helpcenter/search?q=klarna', ws.agent.headers)).json();
    // Cells used to run together ("Klarnaafter delivery"), so the word was only found by typo correction.
    expect(r2.correctedQuery).toBeNull();
    const hit = r2.hits.find((h: { slug: string }) => h.slug === 'payment-options');
    expect(hit.snippet).toContain('<mark>Klarna</mark> after delivery');
  });
});

describe('image upload', () => {
  const upload = (headers: Record<string, string>, body: Record<string, unknown>) =>
    call(t, 'POST', '/api/v1/helpcenter/images', headers, {
      filename: 'box.png',
      contentType: 'image/png',
      contentBase64: PNG.toString('base64'),
      ...body,
    });

  it('stores an image that the article then shows on the portal, served only for this workspace', async () => {
    const r = await upload(ws.agent.headers, {});
    expect(r.statusCode).toBe(201);
    const img = r.json();
    expect(img.url).toMatch(new RegExp(`^/help/${ws.slug}/images/[0-9a-f]{64}\\.png$`));
    expect(img.markdown).toBe(`![box](${img.url})`);

    const served = await call(t, 'GET', img.url);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.rawPayload.equals(PNG)).toBe(true);

    const id = ids['customs-fees']!;
    await call(t, 'PUT', `/api/v1/helpcenter/articles/${id}/translations/en`, ws.agent.headers, {
      title: 'Customs fees',
      bodyMd: `How it looks:\n\n${img.markdown}`,
    });
    await call(t, 'POST', `/api/v1/helpcenter/articles/${id}/translations/en/publish`, ws.agent.headers, {
      publish: true,
    });
    const page = await call(t, 'GET', `/help/${ws.slug}/en/articles/${id}-customs-fees`);
    expect(page.body).toContain(`<img src="${img.url}" alt="box"`);

    // The same bytes are not reachable through another shop's help center.
    const foreign = await call(t, 'GET', img.url.replace(`/help/${ws.slug}/`, `/help/${other.slug}/`));
    expect(foreign.statusCode).toBe(404);
    // Nor under another extension (which would change the served type).
    expect((await call(t, 'GET', img.url.replace(/\.png$/, '.gif'))).statusCode).toBe(404);
  });

  it('refuses SVG, bytes that do not match the type, bad base64 and read-only callers; stores nothing', async () => {
    const svg = await upload(ws.agent.headers, {
      filename: 'x.svg',
      contentType: 'image/svg+xml',
      contentBase64: Buffer.from('<svg onload="alert(1)"/>').toString('base64'),
    });
    expect(svg.statusCode).toBe(400);
    expect(svg.json().error.message).toContain('PNG, JPEG, GIF or WebP');
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const fake = await upload(ws.agent.headers, { contentBase64: html.toString('base64') });
    expect(fake.statusCode).toBe(400);
    expect(fake.json().error.message).toContain('not a PNG image');
    expect((await upload(ws.agent.headers, { contentBase64: '###' })).statusCode).toBe(400);
    expect((await upload(ws.readonly.headers, {})).statusCode).toBe(403);
    expect((await upload({}, {})).statusCode).toBe(401);
    // Nothing was stored for the refused upload: its content address is not served.
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(html).digest('hex');
    expect((await call(t, 'GET', `/help/${ws.slug}/images/${sha}.png`)).statusCode).toBe(404);
  });
});

describe('history, restore and stats are scoped to the workspace and role', () => {
  it('lists versions and restores one into the draft without publishing it', async () => {
    const id = ids['delivery-times']!;
    const h = ws.agent.headers;
    const first = (await call(t, 'GET', `/api/v1/helpcenter/articles/${id}`, h)).json();
    const en = first.translations.find((x: { locale: string }) => x.locale === 'en');
    await call(t, 'PUT', `/api/v1/helpcenter/articles/${id}/translations/en`, h, {
      title: 'Delivery times (rewritten)',
      bodyMd: 'New text',
      baseVersion: en.draftVersion,
    });
    const versions = (
      await call(t, 'GET', `/api/v1/helpcenter/articles/${id}/versions`, ws.readonly.headers)
    ).json().items;
    expect(versions[0]).toMatchObject({ locale: 'en', action: 'saved', title: 'Delivery times (rewritten)' });
    const old = versions.find(
      (v: { action: string; locale: string }) => v.action === 'published' && v.locale === 'en',
    );
    const restored = await call(t, 'POST', `/api/v1/helpcenter/articles/${id}/versions/${old.id}/restore`, h);
    expect(restored.statusCode).toBe(200);
    const tr = restored.json().translations.find((x: { locale: string }) => x.locale === 'en');
    expect(tr).toMatchObject({ title: 'Delivery times', published: true, hasUnpublishedChanges: true });
  });

  it('answers 404 to another workspace and 403 to read-only writers, changing nothing', async () => {
    const id = ids['delivery-times']!;
    const versions = (
      await call(t, 'GET', `/api/v1/helpcenter/articles/${id}/versions`, ws.agent.headers)
    ).json().items;
    const v = versions.at(-1).id;
    const o = other.admin.headers;
    expect((await call(t, 'GET', `/api/v1/helpcenter/articles/${id}/versions`, o)).statusCode).toBe(404);
    expect((await call(t, 'GET', `/api/v1/helpcenter/articles/${id}/stats`, o)).statusCode).toBe(404);
    expect(
      (await call(t, 'POST', `/api/v1/helpcenter/articles/${id}/versions/${v}/restore`, o)).statusCode,
    ).toBe(404);
    expect(
      (
        await call(t, 'POST', `/api/v1/helpcenter/articles/${id}/translations/en/publish`, o, {
          publish: false,
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await call(t, 'POST', `/api/v1/helpcenter/articles/${id}/versions/${v}/restore`, ws.readonly.headers))
        .statusCode,
    ).toBe(403);
    // A version id of another article is not restorable through this one.
    const otherArticle = ids['reset-password']!;
    expect(
      (
        await call(
          t,
          'POST',
          `/api/v1/helpcenter/articles/${otherArticle}/versions/${v}/restore`,
          ws.agent.headers,
        )
      ).statusCode,
    ).toBe(404);
    const after = (
      await call(t, 'GET', `/api/v1/helpcenter/articles/${id}/versions`, ws.agent.headers)
    ).json().items;
    expect(after.length).toBe(versions.length);
    expect((await call(t, 'GET', `/help/${ws.slug}/en/articles/${id}-delivery-times`)).statusCode).toBe(200);
  });

  it('counts a portal view in the article stats', async () => {
    const id = ids['reset-password']!;
    const before = (
      await call(t, 'GET', `/api/v1/helpcenter/articles/${id}/stats`, ws.readonly.headers)
    ).json();
    await call(t, 'GET', `/help/${ws.slug}/en/articles/${id}-reset-password`);
    const after = (
      await call(t, 'GET', `/api/v1/helpcenter/articles/${id}/stats?days=7`, ws.readonly.headers)
    ).json();
    expect(after.views).toBe(before.views + 1);
    expect(
      (await call(t, 'GET', `/api/v1/helpcenter/articles/${id}/stats?days=0`, ws.agent.headers)).statusCode,
    ).toBe(400);
  });
});
