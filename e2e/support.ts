import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { envValue } from '../apps/server/src/config.ts';
import type { TestApp } from '../apps/server/test/harness.ts';

export const root = join(import.meta.dirname, '..');

/**
 * Where journeys save their screenshots: a temp folder, so a test run never rewrites files of the
 * repository. `npm run screenshots` points it at docs/screenshots to refresh the docs on purpose.
 */
export function screenshotDir(): string {
  const dir = envValue('SHOPDESK_SCREENSHOTS_DIR') ?? join(tmpdir(), 'shopdesk-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function hashTree(hash: ReturnType<typeof createHash>, path: string) {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const f of readdirSync(path).sort()) hashTree(hash, join(path, f));
  } else hash.update(path).update(readFileSync(path));
}

/**
 * The dashboard built once per source state into the temp dir and shared by every browser test file
 * (built in a private folder and renamed into place, so parallel files never see a half build).
 */
export function builtDashboard(): string {
  const hash = createHash('sha256');
  for (const p of [
    'apps/dashboard/src',
    'apps/dashboard/index.html',
    'apps/dashboard/vite.config.ts',
    'packages/contracts/src',
  ])
    hashTree(hash, join(root, p));
  const dir = join(tmpdir(), `shopdesk-dashboard-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'index.html'))) return dir;
  const work = `${dir}.${randomBytes(4).toString('hex')}`;
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      join(root, 'apps/dashboard'),
      '--outDir',
      work,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { stdio: 'ignore' },
  );
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another file finished the same build first
  }
  return dir;
}

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it), with no network chatter. */
const newest = (path: string): number => {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
};

/**
 * The widget bundles in apps/widget/dist (where the server serves them from), rebuilt only when a source
 * is newer. Several browser suites run at once: the build replaces files atomically, so a page that is
 * loading the widget meanwhile still gets a whole file.
 */
export function builtWidget() {
  const w = join(root, 'apps/widget');
  const built = Math.min(
    ...['widget.js', 'widget-chat.js', 'widget-feedback.js'].map((f) => newest(join(w, 'dist', f))),
  );
  if (built > Math.max(newest(join(w, 'src')), newest(join(w, 'build.mjs')))) return;
  execFileSync(process.execPath, [join(w, 'build.mjs')], { stdio: 'ignore' });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Starts listening on a free port and returns the base URL. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
}

/** Signs an agent in through the real sign-in form and waits for the inbox. */
export async function signIn(page: Page, base: string, actor: { email: string; password: string }) {
  await page.goto(`${base}/`);
  await page.getByLabel('Email').fill(actor.email);
  await page.getByLabel('Password').fill(actor.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
}
