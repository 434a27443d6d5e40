import { Job } from '@shopdesk/contracts';
import Fastify, { type FastifyInstance } from 'fastify';
import client from 'prom-client';
import { z } from 'zod';
import { pendingMigrations } from '../../platform/db/migrate.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { outboxStats } from '../../platform/events/bus.ts';
import { escapeHtml } from '../../platform/html/sanitize.ts';
import { buildOpenApi, IdParams, type Router } from '../../platform/http/router.ts';
import { jobCounts, listJobs, retryJob } from '../../platform/jobs/admin.ts';
import { queueStats } from '../../platform/jobs/queue.ts';
import { safeEqual } from '../../platform/security/crypto.ts';
import { intakeBacklog } from '../intake/index.ts';
import { pingDb } from './system.repository.ts';

export function registerSystemRoutes(
  app: FastifyInstance,
  r: Router,
  deps: Deps,
  metrics: client.Registry,
  version: string,
) {
  let migrationsOk = false;
  app.get('/api/health', async () => ({ status: 'ok' }));
  app.get('/api/ready', async (_req, reply) => {
    try {
      await pingDb(deps.db);
      // Once applied, migrations stay applied for the life of the process.
      if (!migrationsOk) migrationsOk = (await pendingMigrations(deps.db)).length === 0;
      if (!migrationsOk) return reply.code(503).send({ status: 'migrations pending' });
      // Without its LISTEN connection the node misses other nodes' events (realtime, cache
      // invalidation): not ready until it is back, so a balancer prefers nodes that hear everything.
      const events = deps.db.listenProblem();
      if (events) return reply.code(503).send({ status: 'events disconnected', reason: events });
      return { status: 'ready', database: deps.db.kind };
    } catch {
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });

  const jobsGauge = new client.Gauge({
    name: 'shopdesk_jobs',
    help: 'Jobs by status',
    labelNames: ['status'],
    registers: [metrics],
  });
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new client.Gauge({ name, help, labelNames, registers: [metrics] });
  const queueDepth = gauge('shopdesk_job_queue_depth', 'Jobs due now and waiting for a worker, by job name', [
    'name',
  ]);
  const queueAge = gauge(
    'shopdesk_job_oldest_due_seconds',
    'How long the oldest job due now has waited for a worker, by job name (queue lag)',
    ['name'],
  );
  const failedByName = gauge('shopdesk_jobs_failed', 'Failed jobs kept for inspection, by job name', [
    'name',
  ]);
  const outboxPending = gauge(
    'shopdesk_outbox_pending',
    'Events whose reactions have not finished yet (event_outbox)',
  );
  const outboxLag = gauge(
    'shopdesk_outbox_lag_seconds',
    'Age of the oldest event in the outbox (a dead node leaves events here until a worker replays them)',
  );
  const intakePending = gauge(
    'shopdesk_intake_backlog',
    'Inbound payloads stored and acknowledged but not processed yet, by channel (email, store)',
    ['channel'],
  );
  const intakeAge = gauge(
    'shopdesk_intake_oldest_seconds',
    'Age of the oldest unprocessed inbound payload, by channel',
    ['channel'],
  );
  // Gauges that need the database are refreshed by a timer, so a scrape (or a flood of them) costs
  // no query: the figures are at most METRICS_REFRESH_SECONDS old.
  const refreshJobs = async () => {
    const [rows, queues, outbox, intake] = await Promise.all([
      jobCounts(deps.db),
      queueStats(deps.db),
      outboxStats(deps.db),
      intakeBacklog(deps.db),
    ]).catch(() => [null, null, null, null] as const);
    if (!rows || !queues || !outbox || !intake) return;
    jobsGauge.reset();
    for (const row of rows) jobsGauge.set({ status: row.status }, row.n);
    for (const g of [queueDepth, queueAge, failedByName, intakePending, intakeAge]) g.reset();
    for (const q of queues) {
      queueDepth.set({ name: q.name }, q.due);
      queueAge.set({ name: q.name }, q.due ? q.oldest_seconds : 0);
      if (q.failed) failedByName.set({ name: q.name }, q.failed);
    }
    outboxPending.set(outbox.pending);
    outboxLag.set(outbox.oldest_seconds);
    for (const i of intake) {
      intakePending.set({ channel: i.channel }, i.pending);
      intakeAge.set({ channel: i.channel }, i.oldest_seconds);
    }
  };
  void refreshJobs();
  const timer = setInterval(() => void refreshJobs(), deps.config.METRICS_REFRESH_SECONDS * 1000);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  // On the public port only with the bearer token; METRICS_LISTEN serves them on their own address.
  const token = deps.config.METRICS_LISTEN ? undefined : deps.config.METRICS_TOKEN;
  app.get('/metrics', async (req, reply) => {
    if (!token)
      throw new AppError(
        'not_found',
        deps.config.METRICS_LISTEN
          ? 'Metrics are served on METRICS_LISTEN, not on this port'
          : 'Metrics are off: set METRICS_TOKEN or METRICS_LISTEN (docs/operations.md)',
      );
    const sent = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!sent || !safeEqual(sent, token)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new AppError('unauthorized', 'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>');
    }
    reply.header('content-type', metrics.contentType);
    return metrics.metrics();
  });

  let spec: unknown;
  app.get('/api/openapi.json', async () => {
    spec ??= buildOpenApi(r.routes, { version, serverUrl: deps.config.publicUrl });
    return spec;
  });
  app.get('/api/docs', async (_req, reply) => {
    reply.type('text/html; charset=utf-8');
    return renderDocs(r);
  });

  r.add({
    method: 'GET',
    url: '/api/v1/jobs',
    summary: 'Background jobs of this workspace by status (failed ones show their last error)',
    tag: 'Admin',
    access: 'admin',
    query: z.object({
      status: z.enum(['failed', 'queued', 'running', 'done']).default('failed'),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    response: z.object({ items: z.array(Job) }),
    handler: async ({ auth, query }) => ({
      items: (await listJobs(deps.db, auth.workspaceId, query.status, query.limit)).map((j) => ({
        id: j.id,
        name: j.name,
        status: j.status,
        attempts: j.attempts,
        maxAttempts: j.max_attempts,
        lastError: j.last_error,
        runAt: j.run_at.toISOString(),
        createdAt: j.created_at.toISOString(),
        updatedAt: j.updated_at.toISOString(),
        finishedAt: j.finished_at?.toISOString() ?? null,
      })),
    }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/jobs/:id/retry',
    summary: 'Run a failed job again',
    tag: 'Admin',
    access: 'admin',
    params: IdParams,
    handler: async ({ auth, params }) => {
      if (!(await retryJob(deps.db, auth.workspaceId, params.id)).length) throw notFound('Failed job');
      deps.jobs.wake();
    },
  });
}

/** A self-contained API reference page (no CDN): one section per route, generated from the same registry. */
function renderDocs(r: Router): string {
  const byTag = new Map<string, typeof r.routes>();
  for (const route of r.routes) byTag.set(route.tag, [...(byTag.get(route.tag) ?? []), route]);
  const sections = [...byTag]
    .map(
      ([tag, routes]) =>
        `<h2 id="${escapeHtml(tag)}">${escapeHtml(tag)}</h2>` +
        routes
          .map(
            (rt) =>
              `<div class="op"><span class="m ${rt.method.toLowerCase()}">${rt.method}</span> <code>${escapeHtml(rt.url)}</code>` +
              `<span class="acc">${escapeHtml(rt.access)}</span><p>${escapeHtml(rt.summary)}</p>` +
              (rt.body
                ? `<details><summary>Body schema</summary><pre>${escapeHtml(JSON.stringify(z.toJSONSchema(rt.body, { io: 'input', unrepresentable: 'any' }), null, 2))}</pre></details>`
                : '') +
              (rt.query
                ? `<details><summary>Query</summary><pre>${escapeHtml(JSON.stringify(z.toJSONSchema(rt.query, { io: 'input', unrepresentable: 'any' }), null, 2))}</pre></details>`
                : '') +
              `</div>`,
          )
          .join(''),
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shopdesk API</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1f2933}
.op{border:1px solid #e4e7eb;border-radius:6px;padding:.5rem .8rem;margin:.5rem 0}.m{font-weight:700;display:inline-block;width:4.5em}
.get{color:#0b7a3e}.post{color:#1d4ed8}.patch{color:#b45309}.delete{color:#b91c1c}.acc{float:right;color:#7b8794;font-size:.85em}
pre{background:#f5f7fa;padding:.5rem;overflow:auto;font-size:12px}p{margin:.3rem 0}</style></head><body>
<h1>Shopdesk API</h1><p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). Authenticate with
<code>Authorization: Bearer &lt;token&gt;</code>. Errors are <code>{"error":{"code","message","details"}}</code>.</p>${sections}</body></html>`;
}

/** GET /metrics on its own address (METRICS_LISTEN): a private interface only Prometheus reaches. */
export async function listenMetrics(listen: string, metrics: client.Registry): Promise<FastifyInstance> {
  const m = /^\[?(.+?)\]?:(\d+)$/.exec(listen)!;
  const server = Fastify();
  server.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.contentType);
    return metrics.metrics();
  });
  await server.listen({ host: m[1]!, port: Number(m[2]) });
  return server;
}
