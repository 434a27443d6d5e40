// The production install path (docs/operations.md "Install for production"): on a fresh copy of the
// repository, scripts/install-production.sh (npm ci, npm run build, npm prune --omit=dev), then the
// server starts from `node apps/server/bin/shopdesk.js start` with no dev dependency present, serves
// the dashboard and the widget, and reaches /api/ready. The Dockerfile runs the same script.
// Slow by nature (a real npm ci and build, ~1-2 min): PGlite project only (vitest.config.ts).
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
let copy: string;
let server: ChildProcess | undefined;

/** The environment of a shell on a server: none of the test runner's variables. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('VITEST') || k === 'NODE_ENV' || k.startsWith('SHOPDESK_')) continue;
    if (k === 'DATABASE_URL' || k === 'TEST_DATABASE_URL' || k.startsWith('npm_')) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    const p = spawn(cmd, args, { cwd: copy, env });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

beforeAll(() => {
  // A fresh clone of what is checked out (tracked and new files, nothing ignored: no node_modules, dist, data).
  copy = mkdtempSync(join(tmpdir(), 'shopdesk-install-'));
  execSync(`git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C '${copy}'`, {
    cwd: repo,
  });
});

afterAll(() => {
  server?.kill('SIGKILL');
  rmSync(copy, { recursive: true, force: true });
});

describe('production install', () => {
  it('installs, builds and prunes, then runs without any dev dependency', async () => {
    const install = await run(
      'sh',
      ['scripts/install-production.sh'],
      cleanEnv({ NPM_CI_FLAGS: '--prefer-offline' }),
    );
    expect(install.code, install.out).toBe(0);
    for (const built of [
      'apps/server/dist/cli.mjs',
      'apps/dashboard/dist/index.html',
      'apps/widget/dist/widget.js',
    ])
      expect(existsSync(join(copy, built)), built).toBe(true);
    for (const dev of ['tsx', 'esbuild', 'vite', 'typescript', 'vitest', '@biomejs/biome'])
      expect(existsSync(join(copy, 'node_modules', dev)), `${dev} pruned`).toBe(false);

    const env = cleanEnv({
      SHOPDESK_DATA_DIR: join(copy, 'data'),
      PORT: '0',
      HOST: '127.0.0.1',
      EMAIL_SMTP_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    const url = await new Promise<string>((resolve, reject) => {
      server = spawn(process.execPath, ['apps/server/bin/shopdesk.js', 'start'], { cwd: copy, env });
      let out = '';
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 240_000);
      const seen = (d: Buffer) => {
        out += d;
        const found = /running at (http:\/\/\S+)/.exec(out)?.[1];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      server.stdout!.on('data', seen);
      server.stderr!.on('data', seen);
      server.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
    });
    const ready = await fetch(`${url}/api/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'pglite' });
    const page = await fetch(`${url}/tickets`);
    expect(await page.text()).toContain('<div id="root">');
    const widget = await fetch(`${url}/widget.js`);
    expect(widget.status).toBe(200);
    server!.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
    server = undefined;

    // `npm start` on this install never builds: with a build output missing it says what to run.
    renameSync(join(copy, 'apps/server/dist'), join(copy, 'apps/server/dist-aside'));
    const refused = await run('npm', ['start', '--silent'], cleanEnv({ NODE_ENV: 'production' }));
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain('Not built: apps/server/dist/cli.mjs');
    expect(refused.out).toContain('npm run build');
  }, 600_000);
});
