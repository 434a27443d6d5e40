/**
 * `npm run bench` — every scenario; `npm run bench -- <name> [<name>…]` — some; `--smoke` — each for
 * a few seconds at tiny scale, only checking that it runs (CI). See docs/benchmarks.md.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { envValue } from '../apps/server/src/config.ts';
import { type BenchContext, type DbKind, postgresVersion, type Scenario } from './src/env.ts';
import {
  type BenchReport,
  type BenchResult,
  mergeReport,
  readReport,
  renderMarkdown,
  updateDoc,
  writeReport,
} from './src/results.ts';
import { analyticsReports } from './src/scenarios/analytics.ts';
import { apiCreateTicket } from './src/scenarios/api-create-ticket.ts';
import { botEval } from './src/scenarios/bot-eval.ts';
import { botRelevance } from './src/scenarios/bot-relevance.ts';
import { dashboardBundle, widgetBundle } from './src/scenarios/bundles.ts';
import { chatSockets } from './src/scenarios/chat-sockets.ts';
import { commerceBackfill, commerceOrderQuery } from './src/scenarios/commerce.ts';
import { embeddedStart } from './src/scenarios/embedded-start.ts';
import { inboxFirstRender } from './src/scenarios/inbox-first-render.ts';
import { referenceHttp, referenceInsert, referenceWsEcho } from './src/scenarios/references.ts';
import { returnsPortal } from './src/scenarios/returns-portal.ts';
import { closeScaleEnvs, inboxView, search, ticketOpen } from './src/scenarios/scale-reads.ts';
import { smsIngest } from './src/scenarios/sms-ingest.ts';
import { smtpIngest } from './src/scenarios/smtp-ingest.ts';
import { trackingIngest } from './src/scenarios/tracking-ingest.ts';

const root = join(import.meta.dirname, '..');

/** Scenario names are part of latest.json's contract: keep them stable. */
const scenarios: Scenario[] = [
  referenceHttp,
  referenceWsEcho,
  referenceInsert,
  apiCreateTicket,
  inboxView,
  search,
  ticketOpen,
  embeddedStart,
  dashboardBundle,
  inboxFirstRender,
  widgetBundle,
  botEval,
  botRelevance,
  chatSockets,
  commerceBackfill,
  commerceOrderQuery,
  smtpIngest,
  smsIngest,
  trackingIngest,
  analyticsReports,
  returnsPortal,
];

const usage = `Usage: npm run bench -- [scenario …] [options]

Scenarios:
${scenarios.map((s) => `  ${s.name.padEnd(20)} ${s.description}`).join('\n')}

Options:
  --smoke              each scenario for ~2 s at tiny scale on scratch databases; checks only that it runs
  --seconds N          measured seconds per load run (default 10; smoke 2)
  --scale N            tickets in the PostgreSQL scale workspace (default 1000000)
  --pglite-scale N     tickets in the PGlite scale workspace (default 100000)
  --db pglite|postgres only this database
  --note TEXT          a remark about the machine's state, printed with the results

PostgreSQL scenarios run when BENCH_DATABASE_URL is set (smoke also accepts TEST_DATABASE_URL). The
role needs CREATEDB: scratch databases are created and dropped; the scale workspace stays in
BENCH_DATABASE_URL's database so it is seeded only once.`;

function parse() {
  const { values, positionals } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      scale: { type: 'string' },
      'pglite-scale': { type: 'string' },
      db: { type: 'string' },
      note: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const num = (v: string | undefined, name: string, def: number) => {
    if (v === undefined) return def;
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
    return n;
  };
  const unknown = positionals.filter((p) => !scenarios.some((s) => s.name === p));
  if (unknown.length) throw new Error(`Unknown scenario ${unknown.join(', ')}\n\n${usage}`);
  if (values.db && values.db !== 'pglite' && values.db !== 'postgres')
    throw new Error('--db is pglite or postgres');
  const smoke = values.smoke!;
  return {
    help: values.help!,
    smoke,
    names: positionals,
    seconds: num(values.seconds, 'seconds', smoke ? 2 : 10),
    scale: {
      postgres: Math.round(num(values.scale, 'scale', smoke ? 2000 : 1_000_000)),
      pglite: Math.round(num(values['pglite-scale'], 'pglite-scale', smoke ? 1000 : 100_000)),
    },
    db: values.db as DbKind | undefined,
    note: values.note,
  };
}

/** The (scenario, database) runs in order: references first, each once. */
function plan(names: string[], dbs: DbKind[]) {
  const chosen = names.length ? scenarios.filter((s) => names.includes(s.name)) : scenarios;
  const runs: { s: Scenario; db: DbKind | null }[] = [];
  const add = (s: Scenario, db: DbKind | null) => {
    if (!runs.some((r) => r.s === s && r.db === db)) runs.push({ s, db });
  };
  for (const s of chosen)
    for (const db of s.databases) {
      if (db !== null && !dbs.includes(db)) continue;
      for (const need of s.needs ?? []) {
        const ref = scenarios.find((x) => x.name === need)!;
        add(ref, ref.databases.includes(db) ? db : null);
      }
    }
  for (const s of chosen) for (const db of s.databases) if (db === null || dbs.includes(db)) add(s, db);
  const order = (s: Scenario) => (s.name.startsWith('reference-') ? 0 : 1);
  return runs.sort((a, b) => order(a.s) - order(b.s));
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)),
      ms,
    );
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function main() {
  const opts = parse();
  if (opts.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const started = Date.now();
  const log = (msg: string) =>
    process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
  const pgUrl = envValue('BENCH_DATABASE_URL') ?? (opts.smoke ? envValue('TEST_DATABASE_URL') : undefined);
  const dbs: DbKind[] = (['pglite', 'postgres'] as const).filter(
    (d) => (!opts.db || opts.db === d) && (d === 'pglite' || pgUrl),
  );
  if (!pgUrl && opts.db !== 'pglite')
    log('PostgreSQL scenarios skipped: set BENCH_DATABASE_URL=postgres://… (a role with CREATEDB)');

  const ctx: BenchContext = {
    smoke: opts.smoke,
    seconds: opts.seconds,
    warmup: opts.smoke ? 0.5 : 3,
    pgUrl,
    scale: opts.scale,
    cacheDir: join(root, 'node_modules/.cache/shopdesk-bench'),
    log,
    refs: new Map(),
  };
  const pgVersion = pgUrl ? await postgresVersion(pgUrl) : null;
  const pkg = (p: string) => (JSON.parse(readFileSync(join(root, p), 'utf8')) as { version: string }).version;
  const cpus = os.cpus();
  const report: BenchReport = {
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.versions.node,
      postgres: pgVersion,
      pglite: pkg('node_modules/@electric-sql/pglite/package.json'),
      loadAverage: os.loadavg(),
      note: opts.note ?? (opts.smoke ? 'Smoke run: figures are not measurements.' : ''),
    },
    date: new Date().toISOString(),
    results: [],
  };

  const runs = plan(opts.names, dbs);
  log(
    `${opts.smoke ? 'smoke: ' : ''}${runs.length} runs: ${runs.map((r) => `${r.s.name}${r.db ? `/${r.db}` : ''}`).join(', ')}`,
  );
  const failures: string[] = [];
  for (const { s, db } of runs) {
    const label = `${s.name}${db ? ` on ${db}` : ''}`;
    log(`▶ ${label}`);
    try {
      // Bounded: a hung scenario fails instead of running forever (first-time 1M seeding included).
      const limit = opts.smoke ? 180_000 : 60 * 60_000;
      const rows = await withTimeout(s.run(ctx, db), limit, label);
      const at = new Date().toISOString();
      for (const r of rows) {
        r.measuredAt = at;
        const t =
          r.target === null
            ? ''
            : ` (target ${r.goal === 'max' ? '≤' : '≥'} ${r.target}${r.met === false ? ', NOT MET' : ''})`;
        log(
          `  ${r.metric}: ${r.value === null ? '—' : Number(r.value.toPrecision(4))} ${r.unit}${t}${r.value === null ? ` — ${r.note}` : ''}`,
        );
      }
      report.results.push(...rows);
    } catch (err) {
      const msg = (err as Error).message ?? String(err);
      failures.push(`${label}: ${msg}`);
      log(`✖ ${label} FAILED: ${msg}`);
      report.results.push({
        scenario: s.name,
        database: db,
        metric: 'error',
        value: null,
        unit: '',
        target: null,
        met: false,
        note: `failed: ${msg.split('\n')[0]!.slice(0, 200)}`,
        measuredAt: new Date().toISOString(),
      } satisfies BenchResult);
    }
  }
  await closeScaleEnvs();

  const resultsDir = join(root, 'bench/results');
  if (opts.smoke) {
    writeReport(join(resultsDir, 'smoke.json'), report);
    log(`wrote bench/results/smoke.json`);
  } else {
    const merged = mergeReport(readReport(join(resultsDir, 'latest.json')), report);
    writeReport(join(resultsDir, 'latest.json'), merged);
    updateDoc(join(root, 'docs/benchmarks.md'), renderMarkdown(merged));
    log('wrote bench/results/latest.json and the results table in docs/benchmarks.md');
  }
  if (failures.length) {
    process.stderr.write(`\n${failures.length} scenario run(s) failed:\n  ${failures.join('\n  ')}\n`);
    return 1;
  }
  const missed = report.results.filter((r) => r.met === false);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; ${missed.length} target(s) not met`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message ?? String(err)}\n`);
    process.exit(1);
  },
);
