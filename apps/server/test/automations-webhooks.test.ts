import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutomationsService } from '../src/modules/automations/index.ts';
import { createSlaService } from '../src/modules/sla/index.ts';
import { sql } from '../src/platform/db/db.ts';
import { outboundFetch, PUBLIC_ONLY } from '../src/platform/http/outbound.ts';
import { enqueue } from '../src/platform/jobs/queue.ts';
import { privateAddressReason } from '../src/platform/net/outbound-guard.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// Automation webhooks are URLs typed by a lead and called by the server: they must not reach the server's
// own network (SSRF). Private targets need the workspace's outbound allow-list, which these tests also use
// to reach a local receiver (127.0.0.1/32 for `openWs`).

type Hit = { path: string; body: string; headers: Record<string, string> };
let receiver: Server;
let base: string;
const hits: Hit[] = [];

let strict: TestApp;
let open: TestApp;
let ws: TestWorkspace;
let openWs: TestWorkspace;

beforeAll(async () => {
  receiver = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      hits.push({ path: req.url ?? '', body, headers: req.headers as Record<string, string> });
      if (req.url === '/gone' || req.url === '/busy') {
        res.writeHead(req.url === '/gone' ? 404 : 503).end();
        return;
      }
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `${base}/redirected` }).end();
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  strict = await startTestApp();
  ws = await strict.workspace('Webhook Shop');
  open = await startTestApp();
  openWs = await open.workspace('Local Webhook Shop');
  const allowed = await open.app.inject({
    method: 'PUT',
    url: '/api/v1/workspace/outbound-allow-list',
    headers: openWs.admin.headers,
    payload: { items: ['127.0.0.1/32'] },
  });
  expect(allowed.statusCode).toBe(200);
});
afterAll(async () => {
  await strict?.stop();
  await open?.stop();
  await new Promise((ok) => receiver?.close(ok));
});

const call = (
  app: TestApp,
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => app.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

const automationsOf = (app: TestApp) =>
  createAutomationsService(app.deps, app.services.tickets, createSlaService(app.deps));

const withWebhook = (url: string) => ({
  name: 'Tell the ERP',
  kind: 'trigger',
  events: ['ticket.created'],
  actions: [
    { type: 'add_tags', tags: ['erp'] },
    { type: 'webhook', url },
  ],
});

describe('automation webhooks: SSRF guard', () => {
  it('refuses private, loopback, link-local and non-http targets when the automation is saved', async () => {
    const refused = [
      'http://127.0.0.1:8080/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/hook',
      'http://192.168.1.20/hook',
      'http://172.20.0.5/hook',
      'http://0.0.0.0:3000/',
      'http://[::1]/hook',
      'http://[fd12:3456::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://localhost:3000/api', // a name is judged by the addresses it resolves to
      'file:///etc/passwd',
      'gopher://example.com/',
    ];
    for (const url of refused) {
      const res = await call(strict, 'POST', '/api/v1/automations', ws.lead.headers, withWebhook(url));
      expect(res.statusCode, url).toBe(400);
      const err = res.json().error;
      expect(
        err.details.some((d: { path: string }) => d.path.startsWith('body.actions.1.url')),
        url,
      ).toBe(true);
    }
    const metadata = await call(
      strict,
      'POST',
      '/api/v1/automations',
      ws.lead.headers,
      withWebhook('http://169.254.169.254/latest/meta-data/'),
    );
    expect(metadata.json().error.message).toMatch(
      /Webhook URL refused: 169\.254\.169\.254 is a .*link-local/,
    );
    // Updating an existing automation to a private target is refused the same way.
    const ok = await call(strict, 'POST', '/api/v1/automations', ws.lead.headers, {
      ...withWebhook('http://93.184.215.14/hook'),
    });
    expect(ok.statusCode).toBe(201);
    const put = await call(
      strict,
      'PUT',
      `/api/v1/automations/${ok.json().id}`,
      ws.lead.headers,
      withWebhook('http://10.1.2.3/'),
    );
    expect(put.statusCode).toBe(400);
    const list = (await call(strict, 'GET', '/api/v1/automations', ws.lead.headers)).json().items;
    expect(list).toHaveLength(1);
    expect(list[0].actions[1].url).toBe('http://93.184.215.14/hook');
  });

  it('classifies addresses, including IPv4 carried in IPv6', () => {
    for (const ip of [
      '127.0.0.1',
      '10.9.8.7',
      '169.254.169.254',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:7f00:1',
    ])
      expect(privateAddressReason(ip), ip).not.toBeNull();
    for (const ip of ['93.184.215.14', '2606:4700::1111', '8.8.8.8'])
      expect(privateAddressReason(ip), ip).toBeNull();
  });

  it('refuses at call time too, after resolving the name (DNS rebinding), without the opt-in', async () => {
    const before = hits.length;
    const port = (receiver.address() as AddressInfo).port;
    for (const url of [`${base}/direct`, `http://localhost:${port}/by-name`])
      await expect(
        outboundFetch(url, PUBLIC_ONLY, { method: 'POST', body: '{}', timeoutMs: 2000 }),
      ).rejects.toThrow(/loopback/);
    // The job of a stored automation whose host now resolves privately fails and the receiver gets nothing.
    await expect(
      automationsOf(strict).deliverWebhook({
        workspaceId: ws.workspaceId,
        url: `http://localhost:${port}/job`,
        body: {},
      }),
    ).rejects.toThrow();
    expect(hits.length).toBe(before);
  });

  it('with 127.0.0.1 in the workspace allow-list a local receiver gets the signed call, and redirects are not followed', async () => {
    const res = await call(
      open,
      'POST',
      '/api/v1/automations',
      openWs.lead.headers,
      withWebhook(`${base}/erp`),
    );
    expect(res.statusCode).toBe(201);
    const ticket = (await call(open, 'POST', '/api/v1/tickets', openWs.agent.headers, ticketBody())).json();
    await open.jobs.drain();
    const hit = hits.find((h) => h.path === '/erp');
    expect(hit).toBeDefined();
    const payload = JSON.parse(hit!.body);
    expect(payload).toMatchObject({ automation: { name: 'Tell the ERP' }, trigger: 'ticket.created' });
    expect(JSON.stringify(payload.ticket)).toContain(String(ticket.id));
    // Signed the Standard Webhooks way with the endpoint's own secret, shown once when it was saved.
    const [{ secret }] = res.json().webhookSecrets;
    expect(new Webhook(secret).verify(hit!.body, hit!.headers)).toMatchObject({ trigger: 'ticket.created' });

    await expect(
      automationsOf(open).deliverWebhook({
        workspaceId: openWs.workspaceId,
        url: `${base}/redirect`,
        body: { x: 1 },
      }),
    ).rejects.toThrow(/answered 302/);
    expect(hits.some((h) => h.path === '/redirected')).toBe(false);
  });
  it('fails a webhook job at once when retrying cannot help, and retries one that may recover', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const job = async (node: TestApp, url: string) => {
      const workspaceId = node === strict ? ws.workspaceId : openWs.workspaceId;
      const id = (await enqueue(node.db, 'automation-webhook', { workspaceId, url, body: {} }))!;
      await node.jobs.drain();
      return node.db.one<{ status: string; attempts: number; last_error: string }>(
        sql`SELECT status, attempts, last_error FROM jobs WHERE id = ${id}`,
      );
    };
    expect(await job(strict, `http://localhost:${port}/rebound`)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: expect.stringMatching(/refused/),
    });
    expect(await job(open, `${base}/gone`)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await job(open, `${base}/busy`)).toMatchObject({
      status: 'queued',
      attempts: 1,
      last_error: 'webhook answered 503',
    });
  });
});
