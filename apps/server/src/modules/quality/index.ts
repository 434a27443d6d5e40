import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import { registerQualityRoutes } from './quality.routes.ts';
import { createQualityService, type QualityService } from './quality.service.ts';

/** Score arithmetic other modules (analytics, coaching) may reuse. */
export { normalise, reviewScore } from './scoring.ts';
export type { QualityService };

/** QA scorecards and conversation reviews (issue #21): the service and its API. */
export function installQuality(o: { router: Router; deps: Deps }): { quality: QualityService } {
  const quality = createQualityService(o.deps);
  registerQualityRoutes(o.router, quality);
  return { quality };
}
