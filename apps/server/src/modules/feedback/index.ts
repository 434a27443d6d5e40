import { z } from 'zod';
import type { Deps } from '../../platform/deps.ts';
import { clientKey } from '../../platform/http/rate-limit.ts';
import type { Router } from '../../platform/http/router.ts';
import { defineJob } from '../../platform/jobs/queue.ts';
import type { HelpCenterService, ShopperLinks } from '../helpcenter/index.ts';
import type { IntakeService } from '../intake/index.ts';
import type { DirectMail, NoticesService } from '../notices/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import {
  closeFollowUpJob,
  npsScanJob,
  scheduleNpsScan,
  sendFollowUpJob,
  sendSurveyJob,
} from './feedback.jobs.ts';
import { registerFeedbackListeners } from './feedback.listeners.ts';
import { registerSurveyRoutes } from './feedback.routes.ts';
import { createImprovementsService, NOTIFY_IMPROVEMENT_JOB } from './improvements.service.ts';
import { registerLoopRoutes, type ShopperOf } from './loop.routes.ts';
import { createSiteFeedbackService } from './site-feedback.service.ts';
import { surveyPages } from './survey-pages.ts';
import { LINK_PURPOSES } from './survey-rules.ts';
import { createSurveysService, type SurveysService } from './surveys.service.ts';

/** Summary figures for the analytics registry (app.ts registers them). */
export { feedbackAnalyticsSummaries } from './analytics-source.ts';

/**
 * Survey metrics for other modules (analytics): read through these, never the feedback tables.
 * `csatSummary(db, workspaceId, days)`, `npsSummary(db, workspaceId, days)`, `feedbackOverview(...)`.
 */
export { csatSummary, feedbackOverview, npsSummary } from './reports.ts';
export type { SurveysService };

/**
 * Follow-ups, surveys and the feedback loop in one call from the composition root: reactions to
 * solved and reopened tickets, the send/close jobs, the agent API, and the shopper's answer pages in
 * the help center.
 */
export async function installFeedback(o: {
  router: Router;
  deps: Deps;
  tickets: TicketsService;
  /** E-mail outside a ticket (NPS surveys are about an order): the notices module's direct mail. */
  mail: DirectMail;
  hc: Pick<HelpCenterService, 'baseFor' | 'settingsOf'>;
  shopperLinks: Pick<ShopperLinks, 'url' | 'registerPage'>;
  notices: Pick<NoticesService, 'send' | 'registerKind'>;
  intake: Pick<IntakeService, 'store' | 'register'>;
  /** The chat module's widget guard: workspace by slug (origin allowed) and the visitor of a token. */
  shopperOf: ShopperOf;
}): Promise<{ surveys: SurveysService }> {
  const surveys = createSurveysService({
    deps: o.deps,
    tickets: o.tickets,
    hc: o.hc,
    links: o.shopperLinks,
    notices: o.notices,
    mail: o.mail,
  });
  registerSurveyRoutes(o.router, surveys);
  // The loop: site feedback through the intake, topics, improvements and their "we changed it" notice.
  const site = createSiteFeedbackService({ deps: o.deps, tickets: o.tickets, intake: o.intake });
  o.intake.register(site.intakeSource());
  const improvements = createImprovementsService({ deps: o.deps, tickets: o.tickets, notices: o.notices });
  registerLoopRoutes(o.router, site, improvements, o.shopperOf);
  o.deps.jobs.register(
    defineJob({
      name: NOTIFY_IMPROVEMENT_JOB,
      schema: z.object({ workspaceId: z.number().int(), improvementId: z.number().int() }),
      handler: (p) => improvements.notify(p.workspaceId, p.improvementId),
    }),
  );
  registerFeedbackListeners(o.deps.bus, surveys);
  o.deps.jobs.register(sendSurveyJob(surveys));
  o.deps.jobs.register(sendFollowUpJob(surveys));
  o.deps.jobs.register(closeFollowUpJob(surveys));
  o.deps.jobs.register(npsScanJob(surveys, o.deps.db));
  await scheduleNpsScan(o.deps.db);
  const pages = surveyPages({
    surveys,
    shopName: async (w) => (await o.hc.baseFor(w)).workspaceName,
    overLimit: (ip) => o.deps.limits.hit('portal.answers', clientKey(ip)),
  });
  o.shopperLinks.registerPage({ purpose: LINK_PURPOSES.survey, render: pages.survey });
  o.shopperLinks.registerPage({ purpose: LINK_PURPOSES.followUp, render: pages.followUp });
  o.shopperLinks.registerPage({ purpose: LINK_PURPOSES.optOut, render: pages.optOut });
  return { surveys };
}
