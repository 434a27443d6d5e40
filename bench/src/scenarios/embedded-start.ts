import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Scenario, tempDir } from '../env.ts';
import { figure } from '../results.ts';

const root = join(import.meta.dirname, '../../..');

interface Started {
  child: ChildProcess;
  url: string;
  seconds: number;
}

/** Spawns `shopdesk start` and returns once /api/ready answers 200 (or fails after `timeoutMs`). */
async function startAndWait(dataDir: string, timeoutMs: number): Promise<Started> {
  const t0 = process.hrtime.bigint();
  // The child gets the caller's environment minus anything that would point it at another database.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of [
    'DATABASE_URL',
    'PORT',
    'HOST',
    'PUBLIC_URL',
    'SHOPDESK_DATA_DIR',
    'SEED_DEMO',
    'LOG_LEVEL',
  ])
    delete env[k];
  Object.assign(env, {
    SHOPDESK_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    EMAIL_SMTP_PORT: '0',
    EMAIL_SMTP_HOST: '127.0.0.1',
  });
  const child = spawn(process.execPath, [join(root, 'apps/server/bin/shopdesk.js'), 'start'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`shopdesk start exited with ${child.exitCode}:\n${out.slice(-2000)}`);
    url ??= /running at (http:\/\/\S+)/.exec(out)?.[1];
    if (url) {
      const ok = await fetch(`${url}/api/ready`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return { child, url, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`shopdesk start was not ready within ${timeoutMs / 1000} s:\n${out.slice(-2000)}`);
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** Resident memory of a process (Linux /proc; elsewhere not measured). */
function rssMb(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

export const embeddedStart: Scenario = {
  name: 'embedded-start',
  description:
    '`shopdesk start` on an empty data dir (PGlite, migrations, demo seed) until /api/ready; restart until ready; idle RSS',
  databases: [null],
  async run(ctx) {
    const dir = tempDir('start');
    const settle = ctx.smoke ? 2 : 15;
    let child: ChildProcess | undefined;
    try {
      // As `npm start` does before it starts the server (the front-end builds are checked by other scenarios).
      const { buildServerBundle } = (await import(join(root, 'scripts/build-server.mjs'))) as {
        buildServerBundle: () => Promise<void>;
      };
      await buildServerBundle();
      ctx.log('  first start on an empty data dir…');
      const first = await startAndWait(dir.dir, 120_000);
      child = first.child;
      ctx.log(`  ready in ${first.seconds.toFixed(2)} s; settling ${settle} s before reading RSS`);
      await new Promise((r) => setTimeout(r, settle * 1000));
      const rss = rssMb(first.child.pid!);
      await stop(first.child);
      ctx.log('  restart…');
      const second = await startAndWait(dir.dir, 60_000);
      child = second.child;
      await new Promise((r) => setTimeout(r, settle * 1000));
      const rss2 = rssMb(second.child.pid!);
      await stop(second.child);
      const base = { scenario: 'embedded-start', database: 'pglite' } as const;
      return [
        figure({
          ...base,
          metric: 'first-start',
          value: first.seconds,
          unit: 's',
          target: 30,
          goal: 'max',
          note: 'incl. migrations and demo seed',
        }),
        figure({ ...base, metric: 'restart', value: second.seconds, unit: 's', target: 3, goal: 'max' }),
        figure({
          ...base,
          metric: 'rss',
          value: rss,
          unit: 'MB',
          target: 350,
          goal: 'max',
          note: rss === null ? 'no /proc on this OS' : `idle ${settle} s after first start`,
        }),
        figure({
          ...base,
          metric: 'rss-after-restart',
          value: rss2,
          unit: 'MB',
          target: 350,
          goal: 'max',
          note: `idle ${settle} s after restart`,
        }),
      ];
    } finally {
      if (child) await stop(child);
      dir.remove();
    }
  },
};
