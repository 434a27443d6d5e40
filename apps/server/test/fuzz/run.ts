/**
 * `npm run fuzz [-- --short] [--runs N] [--seed S] [--only TEXT] [--postgres]`
 * Env: FUZZ_SEED, FUZZ_RUNS, FUZZ_ONLY (same meaning). --postgres uses TEST_DATABASE_URL (a fresh
 * database is created and dropped). Exits 1 when any request failed; prints the seed to replay with.
 */
import { parseArgs } from 'node:util';
import { envValue } from '../../src/config.ts';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    runs: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    postgres: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs ?? envValue('FUZZ_RUNS') ?? (values.short ? 3 : 60));
const seed = Number(values.seed ?? envValue('FUZZ_SEED') ?? Date.now() % 2 ** 31);
const only = values.only ?? envValue('FUZZ_ONLY');
if (values.postgres) process.env.SHOPDESK_TEST_DB = 'postgres';

const { startTestApp } = await import('../harness.ts');
const { runFuzz } = await import('./fuzz.ts');
console.log(`fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs}${only ? ` FUZZ_ONLY='${only}'` : ''}`);
const t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
const started = Date.now();
const result = await runFuzz(t, {
  runs,
  seed,
  only,
  log: (l) => console.log(l),
  progress: (l) => process.stderr.write(`${l}\n`),
});
await t.stop();
const secs = ((Date.now() - started) / 1000).toFixed(1);
const byStatus = [...result.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
console.log(`fuzz: responses ${byStatus.join(' ')}`);
console.log(
  `fuzz: ${result.targets} targets, ${result.requests} runs, ${result.failures.length} failed, ${secs} s`,
);
for (const f of result.failures) {
  console.log(`\n✗ ${f.target}\n  ${f.problem}\n  request: ${JSON.stringify(f.request)?.slice(0, 1500)}`);
  console.log(
    `  replay: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} FUZZ_ONLY='${f.target}' npm run fuzz  (target seed ${f.seed})`,
  );
}
process.exit(result.failures.length ? 1 : 0);
