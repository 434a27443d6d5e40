import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, sql } from '../src/platform/db/db.ts';
import { freshDatabaseUrl } from './harness.ts';

const bin = new URL('../bin/shopdesk.js', import.meta.url).pathname;
const TOTAL = 1000;
let dir: string;
let dbUrl: string | undefined;
let drop: () => Promise<void>;
let env: Record<string, string>;
let smtpPort: number;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

function startServer(): Promise<{ proc: ChildProcess; url: string; out: () => string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [bin, 'start'], { env });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 170_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const url = /running at (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ proc, url, out: () => out });
      }
    });
    proc.stderr!.on('data', (d) => (out += d));
  });
}

const exited = (p: ChildProcess) =>
  new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shopdesk-crash-'));
  const fresh = await freshDatabaseUrl();
  dbUrl = fresh.url;
  drop = fresh.drop;
  smtpPort = await freePort();
  env = {
    ...(process.env as Record<string, string>),
    SHOPDESK_DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    PORT: '0',
    HOST: '127.0.0.1',
    EMAIL_SMTP_PORT: String(smtpPort),
    EMAIL_SMTP_HOST: '127.0.0.1',
    EMAIL_SENDER_LIMIT_PER_HOUR: '100000',
    ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
    // Nodes on PostgreSQL share one master key and seed the demo only when asked.
    ...(dbUrl ? { SECRET_KEY: 'test-secret-key-that-is-long-enough-1234', SEED_DEMO: 'true' } : {}),
  };
  delete env.SHOPDESK_TEST_DB;
});
afterAll(async () => {
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
});

const message = (i: number) => ({
  envelope: { from: `c${i}@customer.test`, to: ['support@crash-shop.test'] },
  raw: `From: Customer ${i} <c${i}@customer.test>\r\nTo: support@crash-shop.test\r\nSubject: crash test ${i}\r\nMessage-ID: <crash-${i}@customer.test>\r\n\r\nMessage number ${i}.\r\n`,
});

describe('SIGKILL while mail is arriving', { timeout: 600_000 }, () => {
  it('every message that got a 250 is a ticket exactly once after restart', async () => {
    const first = await startServer();
    // Set up an inbox through the API as the seeded demo admin.
    const login = JSON.parse(
      (await import('node:fs')).readFileSync(join(dir, 'demo-login.json'), 'utf8'),
    ) as { email: string; password: string };
    const res = await fetch(`${first.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(login),
    });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const created = await fetch(`${first.url}/api/v1/email/inboxes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({
        name: 'Crash',
        address: 'support@crash-shop.test',
        autoAck: { enabled: false },
      }),
    });
    expect(created.status).toBe(201);

    // Four concurrent SMTP connections; the server is killed once 40% have been acknowledged.
    const acked = new Set<number>();
    let killed = false;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      ignoreTLS: true,
      pool: true,
      maxConnections: 4,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    const sends = Array.from({ length: TOTAL }, (_, i) =>
      transport.sendMail(message(i)).then(
        (info) => {
          if (/^250/.test(info.response)) acked.add(i);
          if (!killed && acked.size >= TOTAL * 0.4) {
            killed = true;
            first.proc.kill('SIGKILL');
          }
        },
        () => {},
      ),
    );
    const progress = setInterval(
      () => process.stderr.write(`crash-test: acked ${acked.size} killed ${killed}\n`),
      5000,
    );
    await Promise.all(sends);
    clearInterval(progress);
    process.stderr.write(`crash-test: sending done, acked ${acked.size}\n`);
    transport.close();
    await exited(first.proc);
    expect(killed).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(TOTAL * 0.4);
    expect(acked.size).toBeLessThan(TOTAL);

    // Restart on the same data; the queued processing jobs resume.
    const second = await startServer();
    process.stderr.write('crash-test: restarted\n');
    // Wait until the restarted node has processed every stored email (the inbound log reports what is pending).
    const deadline = Date.now() + 300_000;
    let pending = -1;
    while (Date.now() < deadline && pending !== 0) {
      await new Promise((r) => setTimeout(r, 1000));
      const r = await fetch(`${second.url}/api/v1/email/inbound?limit=1`, { headers: { cookie } });
      expect(r.status).toBe(200);
      pending = ((await r.json()) as { pending: number }).pending;
      process.stderr.write(`crash-test: pending ${pending}\n`);
    }
    expect(pending).toBe(0);
    second.proc.kill('SIGTERM');
    await exited(second.proc);
    const check = await openDb(dbUrl ? { databaseUrl: dbUrl } : { dataDir: dir });
    try {
      const left = await check.one<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM inbound_events WHERE processed_at IS NULL`,
      );
      expect(left?.n).toBe(0);
      const rows = await check.query<{ external_id: string; n: number }>(sql`
        SELECT external_id, count(*)::int AS n FROM messages WHERE channel = 'email' AND external_id LIKE '<crash-%' GROUP BY external_id`);
      const seen = new Map(rows.map((r) => [r.external_id, r.n]));
      const missing = [...acked].filter((i) => !seen.has(`<crash-${i}@customer.test>`));
      expect(missing).toEqual([]);
      expect(rows.filter((r) => r.n !== 1)).toEqual([]);
      const tickets = await check.one<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM tickets WHERE subject LIKE 'crash test %'`,
      );
      expect(tickets?.n).toBe(rows.length);
    } finally {
      await check.close();
    }
  });
});
