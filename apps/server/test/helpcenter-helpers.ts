import { demoArticles, demoCategories } from '../src/seed/demo-articles.ts';
import { demoOrder } from './commerce-helpers.ts';
import type { TestApp, TestWorkspace } from './harness.ts';

export const call = (
  t: TestApp,
  method: string,
  url: string,
  headers: Record<string, string> = {},
  payload?: unknown,
) => t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

/** Builds the demo store's help center through the authoring API; returns article ids by slug. */
export async function authorDemoHelpCenter(t: TestApp, ws: TestWorkspace) {
  const h = ws.admin.headers;
  const ok = async (
    p: Promise<{ statusCode: number; body: string; json: () => { id: number } }>,
    code = 200,
  ) => {
    const r = await p;
    if (r.statusCode !== code) throw new Error(`${r.statusCode} ${r.body}`);
    return r.json();
  };
  await ok(call(t, 'PATCH', '/api/v1/helpcenter/settings', h, { locales: ['en', 'de'], title: 'Demo Help' }));
  const sections = new Map<string, number>();
  for (const c of demoCategories) {
    const cat = await ok(
      call(t, 'POST', '/api/v1/helpcenter/categories', h, { slug: c.slug, names: c.names }),
      201,
    );
    for (const s of c.sections) {
      const sec = await ok(
        call(t, 'POST', '/api/v1/helpcenter/sections', h, {
          slug: s.slug,
          names: s.names,
          categoryId: cat.id,
        }),
        201,
      );
      sections.set(s.slug, sec.id);
    }
  }
  const ids = new Map<string, number>();
  for (const a of demoArticles) {
    const art = await ok(
      call(t, 'POST', '/api/v1/helpcenter/articles', h, {
        slug: a.slug,
        sectionId: sections.get(a.section),
        visibility: a.internal ? 'internal' : 'public',
        faq: a.faq ?? false,
        title: a.title,
        bodyMd: a.body,
        summary: a.summary,
        keywords: a.keywords,
        publish: true,
      }),
      201,
    );
    ids.set(a.slug, art.id);
    if (a.de) {
      await ok(
        call(t, 'PUT', `/api/v1/helpcenter/articles/${art.id}/translations/de`, h, {
          title: a.de.title,
          bodyMd: a.de.body,
          summary: a.de.summary,
        }),
      );
      await ok(
        call(t, 'POST', `/api/v1/helpcenter/articles/${art.id}/translations/de/publish`, h, {
          publish: true,
        }),
      );
    }
  }
  return ids;
}

/** The tracking number of the bot shop's order #1042 (the bot must never show it unverified). */
export const BOT_SHOP_TRACKING = 'JD014600006281';

/**
 * The shop the bot tests talk to: the demo help center, and a built-in store with order #1042 of
 * emma@example.com (commerce-helpers' demo customer), shipped with DHL, plus any further orders.
 */
export async function setUpBotShop(
  t: TestApp,
  ws: TestWorkspace,
  more: Parameters<typeof demoOrder>[0][] = [],
) {
  await authorDemoHelpCenter(t, ws);
  const conn = await call(t, 'POST', '/api/v1/commerce/connections', ws.admin.headers, {
    platform: 'builtin',
    currency: 'EUR',
  });
  const shipped = new Date(Date.now() - 86400_000).toISOString();
  const push = await call(
    t,
    'POST',
    '/api/v1/store/batch',
    { authorization: `Bearer ${conn.json().token}` },
    {
      orders: [
        demoOrder({
          externalId: 'o-1042',
          number: '#1042',
          updatedAt: shipped,
          fulfillmentStatus: 'fulfilled',
          fulfillments: [
            {
              externalId: 'f-1042',
              carrier: 'DHL',
              trackingNumber: BOT_SHOP_TRACKING,
              trackingUrl: `https://dhl.example/track/${BOT_SHOP_TRACKING}`,
              shippedAt: shipped,
              updatedAt: shipped,
            },
          ],
        }),
        ...more.map((o) => demoOrder(o)),
      ],
    },
  );
  if (push.statusCode !== 200) throw new Error(`store push failed: ${push.body}`);
}
