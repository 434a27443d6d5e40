import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { AppError } from '../../platform/errors.ts';
import { escapeHtml } from '../../platform/html/sanitize.ts';
import { clientKey, type RatePolicyName } from '../../platform/http/rate-limit.ts';
import type { Router } from '../../platform/http/router.ts';
import { cleanUntrustedInput } from '../../platform/http/untrusted-input.ts';
import { keyRing } from '../../platform/security/keys.ts';
import type { TicketsService } from '../tickets/index.ts';
import type { PublishedRow } from './helpcenter.repository.ts';
import { type HelpCenterService, IMAGE_TYPES, type PortalBase } from './helpcenter.service.ts';
import { type FormFile, parseMultipart } from './multipart.ts';
import { findVerifiedOrder, type ShopperOrderSource } from './order-port.ts';
import { normalizeOrderNumber } from './order-verification.ts';
import {
  articleBody,
  askBody,
  categoryBody,
  contactBody,
  contactScript,
  contactThanksBody,
  type DeliveryStatusSource,
  homeBody,
  layout,
  type Nav,
  notFoundBody,
  type PageMeta,
  searchBody,
  searchForm,
  sectionBody,
  suggestionsHtml,
  type Theme,
  type TreeCategory,
  trackFormBody,
  trackResultBody,
} from './portal-html.ts';
import { text as fill, messagesFor, type NotFoundWhat, type PortalMessages } from './portal-i18n.ts';
import { readShopperLink, type ShopperLinks } from './shopper-links.ts';
import { verifyTrackingToken } from './tracking-token.ts';

/**
 * A path copied from the request into a Location header: anything outside printable ASCII (decoded
 * spaces, line breaks, non-Latin text) is percent-encoded again, or Node refuses the header and the
 * shopper gets an error page instead of the redirect.
 */
function headerSafe(path: string): string {
  return path.replace(/[^\x21-\x7e]+/g, (run) =>
    [...Buffer.from(run, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

const VISITOR_COOKIE = 'sd_hc_vid';
const MAX_FILES = 5;
const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** The bot as the "Ask a question" page uses it (implemented by the bot module, wired in app.ts). */
export interface PortalBot {
  converse(input: {
    workspaceId: number;
    conversationKey: string;
    locale: string;
    text: string | null;
    /** The shopper's address, for the bot's per-IP limit on order look-ups. */
    clientIp?: string | null;
  }): Promise<{ transcript: { from: 'bot' | 'me'; html: string }[] }>;
}

export interface PortalOptions {
  app: FastifyInstance;
  router: Router;
  deps: Deps;
  hc: HelpCenterService;
  tickets: TicketsService;
  /** Null until a store is connected through the commerce module. */
  orders: () => ShopperOrderSource | null;
  bot?: () => PortalBot | null;
  /** The tracking module's view of an order's parcels (late-bound: tracking is wired after the help center). */
  deliveries?: () => DeliveryStatusSource | null;
  /** Pages other modules serve at /l/<token> (returns, surveys, notice options). */
  shopperLinks: ShopperLinks;
}

interface Ctx {
  req: FastifyRequest;
  reply: FastifyReply;
  base: PortalBase;
  theme: Theme;
  settings: Awaited<ReturnType<HelpCenterService['settingsOf']>>;
  nav: Nav;
  visitor: string;
  nonce: string;
  /** A signed-in agent of this workspace (sees internal articles). */
  agent: boolean;
  path: string[];
  /** Interface text in the page's language. */
  m: PortalMessages;
}

/**
 * Shopper-facing help center: /help/<workspace-slug>/… on Shopdesk's host, and the same pages at the
 * root of a shop's own domain (Host → workspace through the help center settings).
 */
export function registerPortalPages(o: PortalOptions) {
  const { app, hc, deps } = o;
  const { limits } = deps;
  /** Counts one hit of the shopper's network against a policy; seconds to wait when over it. */
  const overLimit = (ctx: { req: FastifyRequest }, policy: RatePolicyName) =>
    limits.hit(policy, clientKey(ctx.req.ip));
  /** The order's parcels and delay as tracking sees them; the page still shows the order when it fails. */
  const deliveryOf = async (workspaceId: number, orderId: number) => {
    try {
      return (await o.deliveries?.()?.(workspaceId, orderId)) ?? null;
    } catch (err) {
      deps.log.warn({ err, orderId }, 'help center: delivery status unavailable');
      return null;
    }
  };

  // Host → workspace for shops' own domains; refreshed so a domain set on another node arrives here.
  const domains = new Map<string, number>();
  async function domainWorkspace(host: string | undefined): Promise<number | null> {
    const h = (host ?? '').toLowerCase().replace(/:\d+$/, '');
    if (!h || h === new URL(deps.config.publicUrl).hostname || h === 'localhost' || /^[\d.]+$/.test(h))
      return null;
    if (domains.has(h)) return domains.get(h)! || null;
    const id = await hc.workspaceIdByDomain(h);
    domains.set(h, id ?? 0);
    setTimeout(() => domains.delete(h), 30_000).unref();
    return id;
  }

  async function isAgentOf(req: FastifyRequest, workspaceId: number) {
    try {
      const auth = await o.router.authorize(req, 'read-only', 'GET');
      return auth?.workspaceId === workspaceId;
    } catch {
      return false;
    }
  }

  function visitorOf(req: FastifyRequest, reply: FastifyReply) {
    const have = req.cookies[VISITOR_COOKIE];
    if (have && /^[\w-]{16,64}$/.test(have)) return have;
    const v = randomBytes(16).toString('base64url');
    reply.setCookie(VISITOR_COOKIE, v, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.publicUrl.startsWith('https:'),
      maxAge: 365 * 86400,
    });
    return v;
  }

  function send(
    ctx: Ctx,
    status: number,
    meta: Omit<PageMeta, 'lang' | 'nonce'> & { lang?: string },
    body: string,
    hero?: string,
  ) {
    ctx.reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header(
        'content-security-policy',
        `default-src 'self'; img-src 'self' https: data:; style-src 'unsafe-inline'; script-src 'nonce-${ctx.nonce}'; frame-src https://www.youtube-nocookie.com https://player.vimeo.com; form-action 'self'; base-uri 'none'; frame-ancestors 'self'`,
      )
      .send(layout(ctx.theme, ctx.nav, { lang: ctx.nav.locale, nonce: ctx.nonce, ...meta }, body, { hero }));
  }
  const url = (ctx: Ctx, path: string) => `${ctx.base.root}${path}`;
  const alts = (ctx: Ctx, locales: string[], sub: string) =>
    locales.map((l) => ({ locale: l, url: url(ctx, `/${l}${sub}`), path: `${ctx.base.prefix}/${l}${sub}` }));
  const notFound = (ctx: Ctx, what: NotFoundWhat = 'page') =>
    send(
      ctx,
      404,
      {
        title: `${ctx.m.notFoundTitle} · ${ctx.theme.title}`,
        description: '',
        canonical: url(ctx, `/${ctx.nav.locale}`),
        noindex: true,
      },
      notFoundBody(ctx.nav, what),
    );

  const nameIn = (
    names: Record<string, { name: string; description: string }>,
    locale: string,
    fallback: string,
  ) => names[locale] ?? names[fallback] ?? Object.values(names)[0] ?? { name: '', description: '' };

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

  function tooMany(ctx: Ctx, retryAfterSeconds: number) {
    ctx.reply.header('retry-after', retryAfterSeconds);
    return send(
      ctx,
      429,
      {
        title: `${ctx.m.tooManyTitle} · ${ctx.theme.title}`,
        description: '',
        canonical: url(ctx, `/${ctx.nav.locale}`),
        noindex: true,
      },
      `<h1>${escapeHtml(ctx.m.tooManyTitle)}</h1><p>${escapeHtml(ctx.m.tooManyText)}</p>`,
    );
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

  async function suggestions(ctx: Ctx, q: string, formKey: string | null) {
    const r = await hc.suggest(ctx.base.workspaceId, q, {
      locale: ctx.nav.locale,
      visitorKey: ctx.visitor,
      formKey,
    });
    return r.hits.map((h) => ({
      title: h.title,
      url: `${ctx.base.prefix}/${h.locale}/articles/${h.articleId}-${h.slug}`,
      snippet: h.snippet,
    }));
  }

  async function contactPage(
    ctx: Ctx,
    state: {
      values?: Record<string, string>;
      errors?: Record<string, string>;
      suggestions?: { title: string; url: string; snippet: string }[];
      status?: number;
    } = {},
  ) {
    send(
      ctx,
      state.status ?? 200,
      {
        title: `${ctx.m.contactUs} · ${ctx.theme.title}`,
        description: fill(ctx.m.contactDescription, { shop: ctx.theme.shopName }),
        canonical: url(ctx, `/${ctx.nav.locale}/contact`),
        script: contactScript(`${ctx.base.prefix}/${ctx.nav.locale}/contact/suggestions`),
      },
      contactBody(ctx.nav, {
        topics: ctx.settings.contact_topics,
        values: state.values ?? {},
        errors: state.errors ?? {},
        formKey:
          state.values?.formKey && /^[\w-]{16,64}$/.test(state.values.formKey)
            ? state.values.formKey
            : randomBytes(16).toString('base64url'),
        suggestions: state.suggestions ?? [],
        maxFiles: MAX_FILES,
        maxFileMb: MAX_FILE_BYTES / 1024 / 1024,
      }),
    );
  }

  async function contactSubmit(ctx: Ctx) {
    let fields: Record<string, string>;
    let files: FormFile[] = [];
    try {
      const parsed = formWithFiles(ctx.req);
      fields = parsed.fields;
      files = parsed.files.filter((f) => f.field === 'attachments');
    } catch {
      return contactPage(ctx, {
        status: 400,
        errors: { form: ctx.m.errFormUnreadable },
      });
    }
    const values = {
      name: (fields.name ?? '').trim().slice(0, 200),
      email: (fields.email ?? '').trim().slice(0, 320),
      topic: (fields.topic ?? '').trim(),
      orderNumber: (fields.orderNumber ?? '').trim().slice(0, 40),
      subject: (fields.subject ?? '').trim().slice(0, 300),
      message: (fields.message ?? '').trim().slice(0, 20_000),
      formKey: fields.formKey ?? '',
    };
    if (fields.action === 'suggest') {
      const s = values.subject || values.message.slice(0, 200);
      return contactPage(ctx, { values, suggestions: s ? await suggestions(ctx, s, values.formKey) : [] });
    }
    const errors: Record<string, string> = {};
    const m = ctx.m;
    if (!/^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/.test(values.email)) errors.email = m.errEmail;
    if (!ctx.settings.contact_topics.includes(values.topic)) errors.topic = m.errTopic;
    if (!values.subject) errors.subject = m.errSubject;
    if (!values.message) errors.message = m.errMessage;
    if (values.orderNumber && !/^#?[\w-]{1,40}$/.test(values.orderNumber))
      errors.orderNumber = m.errOrderNumber;
    if (files.length > MAX_FILES) errors.attachments = fill(m.errTooManyFiles, { n: MAX_FILES });
    if (files.some((f) => f.data.length > MAX_FILE_BYTES))
      errors.attachments = fill(m.errFileTooBig, { mb: MAX_FILE_BYTES / 1024 / 1024 });
    if (!/^[\w-]{16,64}$/.test(values.formKey)) errors.form = m.errFormExpired;
    if (Object.keys(errors).length) return contactPage(ctx, { values, errors, status: 400 });
    const wait = await overLimit(ctx, 'portal.contact');
    if (wait !== null) return tooMany(ctx, wait);

    const body = [
      values.message,
      '',
      `Topic: ${values.topic}`,
      ...(values.orderNumber ? [`Order number: ${values.orderNumber}`] : []),
    ].join('\n');
    // The form's one-time key is the message's external id: a double submit (or a retry after a
    // timeout) finds the stored message and lands on the same ticket.
    const r = await o.tickets.receive(ctx.base.workspaceId, {
      channel: 'web',
      contact: { email: values.email, name: values.name || null },
      subject: values.subject,
      bodyText: body,
      attachments: files.map((f) => ({
        filename: f.filename.slice(0, 200),
        contentType: f.contentType,
        data: f.data,
      })),
      externalId: `help-contact:${values.formKey}`,
      dedupe: true,
      tags: ['contact-form'],
      channelMeta: {
        source: 'help-center-contact',
        topic: values.topic,
        orderNumber: values.orderNumber || null,
        locale: ctx.nav.locale,
        userAgent: String(ctx.req.headers['user-agent'] ?? '').slice(0, 300),
      },
    });
    if (!r.duplicate) {
      await hc.recordContactSubject(ctx.base.workspaceId, values.subject, ctx.nav.locale, values.formKey);
      await hc.linkVisitorEmail(ctx.base.workspaceId, ctx.visitor, values.email);
      const viewed = await hc.recentlyViewed(ctx.base.workspaceId, ctx.visitor);
      await hc.recordDeflection(ctx.base.workspaceId, {
        source: 'contact-form',
        visitorKey: ctx.visitor,
        query: values.subject,
        articleIds: viewed,
        outcome: 'ticket_created',
        ticketId: r.ticketId,
      });
    }
    // Post/redirect/get: a reload of the thank-you page never re-submits.
    return ctx.reply.redirect(
      `${ctx.base.prefix}/${ctx.nav.locale}/contact/sent?ref=${r.ticketId}&to=${encodeURIComponent(values.email)}`,
      303,
    );
  }

  async function track(ctx: Ctx, method: string, forReturn = false) {
    // `/returns` is the same look-up, leading to the order's return page (a shopper link) instead.
    const returnPage = o.shopperLinks.pageFor('return');
    if (forReturn && !returnPage) return notFound(ctx);
    const source = o.orders();
    const page = (status: number, body: string) =>
      send(
        ctx,
        status,
        {
          title: `${forReturn ? ctx.m.returnItems : ctx.m.trackOrder} · ${ctx.theme.title}`,
          description: fill(ctx.m.trackDescription, { shop: ctx.theme.shopName }),
          canonical: url(ctx, `/${ctx.nav.locale}/${forReturn ? 'returns' : 'track'}`),
        },
        body,
      );
    if (!source)
      return page(200, trackFormBody(ctx.nav, { values: {}, error: null, available: false, forReturn }));
    if (method === 'GET')
      return page(200, trackFormBody(ctx.nav, { values: {}, error: null, available: true, forReturn }));
    const f = formFields(ctx.req);
    const number = (f.number ?? '').trim().slice(0, 40);
    const proof = (f.email ?? '').trim().slice(0, 320);
    const values = { number, email: proof };
    if (!number || !proof)
      return page(
        400,
        trackFormBody(ctx.nav, {
          forReturn,
          values,
          error: ctx.m.errTrackMissing,
          available: true,
        }),
      );
    // The lookup's own normalisation: "order 1042", "nr. 1042", "#1042" and "1042 " can only ever
    // match the same order, so they share one budget (anything else would reset it per spelling).
    const numberKey = `${ctx.base.workspaceId}:${normalizeOrderNumber(number)}`;
    const wait =
      (await overLimit(ctx, 'portal.tracking')) ??
      (await limits.blocked('portal.tracking.number', numberKey));
    if (wait !== null) return tooMany(ctx, wait);
    const order = await findVerifiedOrder(
      source,
      ctx.base.workspaceId,
      number,
      proof.includes('@') ? { email: proof } : { zip: proof },
    );
    if (!order) {
      await limits.hit('portal.tracking.number', numberKey);
      return page(
        404,
        trackFormBody(ctx.nav, {
          forReturn,
          values,
          error: ctx.m.errTrackNoMatch,
          available: true,
        }),
      );
    }
    // The shopper proved this order is theirs: a later chat or e-mail from its address can be traced
    // to the articles read here (stats only).
    const email = order.email ?? (proof.includes('@') ? proof : null);
    if (email) await hc.linkVisitorEmail(ctx.base.workspaceId, ctx.visitor, email);
    const returnLink = returnPage
      ? `${ctx.base.prefix}/${ctx.nav.locale}/l/${o.shopperLinks.sign({ purpose: 'return', workspaceId: ctx.base.workspaceId, subject: { type: 'order', id: order.id } })}`
      : null;
    if (forReturn && returnLink) return ctx.reply.redirect(returnLink, 303);
    return page(
      200,
      `${trackResultBody(ctx.nav, order, await deliveryOf(ctx.base.workspaceId, order.id))}${returnLink ? `<p><a class="button" href="${escapeHtml(returnLink)}">${escapeHtml(ctx.m.returnItems)}</a></p>` : ''}`,
    );
  }

  async function trackLink(ctx: Ctx, token: string) {
    const source = o.orders();
    const claims = verifyTrackingToken(keyRing(deps.config), token);
    const order =
      claims && claims.workspaceId === ctx.base.workspaceId && source
        ? await source.byId(ctx.base.workspaceId, claims.orderId)
        : null;
    if (!order)
      return send(
        ctx,
        404,
        {
          title: `${ctx.m.trackOrder} · ${ctx.theme.title}`,
          description: '',
          canonical: url(ctx, `/${ctx.nav.locale}/track`),
          noindex: true,
        },
        `<div class="error" role="alert">${escapeHtml(ctx.m.trackLinkInvalid)}</div>${trackFormBody(ctx.nav, { values: {}, error: null, available: !!source })}`,
      );
    return send(
      ctx,
      200,
      {
        title: `${fill(ctx.m.orderTitle, { number: order.number })} · ${ctx.theme.title}`,
        description: '',
        canonical: url(ctx, `/${ctx.nav.locale}/track`),
        noindex: true,
      },
      trackResultBody(ctx.nav, order, await deliveryOf(ctx.base.workspaceId, order.id)),
    );
  }

  /** `/l/<token>`: the one place a shopper link is verified and handed to its purpose's page. */
  async function shopperLinkPage(ctx: Ctx, token: string) {
    const claims = readShopperLink(keyRing(deps.config), token);
    const page =
      claims && claims.workspaceId === ctx.base.workspaceId
        ? o.shopperLinks.pageFor(claims.purpose)
        : undefined;
    const meta = { description: '', canonical: url(ctx, `/${ctx.nav.locale}`), noindex: true };
    if (!claims || !page)
      return send(
        ctx,
        404,
        { ...meta, title: `${ctx.m.notFoundTitle} · ${ctx.theme.title}` },
        `<div class="error" role="alert">${escapeHtml(ctx.m.shopperLinkInvalid)}</div>`,
      );
    const query = Object.fromEntries(
      Object.entries(ctx.req.query as Record<string, unknown>).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
    const form = ctx.req.method === 'POST' ? formWithFiles(ctx.req) : { fields: {}, files: [] };
    const r = await page.render({
      claims,
      method: ctx.req.method === 'POST' ? 'POST' : 'GET',
      fields: form.fields,
      files: form.files,
      query,
      locale: ctx.nav.locale,
      path: `${ctx.base.prefix}/l/${token}`,
      clientIp: ctx.req.ip,
    });
    if ('redirect' in r) return ctx.reply.redirect(headerSafe(r.redirect), 303);
    return send(ctx, r.status ?? 200, { ...meta, title: `${r.title} · ${ctx.theme.title}` }, r.html);
  }

  async function ask(ctx: Ctx, method: string) {
    const bot = o.bot?.();
    const canonical = url(ctx, `/${ctx.nav.locale}/ask`);
    if (!bot)
      return send(
        ctx,
        200,
        { title: `${ctx.m.askQuestion} · ${ctx.theme.title}`, description: '', canonical },
        `<h1>${escapeHtml(ctx.m.askQuestion)}</h1><p>${searchForm(ctx.nav)}</p><p><a href="${escapeHtml(`${ctx.base.prefix}/${ctx.nav.locale}/contact`)}">${escapeHtml(ctx.m.contactUs)}</a></p>`,
      );
    let text: string | null = null;
    if (method === 'POST') {
      text = (formFields(ctx.req).text ?? '').trim().slice(0, 1000) || null;
      const wait = await overLimit(ctx, 'portal.ask');
      if (wait !== null) return tooMany(ctx, wait);
    } else {
      const q = String((ctx.req.query as Record<string, unknown>).q ?? '')
        .trim()
        .slice(0, 1000);
      text = q || null;
    }
    const r = await bot.converse({
      workspaceId: ctx.base.workspaceId,
      conversationKey: `portal:${ctx.visitor}`,
      locale: ctx.nav.locale,
      text,
      clientIp: ctx.req.ip,
    });
    return send(
      ctx,
      200,
      {
        title: `${ctx.m.askQuestion} · ${ctx.theme.title}`,
        description: fill(ctx.m.askDescription, { shop: ctx.theme.shopName }),
        canonical,
        noindex: true,
      },
      askBody(ctx.nav, {
        formKey: ctx.visitor,
        transcript: r.transcript,
      }),
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

  async function dispatch(req: FastifyRequest, reply: FastifyReply, base: PortalBase, rest: string) {
    // Every page, image and form of the help center counts against the shopper's network.
    const busy = await overLimit({ req }, 'portal.pages');
    if (busy !== null)
      return reply
        .code(429)
        .header('retry-after', busy)
        .type('text/plain; charset=utf-8')
        .send('Too many requests from your network; try again in a minute.');
    const settings = await hc.settingsOf(base.workspaceId);
    const path = rest
      .split('?')[0]!
      .split('/')
      .filter(Boolean)
      .map((p) => {
        try {
          return decodeURIComponent(p);
        } catch {
          return p;
        }
      });
    if (path[0] === 'images' && path.length === 2 && (req.method === 'GET' || req.method === 'HEAD'))
      return serveImage(req, reply, base.workspaceId, settings.enabled, path[1]!);
    let locale = settings.default_locale;
    if (path[0] && settings.locales.includes(path[0])) locale = path.shift()!;
    else if (path.length === 0) {
      const wanted = String(req.headers['accept-language'] ?? '')
        .split(',')
        .map((p) => p.split(';')[0]!.trim().toLowerCase())
        .find((l) => settings.locales.includes(l) || settings.locales.includes(l.split('-')[0]!));
      const l = wanted
        ? settings.locales.includes(wanted)
          ? wanted
          : wanted.split('-')[0]!
        : settings.default_locale;
      return reply.redirect(`${base.prefix}/${l}`, 302);
    } else if (
      path[0] !== 'sitemap.xml' &&
      path[0] !== 'robots.txt' &&
      path[0] !== 'track-link' &&
      path[0] !== 'l'
    ) {
      return reply.redirect(headerSafe(`${base.prefix}/${settings.default_locale}/${path.join('/')}`), 302);
    }
    const msgs = messagesFor(locale);
    const theme: Theme = {
      // The unchanged default title reads in the page's language; a title the shop chose is theirs.
      title:
        settings.title === 'Help center'
          ? fill(msgs.helpCenterOf, { shop: base.workspaceName })
          : settings.title,
      shopName: base.workspaceName,
      logoUrl: settings.logo_url,
      primaryColor: settings.primary_color,
      locales: settings.locales,
    };
    const ctx: Ctx = {
      req,
      reply,
      base,
      theme,
      settings,
      nav: { prefix: base.prefix, locale },
      visitor: visitorOf(req, reply),
      nonce: randomBytes(12).toString('base64'),
      agent: await isAgentOf(req, base.workspaceId),
      path,
      m: msgs,
    };
    const [a, b, c] = path;
    const m = req.method;
    // Pages opened from a shopper link (returns, surveys, notice options) work with the help center off.
    if (a === 'l' && b && !c && (m === 'GET' || m === 'POST')) return shopperLinkPage(ctx, b);
    if (!settings.enabled && !ctx.agent) return notFound(ctx, 'help center');
    if (a === 'robots.txt')
      return reply
        .type('text/plain')
        .send(
          `User-agent: *\nDisallow: ${base.prefix}/*/search\nDisallow: ${base.prefix}/*/track\nSitemap: ${base.root}/sitemap.xml\n`,
        );
    if (a === 'sitemap.xml') return sitemap(ctx);
    if (a === 'track-link' && b && m === 'GET') return trackLink(ctx, b);
    if (!a && m === 'GET') return home(ctx);
    if (a === 'language' && m === 'GET') {
      const to = String((req.query as Record<string, unknown>).to ?? '');
      // Only our own pages: the switcher must not become an open redirect.
      return reply.redirect(
        to.startsWith(`${base.prefix}/`) && !to.startsWith('//')
          ? headerSafe(to)
          : `${base.prefix}/${locale}`,
        302,
      );
    }
    if (a === 'categories' && b && !c && m === 'GET') return category(ctx, b);
    if (a === 'sections' && b && !c && m === 'GET') return section(ctx, b);
    if (a === 'articles' && b && !c && m === 'GET') return article(ctx, b);
    if (a === 'articles' && b && c === 'vote' && m === 'POST') return vote(ctx, b);
    if (a === 'search' && !b && m === 'GET') return search(ctx);
    if (a === 'contact' && !b && m === 'GET') return contactPage(ctx);
    if (a === 'contact' && !b && m === 'POST') return contactSubmit(ctx);
    if (a === 'contact' && b === 'sent' && m === 'GET') {
      const q = req.query as Record<string, string | undefined>;
      const ref = Number(q.ref);
      if (!Number.isSafeInteger(ref)) return notFound(ctx);
      return send(
        ctx,
        200,
        {
          title: `${msgs.messageSent} · ${theme.title}`,
          description: '',
          canonical: url(ctx, `/${locale}/contact`),
          noindex: true,
        },
        contactThanksBody(ctx.nav, ref, String(q.to ?? '').slice(0, 320)),
      );
    }
    if (a === 'contact' && b === 'suggestions' && m === 'GET') {
      const query = req.query as Record<string, unknown>;
      const q = String(query.q ?? '')
        .trim()
        .slice(0, 300);
      if (!q || (await overLimit(ctx, 'portal.search')) !== null)
        return reply.type('text/html; charset=utf-8').send('');
      const formKey = typeof query.formKey === 'string' ? query.formKey : null;
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(suggestionsHtml(ctx.nav, await suggestions(ctx, q, formKey)));
    }
    if (a === 'track' && !b && (m === 'GET' || m === 'POST')) return track(ctx, m);
    if (a === 'returns' && !b && (m === 'GET' || m === 'POST')) return track(ctx, m, true);
    if (a === 'ask' && !b && (m === 'GET' || m === 'POST')) return ask(ctx, m);
    return notFound(ctx);
  }

  // Forms post urlencoded or multipart bodies; the parsers live only in this plugin's scope.
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 256 * 1024 },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      },
    );
    scope.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: MAX_FILES * MAX_FILE_BYTES + 1024 * 1024 },
      (_req, body, done) => {
        done(null, body);
      },
    );

    const bySlug = async (req: FastifyRequest, reply: FastifyReply) => {
      const { slug } = req.params as { slug: string };
      const ws = /^[a-z0-9][a-z0-9-]{0,59}$/.test(slug) ? await hc.workspaceBySlug(slug) : undefined;
      if (!ws)
        return reply
          .code(404)
          .type('text/html; charset=utf-8')
          .send('<!doctype html><title>Not found</title><h1>Help center not found</h1>');
      const base = await hc.baseFor(ws.id);
      // Links stay on this host; canonical URLs name the shop's own domain when it has one.
      const rest = req.url.slice(`/help/${slug}`.length);
      return dispatch(req, reply, { ...base, prefix: `/help/${ws.slug}` }, rest);
    };
    for (const method of ['GET', 'POST'] as const) {
      scope.route({ method, url: '/help/:slug', handler: bySlug });
      scope.route({ method, url: '/help/:slug/*', handler: bySlug });
    }

    // The shop's own domain: the same pages at its root. A constraint keeps these routes from ever
    // matching Shopdesk's own host, where / is the agent dashboard.
    scope.addConstraintStrategy({
      name: 'helpCenterDomain',
      storage() {
        const m = new Map<string, unknown>();
        return { get: (k: string) => m.get(k) ?? null, set: (k: string, v: unknown) => void m.set(k, v) };
      },
      deriveConstraint: (
        req: FastifyRequest,
        _ctx: unknown,
        done: (err: Error | null, value?: string) => void,
      ) => {
        domainWorkspace(req.headers.host)
          .then((id) => done(null, id ? 'mapped' : 'none'))
          .catch((err: Error) => done(err));
      },
      mustMatchWhenDerived: false,
    } as never);
    const byDomain = async (req: FastifyRequest, reply: FastifyReply) => {
      const id = await domainWorkspace(req.headers.host);
      if (!id) return reply.code(404).send();
      return dispatch(req, reply, await hc.baseFor(id), req.url);
    };
    for (const method of ['GET', 'POST'] as const) {
      scope.route({ method, url: '/', constraints: { helpCenterDomain: 'mapped' }, handler: byDomain });
      scope.route({ method, url: '/*', constraints: { helpCenterDomain: 'mapped' }, handler: byDomain });
    }
  });

  /** Form fields are strings; a JSON body posted here instead may hold anything else, which is dropped. */
  function stringFields(b: unknown): Record<string, string> {
    if (!b || typeof b !== 'object' || Array.isArray(b)) return {};
    return Object.fromEntries(Object.entries(b).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >;
  }
  function formFields(req: FastifyRequest): Record<string, string> {
    const b = req.body;
    if (Buffer.isBuffer(b)) return formWithFiles(req).fields;
    return stringFields(b);
  }
  function formWithFiles(req: FastifyRequest): { fields: Record<string, string>; files: FormFile[] } {
    const b = req.body;
    // Multipart fields are parsed here, after the input guard ran: they get the same NUL check.
    if (Buffer.isBuffer(b))
      return cleanUntrustedInput(parseMultipart(b, String(req.headers['content-type'] ?? '')), 'body');
    return { fields: stringFields(b), files: [] };
  }

  return {
    /** Forget cached Host mappings after a settings change (this node; others refresh within 30 s). */
    forgetDomains: () => domains.clear(),
  };
}
