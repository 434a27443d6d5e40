import type { Deps } from '../../platform/deps.ts';
import type { SlaService } from '../sla/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { createAutomationContext } from './automation-context.ts';
import { createAutomationsAdmin } from './automations-admin.service.ts';
import { createAutomationEngine } from './engine.ts';
import { createUrgencyScoring } from './urgency-scoring.ts';
import { createWebhooksService } from './webhooks.service.ts';

export type { ScanOptions } from './engine.ts';

/**
 * The automations module's service, put together from one file per use case (they share
 * automation-context.ts: keys, outbound policy, the cached triggers).
 */
export function createAutomationsService(deps: Deps, tickets: TicketsService, sla: SlaService) {
  const c = createAutomationContext(deps, tickets, sla);
  const { ensureEndpoints, ...webhooks } = createWebhooksService(c);
  return {
    ...createAutomationEngine(c),
    ...createUrgencyScoring(c),
    ...createAutomationsAdmin(c, ensureEndpoints),
    ...webhooks,
  };
}

export type AutomationsService = ReturnType<typeof createAutomationsService>;
