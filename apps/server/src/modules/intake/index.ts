import type { FastifyInstance } from 'fastify';
import type { ChannelRegistry } from '../../channels/channel-adapter.ts';
import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import type { TicketsService } from '../tickets/index.ts';
import { processInboundEventJob } from './intake.jobs.ts';
import { registerIntakeRoutes } from './intake.routes.ts';
import { createIntakeService, type IntakeService } from './intake.service.ts';

/** The hourly prune of processed deliveries and the backlog gauge (housekeeping.ts, /metrics). */
export { intakeBacklog, pruneProcessedInbound } from './housekeeping.repository.ts';
export type { AcceptedDelivery, HookRequest, IntakeEvent, IntakeSource } from './intake-source.ts';
export type { IntakeService };

/**
 * The one inbound pipeline (docs/channels.md, docs/shared-services.md "Inbound intake"): channels with an
 * inbound side get webhooks, accounts and threading from here; other sources call `intake.register`.
 */
export function installIntake(o: {
  app: FastifyInstance;
  router: Router;
  deps: Deps;
  tickets: TicketsService;
  channels: ChannelRegistry;
}) {
  const intake = createIntakeService(o.deps, o.tickets, o.channels);
  registerIntakeRoutes(o.app, o.router, intake, o.channels, o.deps.config.publicUrl);
  o.deps.jobs.register(processInboundEventJob(intake));
  return intake;
}
