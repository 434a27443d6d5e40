import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One measured figure. `value` is null only when the scenario could not measure (then `note` says why). */
export interface BenchResult {
  scenario: string;
  database: 'postgres' | 'pglite' | null;
  metric: string;
  value: number | null;
  unit: string;
  target: number | null;
  /** Whether the target is met; null when there is no target or nothing was measured. */
  met: boolean | null;
  /** How `value` compares with `target`: 'max' means lower is better. */
  goal?: 'min' | 'max';
  note?: string;
  measuredAt?: string;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  os: string;
  node: string;
  postgres: string | null;
  pglite: string;
  loadAverage: number[];
  note: string;
}

export interface BenchReport {
  machine: MachineInfo;
  date: string;
  results: BenchResult[];
}

/** A figure with its target: `goal: 'min'` means value must reach the target, 'max' must stay below it. */
export function figure(
  r: Omit<BenchResult, 'met' | 'target' | 'goal'> & { target?: number | null; goal?: 'min' | 'max' },
): BenchResult {
  const target = r.target ?? null;
  const met =
    target === null || r.value === null ? null : r.goal === 'max' ? r.value <= target : r.value >= target;
  return { ...r, target, met };
}

/** Merges a run into the previous report: rows of the scenarios that ran replace their old rows. */
export function mergeReport(previous: BenchReport | undefined, run: BenchReport): BenchReport {
  const key = (r: BenchResult) => `${r.scenario}|${r.database}`;
  const ran = new Set(run.results.map(key));
  const kept = (previous?.results ?? []).filter((r) => !ran.has(key(r)));
  // A PGlite-only run keeps the PostgreSQL version of the rows it did not replace.
  const postgres = run.machine.postgres ?? previous?.machine.postgres ?? null;
  return { machine: { ...run.machine, postgres }, date: run.date, results: [...kept, ...run.results] };
}

export function readReport(path: string): BenchReport | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
    return Array.isArray(r.results) ? r : undefined;
  } catch {
    return undefined;
  }
}

export function writeReport(path: string, report: BenchReport) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

const fmt = (v: number | null, unit: string) => {
  if (v === null) return '—';
  const n = Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en') : Number(v.toPrecision(3)).toString();
  return unit ? `${n} ${unit}` : n;
};

/** The markdown table that goes into docs/benchmarks.md. */
export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `Measured ${report.date} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB RAM, ${m.os}; Node ${m.node}, ` +
      `PostgreSQL ${m.postgres ?? 'not measured'}, PGlite ${m.pglite}. Load average at start: ${m.loadAverage
        .map((x) => x.toFixed(2))
        .join(' / ')}. ${m.note}`,
    '',
    '| scenario | database | metric | value | target | met | measured | note |',
    '| --- | --- | --- | ---: | ---: | :---: | --- | --- |',
  ];
  for (const r of report.results) {
    const target = r.target === null ? '—' : `${r.goal === 'max' ? '≤' : '≥'} ${fmt(r.target, r.unit)}`;
    const met = r.met === null ? '—' : r.met ? 'yes' : '**no**';
    lines.push(
      `| ${r.scenario} | ${r.database ?? '—'} | ${r.metric} | ${fmt(r.value, r.unit)} | ${target} | ${met} | ${r.measuredAt?.slice(0, 10) ?? report.date.slice(0, 10)} | ${(r.note ?? '').replace(/\|/g, '\\|')} |`,
    );
  }
  return lines.join('\n');
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the generated block of docs/benchmarks.md, leaving the hand-written text around it alone. */
export function updateDoc(path: string, table: string) {
  const block = `${START}\n${table}\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const a = current.indexOf(START);
  const b = current.indexOf(END);
  const next =
    a >= 0 && b > a
      ? `${current.slice(0, a)}${block}${current.slice(b + END.length)}`
      : `${current}${current ? '\n\n' : ''}## Latest results\n\n${block}\n`;
  writeFileSync(path, next);
}
