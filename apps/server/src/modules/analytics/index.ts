import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import { flushJob } from './analytics.jobs.ts';
import { registerAnalyticsListeners } from './analytics.listeners.ts';
import { registerAnalyticsRoutes } from './analytics.routes.ts';
import { type AnalyticsService, createAnalyticsService } from './analytics.service.ts';
import { createMetricsRegistry, type MetricsRegistry } from './registry.ts';

export type {
  Contribution,
  MetricDefinition,
  MetricSource,
  MetricsRegistry,
  SubjectProvider,
  SummaryMetric,
} from './registry.ts';
export type { AnalyticsService };

/**
 * Analytics from the composition root: the metrics registry other modules register with (their
 * definitions and rollup functions), the listeners that mark changed tickets, the flush job and the API.
 */
export function installAnalytics(o: { router: Router; deps: Deps }): {
  registry: MetricsRegistry;
  analytics: AnalyticsService;
} {
  const registry = createMetricsRegistry();
  const analytics = createAnalyticsService(o.deps, registry);
  registerAnalyticsRoutes(o.router, analytics);
  registerAnalyticsListeners(o.deps.bus, o.deps.db);
  o.deps.jobs.register(flushJob(analytics));
  return { registry, analytics };
}
