import type { Deps } from '../../platform/deps.ts';
import { createConfigCache } from '../../platform/events/config-cache.ts';
import { keyRing } from '../../platform/security/keys.ts';
import type { SlaService } from '../sla/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import * as repo from './automations.repository.ts';

/** What the automations use cases share: keys, the workspace's outbound policy, the cached triggers. */
export function createAutomationContext(deps: Deps, tickets: TicketsService, sla: SlaService) {
  const { db, log } = deps;
  const keys = () => keysOf(deps);
  const policyOf = (workspaceId: number) => outboundPolicyOf(db, deps.config, workspaceId);
  // Loaded on every ticket and message event, edited rarely; filtered by event name in memory.
  const triggers = createConfigCache({
    bus: deps.bus,
    kind: 'automations.triggers-changed',
    load: (workspaceId) => repo.activeTriggers(db, workspaceId),
  });
  return { deps, tickets, sla, db, log, keys, policyOf, triggers };
}

export type AutomationContext = ReturnType<typeof createAutomationContext>;

const keysOf = (deps: Deps) => keyRing(deps.config);
