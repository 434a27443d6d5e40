import { z } from 'zod';
import type { CarrierRegistry } from '../../carriers/carrier-adapter.ts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import { defineJob, enqueue } from '../../platform/jobs/queue.ts';
import type { ShopperLinks } from '../helpcenter/index.ts';
import type { IntakeService } from '../intake/index.ts';
import type { NoticesService } from '../notices/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { createPolling, type Polling } from './polling.ts';
import { createProblemsService, type ProblemsService } from './problems.ts';
import { registerTrackingRoutes } from './tracking.routes.ts';
import { createTrackingService, normalizeProvider, type TrackingService } from './tracking.service.ts';

export type { ShipmentStatus } from './normalize.ts';
export { STATUSES } from './normalize.ts';
/** Summaries for the analytics registry (registered in app.ts). */
export { trackingSummaries } from './tracking-metrics.ts';
export type { Polling, ProblemsService, TrackingService };

/** Minutes between delivery checks (store shipments + time-based rules). */
const SWEEP_MINUTES = 15;

const sweepJob = (svc: TrackingService, polling: Polling, db: Db) =>
  defineJob({
    name: 'tracking-sweep',
    schema: z.object({}).passthrough(),
    handler: async () => {
      try {
        await svc.sweep();
        // Each polling source gets its run for this slot (a durable job of its own, see polling.ts).
        await polling.schedule(Math.floor(Date.now() / (SWEEP_MINUTES * 60_000)));
      } finally {
        await scheduleSweep(db, SWEEP_MINUTES);
      }
    },
    keepDoneForMs: 3_600_000,
  });
const pollJob = (polling: Polling) =>
  defineJob({
    name: 'tracking-poll',
    schema: z.object({ sourceId: z.number().int() }),
    handler: async ({ sourceId }) => {
      await polling.run(sourceId);
    },
    keepDoneForMs: 3_600_000,
  });
/** The next slot's sweep: every node may schedule it, the unique key keeps one row per slot. */
async function scheduleSweep(db: Db, minutes: number) {
  const slot = Math.floor(Date.now() / (minutes * 60_000)) + 1;
  await enqueue(
    db,
    'tracking-sweep',
    {},
    { runAt: new Date(slot * minutes * 60_000), uniqueKey: `tracking-sweep:${slot}` },
  );
}

/**
 * Shipment tracking, delay detection with proactive notices, and problems (docs/tracking.md). Carrier
 * aggregators' webhooks arrive through the intake (`/api/v1/intake/tracking/<key>/<provider>`).
 */
export async function installTracking(o: {
  router: Router;
  deps: Deps;
  tickets: TicketsService;
  notices: NoticesService;
  shopperLinks: ShopperLinks;
  intake: Pick<IntakeService, 'register'>;
  /** Carrier adapters for polling (src/carriers) and each provider's API root (config). */
  carriers: CarrierRegistry;
  carrierApiUrl: (provider: string) => string;
}): Promise<{ tracking: TrackingService; problems: ProblemsService; polling: Polling }> {
  const tracking = createTrackingService(o.deps, o);
  const problems = createProblemsService(o.deps, o);
  const polling = createPolling(o.deps, {
    carriers: o.carriers,
    baseUrl: o.carrierApiUrl,
    normalize: normalizeProvider,
    apply: tracking.apply,
  });
  o.intake.register(tracking.intakeSource());
  registerTrackingRoutes(o.router, tracking, problems, polling);
  o.deps.jobs.register(sweepJob(tracking, polling, o.deps.db));
  o.deps.jobs.register(pollJob(polling));
  o.deps.bus.on('ticket.created', async (e) => {
    if (e.ticketId) await problems.autoLink(e.workspaceId, e.ticketId);
  });
  await scheduleSweep(o.deps.db, SWEEP_MINUTES);
  return { tracking, problems, polling };
}
