export { automationScanJob, automationWebhookJob, scheduleAutomationScan } from './automations.jobs.ts';
export { registerAutomationListeners } from './automations.listeners.ts';
export { registerAutomationRoutes } from './automations.routes.ts';
export { type AutomationsService, createAutomationsService } from './automations.service.ts';
export { scoreUrgency } from './urgency.ts';
