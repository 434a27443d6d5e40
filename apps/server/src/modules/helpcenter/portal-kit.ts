import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { escapeHtml } from '../../platform/html/sanitize.ts';
import { clientKey, type RatePolicyName } from '../../platform/http/rate-limit.ts';
import type { Router } from '../../platform/http/router.ts';
import { cleanUntrustedInput } from '../../platform/http/untrusted-input.ts';
import type { TicketsService } from '../tickets/index.ts';
import type { HelpCenterService, PortalBase } from './helpcenter.service.ts';
import { type FormFile, parseMultipart } from './multipart.ts';
import type { ShopperOrderSource } from './order-port.ts';
import {
  type DeliveryStatusSource,
  layout,
  type Nav,
  notFoundBody,
  type PageMeta,
  type Theme,
} from './portal-html.ts';
import type { NotFoundWhat, PortalMessages } from './portal-i18n.ts';
import type { ShopperLinks } from './shopper-links.ts';

/**
 * A path copied from the request into a Location header: anything outside printable ASCII (decoded
 * spaces, line breaks, non-Latin text) is percent-encoded again, or Node refuses the header and the
 * shopper gets an error page instead of the redirect.
 */
export function headerSafe(path: string): string {
  return path.replace(/[^\x21-\x7e]+/g, (run) =>
    [...Buffer.from(run, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

export const MAX_FILES = 5;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

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

/** One request to a portal page, as every page function gets it. */
export interface Ctx {
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
 * What every portal page shares (docs/self-service.md): the rate-limit check, the page frame with its
 * CSP nonce, URLs, the 404 and 429 pages and form parsing. The pages are split by use case:
 * portal-articles.ts (reading), portal-contact.ts (contact form and "ask"), portal-orders.ts (order
 * tracking and the returns look-up); portal-pages.ts routes requests to them.
 */
export function createPortalKit(o: PortalOptions) {
  const { hc, deps } = o;
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

  async function isAgentOf(req: FastifyRequest, workspaceId: number) {
    try {
      const auth = await o.router.authorize(req, 'read-only', 'GET');
      return auth?.workspaceId === workspaceId;
    } catch {
      return false;
    }
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
    o,
    hc,
    deps,
    limits,
    overLimit,
    deliveryOf,
    isAgentOf,
    send,
    url,
    alts,
    notFound,
    nameIn,
    tooMany,
    formFields,
    formWithFiles,
  };
}

export type PortalKit = ReturnType<typeof createPortalKit>;
