import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from './harness.ts';
import { type PgProxy, startPgProxy } from './pg-proxy.ts';

/**
 * The fault suite (PostgreSQL only). One real server node in a child process takes SMTP mail, API
 * ticket creations and signed store webhooks at once while, in turn: every backend it has is
 * terminated mid-transaction; the database "restarts" (a proxy in front of it drops every connection
 * and refuses new ones for two seconds: the shared PostgreSQL server itself is not restarted); the node
 * is killed with SIGKILL and started again. Afterwards: everything that was acknowledged is stored
 * exactly once, nothing is stored twice, the node came back from the database faults by itself, and
 * `/api/ready` said 503 while the database was away and 200 once it was back.
 */
const bin = new URL('../bin/shopdesk.js', import.meta.url).pathname;
const SECRET = 'fault-suite-webhook-secret';
let dir: string;
let fresh: Awaited<ReturnType<typeof freshDatabaseUrl>>;
let proxy: PgProxy;
let admin: pg.Client;
let env: Record<string, string>;
let base: string;
let smtpPort: number;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

function startNode(): Promise<{ proc: ChildProcess; out: () => string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [bin, 'start'], { env });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 120_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      if (/running at http/.test(out)) {
        clearTimeout(timer);
        resolve({ proc, out: () => out });
      }
    });
    proc.stderr!.on('data', (d) => (out += d));
  });
}
const exited = (p: ChildProcess) =>
  new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shopdesk-fault-'));
  fresh = await freshDatabaseUrl();
  proxy = await startPgProxy(fresh.url!);
  admin = new pg.Client({ connectionString: fresh.url });
  await admin.connect();
  smtpPort = await freePort();
  const httpPort = await freePort();
  base = `http://127.0.0.1:${httpPort}`;
  env = {
    ...(process.env as Record<string, string>),
    SHOPDESK_DATA_DIR: dir,
    DATABASE_URL: proxy.url(fresh.url!),
    SECRET_KEY: 'test-secret-key-that-is-long-enough-1234',
    SEED_DEMO: 'true',
    LOG_LEVEL: 'warn',
    PORT: String(httpPort),
    HOST: '127.0.0.1',
    EMAIL_SMTP_PORT: String(smtpPort),
    EMAIL_SMTP_HOST: '127.0.0.1',
    EMAIL_SENDER_LIMIT_PER_HOUR: '100000',
    // Replay events a killed node committed but never published within a second of its restart.
    EVENT_REPLAY_AFTER_SECONDS: '1',
    // A killed node's jobs are taken over after 5 s instead of a minute (heartbeats keep live ones).
    JOB_LEASE_SECONDS: '5',
  };
  delete env.SHOPDESK_TEST_DB;
});
afterAll(async () => {
  await admin?.end();
  await proxy?.close();
  await fresh?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('faults under load', { timeout: 300_000 }, () => {
  it('terminated backends, a database restart and SIGKILL lose nothing, duplicate nothing, and the node recovers', async () => {
    const t0 = Date.now();
    const mark = (what: string) =>
      process.stderr.write(`fault suite: ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    let node = await startNode();
    mark('node started');
    const login = JSON.parse(readFileSync(join(dir, 'demo-login.json'), 'utf8'));
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(login),
    });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken };
    const post = (url: string, body: unknown) =>
      fetch(`${base}${url}`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect(
      (
        await post('/api/v1/email/inboxes', {
          name: 'Fault',
          address: 'support@fault-shop.test',
          autoAck: { enabled: false },
        })
      ).status,
    ).toBe(201);
    const conn = await post('/api/v1/commerce/connections', {
      platform: 'shopify',
      shopDomain: 'fault-shop.myshopify.com',
      accessToken: 'shpat_never_used_here',
      webhookSecret: SECRET,
      currency: 'EUR',
    });
    expect(conn.status).toBe(201);
    const connectionId = ((await conn.json()) as { id: number }).id;

    // ---- load: SMTP, API and webhooks at once, until told to stop ----
    let loading = true;
    const acked = { smtp: new Set<number>(), api: new Set<number>(), webhook: new Set<number>() };
    const statuses: number[] = [];
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      ignoreTLS: true,
      pool: true,
      maxConnections: 2,
    });
    const smtpLoop = async () => {
      for (let i = 0; loading; i++) {
        const info = await transport
          .sendMail({
            envelope: { from: `c${i}@customer.test`, to: ['support@fault-shop.test'] },
            raw: `From: Customer ${i} <c${i}@customer.test>\r\nTo: support@fault-shop.test\r\nSubject: fault mail ${i}\r\nMessage-ID: <fault-${i}@customer.test>\r\n\r\nMessage ${i}.\r\n`,
          })
          .catch(() => undefined);
        if (info && /^250/.test(info.response)) acked.smtp.add(i);
        else await sleep(50);
      }
    };
    let apiSeq = 0;
    const apiLoop = async () => {
      while (loading) {
        const i = apiSeq++;
        const r = await post('/api/v1/tickets', {
          subject: `fault api ${i}`,
          contact: { email: `api${i}@customer.test` },
          message: { body: `API ticket ${i}` },
        }).catch(() => undefined);
        if (r) statuses.push(r.status);
        if (r?.status === 201) acked.api.add(i);
        else {
          if (r?.status === 503) expect(r.headers.get('retry-after')).toBeTruthy();
          await sleep(50);
        }
        await r?.body?.cancel().catch(() => {});
      }
    };
    const webhookLoop = async () => {
      for (let i = 0; loading; i++) {
        const body = JSON.stringify({
          id: 9_100_000 + i,
          name: `#F${i}`,
          email: `w${i}@customer.test`,
          created_at: '2026-12-01T09:00:00Z',
          updated_at: '2026-12-01T09:00:00Z',
          currency: 'EUR',
          financial_status: 'paid',
          total_price: '10.00',
          line_items: [],
        });
        const r = await fetch(`${base}/api/v1/commerce/webhooks/shopify/${connectionId}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-shopify-topic': 'orders/create',
            'x-shopify-webhook-id': `fault-wh-${i}`,
            'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
            'x-shopify-shop-domain': 'fault-shop.myshopify.com',
          },
          body,
        }).catch(() => undefined);
        if (r?.status === 200) acked.webhook.add(i);
        else await sleep(50);
        await r?.body?.cancel().catch(() => {});
      }
    };
    const ready = async () => {
      const r = await fetch(`${base}/api/ready`).catch(() => undefined);
      if (!r) return 0;
      await r.body?.cancel().catch(() => {});
      return r.status;
    };
    const load = Promise.all([smtpLoop(), apiLoop(), apiLoop(), webhookLoop()]);
    const waitReady = async () => {
      const until = Date.now() + 30_000;
      while ((await ready()) !== 200 && Date.now() < until) await sleep(50);
      return ready();
    };

    await sleep(2000);
    mark('terminating backends');
    // ---- fault 1: every backend of the app terminated, mid-transaction under load ----
    const terminated = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    expect(terminated.rowCount).toBeGreaterThan(1);
    await sleep(1500);
    expect(node.proc.exitCode, node.out().slice(-4000)).toBeNull();
    expect(await waitReady()).toBe(200);

    // ---- fault 2: the database "restarts": every connection dropped, new ones refused for 2 s ----
    const before = acked.api.size;
    mark('cutting the database');
    await proxy.cut();
    const whileDown: number[] = [];
    for (let i = 0; i < 10; i++) {
      whileDown.push(await ready());
      await sleep(200);
    }
    await proxy.restore();
    expect(whileDown.every((s) => s === 503)).toBe(true);
    expect(statuses).toContain(503);
    expect(node.proc.exitCode, node.out().slice(-4000)).toBeNull();
    expect(await waitReady()).toBe(200);
    // The same process serves again, without a restart.
    const until = Date.now() + 15_000;
    while (acked.api.size === before && Date.now() < until) await sleep(50);
    expect(acked.api.size).toBeGreaterThan(before);

    // ---- fault 3: SIGKILL under load, then a restart on the same database ----
    await sleep(1000);
    mark('SIGKILL');
    node.proc.kill('SIGKILL');
    await exited(node.proc);
    await sleep(500);
    node = await startNode();
    mark('restarted');
    expect(await waitReady()).toBe(200);
    await sleep(1500);
    loading = false;
    await load;
    transport.close();

    mark('load stopped');
    // Everything acknowledged has been processed (inbound mail and webhooks are jobs).
    const settle = Date.now() + 60_000;
    for (;;) {
      const left = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM inbound_events WHERE processed_at IS NULL`,
      );
      if (left.rows[0]!.n === 0 || Date.now() > settle) break;
      await sleep(250);
    }
    mark('settled');
    node.proc.kill('SIGTERM');
    await exited(node.proc);
    process.stderr.write(
      `fault suite: acked smtp ${acked.smtp.size}, api ${acked.api.size}, webhooks ${acked.webhook.size}; ` +
        `API answers ${JSON.stringify(Object.fromEntries(statuses.reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map<number, number>())))}\n`,
    );
    // Volumes depend on the machine (a loaded CI box acknowledges a few dozen); each kind must have run.
    expect(acked.smtp.size).toBeGreaterThan(0);
    expect(acked.api.size).toBeGreaterThan(0);
    expect(acked.webhook.size).toBeGreaterThan(0);

    const q = async <T>(text: string) => (await admin.query(text)).rows as T[];
    expect(await q(`SELECT count(*)::int AS n FROM inbound_events WHERE processed_at IS NULL`)).toEqual([
      { n: 0 },
    ]);
    // Mail: every 250 is exactly one message; nothing twice.
    const mails = await q<{ id: string; n: number }>(
      `SELECT external_id AS id, count(*)::int AS n FROM messages WHERE external_id LIKE '<fault-%' GROUP BY external_id`,
    );
    const mailSeen = new Map(mails.map((r) => [r.id, r.n]));
    expect([...acked.smtp].filter((i) => !mailSeen.has(`<fault-${i}@customer.test>`))).toEqual([]);
    expect(mails.filter((r) => r.n !== 1)).toEqual([]);
    // API: every 201 is exactly one ticket; nothing twice.
    const tickets = await q<{ subject: string; n: number }>(
      `SELECT subject, count(*)::int AS n FROM tickets WHERE subject LIKE 'fault api %' GROUP BY subject`,
    );
    const ticketSeen = new Map(tickets.map((r) => [r.subject, r.n]));
    expect([...acked.api].filter((i) => !ticketSeen.has(`fault api ${i}`))).toEqual([]);
    expect(tickets.filter((r) => r.n !== 1)).toEqual([]);
    // Webhooks: every 200 is exactly one order; nothing twice.
    const orders = await q<{ number: string; n: number }>(
      `SELECT number, count(*)::int AS n FROM orders WHERE number LIKE '#F%' GROUP BY number`,
    );
    const orderSeen = new Map(orders.map((r) => [r.number, r.n]));
    expect([...acked.webhook].filter((i) => !orderSeen.has(`#F${i}`))).toEqual([]);
    expect(orders.filter((r) => r.n !== 1)).toEqual([]);
    // Nothing gave up along the way.
    expect(await q(`SELECT name, last_error FROM jobs WHERE status = 'failed'`)).toEqual([]);
  });
});
