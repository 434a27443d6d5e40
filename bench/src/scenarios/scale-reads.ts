import { join } from 'node:path';
import { sql } from '../../../apps/server/src/platform/db/db.ts';
import {
  SCALE_SLUG,
  type ScaleResult,
  scaleSeedIncomplete,
  scaleWorkspaceCounts,
  seedScale,
} from '../../../apps/server/src/seed/scale-seed.ts';
import {
  type BenchContext,
  type BenchServer,
  type DbKind,
  type Scenario,
  startServer,
  tempDir,
  tempPostgres,
  withTicker,
} from '../env.ts';
import { type PlainRequest, runLoad } from '../load.ts';
import { type BenchResult, figure } from '../results.ts';
import { ratio } from './references.ts';

const SLUG = SCALE_SLUG;

export interface ScaleEnv {
  server: BenchServer;
  workspaceId: number;
  headers: Record<string, string>;
  counts: { tickets: number; messages: number; contacts: number };
  note: string;
  close(): Promise<void>;
}

const envs = new Map<DbKind, Promise<ScaleEnv>>();

/**
 * The large workspace, seeded once and kept: on PostgreSQL inside BENCH_DATABASE_URL itself (so the
 * 1M-ticket load happens once, not per run), on PGlite in a cache directory. Smoke runs use a
 * scratch database and a tiny workspace instead.
 */
export function scaleEnv(ctx: BenchContext, db: DbKind): Promise<ScaleEnv> {
  let env = envs.get(db);
  if (!env) {
    env = openScaleEnv(ctx, db);
    envs.set(db, env);
  }
  return env;
}

export async function closeScaleEnvs() {
  for (const env of envs.values()) await (await env.catch(() => undefined))?.close();
  envs.clear();
}

async function openScaleEnv(ctx: BenchContext, db: DbKind): Promise<ScaleEnv> {
  const scratch = ctx.smoke ? tempDir('scale') : undefined;
  const pgDb = db === 'postgres' && ctx.smoke ? await tempPostgres(ctx.pgUrl!) : undefined;
  const dataDir = scratch?.dir ?? join(ctx.cacheDir, 'pglite-scale');
  const server = await startServer({
    databaseUrl: db === 'postgres' ? (pgDb?.url ?? ctx.pgUrl) : undefined,
    dataDir,
    memory: db === 'pglite' && ctx.smoke,
  });
  try {
    const want = ctx.scale[db];
    const before = await scaleWorkspaceCounts(server.shop.db, SLUG);
    if (scaleSeedIncomplete(before, want)) {
      ctx.log(
        `  seeding ${want.toLocaleString('en')} tickets into "${SLUG}" on ${db} (kept for later runs)…`,
      );
      let last = 0;
      const r: ScaleResult = await seedScale(server.shop.db, {
        tickets: want,
        slug: SLUG,
        name: 'Bench Scale Shop',
        onProgress: (p) => {
          if (Date.now() - last > 10_000 || p.done >= p.total) {
            last = Date.now();
            ctx.log(`  seed ${p.phase}: ${p.done.toLocaleString('en')}/${p.total.toLocaleString('en')}`);
          }
        },
      });
      ctx.log(`  seeded in ${r.seconds.toFixed(0)} s`);
    }
    const counts = (await scaleWorkspaceCounts(server.shop.db, SLUG))!;
    const agent = await server.shop.db.one<{ id: number }>(
      sql`SELECT id FROM agents WHERE workspace_id = ${counts.workspaceId} AND role = 'agent' ORDER BY id LIMIT 1`,
    );
    const token = await server.token(counts.workspaceId, agent!.id);
    const note = `${counts.tickets.toLocaleString('en')} tickets / ${counts.messages.toLocaleString('en')} messages / ${counts.orders.toLocaleString('en')} orders`;
    ctx.log(`  workspace "${SLUG}" on ${db}: ${note}`);
    return {
      server,
      workspaceId: counts.workspaceId,
      headers: { authorization: `Bearer ${token}` },
      counts,
      note,
      async close() {
        await server.close();
        await pgDb?.drop();
        scratch?.remove();
      },
    };
  } catch (err) {
    await server.close();
    await pgDb?.drop();
    scratch?.remove();
    throw err;
  }
}

/** Latency with one client (an agent clicking), then throughput with 8 clients on the same requests. */
export async function measureReads(
  ctx: BenchContext,
  env: ScaleEnv,
  scenario: string,
  db: DbKind,
  steps: PlainRequest[][],
  p95Target: number,
): Promise<BenchResult[]> {
  ctx.log(`  latency: 1 client, ${ctx.seconds} s, ${steps.length} request variants`);
  const lat = await withTicker(ctx, scenario, () =>
    runLoad({
      kind: 'steps',
      url: env.server.url,
      concurrency: 1,
      seconds: ctx.seconds,
      warmupSeconds: ctx.warmup,
      steps,
    }),
  );
  if (ctx.smoke) {
    // Smoke only checks that the requests succeed; the 8-client pass adds time, not coverage.
    const base = { scenario, database: db, note: env.note } as const;
    return [
      figure({ ...base, metric: 'p95', value: lat.latency.p95, unit: 'ms', target: p95Target, goal: 'max' }),
    ];
  }
  ctx.log(`  throughput: 8 connections, ${ctx.seconds} s`);
  const tput = await withTicker(ctx, scenario, () =>
    runLoad({
      kind: 'cannon',
      url: env.server.url,
      connections: 8,
      seconds: ctx.seconds,
      warmupSeconds: 0,
      requests: steps.flat(),
    }),
  );
  const base = { scenario, database: db, note: env.note } as const;
  return [
    figure({ ...base, metric: 'p50', value: lat.latency.p50, unit: 'ms' }),
    figure({ ...base, metric: 'p95', value: lat.latency.p95, unit: 'ms', target: p95Target, goal: 'max' }),
    figure({ ...base, metric: 'p99', value: lat.latency.p99, unit: 'ms' }),
    figure({ ...base, metric: 'rate', value: tput.rate, unit: 'req/s', note: `${env.note}; 8 clients` }),
    ...ratio(
      ctx,
      scenario,
      db,
      tput.rate,
      { scenario: 'reference-http', database: null, metric: 'rate' },
      'ratio-to-bare-http',
    ),
  ];
}

const get = (path: string, headers: Record<string, string>): PlainRequest => ({
  method: 'GET',
  path,
  headers,
});

export const inboxView: Scenario = {
  name: 'inbox-view',
  description:
    'GET /api/v1/tickets: 50 rows, filtered (status, assignee, team, tag, priority), newest activity first',
  databases: ['pglite', 'postgres'],
  needs: ['reference-http'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const env = await scaleEnv(ctx, db);
    const team = await env.server.shop.db.one<{ id: number }>(
      sql`SELECT id FROM teams WHERE workspace_id = ${env.workspaceId} AND name = 'Shipping'`,
    );
    const first = await fetch(`${env.server.url}/api/v1/tickets?status=active&limit=50`, {
      headers: env.headers,
    });
    const page = (await first.json()) as { nextCursor: string | null };
    const paths = [
      '/api/v1/tickets?status=active&limit=50',
      '/api/v1/tickets?status=active&assignee=me&limit=50',
      `/api/v1/tickets?status=open&team=${team?.id ?? 'none'}&limit=50`,
      '/api/v1/tickets?status=active&tag=refund&limit=50',
      '/api/v1/tickets?status=active&priority=urgent&limit=50',
      '/api/v1/tickets?status=pending&limit=50',
      '/api/v1/tickets?status=active&assignee=none&limit=50',
      '/api/v1/tickets?status=solved,closed&limit=50',
      '/api/v1/tickets?limit=50',
      ...(page.nextCursor ? [`/api/v1/tickets?status=active&limit=50&cursor=${page.nextCursor}`] : []),
    ];
    return measureReads(
      ctx,
      env,
      'inbox-view',
      db,
      paths.map((p) => [get(p, env.headers)]),
      30,
    );
  },
};

export const search: Scenario = {
  name: 'search',
  description: 'GET /api/v1/search: full-text over subjects and every message body, ranked, with snippets',
  databases: ['pglite', 'postgres'],
  needs: ['reference-http'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const env = await scaleEnv(ctx, db);
    // Real identifiers from the data: an order number and a tracking code find a handful of tickets.
    const ids = await env.server.shop.db.query<{ v: string }>(sql`
      (SELECT substring(subject from '#([0-9]+)') AS v FROM tickets
       WHERE workspace_id = ${env.workspaceId} AND subject ~ '#[0-9]+' ORDER BY id DESC LIMIT 2)
      UNION ALL
      (SELECT substring(body_text from '[A-F0-9]{2}[0-9]{10}') FROM messages
       WHERE workspace_id = ${env.workspaceId} AND body_text ~ 'tracking for [A-F0-9]{2}[0-9]{10}' ORDER BY id DESC LIMIT 1)`);
    const queries = [
      'refund',
      'zipper broke',
      '"out for delivery"',
      'tracking Hamburg',
      'invoice VAT',
      'waterproof jacket',
      'Emma',
      'parcel -refund',
      'password reset',
      'discount code invalid',
      ...ids.map((r) => r.v).filter(Boolean),
    ];
    const steps = queries.map((q) => [
      get(`/api/v1/search?q=${encodeURIComponent(q)}&limit=20`, env.headers),
    ]);
    return measureReads(ctx, env, 'search', db, steps, 100);
  },
};

export const ticketOpen: Scenario = {
  name: 'ticket-open',
  description:
    "Opening a 20-message ticket: GET /api/v1/tickets/:id (ticket, messages, events), the contact and the customer's orders, in parallel",
  databases: ['pglite', 'postgres'],
  needs: ['reference-http'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const env = await scaleEnv(ctx, db);
    const sample = await env.server.shop.db.query<{ id: number; contact_id: number }>(sql`
      SELECT id, contact_id FROM tickets WHERE workspace_id = ${env.workspaceId} AND message_count = 20
      ORDER BY random() LIMIT 200`);
    if (!sample.length) throw new Error('the scale workspace has no 20-message tickets');
    // The customer panel's request, as the dashboard sends it when a ticket opens (the contact's
    // orders with the ones named in the conversation marked).
    const steps = sample.map((t) => [
      get(`/api/v1/tickets/${t.id}`, env.headers),
      get(`/api/v1/contacts/${t.contact_id}`, env.headers),
      get(`/api/v1/commerce/tickets/${t.id}/orders`, env.headers),
    ]);
    const rows = await measureReads(ctx, env, 'ticket-open', db, steps, 20);
    const extra = 'ticket + contact + orders';
    return rows.map((r) => ({ ...r, note: `${r.note}; ${extra}` }));
  },
};
