import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutomationsService } from '../src/modules/automations/index.ts';
import { createSlaService } from '../src/modules/sla/index.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// Automation webhooks are signed the Standard Webhooks way with a secret of their own per endpoint,
// never with the server's master key (which every receiver would otherwise have had to be given).

const vectorsFile = new URL(
  '../../../../shared/fixtures/webhooks/standard-webhooks/test-vectors.json',
  import.meta.url,
).pathname;

describe.runIf(existsSync(vectorsFile))('Standard Webhooks test vectors', () => {
  const v = existsSync(vectorsFile) ? JSON.parse(readFileSync(vectorsFile, 'utf8')) : { vectors: [] };
  it('the signing library reproduces the published signatures and refuses the wrong one', () => {
    expect(v.vectors.length).toBeGreaterThan(0);
    for (const x of v.vectors as {
      secret: string;
      msg_id: string;
      timestamp: number;
      payload: string;
      expected_signature: string;
    }[])
      expect(new Webhook(x.secret).sign(x.msg_id, new Date(x.timestamp * 1000), x.payload)).toBe(
        x.expected_signature,
      );
    for (const n of v.negative_examples as {
      secret: string;
      msg_id: string;
      payload: string;
      signature: string;
    }[]) {
      const headers = {
        'webhook-id': n.msg_id,
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': n.signature,
      };
      expect(() => new Webhook(n.secret).verify(n.payload, headers)).toThrow();
    }
  });
});

type Hit = { path: string; body: string; headers: Record<string, string> };
const hits: Hit[] = [];
let receiver: Server;
let base: string;
let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  receiver = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      hits.push({ path: req.url ?? '', body, headers: req.headers as Record<string, string> });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  t = await startTestApp();
  ws = await t.workspace('Signing Shop');
  // The local receiver is a private address: reachable through the workspace's allow-list only.
  await t.app.inject({
    method: 'PUT',
    url: '/api/v1/workspace/outbound-allow-list',
    headers: ws.admin.headers,
    payload: { items: ['127.0.0.1/32'] },
  });
});
afterAll(async () => {
  await t?.stop();
  await new Promise((ok) => receiver?.close(ok));
});

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });
const deliver = (url: string, body: unknown) =>
  createAutomationsService(t.deps, t.services.tickets, createSlaService(t.deps)).deliverWebhook({
    workspaceId: ws.workspaceId,
    url,
    body,
    messageId: `msg_${url.length}`,
  });
const last = (path: string) => hits.filter((h) => h.path === path).at(-1)!;

describe('automation webhook endpoints', () => {
  it('each endpoint has its own secret, shown once; deliveries verify with it and not with another', async () => {
    const a = await call('POST', '/api/v1/automations/webhook-endpoints', ws.lead.headers, {
      url: `${base}/a`,
    });
    const b = await call('POST', '/api/v1/automations/webhook-endpoints', ws.lead.headers, {
      url: `${base}/b`,
    });
    expect(a.statusCode).toBe(201);
    expect(a.json().secret).toMatch(/^whsec_/);
    expect(a.json().secret).not.toBe(b.json().secret);
    // Never shown again.
    const list = await call('GET', '/api/v1/automations/webhook-endpoints', ws.lead.headers);
    expect(list.json().items.map((e: { url: string }) => e.url)).toEqual([`${base}/a`, `${base}/b`]);
    expect(list.body).not.toContain(a.json().secret.slice(6));
    expect((await call('GET', '/api/v1/automations/webhook-endpoints', ws.agent.headers)).statusCode).toBe(
      403,
    );

    await deliver(`${base}/a`, { hello: 'a' });
    const hit = last('/a');
    expect(hit.headers['webhook-id']).toBe(`msg_${`${base}/a`.length}`);
    expect(Number(hit.headers['webhook-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(hit.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(new Webhook(a.json().secret).verify(hit.body, hit.headers)).toEqual({ hello: 'a' });
    expect(() => new Webhook(b.json().secret).verify(hit.body, hit.headers)).toThrow();
    // The signature is HMAC-SHA256 of "id.timestamp.body" under the endpoint secret, not the master key.
    const signed = `${hit.headers['webhook-id']}.${hit.headers['webhook-timestamp']}.${hit.body}`;
    const masterSig = createHmac('sha256', t.config.secretKey).update(signed).digest('base64');
    expect(hit.headers['webhook-signature']).not.toContain(masterSig);
    expect(hit.headers['x-shopdesk-signature']).toBeUndefined();
  });

  it('saving an automation with a new webhook URL answers with its secret once', async () => {
    const body = {
      name: 'ERP',
      kind: 'trigger',
      events: ['ticket.created'],
      actions: [{ type: 'webhook', url: `${base}/erp` }],
    };
    const first = await call('POST', '/api/v1/automations', ws.lead.headers, body);
    expect(first.statusCode).toBe(201);
    expect(first.json().webhookSecrets).toEqual([
      { url: `${base}/erp`, secret: expect.stringMatching(/^whsec_/) },
    ]);
    const second = await call('POST', '/api/v1/automations', ws.lead.headers, { ...body, name: 'ERP 2' });
    expect(second.json().webhookSecrets).toBeUndefined();
  });

  it('rotating gives a new secret; the old one keeps signing alongside during the grace period', async () => {
    const created = (
      await call('POST', '/api/v1/automations/webhook-endpoints', ws.lead.headers, { url: `${base}/rot` })
    ).json();
    const rotated = await call(
      'POST',
      `/api/v1/automations/webhook-endpoints/${created.id}/rotate-secret`,
      ws.lead.headers,
    );
    expect(rotated.statusCode).toBe(200);
    const next = rotated.json().secret;
    expect(next).not.toBe(created.secret);
    expect(Date.parse(rotated.json().previousValidUntil)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    await deliver(`${base}/rot`, { n: 1 });
    const hit = last('/rot');
    expect(hit.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(next).verify(hit.body, hit.headers)).toEqual({ n: 1 });
    expect(new Webhook(created.secret).verify(hit.body, hit.headers)).toEqual({ n: 1 });
    // Another workspace cannot rotate it.
    const other = await t.workspace('Other Signing Shop');
    expect(
      (
        await call(
          'POST',
          `/api/v1/automations/webhook-endpoints/${created.id}/rotate-secret`,
          other.lead.headers,
        )
      ).statusCode,
    ).toBe(404);
  });
});
