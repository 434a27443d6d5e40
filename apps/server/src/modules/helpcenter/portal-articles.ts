import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import { escapeHtml } from '../../platform/html/sanitize.ts';
import type { PublishedRow } from './helpcenter.repository.ts';
import { IMAGE_TYPES } from './helpcenter.service.ts';
import {
  articleBody,
  categoryBody,
  homeBody,
  notFoundBody,
  searchBody,
  searchForm,
  sectionBody,
  type TreeCategory,
} from './portal-html.ts';
import { text as fill } from './portal-i18n.ts';
import type { Ctx, PortalKit } from './portal-kit.ts';

/** Reading the help center: home, categories, sections, articles and their votes, search, sitemap, images. */
export function articlePages(kit: PortalKit) {
  const { hc, deps, overLimit, isAgentOf, send, url, alts, notFound, nameIn, tooMany, formFields } = kit;

  async function tree(ctx: Ctx): Promise<{ cats: TreeCategory[]; articles: PublishedRow[] }> {
    const { workspaceId } = ctx.base;
    const [cats, secs, articles] = await Promise.all([
      hc.categories(workspaceId),
      hc.sections(workspaceId),
      hc.publishedArticles(workspaceId, ctx.nav.locale, ctx.settings.default_locale, ctx.agent),
    ]);
    const byPos = (a: PublishedRow, b: PublishedRow) =>
      a.position - b.position || a.article_id - b.article_id;
    return {
      articles,
      cats: cats.map((c) => {
        const n = nameIn(c.names, ctx.nav.locale, ctx.settings.default_locale);
        return {
          slug: c.slug,
          name: n.name,
          description: n.description,
          sections: secs
            .filter((s) => s.category_id === c.id)
            .map((s) => ({
              slug: s.slug,
              name: nameIn(s.names, ctx.nav.locale, ctx.settings.default_locale).name,
              articles: articles.filter((a) => a.section_id === s.id).sort(byPos),
            })),
        };
      }),
    };
  }

  async function home(ctx: Ctx) {
    const { cats, articles } = await tree(ctx);
    const faq = articles.filter((a) => a.faq && a.visibility === 'public');
    const hero = `<div class="hero"><div class="in"><h1>${escapeHtml(ctx.m.heroTitle)}</h1>${searchForm(ctx.nav)}</div></div>`;
    const alternates = alts(ctx, ctx.settings.locales, '');
    const jsonLd: unknown[] = [
      {
        '@context': 'https://schema.org',
        '@type': 'WebSite',
        name: ctx.theme.title,
        url: url(ctx, `/${ctx.nav.locale}`),
        potentialAction: {
          '@type': 'SearchAction',
          target: `${url(ctx, `/${ctx.nav.locale}/search`)}?q={query}`,
          'query-input': 'required name=query',
        },
      },
    ];
    if (faq.length)
      jsonLd.push({
        '@context': 'https://schema.org',
        '@type': 'FAQPage',
        mainEntity: faq.map((a) => ({
          '@type': 'Question',
          name: a.title,
          acceptedAnswer: { '@type': 'Answer', text: a.body_html },
        })),
      });
    send(
      ctx,
      200,
      {
        title: ctx.theme.title,
        description: fill(ctx.m.homeDescription, { shop: ctx.theme.shopName }),
        canonical: url(ctx, `/${ctx.nav.locale}`),
        alternates,
        jsonLd,
      },
      homeBody(ctx.nav, cats, faq),
      hero,
    );
  }

  async function category(ctx: Ctx, slug: string) {
    const { cats } = await tree(ctx);
    const c = cats.find((x) => x.slug === slug);
    if (!c) return notFound(ctx, 'category');
    send(
      ctx,
      200,
      {
        title: `${c.name} · ${ctx.theme.title}`,
        description: c.description || fill(ctx.m.listDescription, { name: c.name, shop: ctx.theme.shopName }),
        canonical: url(ctx, `/${ctx.nav.locale}/categories/${slug}`),
        alternates: alts(ctx, ctx.settings.locales, `/categories/${slug}`),
      },
      categoryBody(ctx.nav, c, ctx.theme.title),
    );
  }

  async function section(ctx: Ctx, slug: string) {
    const s = await hc.sectionBySlug(ctx.base.workspaceId, slug);
    if (!s) return notFound(ctx, 'section');
    const cats = await hc.categories(ctx.base.workspaceId);
    const c = cats.find((x) => x.id === s.category_id);
    const articles = (
      await hc.publishedArticles(
        ctx.base.workspaceId,
        ctx.nav.locale,
        ctx.settings.default_locale,
        ctx.agent,
        {
          sectionId: s.id,
        },
      )
    ).sort((a, b) => a.position - b.position || a.article_id - b.article_id);
    const n = nameIn(s.names, ctx.nav.locale, ctx.settings.default_locale);
    send(
      ctx,
      200,
      {
        title: `${n.name} · ${ctx.theme.title}`,
        description: n.description || fill(ctx.m.listDescription, { name: n.name, shop: ctx.theme.shopName }),
        canonical: url(ctx, `/${ctx.nav.locale}/sections/${slug}`),
        alternates: alts(ctx, ctx.settings.locales, `/sections/${slug}`),
      },
      sectionBody(
        ctx.nav,
        {
          homeTitle: ctx.theme.title,
          category: c
            ? { slug: c.slug, name: nameIn(c.names, ctx.nav.locale, ctx.settings.default_locale).name }
            : undefined,
        },
        { name: n.name, description: n.description, articles },
      ),
    );
  }

  async function article(ctx: Ctx, idSlug: string, voteState: 'none' | 'thanks' | 'comment' = 'none') {
    let m = idSlug.match(/^(\d{1,15})(?:-([a-z0-9-]*))?$/);
    if (!m && /^[a-z0-9][a-z0-9-]{0,99}$/.test(idSlug)) {
      // Links written by authors may name the slug alone.
      const bySlug = await hc.articleIdBySlug(ctx.base.workspaceId, idSlug);
      if (bySlug) m = [idSlug, String(bySlug), undefined] as unknown as RegExpMatchArray;
    }
    if (!m) return notFound(ctx, 'article');
    const id = Number(m[1]);
    const [a] = await hc.publishedArticles(
      ctx.base.workspaceId,
      ctx.nav.locale,
      ctx.settings.default_locale,
      ctx.agent,
      {
        articleIds: [id],
      },
    );
    if (!a) return notFound(ctx, 'article');
    const canonicalPath = `/${a.locale}/articles/${a.article_id}-${a.slug}`;
    // Old slugs and bare ids keep working, but search engines index one URL.
    if (m[2] !== a.slug && voteState === 'none')
      return ctx.reply.redirect(
        `${ctx.base.prefix}/${ctx.nav.locale}/articles/${a.article_id}-${a.slug}`,
        301,
      );
    const q = ctx.req.query as Record<string, string | undefined>;
    if (voteState === 'none') {
      const sq = Number(q.sq);
      await hc.recordView(
        ctx.base.workspaceId,
        a.article_id,
        ctx.visitor,
        Number.isSafeInteger(sq) && sq > 0 ? sq : null,
      );
    }
    const locales = await hc.publishedLocales(ctx.base.workspaceId, a.article_id);
    const secs = await hc.sections(ctx.base.workspaceId);
    const sec = secs.find((s) => s.id === a.section_id);
    const cat = sec
      ? (await hc.categories(ctx.base.workspaceId)).find((c) => c.id === sec.category_id)
      : undefined;
    const related = (
      await hc.publishedArticles(
        ctx.base.workspaceId,
        ctx.nav.locale,
        ctx.settings.default_locale,
        ctx.agent,
        {
          sectionId: a.section_id ?? undefined,
        },
      )
    )
      .filter((r) => r.article_id !== a.article_id && a.section_id !== null)
      .sort((x, y) => x.position - y.position)
      .slice(0, 5);
    if (related.length < 3) {
      const more = await hc.search(ctx.base.workspaceId, a.title, {
        locale: ctx.nav.locale,
        limit: 6,
        internal: ctx.agent,
        record: false,
      });
      for (const h of more.hits)
        if (
          h.articleId !== a.article_id &&
          !related.some((r) => r.article_id === h.articleId) &&
          related.length < 5
        )
          related.push({
            article_id: h.articleId,
            slug: h.slug,
            title: h.title,
            locale: h.locale,
          } as PublishedRow);
    }
    const internal = a.visibility === 'internal';
    const description = a.summary || a.body_text.slice(0, 160);
    const jsonLd = internal
      ? []
      : [
          {
            '@context': 'https://schema.org',
            '@type': 'Article',
            headline: a.title,
            description,
            inLanguage: a.locale,
            dateModified: new Date(a.updated_at).toISOString(),
            datePublished: new Date(a.published_at).toISOString(),
            mainEntityOfPage: url(ctx, canonicalPath),
            publisher: {
              '@type': 'Organization',
              name: ctx.theme.shopName,
              ...(ctx.theme.logoUrl ? { logo: ctx.theme.logoUrl } : {}),
            },
          },
          ...(a.faq
            ? [
                {
                  '@context': 'https://schema.org',
                  '@type': 'FAQPage',
                  mainEntity: [
                    {
                      '@type': 'Question',
                      name: a.title,
                      acceptedAnswer: { '@type': 'Answer', text: a.body_html },
                    },
                  ],
                },
              ]
            : []),
        ];
    send(
      ctx,
      200,
      {
        title: `${a.title} · ${ctx.theme.title}`,
        description,
        canonical: url(ctx, canonicalPath),
        alternates: alts(ctx, locales, `/articles/${a.article_id}-${a.slug}`),
        noindex: internal,
        jsonLd,
      },
      articleBody(
        ctx.nav,
        {
          article_id: a.article_id,
          title: a.title,
          body_html: a.body_html,
          updated_at: a.updated_at,
          internal,
          locale: a.locale,
          fallbackFrom: a.locale !== ctx.nav.locale ? ctx.nav.locale : null,
        },
        {
          homeTitle: ctx.theme.title,
          category: cat
            ? { slug: cat.slug, name: nameIn(cat.names, ctx.nav.locale, ctx.settings.default_locale).name }
            : undefined,
          section: sec
            ? { slug: sec.slug, name: nameIn(sec.names, ctx.nav.locale, ctx.settings.default_locale).name }
            : undefined,
        },
        related,
        { state: voteState, formKey: ctx.visitor },
      ),
    );
  }

  async function vote(ctx: Ctx, idStr: string) {
    const id = Number(idStr);
    const f = formFields(ctx.req);
    if (!Number.isSafeInteger(id) || (f.helpful !== 'yes' && f.helpful !== 'no'))
      return send(
        ctx,
        400,
        {
          title: ctx.m.badRequest,
          description: '',
          canonical: url(ctx, `/${ctx.nav.locale}`),
          noindex: true,
        },
        notFoundBody(ctx.nav, 'article'),
      );
    const wait = await overLimit(ctx, 'portal.vote');
    if (wait !== null) return tooMany(ctx, wait);
    try {
      await hc.vote(ctx.base.workspaceId, id, {
        helpful: f.helpful === 'yes',
        comment: f.comment?.slice(0, 2000),
        locale: ctx.nav.locale,
        visitorKey: ctx.visitor,
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') return notFound(ctx, 'article');
      throw err;
    }
    return article(ctx, String(id), f.helpful === 'no' && !f.comment ? 'comment' : 'thanks');
  }

  async function search(ctx: Ctx) {
    const q = String((ctx.req.query as Record<string, unknown>).q ?? '')
      .trim()
      .slice(0, 200);
    if (!q) return ctx.reply.redirect(`${ctx.base.prefix}/${ctx.nav.locale}`, 302);
    const wait = await overLimit(ctx, 'portal.search');
    if (wait !== null) return tooMany(ctx, wait);
    const r = await hc.search(ctx.base.workspaceId, q, {
      locale: ctx.nav.locale,
      internal: ctx.agent,
      source: 'portal',
      limit: 20,
    });
    const hits = r.hits.map((h) => ({
      title: h.title,
      snippet: h.snippet,
      url: `${ctx.base.prefix}/${h.locale}/articles/${h.articleId}-${h.slug}${r.queryId ? `?sq=${r.queryId}` : ''}`,
    }));
    send(
      ctx,
      200,
      {
        title: `${fill(ctx.m.searchTitle, { q })} · ${ctx.theme.title}`,
        description: fill(ctx.m.searchDescription, { q }),
        canonical: url(ctx, `/${ctx.nav.locale}/search`),
        noindex: true,
      },
      searchBody(ctx.nav, q, r.correctedQuery, hits),
    );
  }

  async function sitemap(ctx: Ctx) {
    const { workspaceId } = ctx.base;
    const urls: { loc: string; lastmod?: string; alts?: { l: string; u: string }[] }[] = [];
    for (const l of ctx.settings.locales) urls.push({ loc: url(ctx, `/${l}`) });
    const cats = await hc.categories(workspaceId);
    const secs = await hc.sections(workspaceId);
    for (const l of ctx.settings.locales) {
      for (const c of cats) urls.push({ loc: url(ctx, `/${l}/categories/${c.slug}`) });
      for (const s of secs) urls.push({ loc: url(ctx, `/${l}/sections/${s.slug}`) });
      // Only articles really published in this language: fallbacks would be duplicate content.
      for (const a of await hc.publishedArticles(workspaceId, l, l, false))
        urls.push({
          loc: url(ctx, `/${l}/articles/${a.article_id}-${a.slug}`),
          lastmod: new Date(a.updated_at).toISOString(),
        });
    }
    const x = (s: string) => escapeHtml(s);
    ctx.reply
      .type('application/xml; charset=utf-8')
      .header('cache-control', 'public, max-age=600')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls
          .map(
            (u) => `<url><loc>${x(u.loc)}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ''}</url>`,
          )
          .join('\n')}\n</urlset>\n`,
      );
  }

  /** An image uploaded into an article: only this workspace's uploads, under their declared type. */
  async function serveImage(
    req: FastifyRequest,
    reply: FastifyReply,
    workspaceId: number,
    enabled: boolean,
    file: string,
  ) {
    const m = /^([0-9a-f]{64})\.(png|jpg|gif|webp)$/.exec(file);
    const img = m ? await hc.image(workspaceId, m[1]!) : undefined;
    if (!img || IMAGE_TYPES[img.content_type] !== m![2] || (!enabled && !(await isAgentOf(req, workspaceId))))
      return reply.code(404).type('text/plain').send('Not found');
    return reply
      .type(img.content_type)
      .header('content-security-policy', "default-src 'none'")
      .header('cache-control', enabled ? 'public, max-age=31536000, immutable' : 'private, no-store')
      .send(deps.files.open(img.sha256));
  }

  return { home, category, section, article, vote, search, sitemap, serveImage };
}
