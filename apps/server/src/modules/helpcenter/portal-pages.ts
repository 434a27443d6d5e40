import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from '../../platform/html/sanitize.ts';
import { keyRing } from '../../platform/security/keys.ts';
import type { PortalBase } from './helpcenter.service.ts';
import { articlePages } from './portal-articles.ts';
import { contactPages } from './portal-contact.ts';
import { contactThanksBody, suggestionsHtml, type Theme } from './portal-html.ts';
import { text as fill, messagesFor } from './portal-i18n.ts';
import {
  type Ctx,
  createPortalKit,
  headerSafe,
  MAX_FILE_BYTES,
  MAX_FILES,
  type PortalOptions,
} from './portal-kit.ts';
import { orderPages } from './portal-orders.ts';
import { readShopperLink } from './shopper-links.ts';

export type { PortalBot, PortalOptions } from './portal-kit.ts';

const VISITOR_COOKIE = 'sd_hc_vid';

/**
 * Shopper-facing help center: /help/<workspace-slug>/… on Shopdesk's host, and the same pages at the
 * root of a shop's own domain (Host → workspace through the help center settings). This file finds the
 * workspace and routes each path to its page (portal-articles, portal-contact, portal-orders).
 */
export function registerPortalPages(o: PortalOptions) {
  const { app, hc, deps } = o;
  const kit = createPortalKit(o);
  const { overLimit, isAgentOf, send, url, notFound, formWithFiles } = kit;
  const { home, category, section, article, vote, search, sitemap, serveImage } = articlePages(kit);
  const { suggestions, contactPage, contactSubmit, ask } = contactPages(kit);
  const { track, trackLink } = orderPages(kit);

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

  return {
    /** Forget cached Host mappings after a settings change (this node; others refresh within 30 s). */
    forgetDomains: () => domains.clear(),
  };
}
