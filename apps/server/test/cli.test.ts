import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from './harness.ts';

const bin = new URL('../bin/shopdesk.js', import.meta.url).pathname;
let dir: string;
let env: Record<string, string>;
let drop: () => Promise<void>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shopdesk-cli-'));
  const fresh = await freshDatabaseUrl();
  drop = fresh.drop;
  env = {
    ...(process.env as Record<string, string>),
    SHOPDESK_DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    ...(fresh.url ? { DATABASE_URL: fresh.url } : {}),
    // Nodes on PostgreSQL share one master key and seed the demo only when asked.
    ...(fresh.url ? { SECRET_KEY: 'test-secret-key-that-is-long-enough-1234', SEED_DEMO: 'true' } : {}),
  };
  delete env.SHOPDESK_TEST_DB;
});
afterAll(async () => {
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function startServer(): Promise<{ proc: ChildProcess; url: string; email: string; password: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [bin, 'start'], {
      env: { ...env, PORT: '0', HOST: '127.0.0.1', EMAIL_SMTP_PORT: '0' },
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 170_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const url = /running at (http:\/\/\S+)/.exec(out)?.[1];
      const login = /Sign in as (\S+) with password (\S+)/.exec(out);
      if (url && login) {
        clearTimeout(timer);
        resolve({ proc, url, email: login[1]!, password: login[2]! });
      }
    });
    proc.stderr!.on('data', (d) => (out += d));
  });
}

// Each CLI call is a fresh process that loads the database engine: slow on a busy 2-core box.
describe('npx shopdesk', { timeout: 240_000 }, () => {
  it('start: seeds the demo on an empty database, prints URL and login, serves the API, and stops cleanly on SIGTERM', async () => {
    const s = await startServer();
    const ready = await fetch(`${s.url}/api/ready`);
    expect(ready.status).toBe(200);
    const login = await fetch(`${s.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: s.email, password: s.password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const tickets = (await (
      await fetch(`${s.url}/api/v1/tickets?limit=200`, { headers: { cookie } })
    ).json()) as {
      items: unknown[];
    };
    expect(tickets.items.length).toBe(200);
    const total = (
      (await (await fetch(`${s.url}/api/v1/tickets/count`, { headers: { cookie } })).json()) as {
        count: number;
      }
    ).count;
    expect(total).toBeGreaterThanOrEqual(190);
    expect((await fetch(`${s.url}/`)).headers.get('content-type')).toContain('text/html');
    const exited = new Promise<number | null>((r) => s.proc.on('exit', (code) => r(code)));
    s.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('migrate reports an up-to-date database; create-admin, create-token and export work', async () => {
    expect((await run(['migrate'])).stdout).toContain('up to date');
    const bad = await run(['create-admin', '--email', 'owner@shop.test', '--password', 'short']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('at least 10 characters');
    const admin = await run([
      'create-admin',
      '--email',
      'owner@shop.test',
      '--password',
      'a-long-password',
      '--workspace',
      'demo-outfitters',
    ]);
    expect(admin.code).toBe(0);
    expect(admin.stdout).toContain('demo-outfitters');
    const token = await run(['create-token', '--email', 'owner@shop.test', '--workspace', 'demo-outfitters']);
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toMatch(/^sdk_[\w-]{20,}$/);
    const exp = await run(['export', '--workspace', 'demo-outfitters']);
    expect(exp.code).toBe(0);
    const lines = exp.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; password_hash?: string });
    expect(lines[0]!.type).toBe('workspace');
    // 200 demo tickets plus the SMS conversations, the voicemail and the WhatsApp, Messenger and Instagram
    // conversations the demo seeds on its (switched-off) channel accounts.
    expect(lines.filter((l) => l.type === 'ticket').length).toBeGreaterThanOrEqual(200);
    expect(lines.filter((l) => l.type === 'message').length).toBeGreaterThan(200);
    expect(exp.stdout).not.toContain('argon2');
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown command');
  });

  it('analytics rebuild recomputes a workspace set-based and prints tickets/s; a missing action is a usage error', async () => {
    const r = await run(['analytics', 'rebuild', '--workspace', 'demo-outfitters']);
    expect(r.code, r.stderr).toBe(0);
    const n = Number(/Workspace "demo-outfitters": (\d+) tickets recomputed/.exec(r.stdout)?.[1]);
    expect(n).toBeGreaterThanOrEqual(200);
    expect(r.stderr).toContain('analytics demo-outfitters');
    const bad = await run(['analytics']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('analytics rebuild');
    const none = await run(['analytics', 'rebuild', '--workspace', 'no-such-shop']);
    expect(none.code).toBe(1);
  }, 240_000);

  it('while the server runs: create-token goes through it (the token works, and still after a restart); a second start refuses', async () => {
    const s = await startServer();
    const stopServer = async (proc: ChildProcess) => {
      const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    };
    try {
      const created = await run(['create-token', '--email', s.email]);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const token = created.stdout.trim();
      const search = async (url: string) =>
        (await fetch(`${url}/api/v1/search?q=parcel`, { headers: { authorization: `Bearer ${token}` } }))
          .status;
      expect(await search(s.url)).toBe(200);
      const admin = await run([
        'create-admin',
        '--email',
        'second@shop.test',
        '--password',
        'another-long-one',
        '--workspace',
        'demo-outfitters',
      ]);
      expect(admin.code).toBe(0);
      // An online backup: the running server takes it (embedded, through the admin socket; PostgreSQL: pg_dump).
      const backedUp = await run(['backup', '--out', join(dir, 'backup-online')]);
      expect(backedUp.stderr).toBe('');
      expect(backedUp.stdout).toMatch(/^Backed up the (embedded|PostgreSQL) database \(\d+ migrations\)/);
      expect(existsSync(join(dir, 'backup-online', 'manifest.json'))).toBe(true);
      if (!env.DATABASE_URL) {
        // Restoring needs the server stopped (and an empty data dir).
        const restoring = await run(['restore', '--from', join(dir, 'backup-online')]);
        expect(restoring.code).toBe(1);
        expect(restoring.stderr).toContain('in use by a running Shopdesk server');
      }
      if (!env.DATABASE_URL) {
        // The embedded database belongs to the running server: a second one is refused, naming it.
        const second = spawn(process.execPath, [bin, 'start'], {
          env: { ...env, PORT: '0', EMAIL_SMTP_PORT: '0' },
        });
        let err = '';
        second.stderr.on('data', (d) => (err += d));
        expect(await new Promise<number | null>((r) => second.on('exit', r))).toBe(1);
        expect(err).toContain(`in use by a running Shopdesk server (pid ${s.proc.pid}, ${s.url}`);
      }
      await stopServer(s.proc);
      const again = await startServer();
      try {
        expect(await search(again.url)).toBe(200);
        const login = await fetch(`${again.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'second@shop.test', password: 'another-long-one' }),
        });
        expect(login.status).toBe(200);
      } finally {
        await stopServer(again.proc);
      }
    } finally {
      if (s.proc.exitCode === null) s.proc.kill('SIGTERM');
    }
  });

  it('refuses to start with a bad setting and says which one', async () => {
    const p = spawn(process.execPath, [bin, 'start'], { env: { ...env, PORT: 'eighty' } });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => p.on('exit', r));
    expect(code).toBe(1);
    expect(err).toContain('PORT="eighty"');
  });
});
