import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BenchReport,
  figure,
  mergeReport,
  readReport,
  renderMarkdown,
  updateDoc,
  writeReport,
} from './src/results.ts';
import { percentile, summarize } from './src/stats.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const machine: BenchReport['machine'] = {
  cpus: 2,
  cpuModel: 'Test CPU',
  memoryGb: 4,
  os: 'Linux',
  node: '20.19.0',
  postgres: '15.20',
  pglite: '0.5.16',
  loadAverage: [0.5, 0.4, 0.3],
  note: '',
};

describe('latest.json writer', () => {
  it('writes the documented shape that other tools read', () => {
    const report: BenchReport = {
      machine,
      date: '2026-01-01T00:00:00.000Z',
      results: [
        figure({
          scenario: 'api-create-ticket',
          database: 'postgres',
          metric: 'rate',
          value: 1800,
          unit: 'tickets/s',
          target: 1500,
          goal: 'min',
        }),
        figure({
          scenario: 'api-create-ticket',
          database: 'postgres',
          metric: 'p99',
          value: 62,
          unit: 'ms',
          target: 50,
          goal: 'max',
        }),
        figure({ scenario: 'reference-http', database: null, metric: 'rate', value: 20000, unit: 'req/s' }),
      ],
    };
    const path = join(dir, 'latest.json');
    writeReport(path, report);
    const read = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(read).sort()).toEqual(['date', 'machine', 'results']);
    expect(typeof read.date).toBe('string');
    for (const r of read.results as Record<string, unknown>[]) {
      expect(typeof r.scenario).toBe('string');
      expect([null, 'postgres', 'pglite']).toContain(r.database);
      expect(typeof r.metric).toBe('string');
      expect(typeof r.value).toBe('number');
      expect(typeof r.unit).toBe('string');
      expect(r.target === null || typeof r.target === 'number').toBe(true);
      expect(r.met === null || typeof r.met === 'boolean').toBe(true);
    }
    const [rate, p99, ref] = read.results as { met: boolean | null }[];
    expect(rate!.met).toBe(true); // 1800 ≥ 1500
    expect(p99!.met).toBe(false); // 62 ms is above the 50 ms ceiling
    expect(ref!.met).toBeNull(); // no target
    expect(readReport(path)).toEqual(report);
  });

  it('replaces only the rows of the scenarios that ran again', () => {
    const old: BenchReport = {
      machine,
      date: 'old',
      results: [
        figure({
          scenario: 'search',
          database: 'postgres',
          metric: 'p95',
          value: 80,
          unit: 'ms',
          target: 100,
          goal: 'max',
        }),
        figure({
          scenario: 'search',
          database: 'pglite',
          metric: 'p95',
          value: 40,
          unit: 'ms',
          target: 100,
          goal: 'max',
        }),
      ],
    };
    const run: BenchReport = {
      machine,
      date: 'new',
      results: [
        figure({
          scenario: 'search',
          database: 'pglite',
          metric: 'p95',
          value: 30,
          unit: 'ms',
          target: 100,
          goal: 'max',
        }),
      ],
    };
    const merged = mergeReport(old, run);
    expect(merged.date).toBe('new');
    expect(merged.results.map((r) => [r.database, r.value])).toEqual([
      ['postgres', 80],
      ['pglite', 30],
    ]);
  });

  it('keeps hand-written text around the generated table in docs', () => {
    const doc = join(dir, 'benchmarks.md');
    writeFileSync(
      doc,
      '# Benchmarks\n\nIntro.\n\n<!-- bench:results:start -->\nold\n<!-- bench:results:end -->\n\nOutro.\n',
    );
    const report: BenchReport = {
      machine,
      date: '2026-01-01',
      results: [
        {
          scenario: 'widget-bundle',
          database: null,
          metric: 'gzip',
          value: null,
          unit: 'KB',
          target: 30,
          met: null,
          goal: 'max',
          note: 'not built',
          measuredAt: '2026-01-01T10:00:00Z',
        },
      ],
    };
    updateDoc(doc, renderMarkdown(report));
    const text = readFileSync(doc, 'utf8');
    expect(text).toContain('Intro.');
    expect(text).toContain('Outro.');
    expect(text).not.toContain('\nold\n');
    expect(text).toContain('| widget-bundle | — | gzip | — | ≤ 30 KB | — | 2026-01-01 | not built |');
  });
});

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted input
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(summarize(values)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(() => percentile([], 50)).toThrow();
  });
});

describe('bench/results/latest.json in the repository', () => {
  it('keeps the latest rows of every scenario npm run bench knows', () => {
    const source = readFileSync(join(import.meta.dirname, 'run.ts'), 'utf8');
    const list = /const scenarios: Scenario\[\] = \[([^\]]+)\]/.exec(source)![1]!;
    const registered = list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    // Each scenario's `name:` from its module, matched by the exported identifier.
    const names = registered.map((id) => {
      const file = new RegExp(`import \\{[^}]*\\b${id}\\b[^}]*\\} from '(\\./src/scenarios/[^']+)'`).exec(
        source,
      )![1]!;
      const text = readFileSync(join(import.meta.dirname, `${file}`), 'utf8');
      return new RegExp(`export const ${id}: Scenario = \\{\\s*name: '([^']+)'`).exec(text)![1]!;
    });
    const latest = readReport(join(import.meta.dirname, 'results', 'latest.json'))!;
    const present = new Set(latest.results.map((r) => r.scenario));
    expect(names.filter((n) => !present.has(n))).toEqual([]);
  });
});
