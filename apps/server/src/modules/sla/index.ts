/** SLA achievement metrics for the analytics registry. */
export { slaAnalyticsContributions, slaMetricDefinitions } from './analytics-source.ts';
export {
  addBusinessMinutes,
  businessMinutesBetween,
  type Calendar,
  isOpen,
  nextOpen,
} from './business-hours.ts';
export { slaCheckJob, slaRecomputeWorkspaceJob } from './sla.jobs.ts';
export { registerSlaListeners } from './sla.listeners.ts';
export { registerSlaRoutes } from './sla.routes.ts';
export { createSlaService, type SlaService } from './sla.service.ts';
