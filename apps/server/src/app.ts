import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import websocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerFactory,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import client from 'prom-client';
import { carrierRegistry } from './carriers/registry.ts';
import { ChannelRegistry } from './channels/channel-adapter.ts';
import { createGraphApi } from './channels/meta/graph-api.ts';
import { createMetaChannels } from './channels/meta/meta-adapter.ts';
import { SpeechRegistry } from './channels/speech-to-text.ts';
import { createTwilioDialer } from './channels/twilio/click-to-call.ts';
import { createTwilioChannels } from './channels/twilio/sms-adapter.ts';
import { createTwilioApi } from './channels/twilio/twilio-api.ts';
import type { Config } from './config.ts';
import { housekeepingJob, scheduleHousekeeping } from './housekeeping.ts';
import {
  createAccountLinks,
  createAgentsService,
  hasRole,
  passwordResetJob,
  registerAccountLinkRoutes,
  registerAgentRoutes,
} from './modules/agents/index.ts';
import { type AnalyticsService, installAnalytics } from './modules/analytics/index.ts';
import { registerAuditRoutes } from './modules/audit/index.ts';
import {
  automationScanJob,
  automationWebhookJob,
  createAutomationsService,
  registerAutomationListeners,
  registerAutomationRoutes,
  scheduleAutomationScan,
} from './modules/automations/index.ts';
import { botAnalyticsSummaries, classify, installBot } from './modules/bot/index.ts';
import { installCallbacks } from './modules/callbacks/index.ts';
import { installChat, widgetRequestMeta } from './modules/chat/index.ts';
import {
  type CommerceService,
  commerceAnalyticsSummaries,
  installCommerce,
} from './modules/commerce/index.ts';
import { createContactsService, registerContactRoutes } from './modules/contacts/index.ts';
import { createEmailChannel } from './modules/email/index.ts';
import { feedbackAnalyticsSummaries, installFeedback } from './modules/feedback/index.ts';
import {
  type DeliveryStatusSource,
  installHelpCenter,
  type PortalBot,
  type ShopperLinks,
  shopperOrdersFrom,
} from './modules/helpcenter/index.ts';
import { createInboxService, registerInboxRoutes } from './modules/inbox-sidebar/index.ts';
import { type IntakeService, installIntake } from './modules/intake/index.ts';
import {
  type ImportsService,
  installIntegrations,
  type WebhooksService,
} from './modules/integrations/index.ts';
import { installLabels, type LabelsService } from './modules/labels/index.ts';
import { installListening, listeningSummaries } from './modules/listening/index.ts';
import { createMacrosService, registerMacroRoutes } from './modules/macros/index.ts';
import { createDirectMail, installNotices, type NoticesService } from './modules/notices/index.ts';
import { installQuality } from './modules/quality/index.ts';
import { RealtimeHub } from './modules/realtime/index.ts';
import { installReturns, type ReturnsService, returnsAnalyticsSummaries } from './modules/returns/index.ts';
import {
  createPresenceTracker,
  createRoutingService,
  registerRoutingListeners,
  registerRoutingRoutes,
  routingSweepJob,
  scheduleRoutingSweep,
} from './modules/routing/index.ts';
import { createSearchService, registerSearchRoutes } from './modules/search/index.ts';
import {
  createSlaService,
  isOpen,
  registerSlaListeners,
  registerSlaRoutes,
  slaAnalyticsContributions,
  slaCheckJob,
  slaMetricDefinitions,
  slaRecomputeWorkspaceJob,
} from './modules/sla/index.ts';
import { listenMetrics, registerSystemRoutes } from './modules/system/index.ts';
import {
  createTicketsService,
  deliverMessageJob,
  registerTicketListeners,
  registerTicketRoutes,
  ticketAnalyticsContributions,
  ticketAnalyticsDescribe,
  ticketAnalyticsDims,
  ticketIdsAfter,
  ticketMetricDefinitions,
} from './modules/tickets/index.ts';
import {
  installTracking,
  type ProblemsService,
  type TrackingService,
  trackingSummaries,
} from './modules/tracking/index.ts';
import { createViewsService, registerViewRoutes } from './modules/views/index.ts';
import { outboundPolicyOf, registerWorkspaceRoutes } from './modules/workspaces/index.ts';
import { type Db, openDb } from './platform/db/db.ts';
import { migrate } from './platform/db/migrate.ts';
import { startStatisticsKeeper } from './platform/db/statistics.ts';
import type { Deps } from './platform/deps.ts';
import { createEventBus, type EventBus } from './platform/events/bus.ts';
import { frameworkErrors, installErrorHandler } from './platform/http/errors-handler.ts';
import { warnUntrustedForwarding } from './platform/http/forwarded-warning.ts';
import { createRateLimits } from './platform/http/rate-limit.ts';
import { Router } from './platform/http/router.ts';
import { securityHeaders } from './platform/http/security-headers.ts';
import { installInputGuard } from './platform/http/untrusted-input.ts';
import { createJobRunner, type JobRunner } from './platform/jobs/queue.ts';
import { createLogger } from './platform/log.ts';
import { appsDir, serverRoot } from './platform/paths.ts';
import { resolveSecretKeys } from './platform/security/crypto.ts';
import { keyRing } from './platform/security/keys.ts';
import { createFileStore } from './platform/storage/file-store.ts';
import { type Tracer, tracer } from './platform/tracing.ts';
import { registerDemoImages } from './seed/demo-images.ts';

/** Requests slower than this are logged at info (everything else only at debug). */
const SLOW_REQUEST_MS = 1000;

/**
 * Two lines per request at info buried the start banner and everything else: at info only what needs a
 * look (failed and slow requests); every request at debug. Fastify's error logs are left as they are.
 */
class QuietRequestLog extends LogController {
  override incomingRequest(request: FastifyRequest) {
    request.log.debug({ req: request }, 'incoming request');
  }
  override requestCompleted(error: Error | null | undefined, _request: FastifyRequest, reply: FastifyReply) {
    const ms = reply.elapsedTime;
    const line = { res: reply, responseTime: ms };
    if (error || reply.statusCode >= 500) reply.log.info({ ...line, err: error }, 'request failed');
    else if (ms >= SLOW_REQUEST_MS) reply.log.info(line, 'slow request');
    else reply.log.debug(line, 'request completed');
  }
}

/**
 * With tracing on, Fastify's HTTP/1 server with the request listener wrapped in a span (the same
 * settings Fastify would apply to the server it makes itself).
 */
function tracedServer(t: Tracer): FastifyServerFactory {
  return (handler, options) => {
    const o = options as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const server = createServer(t.http(handler));
    server.keepAliveTimeout = num(o.keepAliveTimeout) ?? server.keepAliveTimeout;
    server.requestTimeout = num(o.requestTimeout) ?? server.requestTimeout;
    server.setTimeout(num(o.connectionTimeout) ?? 0);
    if (num(o.maxRequestsPerSocket)) server.maxRequestsPerSocket = num(o.maxRequestsPerSocket)!;
    return server;
  };
}

export const pkg = JSON.parse(readFileSync(join(serverRoot, 'package.json'), 'utf8')) as { version: string };

export interface BuildOptions {
  /** Use this database instead of opening one from config (tests share one per file). */
  db?: Db;
  /** In-memory PGlite (tests). */
  memoryDb?: boolean;
  /** Migrated data-dir tarball to start the in-memory PGlite from (tests skip initdb). */
  pgliteTemplate?: Blob;
  logger?: Logger;
  /** Start the job worker loop (default: config.RUN_WORKERS). */
  workers?: boolean;
  /** Migrations to apply at start (tests: a later release's files, for the rolling-upgrade test). */
  migrationsDir?: string;
}

export interface App {
  app: FastifyInstance;
  db: Db;
  bus: EventBus;
  jobs: JobRunner;
  hub: RealtimeHub;
  deps: Deps;
  channels: ChannelRegistry;
  /** The email channel: its SMTP server port, IMAP pollers and service (tests, CLI). */
  email: ReturnType<typeof createEmailChannel>;
  services: {
    agents: ReturnType<typeof createAgentsService>;
    contacts: ReturnType<typeof createContactsService>;
    tickets: ReturnType<typeof createTicketsService>;
    /** Commerce, e.g. its money policy path (`commerce.moneyPolicy`) as other modules use it. */
    commerce: CommerceService;
    /** Signed links to shopper pages (helpcenter `shopper-links.ts`). */
    shopperLinks: ShopperLinks;
    returns: ReturnsService;
    /** Customer notices (modules/notices): what returns, surveys and tracking send through. */
    notices: NoticesService;
    tracking: TrackingService;
    problems: ProblemsService;
    /** Analytics: rollups, rebuild (CLI, bench, seed). */
    analytics: AnalyticsService;
    /** Outgoing webhook subscriptions and their deliveries (modules/integrations). */
    webhooks: WebhooksService;
    imports: ImportsService;
  };
  /** The one inbound pipeline: every provider webhook's accounts, storage and processing. */
  intake: IntakeService;
  /** The separate /metrics listener when METRICS_LISTEN is set. */
  metricsServer: FastifyInstance | null;
  /** Graceful: stop accepting, finish in-flight requests and jobs, close the database. */
  close(): Promise<void>;
}

/** The composition root: everything is wired here and nowhere else. */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<App> {
  const log = opts.logger ?? createLogger(config.LOG_LEVEL);
  resolveSecretKeys(config);
  keyRing(config); // a bad ring (two keys with one id) fails at start, not on first use
  const ownsDb = !opts.db;
  const db =
    opts.db ??
    (await openDb({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.dataDir,
      memory: opts.memoryDb,
      loadDataDir: opts.pgliteTemplate,
      poolSize: config.DATABASE_POOL_SIZE,
      sharedBuffers: config.PGLITE_SHARED_BUFFERS,
      log,
    }));
  await migrate(db, opts.migrationsDir);

  const bus = createEventBus(db, log, { deferReactions: config.REACTIONS === 'after-response' });
  await bus.start();
  const jobs = createJobRunner(db, log, {
    concurrency: config.WORKER_CONCURRENCY,
    leaseSeconds: config.JOB_LEASE_SECONDS,
  });
  const files = createFileStore(config, db);
  const limits = createRateLimits(db, config);
  const deps: Deps = { config, db, bus, log, files, jobs, limits };

  const tracing = tracer();
  const app: FastifyInstance = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    trustProxy: config.TRUST_PROXY,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    logController: new QuietRequestLog(),
    frameworkErrors,
    ...(tracing ? { serverFactory: tracedServer(tracing) } : {}),
  });
  if (tracing) app.addHook('onRequest', async (req) => tracing.route(req.raw, req.routeOptions.url));
  installErrorHandler(app);
  installInputGuard(app);
  warnUntrustedForwarding(app, config);
  await app.register(cookie);
  await app.register(helmet, securityHeaders(config));
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  app.addContentTypeParser(
    ['message/rfc822', 'text/plain', 'application/octet-stream'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );

  const metrics = new client.Registry();
  client.collectDefaultMetrics({ register: metrics });
  const httpHistogram = new client.Histogram({
    name: 'shopdesk_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics],
  });
  app.addHook('onResponse', async (req, reply) => {
    httpHistogram.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });
  app.addHook('onSend', async (req, reply, payload) => {
    // Echo the request id so a user's bug report can be matched to the log line.
    reply.header('x-request-id', req.id);
    return payload;
  });

  const channels = new ChannelRegistry();
  // Mail outside a ticket (invitations, password resets, NPS): the e-mail adapter is looked up per send.
  const directMail = createDirectMail(channels);
  const agents = createAgentsService(deps);
  const router = new Router(app, agents, limits, hasRole, db);
  const contacts = createContactsService(deps);
  const tickets = createTicketsService(deps, channels);
  const views = createViewsService(deps, (auth, view) =>
    tickets.count(auth, { view, sort: 'last_message_desc', limit: 1 }),
  );
  const search = createSearchService(deps);
  const sla = createSlaService(deps);
  const routing = createRoutingService(deps, tickets, sla);
  const automations = createAutomationsService(deps, tickets, sla);
  const macros = createMacrosService(deps, tickets);

  registerSystemRoutes(app, router, deps, metrics, pkg.version);
  registerAgentRoutes(router, agents, deps);
  const accountLinks = createAccountLinks(deps, agents, directMail.send);
  registerAccountLinkRoutes(router, accountLinks, deps);
  deps.jobs.register(passwordResetJob(accountLinks));
  registerContactRoutes(router, contacts);
  registerTicketRoutes(router, tickets, contacts);
  registerViewRoutes(router, views);
  registerSearchRoutes(router, search);
  registerMacroRoutes(router, macros);
  registerInboxRoutes(
    router,
    createInboxService(deps, () => channels.names()),
  );
  registerAuditRoutes(router, deps);
  registerWorkspaceRoutes(router, db);
  registerTicketListeners(bus, tickets);
  jobs.register(deliverMessageJob(tickets));
  const { chat } = installChat({ app, router, deps, tickets, channels });
  const email = createEmailChannel(deps, tickets);
  channels.register(email.adapter);
  email.registerRoutes(router);
  for (const job of email.jobs) jobs.register(job);
  // The intake serves every channel with an inbound side (docs/channels.md); it finds them by name.
  const intake = installIntake({ app, router, deps, tickets, channels });
  const twilioApi = createTwilioApi({
    apiUrl: config.TWILIO_API_URL,
    policy: (w) => outboundPolicyOf(db, config, w),
  });
  for (const adapter of createTwilioChannels({
    accountFor: (w, id) => intake.accountForSending(w, 'sms', id),
    optedOut: (w, phone) => intake.optedOut(w, 'sms', phone),
    api: twilioApi,
    // Another speech-to-text service for voicemails: one speech.register(...) line (docs/sms-voice.md).
    speech: new SpeechRegistry(),
    maxMediaBytes: config.BODY_LIMIT_BYTES,
    isOpen: async (w) => isOpen(await sla.calendarFor(w, null), new Date()),
  }))
    channels.register(adapter);
  // WhatsApp, Messenger and Instagram (docs/messaging-apps.md).
  for (const adapter of createMetaChannels({
    accountFor: (w, channel, id) => intake.accountForSending(w, channel, id),
    api: createGraphApi({ apiUrl: config.META_GRAPH_URL, policy: (w) => outboundPolicyOf(db, config, w) }),
    maxMediaBytes: config.BODY_LIMIT_BYTES,
  }))
    channels.register(adapter);
  // Callback tasks for voicemails and click-to-call through the Twilio number (docs/sms-voice.md).
  installCallbacks({
    router,
    deps,
    intake,
    tickets,
    calendar: (w) => sla.calendarFor(w, null),
    contactPhone: async (auth, id) => (await contacts.get(auth, id)).phone,
    dialer: createTwilioDialer({
      accountFor: (w, id) => intake.accountForSending(w, 'sms', id),
      api: twilioApi,
    }),
    // Voicemail triage reads other modules through their index.ts; commerce and tracking are made below.
    triage: {
      conversationOrder: (auth, id) => commerce.conversationOrder(auth, id),
      orderDelivery: async (w, orderId) => {
        const d = await tracking.orderDelivery(w, orderId);
        return d && { shipments: d.parcels, delay: d.delay };
      },
      classify: (text) => classify(text),
      macros: (auth) => macros.list(auth),
    },
  });
  registerSlaRoutes(router, sla);
  registerSlaListeners(bus, sla);
  jobs.register(slaCheckJob(sla));
  jobs.register(slaRecomputeWorkspaceJob(sla));
  registerRoutingRoutes(router, routing);
  registerRoutingListeners(bus, routing);
  jobs.register(routingSweepJob(routing, db));
  await scheduleRoutingSweep(db);
  const presence = createPresenceTracker(deps, routing, {
    graceMs: config.PRESENCE_GRACE_SECONDS * 1000,
    heartbeatMs: Math.min(config.PRESENCE_HEARTBEAT_SECONDS, config.PRESENCE_GRACE_SECONDS / 2) * 1000,
  });
  presence.start();
  registerAutomationRoutes(router, automations);
  registerAutomationListeners(bus, automations);
  jobs.register(automationScanJob(automations, db));
  jobs.register(automationWebhookJob(automations));
  await scheduleAutomationScan(db);
  // Outgoing webhooks: a listener per public domain event, durable deliveries; imports (docs/integrations.md).
  const { webhooks, imports } = await installIntegrations({ app, router, deps, tickets });
  jobs.register(housekeepingJob(db, config, deps.log));
  await scheduleHousekeeping(db);
  const commerce = installCommerce({ app, router, deps, tickets, contacts, macros });
  const shopperOrders = shopperOrdersFrom(commerce);
  const selfService: { bot: PortalBot | null; deliveries: DeliveryStatusSource | null } = {
    bot: null,
    deliveries: null,
  };
  const { hc, shopperLinks } = installHelpCenter({
    app,
    router,
    deps,
    tickets,
    orders: shopperOrders,
    bot: () => selfService.bot,
    deliveries: () => selfService.deliveries,
    macros,
    commerce,
  });
  const notices = installNotices({
    router,
    deps,
    tickets,
    contacts,
    shopperLinks,
    shopName: async (w) => (await hc.baseFor(w)).workspaceName,
    intake,
  });
  const { tracking, problems } = await installTracking({
    router,
    deps,
    tickets,
    notices,
    shopperLinks,
    intake,
    carriers: carrierRegistry(),
    carrierApiUrl: (p) =>
      ({
        aftership: config.AFTERSHIP_API_URL,
        easypost: config.EASYPOST_API_URL,
        shippo: config.SHIPPO_API_URL,
      })[p] ?? '',
  });
  selfService.deliveries = tracking.orderDelivery;
  // Returns: its shopper pages are served by the help center at /l/<token> (purpose 'return').
  // Return labels (modules/labels) are installed after returns; the status page asks them through this.
  const labelLinks: { svc: LabelsService | null } = { svc: null };
  const returns = installReturns({
    router,
    deps,
    commerce,
    tickets,
    contacts,
    links: shopperLinks,
    labels: { downloadUrlFor: async (w, r) => (await labelLinks.svc?.downloadUrlFor(w, r)) ?? null },
  });
  labelLinks.svc = installLabels({
    router,
    deps,
    returns,
    tracking,
    notices,
    links: shopperLinks,
    shopName: async (w) => (await hc.baseFor(w)).workspaceName,
  });
  await installFeedback({
    router,
    deps,
    tickets,
    mail: directMail,
    hc,
    shopperLinks,
    notices,
    intake,
    shopperOf: (slug, req, token) => chat.widgetShopper(slug, widgetRequestMeta(req), token),
  });
  // Social listening: sources polled by jobs, items through the intake, replies via the `social` channel.
  await installListening({ router, deps, tickets, intake, channels });
  // Analytics: each module registers its metrics (definitions + rollup function) with the registry.
  const { registry: metricsRegistry, analytics } = installAnalytics({ router, deps });
  for (const s of listeningSummaries) metricsRegistry.registerSummary(s);
  for (const s of trackingSummaries) metricsRegistry.registerSummary(s);
  metricsRegistry.setSubjects({
    dims: ticketAnalyticsDims,
    describe: ticketAnalyticsDescribe,
    idsAfter: ticketIdsAfter,
  });
  // Business-hours durations use the SLA module's calendars (a team's, or the workspace default).
  metricsRegistry.setCalendar((w) => sla.calendarsOf(w));
  metricsRegistry.register({
    name: 'tickets',
    metrics: ticketMetricDefinitions,
    contributions: ticketAnalyticsContributions,
  });
  metricsRegistry.register({
    name: 'sla',
    metrics: slaMetricDefinitions,
    contributions: slaAnalyticsContributions,
  });
  // Summary figures each owning module computes from its own tables (CSAT, NPS, bot, orders, money, returns).
  for (const summary of [
    ...feedbackAnalyticsSummaries,
    ...botAnalyticsSummaries,
    ...commerceAnalyticsSummaries,
    ...returnsAnalyticsSummaries,
  ])
    metricsRegistry.registerSummary(summary);
  installQuality({ router, deps });
  selfService.bot = installBot({
    router,
    deps,
    hc,
    tickets,
    orders: shopperOrders,
    calendar: (w) => sla.calendarFor(w, null),
    agentsOnline: (w) => routing.onlineCount(w),
    // A return the bot starts links to the order's returns page (modules/returns).
    returns,
    // The bot answers a chat in the visitor's browser language (visitorInfo reads only the workspace).
    chatLocale: async (w, ticketId) =>
      (await chat.visitorInfo({ workspaceId: w } as Parameters<typeof chat.visitorInfo>[0], ticketId)).locale,
  }).portal;

  const hub = new RealtimeHub(bus);
  new client.Gauge({
    name: 'shopdesk_realtime_connections',
    help: 'Open agent sockets',
    registers: [metrics],
    collect() {
      this.set(hub.connectionCount);
    },
  });
  app.get('/api/v1/realtime', { websocket: true }, async (socket, req) => {
    try {
      const auth = await agents.authenticate(req);
      // Cookie-authenticated sockets must come from our own pages (cross-site WebSocket hijacking).
      const origin = req.headers.origin;
      const sameOrigin = !origin || new URL(origin).host === req.headers.host;
      if (!auth || auth.mfaPending || (auth.via === 'session' && !sameOrigin)) {
        socket.send(
          JSON.stringify({
            type: 'error',
            code: 'unauthorized',
            message: 'Sign in or send a valid API token',
          }),
        );
        socket.close(4401, 'unauthorized');
        return;
      }
      hub.attach(socket, { workspaceId: auth.workspaceId, agentId: auth.agentId, name: auth.name });
      await presence.track(socket, auth);
    } catch {
      socket.close(4401, 'unauthorized');
    }
  });

  registerDemoImages(app);
  await serveDashboard(app, config);

  let statistics: { stop: () => Promise<void> } | undefined;
  if (opts.workers ?? config.RUN_WORKERS) {
    jobs.start();
    // After every module registered its listeners: events a crashed process committed but never published.
    bus.startRecovery({
      orphanAfterMs: config.EVENT_REPLAY_AFTER_SECONDS * 1000,
      everyMs: Math.min(30_000, config.EVENT_REPLAY_AFTER_SECONDS * 1000),
      soleUser: db.kind === 'pglite',
    });
    // PGlite has no autovacuum: keep the planner's statistics fresh ourselves (platform/db/statistics.ts).
    if (db.kind === 'pglite') {
      statistics = startStatisticsKeeper(db, {
        everyMs: 60_000,
        onError: (err) => app.log.warn({ err }, 'ANALYZE of changed tables failed'),
      });
    }
  }
  await email.start({ smtp: config.EMAIL_SMTP_ENABLED, imap: opts.workers ?? config.RUN_WORKERS });

  const metricsServer = config.METRICS_LISTEN ? await listenMetrics(config.METRICS_LISTEN, metrics) : null;

  let closed = false;
  return {
    app,
    db,
    bus,
    jobs,
    hub,
    deps,
    channels,
    email,
    intake,
    metricsServer,
    services: {
      agents,
      contacts,
      tickets,
      commerce,
      shopperLinks,
      returns,
      notices,
      tracking,
      problems,
      analytics,
      webhooks,
      imports,
    },
    async close() {
      if (closed) return;
      closed = true;
      await presence.stop();
      hub.close();
      await email.stop();
      await app.close();
      await metricsServer?.close();
      await jobs.stop();
      await statistics?.stop();
      await bus.stop();
      if (ownsDb) await db.close();
    },
  };
}

async function serveDashboard(app: FastifyInstance, config: Config) {
  const dir = resolve(config.DASHBOARD_DIR ?? join(appsDir, 'dashboard/dist'));
  const index = join(dir, 'index.html');
  if (existsSync(index)) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      wildcard: false,
      index: false,
      maxAge: '1h',
      immutable: false,
    });
  }
  const html = () =>
    existsSync(index)
      ? readFileSync(index, 'utf8')
      : '<!doctype html><html><head><title>Shopdesk</title></head><body><h1>Shopdesk</h1><p>The dashboard is not built yet: run <code>npm run build</code> (npm start does this for you). The API is at <a href="/api/docs">/api/docs</a>.</p></body></html>';
  // Client-side routes of the single-page app all get index.html; unknown /api paths stay JSON 404s.
  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html()),
  );
  app.get('/*', async (req, reply) => {
    if (req.url.startsWith('/api/') || /\.[a-z0-9]+$/i.test(req.url.split('?')[0]!)) {
      return reply
        .code(404)
        .send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}` } });
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html());
  });
}
