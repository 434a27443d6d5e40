import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkSync } from 'recheck';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * ReDoS check: every regular expression literal in the server's source (they all may meet text from
 * strangers: mail, chat, forms, webhooks, search queries, Markdown) is analysed by recheck, which
 * finds super-linear backtracking and builds an attack string for it. The attack is then grown to
 * INPUT_CHARS and really run; a regex that needs more than BUDGET_MS on it fails the test.
 * (Polynomial regexes that stay fast at realistic sizes pass: the budget is what a request may spend.)
 */
const root = join(import.meta.dirname, '..', 'src');
const INPUT_CHARS = 50_000;
const BUDGET_MS = 100;

/**
 * Super-linear on purpose-built input, but never fed text from strangers (file → why). Keep this short:
 * a regex on anything a shopper, a mail sender, a webhook or a store can send is fixed instead.
 */
const NOT_UNTRUSTED: Record<string, string> = {
  'config.ts': 'reads the operator’s own .env file',
  'admin/create-admin.ts': 'the admin e-mail typed at the CLI by the operator',
  'commerce/shopify/shopify-map.ts': 'Shopify GraphQL ids from the store’s authenticated API responses',
  'platform/db/migrate.ts': 'splits the project’s own migration files into statements',
};

interface Found {
  where: string;
  source: string;
  flags: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Regex literals, and `new RegExp('literal', 'flags')` with literal arguments. */
function regexesIn(file: string): Found[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Found[] = [];
  const where = (n: ts.Node) =>
    `${relative(root, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const visit = (n: ts.Node) => {
    if (ts.isRegularExpressionLiteral(n)) {
      const lit = n.text;
      const end = lit.lastIndexOf('/');
      out.push({ where: where(n), source: lit.slice(1, end), flags: lit.slice(end + 1) });
    } else if (
      ts.isNewExpression(n) &&
      n.expression.getText() === 'RegExp' &&
      n.arguments?.[0] &&
      ts.isStringLiteralLike(n.arguments[0])
    ) {
      const flags = n.arguments[1] && ts.isStringLiteralLike(n.arguments[1]) ? n.arguments[1].text : '';
      out.push({ where: where(n), source: n.arguments[0].text, flags });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The attack recheck found, with its pumped part repeated until the input is about `chars` long. */
function grow(attack: { pumps: { prefix: string; pump: string }[]; suffix: string }, chars: number): string {
  const pumped = attack.pumps.reduce((n, p) => n + p.pump.length, 0);
  const times = Math.max(1, Math.floor(chars / Math.max(1, pumped)));
  return attack.pumps.map((p) => p.prefix + p.pump.repeat(times)).join('') + attack.suffix;
}

/** Milliseconds to search the input (test, and a global replace as the code mostly does). */
function timeOf(found: Found, input: string): number {
  const re = new RegExp(found.source, found.flags.replace(/[gy]/g, ''));
  const started = performance.now();
  re.test(input);
  input.replace(new RegExp(found.source, found.flags.includes('g') ? found.flags : `${found.flags}g`), '');
  return performance.now() - started;
}

/** Grows the attack step by step and stops at the first size over budget (exponential ones never get big). */
function worstTime(found: Found, attack: Parameters<typeof grow>[0]): { ms: number; chars: number } {
  let last = { ms: 0, chars: 0 };
  for (const chars of [100, 1_000, 5_000, 20_000, INPUT_CHARS]) {
    last = { ms: timeOf(found, grow(attack, chars)), chars };
    if (last.ms > BUDGET_MS) break;
  }
  return last;
}

describe('regular expressions on untrusted text (ReDoS)', () => {
  it(`none takes more than ${BUDGET_MS} ms on a ${INPUT_CHARS / 1000} KB attack string built by recheck`, () => {
    const all = sourceFiles(root)
      .filter((f) => !(relative(root, f) in NOT_UNTRUSTED))
      .flatMap(regexesIn);
    expect(all.length).toBeGreaterThan(100);
    const slow: string[] = [];
    let vulnerable = 0;
    const seen = new Set<string>();
    for (const found of all) {
      if (seen.has(`${found.flags}/${found.source}`)) continue;
      seen.add(`${found.flags}/${found.source}`);
      // recheck fuzzes with a random seed unless given one: a fixed seed gives the same verdict every run.
      const d = checkSync(found.source, found.flags, { timeout: 2_000, randomSeed: 1 });
      if (d.status !== 'vulnerable') continue;
      vulnerable++;
      const { ms, chars } = worstTime(found, d.attack);
      if (ms > BUDGET_MS)
        slow.push(
          `${found.where} /${found.source}/${found.flags}: ${Math.round(ms)} ms on ${chars} chars (${d.complexity.summary})`,
        );
    }
    console.log(
      `redos: ${all.length} regexes (${seen.size} distinct), ${vulnerable} super-linear by recheck, ${slow.length} over budget`,
    );
    expect(slow).toEqual([]);
  }, 300_000);
});
