import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelaySender } from '../src/channels/email/email-sender.ts';
import { createImapPoller } from '../src/channels/email/imap-poller.ts';
import { type OutboundPolicy, outboundFetch, PUBLIC_ONLY } from '../src/platform/http/outbound.ts';
import {
  allowList,
  type LookupAll,
  OutboundRefusedError,
  resolveTarget,
} from '../src/platform/net/outbound-guard.ts';
import { startRelay } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// The SSRF matrix for every outbound connection the server makes on a user's say-so — HTTP (store APIs,
// webhooks), SMTP relays, IMAP servers: every spelling of a private address, redirects into the private
// network, and DNS answers that change between the check and the connection (a stub resolver answers).

/** Every way of writing an address the server must not call without the allow-list. */
const PRIVATE_SPELLINGS = [
  '127.0.0.1',
  '127.1',
  '2130706433',
  '0x7f000001',
  '0177.0.0.1',
  '[::1]',
  '::1',
  'localhost',
  'LOCALHOST.',
  '[::127.0.0.1]',
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  '0.0.0.0',
  '0',
  '169.254.169.254',
  '[fe80::1]',
  '10.0.0.1',
  '172.16.5.4',
  '192.168.1.20',
  '100.64.0.1',
  '[fc00::1]',
  '[fd12:3456::1]',
  '224.0.0.1',
  '[ff02::1]',
  '255.255.255.255',
  '[64:ff9b::a9fe:a9fe]',
];

/** A resolver stub: fixed answers per name; `localhost` answers like a real system does. */
function stubDns(answers: Record<string, string[] | (() => string[])>) {
  const calls: string[] = [];
  const lookup: LookupAll = async (name) => {
    calls.push(name);
    const a = answers[name] ?? (name === 'localhost' ? ['127.0.0.1', '::1'] : null);
    if (!a) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return (typeof a === 'function' ? a() : a).map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
  };
  return { lookup, calls };
}

describe('the guard: every spelling', () => {
  it('refuses each private spelling, and accepts public addresses and names that resolve publicly', async () => {
    const { lookup } = stubDns({ 'shop.example.com': ['93.184.215.14'] });
    for (const host of PRIVATE_SPELLINGS)
      await expect(resolveTarget(host, { ...PUBLIC_ONLY, lookup }), host).rejects.toBeInstanceOf(
        OutboundRefusedError,
      );
    for (const host of ['93.184.215.14', '[2606:4700::1111]', 'shop.example.com'])
      await expect(resolveTarget(host, { ...PUBLIC_ONLY, lookup }), host).resolves.toMatchObject({
        address: expect.any(String),
      });
  });

  it('lets through exactly what the allow-list names, in any spelling of it', async () => {
    const allow = allowList(['127.0.0.1/32', '10.1.0.0/16']);
    const { lookup } = stubDns({});
    for (const host of ['127.0.0.1', '127.1', '2130706433', '[::ffff:127.0.0.1]', '10.1.2.3'])
      await expect(resolveTarget(host, { allow, lookup }), host).resolves.toBeDefined();
    // localhost also answers ::1, which is not in the list: a name is judged by all its answers.
    for (const host of ['127.0.0.2', '[::1]', 'localhost', '10.2.0.1', '169.254.169.254'])
      await expect(resolveTarget(host, { allow, lookup }), host).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(() => allowList(['10.0.0.0/33'])).toThrow(/not an IP address or CIDR/);
  });
});

// Two local servers on the same port: A (127.0.0.1, in the allow-list) and B (127.0.0.2, not).
let port = 0;
const hits = { a: [] as string[], b: [] as string[] };
let httpA: Server;
let httpB: Server;
const allowA: OutboundPolicy['allow'] = allowList(['127.0.0.1/32']);

beforeAll(async () => {
  httpA = createServer((req, res) => {
    hits.a.push(req.url ?? '');
    const to: Record<string, string> = {
      '/to-metadata': 'http://169.254.169.254/latest/meta-data/',
      '/to-other-loopback': `http://127.0.0.2:${port}/secret`,
      '/to-ipv6-loopback': `http://[::1]:${port}/secret`,
      '/to-name': `http://internal.test:${port}/secret`,
      '/to-self': '/ok',
    };
    const location = to[req.url ?? ''];
    if (location) res.writeHead(302, { location }).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((ok) => httpA.listen(0, '127.0.0.1', ok));
  port = (httpA.address() as AddressInfo).port;
  httpB = createServer((req, res) => {
    hits.b.push(req.url ?? '');
    res.writeHead(200).end('secret');
  });
  await new Promise<void>((ok) => httpB.listen(port, '127.0.0.2', ok));
});
afterAll(async () => {
  await new Promise((ok) => httpA?.close(ok));
  await new Promise((ok) => httpB?.close(ok));
});

describe('HTTP (store APIs, webhooks)', () => {
  it('refuses every private spelling in a URL before connecting', async () => {
    const before = hits.a.length + hits.b.length;
    const { lookup } = stubDns({});
    for (const host of PRIVATE_SPELLINGS) {
      const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
      await expect(
        outboundFetch(`http://${h}:${port}/x`, { ...PUBLIC_ONLY, lookup }, { timeoutMs: 2000 }),
        host,
      ).rejects.toBeInstanceOf(OutboundRefusedError);
    }
    expect(hits.a.length + hits.b.length).toBe(before);
  });

  it('checks every redirect hop again: into the private network is refused, within the allowed host is followed', async () => {
    const { lookup } = stubDns({ 'internal.test': ['127.0.0.2'] });
    const policy = { allow: allowA, lookup };
    for (const path of ['/to-metadata', '/to-other-loopback', '/to-ipv6-loopback', '/to-name'])
      await expect(
        outboundFetch(`http://127.0.0.1:${port}${path}`, policy, { maxRedirects: 3, timeoutMs: 2000 }),
        path,
      ).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(hits.b).toEqual([]);
    const ok = await outboundFetch(`http://127.0.0.1:${port}/to-self`, policy, { maxRedirects: 3 });
    expect(ok).toMatchObject({ status: 200, text: 'ok', url: `http://127.0.0.1:${port}/ok` });
    // Without redirects allowed (webhooks), the 3xx itself is the answer.
    expect((await outboundFetch(`http://127.0.0.1:${port}/to-metadata`, policy)).status).toBe(302);
  });

  it('connects to the address it checked, whatever DNS answers afterwards (rebinding)', async () => {
    let n = 0;
    const { lookup, calls } = stubDns({ 'shop.test': () => (n++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']) });
    const res = await outboundFetch(`http://shop.test:${port}/pinned`, { allow: allowA, lookup });
    expect(res.text).toBe('ok');
    expect(hits.a).toContain('/pinned');
    expect(hits.b).toEqual([]);
    expect(calls).toEqual(['shop.test']);
    // The other way round: a name whose check-time answer is private never connects at all.
    const { lookup: rebinding } = stubDns({ 'evil.test': ['127.0.0.2', '93.184.215.14'] });
    await expect(
      outboundFetch(`http://evil.test:${port}/x`, { allow: allowA, lookup: rebinding }),
    ).rejects.toThrow(/evil\.test resolves to 127\.0\.0\.2, a loopback address/);
    expect(hits.b).toEqual([]);
  });

  it('retries throttled answers with the wait the server asks for, and not longer than allowed', async () => {
    let calls = 0;
    const busy = createServer((_req, res) => {
      calls++;
      if (calls < 3) res.writeHead(429, { 'retry-after': '1' }).end();
      else if (calls === 3) res.writeHead(503, { 'retry-after': '120' }).end();
      else res.writeHead(200).end('done');
    });
    await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok));
    const p = (busy.address() as AddressInfo).port;
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    try {
      const res = await outboundFetch(
        `http://127.0.0.1:${p}/`,
        { allow: allowA },
        { attempts: 5, sleep, maxWaitMs: 30_000 },
      );
      // Two 429s waited 1 s each; the 503 asked for 120 s, beyond the limit: returned as it is.
      expect(res.status).toBe(503);
      expect(waits).toEqual([1000, 1000]);
    } finally {
      await new Promise((ok) => busy.close(ok));
    }
  });
});

describe('SMTP relay', () => {
  it('sends to the checked address with the name kept for TLS; refuses private answers; ignores a later DNS answer', async () => {
    const relay = await startRelay();
    const bHits: number[] = [];
    const tcpB: TcpServer = createTcpServer((s) => {
      bHits.push(1);
      s.destroy();
    });
    await new Promise<void>((ok) => tcpB.listen(relay.port, '127.0.0.2', ok));
    const sender = createRelaySender();
    try {
      let n = 0;
      const { lookup, calls } = stubDns({ 'relay.test': () => (n++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']) });
      const pinned = async () => (await resolveTarget('relay.test', { allow: allowA, lookup })).address;
      const cfg = { host: 'relay.test', port: relay.port, secure: false, resolveAddress: pinned };
      await sender.send(
        cfg,
        { from: 'a@shop.test', to: ['c@example.com'] },
        Buffer.from('Subject: hi\r\n\r\nhello\r\n'),
      );
      expect(relay.received).toHaveLength(1);
      expect(calls).toEqual(['relay.test']);
      // The next send resolves again: now 127.0.0.2, outside the allow-list — refused, B never reached.
      await expect(
        sender.send(
          cfg,
          { from: 'a@shop.test', to: ['c@example.com'] },
          Buffer.from('Subject: x\r\n\r\nx\r\n'),
        ),
      ).rejects.toThrow(/127\.0\.0\.2, a loopback address/);
      for (const host of ['127.1', '[::1]', '0x7f000001', 'localhost', '169.254.169.254'])
        await expect(
          sender.send(
            {
              ...cfg,
              host,
              resolveAddress: async () => (await resolveTarget(host, { ...PUBLIC_ONLY, lookup })).address,
            },
            { from: 'a@shop.test', to: ['c@example.com'] },
            Buffer.from('x'),
          ),
          host,
        ).rejects.toThrow(/address/);
      expect(bHits).toEqual([]);
      expect(relay.received).toHaveLength(1);
    } finally {
      sender.close();
      await relay.close();
      await new Promise((ok) => tcpB.close(ok));
    }
  });
});

describe('IMAP', () => {
  it('connects to the checked address only; a private answer is refused before any connection', async () => {
    const seen = { a: 0, b: 0 };
    const serve = (k: 'a' | 'b') =>
      createTcpServer((s) => {
        seen[k]++;
        s.destroy();
      });
    const a = serve('a');
    await new Promise<void>((ok) => a.listen(0, '127.0.0.1', ok));
    const imapPort = (a.address() as AddressInfo).port;
    const b = serve('b');
    await new Promise<void>((ok) => b.listen(imapPort, '127.0.0.2', ok));
    // The poller reports a connection error on the inbox instead of throwing it.
    const reports: (string | null)[] = [];
    const poller = (host: string, resolveAddress: () => Promise<string>) =>
      createImapPoller({
        source: {
          host,
          resolveAddress,
          port: imapPort,
          secure: false,
          user: 'u',
          pass: 'p',
          folder: 'INBOX',
          after: 'keep',
        },
        log: pino({ level: 'silent' }),
        pollSeconds: 60,
        state: async () => ({ uidValidity: null, lastUid: 0 }),
        store: async () => {},
        resetCursor: async () => {},
        report: async (r) => void reports.push(r.error),
      });
    try {
      let n = 0;
      const { lookup, calls } = stubDns({ 'imap.test': () => (n++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']) });
      const pinned = async () => (await resolveTarget('imap.test', { allow: allowA, lookup })).address;
      await poller('imap.test', pinned)
        .syncNow()
        .catch(() => {});
      expect(seen).toEqual({ a: 1, b: 0 });
      expect(calls).toEqual(['imap.test']);
      // Reconnecting resolves again; the new answer is outside the allow-list: refused, nothing connects.
      await poller('imap.test', pinned)
        .syncNow()
        .catch(() => {});
      expect(reports.at(-1)).toMatch(/127\.0\.0\.2, a loopback address/);
      for (const host of ['127.1', '[::ffff:127.0.0.1]', '2130706433', 'localhost']) {
        reports.length = 0;
        await poller(host, async () => (await resolveTarget(host, { ...PUBLIC_ONLY, lookup })).address)
          .syncNow()
          .catch(() => {});
        expect(reports.at(-1), host).toMatch(/only public addresses may be called/);
      }
      expect(seen).toEqual({ a: 1, b: 0 });
    } finally {
      await new Promise((ok) => a.close(ok));
      await new Promise((ok) => b.close(ok));
    }
  });
});

describe('settings that name a host are checked when saved; the workspace allow-list opens exactly its ranges', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  beforeAll(async () => {
    t = await startTestApp();
    ws = await t.workspace('SSRF Shop');
  });
  afterAll(() => t?.stop());
  const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
    t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });
  const woo = (url: string) => ({
    platform: 'woocommerce',
    name: `Woo ${url}`,
    url,
    consumerKey: 'ck_test_key',
    consumerSecret: 'cs_test_secret',
    webhookSecret: 'whsec-test-secret',
    currency: 'EUR',
  });
  const inbox = (n: number, smtpHost: string, imapHost?: string) => ({
    name: `Inbox ${n}`,
    address: `support${n}@ssrf-${ws.workspaceId}.test`,
    smtp: { host: smtpHost, port: 587, secure: false, user: null },
    ...(imapHost
      ? {
          imap: {
            host: imapHost,
            port: 993,
            secure: true,
            user: 'u',
            password: 'p',
            folder: 'INBOX',
            after: 'seen',
          },
        }
      : {}),
  });

  it('refuses store URLs, SMTP relays and IMAP hosts in private spellings, naming the field', async () => {
    for (const host of [
      '127.1',
      '2130706433',
      '0x7f000001',
      '[::1]',
      'localhost',
      '[::127.0.0.1]',
      '169.254.169.254',
    ]) {
      const store = await call(
        'POST',
        '/api/v1/commerce/connections',
        ws.admin.headers,
        woo(`https://${host}:8443`),
      );
      expect(store.statusCode, host).toBe(400);
      expect(store.json().error.message, host).toMatch(/^Store address refused: /);
      expect(store.json().error.details[0].path).toBe('body.url');
    }
    let n = 0;
    for (const host of ['127.1', '::1', '0x7f000001', 'localhost', '10.0.0.8']) {
      const smtp = await call('POST', '/api/v1/email/inboxes', ws.admin.headers, inbox(++n, host));
      expect(smtp.statusCode, host).toBe(400);
      expect(smtp.json().error.message, host).toMatch(/^SMTP host refused: /);
      expect(smtp.json().error.details[0].path).toBe('body.smtp.host');
      const imap = await call(
        'POST',
        '/api/v1/email/inboxes',
        ws.admin.headers,
        inbox(++n, 'smtp.example.net', host),
      );
      expect(imap.statusCode, host).toBe(400);
      expect(imap.json().error.message, host).toMatch(/^IMAP host refused: /);
      expect(imap.json().error.details[0].path).toBe('body.imap.host');
    }
  });

  it('an admin opens a range for this workspace only; others stay refused', async () => {
    expect((await call('GET', '/api/v1/workspace/outbound-allow-list', ws.lead.headers)).statusCode).toBe(
      403,
    );
    const bad = await call('PUT', '/api/v1/workspace/outbound-allow-list', ws.admin.headers, {
      items: ['10.0.0.0/99'],
    });
    expect(bad.statusCode).toBe(400);
    const put = await call('PUT', '/api/v1/workspace/outbound-allow-list', ws.admin.headers, {
      items: ['127.0.0.1/32'],
    });
    expect(put.json()).toEqual({ items: ['127.0.0.1/32'] });
    const opened = await call(
      'POST',
      '/api/v1/commerce/connections',
      ws.admin.headers,
      woo('https://127.1:8443'),
    );
    expect(opened.statusCode, opened.body).toBe(201);
    expect(
      (await call('POST', '/api/v1/email/inboxes', ws.admin.headers, inbox(100, '127.0.0.1'))).statusCode,
    ).toBe(201);
    expect(
      (await call('POST', '/api/v1/commerce/connections', ws.admin.headers, woo('https://127.0.0.2:8443')))
        .statusCode,
    ).toBe(400);
    const other = await t.workspace('Other SSRF Shop');
    const elsewhere = await call(
      'POST',
      '/api/v1/commerce/connections',
      other.admin.headers,
      woo('https://127.1:8444'),
    );
    expect(elsewhere.statusCode).toBe(400);
  });
});
