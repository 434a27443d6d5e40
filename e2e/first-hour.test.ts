import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../apps/server/test/harness.ts';
import { builtDashboard, builtWidget, launchChromium, root, screenshotDir, signIn } from './support.ts';

// The first hour of a new user, against a server started the way the README says (`npx shopdesk start`,
// the real start path in its own process, on a fresh data dir: migrations, demo seed, banner), driven by
// what the banner prints. Every request the browser makes must stay on this machine.

const bin = join(root, 'apps/server/bin/shopdesk.js');
let dir: string;
let server: ChildProcess;
let out = '';
let env: Record<string, string>;
let dropDb: () => Promise<void> = async () => {};
let banner: { url: string; email: string; password: string; mailTo: string; smtpPort: number; api: string[] };
let browser: Browser;
let desk: BrowserContext;
let page: Page;
const offMachine: string[] = [];

function startServer(): Promise<void> {
  return new Promise((resolve, reject) => {
    server = spawn(process.execPath, [bin, 'start'], { env, cwd: root });
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 150_000);
    const parse = () => {
      const url = /running at (http:\/\/\S+)/.exec(out)?.[1];
      const login = /Sign in as (\S+) with password (\S+)/.exec(out);
      const mail = /Mail to (\S+) on SMTP [\w.]+:(\d+)/.exec(out);
      const api = /Try the API[^\n]*\n((?: {4}.*\n)+)/.exec(out);
      if (!url || !login || !mail || !api) return;
      clearTimeout(timer);
      banner = {
        url,
        email: login[1]!,
        password: login[2]!,
        mailTo: mail[1]!,
        smtpPort: Number(mail[2]),
        api: api[1]!
          .trimEnd()
          .split('\n')
          .map((l) => l.slice(4)),
      };
      resolve();
    };
    server.stdout!.on('data', (d) => {
      out += d;
      parse();
    });
    server.stderr!.on('data', (d) => (out += d));
    server.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
}

const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const method = init.method ?? 'GET';
  // The dashboard's session cookie, with its CSRF token on writes (as the dashboard sends it).
  const csrf =
    method === 'GET'
      ? undefined
      : ((await (await page.request.get(`${banner.url}/api/v1/auth/me`)).json()).csrfToken as string);
  const res = await page.request.fetch(`${banner.url}${path}`, {
    method,
    data: init.body,
    headers: csrf ? { 'x-csrf-token': csrf } : {},
  });
  expect(res.status(), `${init.method ?? 'GET'} ${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
};

beforeAll(async () => {
  builtWidget();
  dir = mkdtempSync(join(tmpdir(), 'shopdesk-first-hour-'));
  env = {
    ...(process.env as Record<string, string>),
    SHOPDESK_DATA_DIR: dir,
    PORT: '0',
    HOST: '127.0.0.1',
    EMAIL_SMTP_PORT: '0',
    EMAIL_SMTP_HOST: '127.0.0.1',
    DASHBOARD_DIR: builtDashboard(),
  };
  for (const k of ['DATABASE_URL', 'SHOPDESK_TEST_DB', 'LOG_LEVEL', 'PUBLIC_URL', 'EMAIL_RELAY_URL'])
    delete env[k];
  // The postgres project runs the same hour on PostgreSQL (DATABASE_URL), the default one embedded.
  const fresh = await freshDatabaseUrl();
  dropDb = fresh.drop;
  // Nodes on PostgreSQL share a master key and seed the demo only when asked (docs/operations.md).
  if (fresh.url)
    Object.assign(env, {
      DATABASE_URL: fresh.url,
      SECRET_KEY: 'e2e-secret-key-that-is-long-enough-1234',
      SEED_DEMO: 'true',
    });
  [browser] = await Promise.all([launchChromium(), startServer()]);
  desk = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Nothing may leave the machine: every request is recorded, and one to another host is refused.
  await desk.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (['localhost', '127.0.0.1'].includes(u.hostname) || u.protocol === 'data:' || u.protocol === 'blob:')
      return route.continue();
    offMachine.push(u.href);
    return route.abort();
  });
  page = await desk.newPage();
}, 200_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.on('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await dropDb();
  rmSync(dir, { recursive: true, force: true });
});

describe('the first hour', { timeout: 120_000 }, () => {
  it('the banner says where to sign in, where the login is kept and which address receives mail; requests do not bury it', () => {
    expect(out).toContain('demo-login.json');
    expect(JSON.parse(readFileSync(join(dir, 'demo-login.json'), 'utf8'))).toEqual({
      email: banner.email,
      password: banner.password,
    });
    expect(banner.mailTo).toBe('support@demo-outfitters.test');
  });

  it('signs in and replies by email to a demo ticket; the reply is in the dev mailbox', async () => {
    await signIn(page, banner.url, { email: banner.email, password: banner.password });
    const [ticket] = (await api('/api/v1/tickets?channel=email&status=open&limit=1')).items as {
      id: number;
      subject: string;
    }[];
    await page.goto(`${banner.url}/tickets/${ticket!.id}`);
    await page.getByLabel('Reply to the customer by email').fill('Thanks for waiting — it ships today.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const delivery = page.getByRole('status', { name: 'Email delivery' }).filter({ hasText: 'Sent' });
    await delivery.first().waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'in the dev mailbox' }).first().click();
    await page.getByText(`Re: ${ticket!.subject}`).first().waitFor();
    await page.screenshot({ path: join(screenshotDir(), 'first-hour-dev-mailbox.png') });
  });

  it('a reply that cannot be sent keeps the ticket open and offers Retry, which sends it', async () => {
    const [inbox] = (await api('/api/v1/email/inboxes')).items as { id: number }[];
    await api(`/api/v1/email/inboxes/${inbox!.id}`, { method: 'PATCH', body: { active: false } });
    const [ticket] = (await api('/api/v1/tickets?channel=email&status=open&limit=2')).items.slice(1) as {
      id: number;
    }[];
    await page.goto(`${banner.url}/tickets/${ticket!.id}`);
    await page.getByLabel('Reply to the customer by email').fill('Your refund is on its way.');
    // Send and set pending: the reply fails, so the ticket must not wait on the customer.
    await page.getByLabel('Status after sending').selectOption('pending');
    await page.getByRole('button', { name: 'Send and set pending', exact: true }).click();
    const failed = page.getByRole('status', { name: 'Email delivery' }).filter({ hasText: 'Failed' });
    await failed.first().waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await api(`/api/v1/tickets/${ticket!.id}`)).status).toBe('open');
    await api(`/api/v1/email/inboxes/${inbox!.id}`, { method: 'PATCH', body: { active: true } });
    await page.getByRole('button', { name: 'Retry' }).click();
    await page
      .getByRole('status', { name: 'Email delivery' })
      .filter({ hasText: 'Sent' })
      .first()
      .waitFor({ timeout: 30_000 });
  });

  it('mail sent over SMTP to the printed address becomes a ticket', async () => {
    const smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: banner.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    const sent = await smtp.sendMail({
      from: 'Fiona First <fiona@example.com>',
      to: banner.mailTo,
      subject: 'My first mail to the desk',
      text: 'Hello! Does this reach you?',
    });
    smtp.close();
    expect(sent.accepted).toEqual([banner.mailTo]);
    let id: number | undefined;
    await expect
      .poll(
        async () => {
          const r = (await api('/api/v1/search?q=first%20mail%20desk')).tickets as { ticketId: number }[];
          id = r[0]?.ticketId;
          return id;
        },
        { timeout: 30_000 },
      )
      .toBeDefined();
    await page.goto(`${banner.url}/tickets/${id}`);
    await page.getByText('Hello! Does this reach you?').first().waitFor();
  });

  it('a shopper chats from /demo/shop and the agent sees it', async () => {
    const shop = await desk.newPage();
    await shop.goto(`${banner.url}/demo/shop`);
    await shop.locator('shopdesk-chat .sd-launcher').click();
    await shop.locator('shopdesk-chat .sd-panel.on').waitFor();
    const prechat = shop.locator('shopdesk-chat .sd-prechat input[name="name"]');
    if (await prechat.count()) {
      await prechat.fill('Sam Shopper');
      await shop.locator('shopdesk-chat .sd-prechat button[type="submit"]').click();
    }
    await shop.locator('shopdesk-chat .sd-input').fill('Hi, do you ship to Austria?');
    await shop.locator('shopdesk-chat .sd-input').press('Enter');
    await shop
      .locator('shopdesk-chat .sd-msg.visitor:not(.pending):not(.failed)', { hasText: 'ship to Austria' })
      .waitFor();
    let id: number | undefined;
    await expect
      .poll(
        async () => {
          const r = (await api('/api/v1/search?q=ship%20to%20Austria')).tickets as { ticketId: number }[];
          id = r[0]?.ticketId;
          return id;
        },
        { timeout: 30_000 },
      )
      .toBeDefined();
    await page.goto(`${banner.url}/tickets/${id}`);
    await page.locator('.timeline').getByText('Hi, do you ship to Austria?').waitFor();
    await shop.close();
  });

  it('refunds one item of a demo order within the limit', async () => {
    // A demo email ticket whose customer has a paid order with something left to refund.
    const tickets = (await api('/api/v1/tickets?channel=email&limit=30')).items as { id: number }[];
    let found: { ticketId: number; number: string; title: string } | undefined;
    for (const t of tickets) {
      const orders = (await api(`/api/v1/commerce/tickets/${t.id}/orders`)).items as {
        number: string;
        refunded: number;
        financialStatus: string;
        status: string;
        lineItems: { title: string; quantity: number; refundedQuantity: number }[];
      }[];
      const o = orders.find(
        (x) => x.status === 'open' && x.financialStatus === 'paid' && x.refunded === 0 && x.lineItems.length,
      );
      if (o) {
        found = { ticketId: t.id, number: o.number, title: o.lineItems[0]!.title };
        break;
      }
    }
    expect(found).toBeDefined();
    await page.goto(`${banner.url}/tickets/${found!.ticketId}`);
    const order = page.getByTestId(`order-${found!.number}`);
    await order.waitFor();
    if (!(await order.getByRole('button', { name: 'Actions…' }).count()))
      await order.locator('button.order-head').click();
    await order.getByRole('button', { name: 'Actions…' }).click();
    // A demo order may hold the same product twice: one of them.
    await order.getByLabel(`Refund quantity ${found!.title}`).first().fill('1');
    await order.getByRole('button', { name: 'Confirm' }).click();
    await order.getByRole('status').filter({ hasText: 'Refunded' }).waitFor({ timeout: 30_000 });
    const after = (await api(`/api/v1/commerce/orders?number=${encodeURIComponent(found!.number.slice(1))}`))
      .items[0] as { refunded: number };
    expect(after.refunded).toBeGreaterThan(0);
  });

  it("runs the README's API example as written (CLI token included) while the server runs", async () => {
    // The README shows the banner's lines for the default address.
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(banner.api.join('\n').replaceAll(banner.url, 'http://localhost:3000'));
    const script = `set -e\n${banner.api.join('\n')}\n`;
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile('bash', ['-c', script], { cwd: root, env, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // curl prints the two JSON answers back to back.
    const cut = [...r.stdout.matchAll(/\}\{/g)]
      .map((m) => m.index! + 1)
      .find((i) => {
        try {
          JSON.parse(r.stdout.slice(0, i));
          return true;
        } catch {
          return false;
        }
      });
    expect(JSON.parse(r.stdout.slice(0, cut))).toMatchObject({ subject: 'Parcel missing' });
    expect((JSON.parse(r.stdout.slice(cut)) as { tickets: unknown[] }).tickets.length).toBeGreaterThan(0);
  });

  it('made no request off the machine, and logged no line per request', () => {
    expect(offMachine).toEqual([]);
    expect(out).not.toContain('request completed');
    expect(out).not.toContain('incoming request');
  });
});
