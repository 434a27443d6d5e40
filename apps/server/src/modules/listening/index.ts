import { z } from 'zod';
import type { ChannelRegistry } from '../../channels/channel-adapter.ts';
import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import { defineJob } from '../../platform/jobs/queue.ts';
import type { IntakeService } from '../intake/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { registerListeningRoutes } from './listening.routes.ts';
import { createListeningService, type ListeningService, POLL_JOB } from './listening.service.ts';
import { createMentionsService } from './mentions.service.ts';
import { createSocialChannel } from './social-channel.ts';
import { createSourcesService } from './sources.service.ts';

/** Mention volume and sentiment for the analytics registry (summaries per workspace). */
export { listeningSummaries } from './listening-metrics.ts';
/** The explainable scorer (the demo seed scores its mentions the way the module does). */
export { scoreSentiment } from './sentiment.ts';
export type { ListeningService };

/**
 * Social listening and public reviews (docs/listening.md): sources polled by durable jobs, items stored
 * raw through the intake and turned into mentions by its job, the Mentions API, and the `social`
 * ticket channel that posts an agent's reply back where the mention was written.
 */
export async function installListening(o: {
  router: Router;
  deps: Deps;
  tickets: TicketsService;
  intake: Pick<IntakeService, 'store' | 'register'>;
  channels: ChannelRegistry;
}) {
  const svc = createListeningService(o.deps, o);
  o.intake.register(svc.intakeSource());
  o.channels.register(createSocialChannel(o.deps.db, svc));
  o.deps.jobs.register(
    defineJob({
      name: POLL_JOB,
      schema: z.object({ sourceId: z.number().int(), workspaceId: z.number().int(), slot: z.number().int() }),
      // A stream window plus the intake writes; the heartbeat renews it anyway.
      leaseSeconds: 180,
      keepDoneForMs: 3_600_000,
      handler: (p, ctx) => svc.poll(p.sourceId, p.workspaceId, p.slot, ctx),
    }),
  );
  const sources = createSourcesService(o.deps, svc);
  const mentions = createMentionsService(o.deps, svc, o.tickets);
  registerListeningRoutes(o.router, sources, mentions);
  await svc.scheduleAll();
  return { listening: svc };
}
