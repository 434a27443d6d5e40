import { escapeHtml } from '../../platform/html/sanitize.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { findVerifiedOrder } from './order-port.ts';
import { normalizeOrderNumber } from './order-verification.ts';
import { trackFormBody, trackResultBody } from './portal-html.ts';
import { text as fill } from './portal-i18n.ts';
import type { Ctx, PortalKit } from './portal-kit.ts';
import { verifyTrackingToken } from './tracking-token.ts';

/**
 * Order tracking for shoppers: the look-up form (order number + e-mail or postcode), the signed
 * tracking links sent in e-mails, and `/returns`, the same look-up leading to the order's return page.
 */
export function orderPages(kit: PortalKit) {
  const { o, hc, deps, limits, overLimit, deliveryOf, send, url, notFound, tooMany, formFields } = kit;

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

  return { track, trackLink };
}
