import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFuzz } from './fuzz/fuzz.ts';
import { startTestApp, type TestApp } from './harness.ts';

// The short run of `npm run fuzz` (docs/robustness.md): every OpenAPI operation and public endpoint
// gets a few generated malformed requests on every `npm test`, on both databases, with a new seed
// each time. A failure prints the seed: `FUZZ_SEED=<seed> FUZZ_ONLY='<target>' npm run fuzz` replays it.
const RUNS = 5;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
});
afterAll(() => t?.stop());

describe('fuzz (short run)', () => {
  it('answers malformed input on every operation and public endpoint without a 5xx, a leak or a stall', async () => {
    const seed = Date.now() % 2 ** 31;
    const result = await runFuzz(t, { runs: RUNS, seed });
    const report = result.failures.map(
      (f) =>
        `${f.target}: ${f.problem.slice(0, 300)} — replay: FUZZ_SEED=${seed} FUZZ_RUNS=${RUNS} FUZZ_ONLY='${f.target}' npm run fuzz; request ${JSON.stringify(f.request)?.slice(0, 500)}`,
    );
    expect(result.targets).toBeGreaterThan(150);
    expect(report, `FUZZ_SEED=${seed}`).toEqual([]);
  }, 180_000);
});
