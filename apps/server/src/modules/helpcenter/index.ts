import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import { keyRing } from '../../platform/security/keys.ts';
import type { CommerceService } from '../commerce/index.ts';
import type { MacrosService } from '../macros/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { registerHelpCenterListeners } from './helpcenter.listeners.ts';
import { registerHelpCenterRoutes } from './helpcenter.routes.ts';
import { createHelpCenterService, type HelpCenterService } from './helpcenter.service.ts';
import type { ShopperOrderSource } from './order-port.ts';
import type { DeliveryStatusSource } from './portal-html.ts';
import { type PortalBot, registerPortalPages } from './portal-pages.ts';
import { createShopperLinks, type ShopperLinks } from './shopper-links.ts';
import { trackingPageVariable } from './tracking-link.ts';

export { shopperOrdersFrom } from './commerce-orders.ts';
export { rebuildTerms as rebuildSearchTerms } from './helpcenter.repository.ts';
export { createHelpCenterService, type HelpCenterService, type SearchOutcome } from './helpcenter.service.ts';
export { renderMarkdown } from './markdown.ts';
export { findVerifiedOrder, type ShopperOrderSource } from './order-port.ts';
export { normalizeOrderNumber, shopperMatchesOrder } from './order-verification.ts';
export { type DeliveryStatusSource, type OrderDeliveryStatus, orderStatusLine } from './portal-html.ts';
export type { PortalBot } from './portal-pages.ts';
export { expandSynonyms, queryWords } from './search-text.ts';
export {
  DEFAULT_SHOPPER_LINK_DAYS,
  type ShopperLinkClaims,
  type ShopperLinkPurpose,
  type ShopperLinkRequest,
  type ShopperLinkSubjectType,
  type ShopperLinks,
  type ShopperPage,
  type ShopperPageInput,
  type ShopperPageResult,
  signShopperLink,
  verifyShopperLink,
} from './shopper-links.ts';
export { signTrackingToken, verifyTrackingToken } from './tracking-token.ts';

/**
 * The help center in one call from the composition root: authoring API, shopper pages (help center,
 * contact form, order tracking, "ask a question", and the pages other modules serve at `/l/<token>`
 * from shopper links — `shopperLinks.registerPage`). Orders and the bot are late-bound getters because
 * the modules that provide them are wired after this one.
 */
export function installHelpCenter(o: {
  app: FastifyInstance;
  router: Router;
  deps: Deps;
  tickets: TicketsService;
  orders?: ShopperOrderSource | null;
  bot?: () => PortalBot | null;
  /** The tracking page's parcels and delay banner (modules/tracking; late-bound). */
  deliveries?: () => DeliveryStatusSource | null;
  /** For `{{order.tracking_page_url}}` in macros (signed tracking links). */
  macros?: Pick<MacrosService, 'addVariableProvider'>;
  commerce?: Pick<CommerceService, 'conversationOrder'>;
}): { hc: HelpCenterService; shopperLinks: ShopperLinks } {
  const hc = createHelpCenterService(o.deps);
  const shopperLinks = createShopperLinks({
    keys: keyRing(o.deps.config),
    rootOf: async (w) => (await hc.baseFor(w)).root,
  });
  registerHelpCenterRoutes(o.router, hc);
  registerHelpCenterListeners(o.deps.bus, { hc, tickets: o.tickets });
  registerPortalPages({
    app: o.app,
    router: o.router,
    deps: o.deps,
    hc,
    tickets: o.tickets,
    orders: () => o.orders ?? null,
    bot: o.bot,
    deliveries: o.deliveries,
    shopperLinks,
  });
  if (o.macros && o.commerce)
    o.macros.addVariableProvider(
      trackingPageVariable({ hc, commerce: o.commerce, keys: keyRing(o.deps.config) }),
    );
  return { hc, shopperLinks };
}
