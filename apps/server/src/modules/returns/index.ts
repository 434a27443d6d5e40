import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import { returnPortalPage } from './return-portal.ts';
import { registerReturnsRoutes } from './returns.routes.ts';
import { createReturnsService, type ReturnsDeps, type ReturnsService } from './returns.service.ts';

/** Summary figures for the analytics registry (app.ts registers them). */
export { returnsAnalyticsSummaries } from './analytics-source.ts';

export { MAX_PHOTO_BYTES, MAX_PHOTOS, photoType, type ShopperPhoto } from './return-create.ts';
export { lineEligibility, quoteOutcomes, returnDeadline } from './return-eligibility.ts';
export { createReturnsService, type ReturnsDeps, type ReturnsService } from './returns.service.ts';

/** Returns in one call from the composition root: the service and its agent API. */
export function installReturns(o: { router: Router; deps: Deps } & ReturnsDeps): ReturnsService {
  const { router, deps, ...ext } = o;
  const svc = createReturnsService(deps, ext);
  registerReturnsRoutes(router, svc);
  // The shopper's pages: served by the help center at /l/<token> for links with purpose 'return'.
  ext.links?.registerPage(returnPortalPage(svc));
  return svc;
}
