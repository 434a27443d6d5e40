import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchContext, Scenario } from '../env.ts';
import { type BenchResult, figure } from '../results.ts';

const root = join(import.meta.dirname, '../../..');

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/** Builds the app when its dist is missing or older than its sources (the same rule as `npm start`). */
export function ensureBuilt(ctx: BenchContext, app: string): { dist: string } | { missing: string } {
  const dir = join(root, 'apps', app);
  if (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src')))
    return { missing: `apps/${app} has no sources yet` };
  const dist = join(dir, 'dist');
  const sources = Math.max(
    newest(join(dir, 'src')),
    newest(join(dir, 'index.html')),
    newest(join(root, 'packages/contracts/src')),
  );
  if (newest(dist) === 0 || sources > newest(dist)) {
    ctx.log(`  building apps/${app}…`);
    // A failing build is a failing scenario: the error propagates with the build's output.
    execFileSync('npm', ['run', 'build', '--silent', '-w', `@shopdesk/${app}`], { cwd: root, stdio: 'pipe' });
  }
  if (!existsSync(dist)) throw new Error(`apps/${app}: the build produced no dist/`);
  return { dist };
}

/** Files a JS module pulls in before it can run: static imports, not `import()`. */
function staticImports(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const found: string[] = [];
  const re = /(?:\bimport|\bexport)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+\.m?js)["']/g;
  for (const m of code.matchAll(re)) {
    const spec = m[1]!;
    if (spec.startsWith('.') || spec.startsWith('/')) found.push(resolve(dirname(file), spec));
  }
  return found;
}

/**
 * The JavaScript a browser must fetch before the page works: the entry scripts of index.html (or
 * the given entries), their modulepreloads and everything they import statically. Lazy chunks
 * (routes loaded with `import()`) are not counted.
 */
export function initialJs(dist: string, entries?: string[]): string[] {
  const start: string[] = [];
  const html = join(dist, 'index.html');
  if (entries) start.push(...entries.map((e) => join(dist, e)));
  else if (existsSync(html)) {
    const page = readFileSync(html, 'utf8');
    for (const m of page.matchAll(
      /<(?:script[^>]*\bsrc|link[^>]*rel=["']modulepreload["'][^>]*\bhref)=["']([^"']+\.m?js)["']/g,
    )) {
      const p = m[1]!.replace(/^\//, '');
      start.push(join(dist, p.replace(/^.*?assets\//, 'assets/')));
    }
  }
  const seen = new Set<string>();
  const queue = start.filter((f) => existsSync(f));
  while (queue.length) {
    const f = queue.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const dep of staticImports(f)) if (existsSync(dep) && !seen.has(dep)) queue.push(dep);
  }
  return [...seen];
}

const gz = (files: string[]) => files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);

function sizeRows(scenario: string, files: string[], targetKb: number, dist: string): BenchResult[] {
  if (!files.length) throw new Error(`${scenario}: no JavaScript entry found in ${relative(root, dist)}`);
  const bytes = gz(files);
  return [
    figure({
      scenario,
      database: null,
      metric: 'gzip',
      value: bytes / 1024,
      unit: 'KB',
      target: targetKb,
      goal: 'max',
      note: `${files.length} file(s), gzip -9: ${files.map((f) => relative(dist, f)).join(', ')}`.slice(
        0,
        300,
      ),
    }),
  ];
}

const notBuilt = (scenario: string, why: string, targetKb: number): BenchResult[] => [
  {
    scenario,
    database: null,
    metric: 'gzip',
    value: null,
    unit: 'KB',
    target: targetKb,
    met: null,
    goal: 'max',
    note: why,
  },
];

export const dashboardBundle: Scenario = {
  name: 'dashboard-bundle',
  description: 'Dashboard JS the browser loads for the first (inbox) route, gzip',
  databases: [null],
  async run(ctx) {
    const built = ensureBuilt(ctx, 'dashboard');
    if ('missing' in built) return notBuilt('dashboard-bundle', built.missing, 300);
    return sizeRows('dashboard-bundle', initialJs(built.dist), 300, built.dist);
  },
};

export const widgetBundle: Scenario = {
  name: 'widget-bundle',
  description: 'Chat widget JS a shop page loads on page view, gzip',
  databases: [null],
  async run(ctx) {
    const built = ensureBuilt(ctx, 'widget');
    if ('missing' in built) return notBuilt('widget-bundle', built.missing, 30);
    // A widget is a script tag on someone else's page: its entries are the top-level scripts of dist/
    // that no other script loads lazily with import() (the conversation UI loads on first open).
    const all = readdirSync(built.dist).filter((f) => /\.m?js$/.test(f));
    const lazy = new Set<string>();
    for (const f of all)
      for (const m of readFileSync(join(built.dist, f), 'utf8').matchAll(/\bimport\(([^)]*)\)/g))
        for (const g of all) if (g !== f && m[1]!.includes(g)) lazy.add(g);
    const entries = existsSync(join(built.dist, 'index.html')) ? undefined : all.filter((f) => !lazy.has(f));
    const rows = sizeRows('widget-bundle', initialJs(built.dist, entries), 30, built.dist);
    if (lazy.size) {
      const withLazy = all.map((f) => join(built.dist, f));
      rows.push(
        figure({
          scenario: 'widget-bundle',
          database: null,
          metric: 'gzip-after-open',
          value: gz(withLazy) / 1024,
          unit: 'KB',
          note: `page view plus what loads on first open: ${all.join(', ')}`,
        }),
      );
    }
    return rows;
  },
};
