import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { authorDemoHelpCenter, call } from './helpcenter-helpers.ts';

let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let ids: Map<string, number>;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Portal Shop');
  other = await t.workspace('Other Portal Shop');
  ids = await authorDemoHelpCenter(t, ws);
});
afterAll(() => t?.stop());

const page = (url: string, headers: Record<string, string> = {}) => call(t, 'GET', url, headers);
const tag = (html: string, re: RegExp) => html.match(re)?.[1];

describe('help center pages (server-rendered, no JS needed)', () => {
  it('sends shoppers from the root to their language and renders the home page with SEO tags', async () => {
    const root = await page(`/help/${ws.slug}`, { 'accept-language': 'de-DE,de;q=0.9' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe(`/help/${ws.slug}/de`);
    const home = await page(`/help/${ws.slug}/en`);
    expect(home.statusCode).toBe(200);
    expect(home.headers['content-type']).toContain('text/html');
    const html = home.body;
    expect(tag(html, /<link rel="canonical" href="([^"]+)"/)).toBe(
      `${t.config.publicUrl}/help/${ws.slug}/en`,
    );
    expect(html).toMatch(/<meta name="description" content="[^"]{20,}"/);
    expect(html).toContain('hreflang="de"');
    expect(html).toContain('Orders &amp; shipping');
    // FAQ articles are marked up for search engines.
    const ld = [...html.matchAll(/<script type="application\/ld\+json">(.*?)<\/script>/gs)].map((m) =>
      JSON.parse(m[1]!),
    );
    const faq = ld.find((j) => j['@type'] === 'FAQPage');
    expect(faq.mainEntity.map((q: { name: string }) => q.name)).toContain(
      'Which payment methods do you accept?',
    );
    // Works without JavaScript: the search is a plain GET form.
    expect(html).toMatch(
      /<form class="search" role="search" method="get" action="\/help\/[^"]+\/en\/search"/,
    );
    expect(html).not.toContain('Handling damaged-item claims');
  });

  it('renders an article with canonical URL, Article markup, tables, safe video embed and related articles', async () => {
    const id = ids.get('sizing-guide')!;
    const short = await page(`/help/${ws.slug}/en/articles/${id}`);
    expect(short.statusCode).toBe(301);
    expect(short.headers.location).toBe(`/help/${ws.slug}/en/articles/${id}-sizing-guide`);
    const bySlug = await page(`/help/${ws.slug}/en/articles/sizing-guide`);
    expect(bySlug.statusCode).toBe(301);
    const res = await page(`/help/${ws.slug}/en/articles/${id}-sizing-guide`);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(tag(html, /<link rel="canonical" href="([^"]+)"/)).toBe(
      `${t.config.publicUrl}/help/${ws.slug}/en/articles/${id}-sizing-guide`,
    );
    expect(tag(html, /<meta name="description" content="([^"]+)"/)).toContain('true to size');
    const ld = [...html.matchAll(/<script type="application\/ld\+json">(.*?)<\/script>/gs)].map((m) =>
      JSON.parse(m[1]!),
    );
    expect(ld.find((j) => j['@type'] === 'Article').headline).toBe(
      'Sizing guide: which size should I order?',
    );
    expect(html).toContain('<table>');
    // The demo never calls out of the machine: no third-party embeds in its articles (embeds: markdown.test.ts).
    expect(html).not.toMatch(/<iframe|src="https?:\/\/(?!localhost|127\.0\.0\.1)/);
    expect(html).toContain('Was this article helpful?');
    expect(html).toContain('Related articles');
    expect(res.headers['content-security-policy']).toContain("script-src 'nonce-");
  });

  it('shows the requested language, switches languages and falls back when a translation is missing', async () => {
    const pay = ids.get('payment-methods')!;
    const de = await page(`/help/${ws.slug}/de/articles/${pay}-payment-methods`);
    expect(de.body).toContain('Welche Zahlungsarten akzeptiert ihr?');
    expect(de.body).toContain('<html lang="de">');
    expect(de.body).toContain(`<option value="/help/${ws.slug}/en/articles/${pay}-payment-methods"`);
    const intl = ids.get('international-shipping')!;
    const fallback = await page(`/help/${ws.slug}/de/articles/${intl}-international-shipping`);
    expect(fallback.statusCode).toBe(200);
    expect(fallback.body).toContain('Do you ship internationally?');
    expect(fallback.body).toContain('gibt es noch nicht auf Deutsch');
    // The canonical URL names the language the content is really in.
    expect(tag(fallback.body, /<link rel="canonical" href="([^"]+)"/)).toContain(`/en/articles/${intl}-`);
    const sw = await page(`/help/${ws.slug}/en/language?to=${encodeURIComponent('https://evil.example/')}`);
    expect(sw.headers.location).toBe(`/help/${ws.slug}/en`);
  });

  it('speaks the page’s language in its own interface text, with English for languages it lacks', async () => {
    const home = await page(`/help/${ws.slug}/de`);
    expect(home.body).toContain('<h1>Wie können wir helfen?</h1>');
    expect(home.body).toContain('Bestellung verfolgen');
    expect(home.body).not.toContain('How can we help?');
    const pay = ids.get('payment-methods')!;
    const article = await page(`/help/${ws.slug}/de/articles/${pay}-payment-methods`);
    expect(article.body).toContain('War dieser Artikel hilfreich?');
    expect(article.body).not.toContain('Was this article helpful?');
    const search = await page(`/help/${ws.slug}/de/search?q=zahlung`);
    expect(search.body).toMatch(/\d+ Ergebnis(se)? für „zahlung“/);
    const contact = await page(`/help/${ws.slug}/de/contact`);
    expect(contact.body).toContain('>Betreff *</label>');
    expect(contact.body).toContain('Nachricht senden');
    const bad = await call(
      t,
      'POST',
      `/help/${ws.slug}/de/contact`,
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
      'email=nope&subject=&message=&formKey=abcdefghijklmnop1234',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Bitte gib eine gültige E-Mail-Adresse ein.');
    const track = await page(`/help/${ws.slug}/de/track`);
    expect(track.body).toContain('E-Mail-Adresse oder Lieferpostleitzahl');
    // A help-center language without a catalogue gets English interface text.
    await call(t, 'PATCH', '/api/v1/helpcenter/settings', ws.admin.headers, { locales: ['en', 'de', 'pl'] });
    const pl = await page(`/help/${ws.slug}/pl`);
    expect(pl.body).toContain('<html lang="pl">');
    expect(pl.body).toContain('How can we help?');
    await call(t, 'PATCH', '/api/v1/helpcenter/settings', ws.admin.headers, { locales: ['en', 'de'] });
  });

  it('finds an article by a word with a typo and highlights the match; records queries without results', async () => {
    const res = await page(`/help/${ws.slug}/en/search?q=${encodeURIComponent('how much is shiping')}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Showing results for');
    const first = res.body.match(/<div class="hit"><h2><a href="([^"]+)">([^<]+)<\/a>/);
    expect(first?.[2]).toBe('How long does delivery take and what does shipping cost?');
    expect(res.body).toMatch(/<mark>shipping<\/mark>/i);
    const none = await page(`/help/${ws.slug}/en/search?q=${encodeURIComponent('loyalty programme')}`);
    expect(none.body).toContain('0 results');
    const gaps = await call(t, 'GET', '/api/v1/helpcenter/no-result-queries', ws.agent.headers);
    expect(gaps.json().items.map((i: { query: string }) => i.query)).toContain('loyalty programme');
    // Search terms are escaped, never interpreted.
    const xss = await page(`/help/${ws.slug}/en/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(xss.body).not.toContain('<script>alert(1)</script>');
  });

  it('keeps internal articles from anonymous visitors, search, the sitemap and search engines', async () => {
    const id = ids.get('agent-damaged-item-claims')!;
    const anon = await page(`/help/${ws.slug}/en/articles/${id}-agent-damaged-item-claims`);
    expect(anon.statusCode).toBe(404);
    expect(anon.body).not.toContain('Internal — do not share');
    const s = await page(`/help/${ws.slug}/en/search?q=replacement+approval+claim`);
    expect(s.body).not.toContain('agent guide');
    const map = await page(`/help/${ws.slug}/sitemap.xml`);
    expect(map.headers['content-type']).toContain('application/xml');
    expect(map.body).toContain(`/en/articles/${ids.get('returns-policy')}-returns-policy</loc>`);
    expect(map.body).toContain(`/de/articles/${ids.get('returns-policy')}-returns-policy</loc>`);
    // Fallback pages are not listed: only real language versions.
    expect(map.body).not.toContain(`/de/articles/${ids.get('international-shipping')}-`);
    expect(map.body).not.toContain('agent-damaged-item-claims');
    // A signed-in agent of this workspace reads it, marked noindex; an agent of another workspace does not.
    const { cookie } = await t.login(ws.agent);
    const agent = await page(`/help/${ws.slug}/en/articles/${id}-agent-damaged-item-claims`, {
      cookie: `sd_session=${cookie}`,
    });
    expect(agent.statusCode).toBe(200);
    expect(agent.body).toContain('Internal — do not share');
    expect(agent.body).toContain('<meta name="robots" content="noindex, nofollow">');
    const stranger = await t.login(other.agent);
    const theirs = await page(`/help/${ws.slug}/en/articles/${id}-agent-damaged-item-claims`, {
      cookie: `sd_session=${stranger.cookie}`,
    });
    expect(theirs.statusCode).toBe(404);
  });

  it('never shows drafts; publishing shows the new text; history restores an old version', async () => {
    const h = ws.admin.headers;
    const created = await call(t, 'POST', '/api/v1/helpcenter/articles', h, {
      slug: 'gift-cards',
      title: 'Gift cards',
      bodyMd: 'Gift cards are valid for **three years**.',
      summary: 'About gift cards',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json().translations[0]).toMatchObject({ published: false, hasUnpublishedChanges: true });
    expect((await page(`/help/${ws.slug}/en/articles/${id}-gift-cards`)).statusCode).toBe(404);
    await call(t, 'POST', `/api/v1/helpcenter/articles/${id}/translations/en/publish`, h, { publish: true });
    expect((await page(`/help/${ws.slug}/en/articles/${id}-gift-cards`)).body).toContain('three years');
    // Editing the draft does not change what shoppers see until it is published.
    const v1 = (await call(t, 'GET', `/api/v1/helpcenter/articles/${id}`, h)).json().translations[0]
      .draftVersion;
    const saved = await call(t, 'PUT', `/api/v1/helpcenter/articles/${id}/translations/en`, h, {
      title: 'Gift cards',
      bodyMd: 'Gift cards are valid for **five years**.',
      baseVersion: v1,
    });
    expect(saved.statusCode).toBe(200);
    expect((await page(`/help/${ws.slug}/en/articles/${id}-gift-cards`)).body).toContain('three years');
    const stale = await call(t, 'PUT', `/api/v1/helpcenter/articles/${id}/translations/en`, h, {
      title: 'Gift cards',
      bodyMd: 'overwrite',
      baseVersion: v1,
    });
    expect(stale.statusCode).toBe(409);
    await call(t, 'POST', `/api/v1/helpcenter/articles/${id}/translations/en/publish`, h, { publish: true });
    expect((await page(`/help/${ws.slug}/en/articles/${id}-gift-cards`)).body).toContain('five years');
    const versions = (await call(t, 'GET', `/api/v1/helpcenter/articles/${id}/versions`, h)).json().items;
    const first = versions.find((v: { action: string }) => v.action === 'created');
    expect(first.bodyMd).toContain('three years');
    const restored = await call(
      t,
      'POST',
      `/api/v1/helpcenter/articles/${id}/versions/${first.id}/restore`,
      h,
    );
    expect(restored.json().translations[0]).toMatchObject({
      bodyMd: 'Gift cards are valid for **three years**.',
      hasUnpublishedChanges: true,
    });
    // Unpublishing removes it from the help center.
    await call(t, 'POST', `/api/v1/helpcenter/articles/${id}/translations/en/publish`, h, { publish: false });
    expect((await page(`/help/${ws.slug}/en/articles/${id}-gift-cards`)).statusCode).toBe(404);
  });

  it('refuses bad authoring input with clear errors and enforces roles and workspaces', async () => {
    const bad = await call(t, 'POST', '/api/v1/helpcenter/articles', ws.agent.headers, {
      slug: 'Bad Slug!',
      title: '',
    });
    expect(bad.statusCode).toBe(400);
    const dup = await call(t, 'POST', '/api/v1/helpcenter/articles', ws.agent.headers, {
      slug: 'returns-policy',
      title: 'x',
    });
    expect(dup.statusCode).toBe(409);
    const ro = await call(t, 'POST', '/api/v1/helpcenter/articles', ws.readonly.headers, {
      slug: 'x-1',
      title: 'x',
    });
    expect(ro.statusCode).toBe(403);
    const foreign = await call(
      t,
      'GET',
      `/api/v1/helpcenter/articles/${ids.get('returns-policy')}`,
      other.admin.headers,
    );
    expect(foreign.statusCode).toBe(404);
    const lang = await call(
      t,
      'PUT',
      `/api/v1/helpcenter/articles/${ids.get('returns-policy')}/translations/fr`,
      ws.admin.headers,
      {
        title: 'Retours',
      },
    );
    expect(lang.statusCode).toBe(400);
    // Leads and admins change the settings; agents only read them.
    const settings = await call(t, 'PATCH', '/api/v1/helpcenter/settings', ws.agent.headers, {
      title: 'Mine',
    });
    expect(settings.statusCode).toBe(403);
    const byLead = await call(t, 'PATCH', '/api/v1/helpcenter/settings', ws.lead.headers, {
      title: 'Demo Help',
    });
    expect(byLead.statusCode).toBe(200);
    // Errors the service finds name their field, like request validation does.
    const wrongDefault = await call(t, 'PATCH', '/api/v1/helpcenter/settings', ws.lead.headers, {
      defaultLocale: 'fr',
    });
    expect(wrongDefault.statusCode).toBe(400);
    expect(wrongDefault.json().error.details).toEqual([
      { path: 'body.defaultLocale', message: 'must be one of the help center’s languages' },
    ]);
    await call(t, 'PATCH', '/api/v1/helpcenter/settings', other.admin.headers, {
      customDomain: 'help.taken.example',
    });
    const taken = await call(t, 'PATCH', '/api/v1/helpcenter/settings', ws.lead.headers, {
      customDomain: 'help.taken.example',
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.details[0].path).toBe('body.customDomain');
    await call(t, 'PATCH', '/api/v1/helpcenter/settings', other.admin.headers, { customDomain: null });
    expect((await call(t, 'GET', '/api/v1/helpcenter/settings', ws.agent.headers)).json().title).toBe(
      'Demo Help',
    );
  });

  it('counts views, votes with comments, and the searches that led to an article', async () => {
    const id = ids.get('refund-timing')!;
    const s = await page(`/help/${ws.slug}/en/search?q=refund+money+back`);
    const link = s.body.match(new RegExp(`href="(/help/[^"]+/articles/${id}-refund-timing\\?sq=\\d+)"`))?.[1];
    expect(link).toBeTruthy();
    const view = await page(link!);
    expect(view.statusCode).toBe(200);
    const visitor = view.cookies.find((c) => c.name === 'sd_hc_vid')!.value;
    const form = (helpful: string, extra = '') =>
      t.app.inject({
        method: 'POST',
        url: `/help/${ws.slug}/en/articles/${id}/vote`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sd_hc_vid=${visitor}` },
        payload: `helpful=${helpful}${extra}`,
      });
    const no = await form('no');
    expect(no.body).toContain('What were you looking for?');
    const comment = await form('no', '&comment=I+paid+with+Klarna');
    expect(comment.body).toContain('Thanks for your feedback');
    const bad = await form('maybe');
    expect(bad.statusCode).toBe(400);
    const stats = (await call(t, 'GET', `/api/v1/helpcenter/articles/${id}/stats`, ws.agent.headers)).json();
    expect(stats).toMatchObject({ views: 1, helpful: 0, notHelpful: 1, searchClicks: 1 });
    expect(stats.comments[0].comment).toBe('I paid with Klarna');
    expect(stats.topQueries[0].query).toBe('refund money back');
  });

  it('serves the same help center on the shop’s own domain, and leaves Shopdesk’s own host alone', async () => {
    const taken = await call(t, 'PATCH', '/api/v1/helpcenter/settings', ws.admin.headers, {
      customDomain: 'help.portal-shop.example',
    });
    expect(taken.statusCode).toBe(200);
    const clash = await call(t, 'PATCH', '/api/v1/helpcenter/settings', other.admin.headers, {
      customDomain: 'help.portal-shop.example',
    });
    expect(clash.statusCode).toBe(409);
    const home = await page('/en', { host: 'help.portal-shop.example' });
    expect(home.statusCode).toBe(200);
    expect(tag(home.body, /<link rel="canonical" href="([^"]+)"/)).toBe(
      'https://help.portal-shop.example/en',
    );
    expect(home.body).toContain('href="/en/search"'.replace('href', 'action'));
    const map = await page('/sitemap.xml', { host: 'help.portal-shop.example' });
    expect(map.body).toContain('<loc>https://help.portal-shop.example/en/articles/');
    const root = await page('/', { host: 'help.portal-shop.example' });
    expect(root.statusCode).toBe(302);
    // Shopdesk's own host still serves the dashboard at / and the API under /api.
    const dash = await page('/', { host: 'localhost' });
    expect(dash.body).toContain('Shopdesk');
    expect(dash.body).not.toContain('Help Center');
    const api = await call(t, 'GET', '/api/v1/helpcenter/settings', {
      ...ws.admin.headers,
      host: 'help.portal-shop.example',
    });
    expect(api.json().customDomain).toBe('help.portal-shop.example');
    // On /help/<slug> the canonical URL now names the shop's domain.
    const local = await page(`/help/${ws.slug}/en`);
    expect(tag(local.body, /<link rel="canonical" href="([^"]+)"/)).toBe(
      'https://help.portal-shop.example/en',
    );
  });

  it('answers unknown workspaces and pages with 404', async () => {
    expect((await page('/help/no-such-shop/en')).statusCode).toBe(404);
    expect((await page(`/help/${ws.slug}/en/articles/999999-nope`)).statusCode).toBe(404);
    expect((await page(`/help/${ws.slug}/en/nothing-here`)).statusCode).toBe(404);
  });
});
