import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { seedDemoWebhooks } from '../src/seed/demo-webhooks.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// Outgoing webhooks (modules/integrations) against a local receiver: signatures checked by a verifier
// written here from the Standard Webhooks spec (not the library the server signs with), retries with one
// webhook-id, the delivery log, redelivery, secret rotation, automatic switch-off, the SSRF guard.

type Hit = { path: string; body: string; headers: Record<string, string> };
let receiver: Server;
let base: string;
const hits: Hit[] = [];
/** Per path: how many more calls answer 503 before it answers 200. */
const failuresLeft = new Map<string, number>();

let app: TestApp;
let strict: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;

/** Standard Webhooks, symmetric: v1,<base64 HMAC-SHA256(base64-decoded key, "id.timestamp.body")>. */
function verify(secret: string, h: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${h['webhook-id']}.${h['webhook-timestamp']}.${body}`)
    .digest();
  return (h['webhook-signature'] ?? '').split(' ').some((s) => {
    const [v, sig] = s.split(',');
    const got = Buffer.from(sig ?? '', 'base64');
    return v === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

beforeAll(async () => {
  receiver = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const path = req.url ?? '';
      hits.push({ path, body, headers: req.headers as Record<string, string> });
      if (path === '/down') return void res.writeHead(500).end('receiver broken');
      const left = failuresLeft.get(path) ?? 0;
      if (left > 0) {
        failuresLeft.set(path, left - 1);
        return void res.writeHead(503, { 'retry-after': '1' }).end('busy');
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  app = await startTestApp({
    OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
    WEBHOOK_DISABLE_AFTER_FAILURES: '2',
    WEBHOOK_DISABLE_AFTER_HOURS: '0',
  });
  ws = await app.workspace('Hooks Shop');
  other = await app.workspace('Other Shop');
  strict = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
  await strict?.stop();
  await new Promise((ok) => receiver?.close(ok));
});

const call = (a: TestApp, method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  a.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

/** Runs delivery jobs until none is left, moving retries' backoff to now (the schedule is the queue's). */
async function deliverAll(rounds = 30) {
  for (let i = 0; i < rounds; i++) {
    await app.db.query(
      sql`UPDATE jobs SET run_at = now() WHERE name = 'deliver-webhook' AND status = 'queued'`,
    );
    const ran = await app.jobs.drain();
    if (!ran) return;
  }
}

async function subscribe(path: string, events: string[]) {
  const res = await call(app, 'POST', '/api/v1/integrations/webhooks', ws.admin.headers, {
    url: `${base}${path}`,
    events,
    description: `to ${path}`,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; secret: string };
}

describe('outgoing webhooks', () => {
  it.runIf(existsSync(join(process.cwd(), '../shared/fixtures/webhooks/standard-webhooks')))(
    'the library the server signs with matches the published Standard Webhooks vectors, as does the test verifier',
    () => {
      const vectors = JSON.parse(
        readFileSync(
          join(process.cwd(), '../shared/fixtures/webhooks/standard-webhooks/test-vectors.json'),
          'utf8',
        ),
      ) as {
        vectors: {
          secret: string;
          msg_id: string;
          timestamp: number;
          payload: string;
          expected_signature: string;
        }[];
      };
      for (const v of vectors.vectors) {
        expect(new Webhook(v.secret).sign(v.msg_id, new Date(v.timestamp * 1000), v.payload)).toBe(
          v.expected_signature,
        );
        const h = {
          'webhook-id': v.msg_id,
          'webhook-timestamp': String(v.timestamp),
          'webhook-signature': v.expected_signature,
        };
        expect(verify(v.secret, h, v.payload)).toBe(true);
        expect(verify(v.secret, h, `${v.payload} `)).toBe(false);
      }
    },
  );

  it('signs each subscribed event with the subscription’s own secret, shown once', async () => {
    const sub = await subscribe('/tickets', ['ticket.created']);
    expect(sub.secret).toMatch(/^whsec_/);
    const listed = (await call(app, 'GET', '/api/v1/integrations/webhooks', ws.admin.headers)).json();
    expect(JSON.stringify(listed)).not.toContain(sub.secret);
    expect(listed.items).toHaveLength(1);

    const ticket = (await call(app, 'POST', '/api/v1/tickets', ws.agent.headers, ticketBody())).json();
    await deliverAll();
    const got = hits.filter((h) => h.path === '/tickets');
    expect(got).toHaveLength(1);
    const [hit] = got;
    expect(verify(sub.secret, hit!.headers, hit!.body)).toBe(true);
    expect(verify(`whsec_${Buffer.alloc(32).toString('base64')}`, hit!.headers, hit!.body)).toBe(false);
    expect(hit!.headers['webhook-id']).toMatch(/^msg_/);
    expect(Math.abs(Number(hit!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    const body = JSON.parse(hit!.body);
    expect(body).toMatchObject({
      type: 'ticket.created',
      version: 1,
      workspaceId: ws.workspaceId,
      data: { ticketId: ticket.id, ticket: { id: ticket.id, subject: ticket.subject, status: 'new' } },
    });
    // The agent's reply is a message.created event, which this subscription did not ask for.
    await call(app, 'POST', `/api/v1/tickets/${ticket.id}/replies`, ws.agent.headers, { body: 'On its way' });
    await deliverAll();
    expect(hits.filter((h) => h.path === '/tickets')).toHaveLength(1);
    // The delivery log has the attempt with what was sent and what came back.
    const log = (
      await call(app, 'GET', `/api/v1/integrations/webhooks/${sub.id}/deliveries`, ws.admin.headers)
    ).json();
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ eventType: 'ticket.created', status: 'succeeded', attempts: 1 });
    const detail = (
      await call(app, 'GET', `/api/v1/integrations/webhook-deliveries/${log.items[0].id}`, ws.admin.headers)
    ).json();
    expect(detail.attempts_log[0]).toMatchObject({ responseStatus: 200, responseBody: 'ok', manual: false });
    expect(detail.attempts_log[0].requestHeaders['webhook-id']).toBe(hit!.headers['webhook-id']);
    expect(detail.payload.type).toBe('ticket.created');
  });

  it('retries a failing receiver with backoff, every attempt with the same webhook-id; a redelivery too', async () => {
    const sub = await subscribe('/flaky', ['message.created']);
    failuresLeft.set('/flaky', 2);
    const ticket = (await call(app, 'POST', '/api/v1/tickets', ws.agent.headers, ticketBody())).json();
    await call(app, 'POST', `/api/v1/tickets/${ticket.id}/notes`, ws.agent.headers, { body: 'Check stock' });
    await app.jobs.drain();
    // First attempt failed: the job waits for its backoff, not retried at once.
    const job = await app.db.one<{ run_at: Date; attempts: number }>(
      sql`SELECT run_at, attempts FROM jobs WHERE name = 'deliver-webhook' AND status = 'queued' ORDER BY id DESC LIMIT 1`,
    );
    expect(job!.run_at.getTime()).toBeGreaterThan(Date.now());
    await deliverAll();
    const got = hits.filter((h) => h.path === '/flaky');
    expect(got).toHaveLength(3);
    expect(new Set(got.map((h) => h.headers['webhook-id'])).size).toBe(1);
    expect(got.every((h) => verify(sub.secret, h.headers, h.body))).toBe(true);
    expect(JSON.parse(got[2]!.body)).toMatchObject({
      type: 'message.created',
      data: { ticketId: ticket.id, message: { kind: 'note', bodyText: 'Check stock' } },
    });
    const [d] = (
      await call(app, 'GET', `/api/v1/integrations/webhooks/${sub.id}/deliveries`, ws.admin.headers)
    ).json().items;
    expect(d).toMatchObject({ status: 'succeeded', attempts: 3, lastStatus: 200 });

    const again = await call(
      app,
      'POST',
      `/api/v1/integrations/webhook-deliveries/${d.id}/redeliver`,
      ws.admin.headers,
    );
    expect(again.statusCode).toBe(202);
    await deliverAll();
    const all = hits.filter((h) => h.path === '/flaky');
    expect(all).toHaveLength(4);
    expect(all[3]!.headers['webhook-id']).toBe(d.messageId);
    expect(all[3]!.body).toBe(all[0]!.body);
    const detail = (
      await call(app, 'GET', `/api/v1/integrations/webhook-deliveries/${d.id}`, ws.admin.headers)
    ).json();
    expect(detail.attempts_log.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([
      503, 503, 200, 200,
    ]);
    expect(detail.attempts_log[3].manual).toBe(true);
    // Another workspace neither sees nor redelivers it.
    for (const [m, u] of [
      ['GET', `/api/v1/integrations/webhook-deliveries/${d.id}`],
      ['POST', `/api/v1/integrations/webhook-deliveries/${d.id}/redeliver`],
      ['GET', `/api/v1/integrations/webhooks/${sub.id}/deliveries`],
    ] as const)
      expect((await call(app, m, u, other.admin.headers)).statusCode).toBe(404);
  });

  it('an event replayed from the outbox is delivered once', async () => {
    const sub = await subscribe('/once', ['ticket.updated']);
    const e = { name: 'ticket.updated', workspaceId: ws.workspaceId, outboxId: 987654321, data: {} };
    await app.services.webhooks.onEvent(e);
    await app.services.webhooks.onEvent(e);
    await deliverAll();
    expect(hits.filter((h) => h.path === '/once')).toHaveLength(1);
    await call(app, 'DELETE', `/api/v1/integrations/webhooks/${sub.id}`, ws.admin.headers);
  });

  it('rotating the secret signs with both for a while, so the receiver can switch over', async () => {
    const sub = await subscribe('/rotate', ['ticket.created']);
    const rotated = await call(
      app,
      'POST',
      `/api/v1/integrations/webhooks/${sub.id}/rotate-secret`,
      ws.admin.headers,
    );
    expect(rotated.statusCode).toBe(200);
    const { secret, previousValidUntil } = rotated.json();
    expect(secret).not.toBe(sub.secret);
    expect(Date.parse(previousValidUntil)).toBeGreaterThan(Date.now());
    await call(app, 'POST', '/api/v1/tickets', ws.agent.headers, ticketBody());
    await deliverAll();
    const [hit] = hits.filter((h) => h.path === '/rotate');
    expect(hit!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verify(secret, hit!.headers, hit!.body)).toBe(true);
    expect(verify(sub.secret, hit!.headers, hit!.body)).toBe(true);
    // The library receivers use accepts it with either secret.
    expect(() => new Webhook(secret).verify(hit!.body, hit!.headers)).not.toThrow();
    await call(app, 'DELETE', `/api/v1/integrations/webhooks/${sub.id}`, ws.admin.headers);
  });

  it('switches a subscription off after sustained failure, records why, and sends it nothing more until switched on', async () => {
    const sub = await subscribe('/down', ['ticket.created']);
    for (let i = 0; i < 2; i++) await call(app, 'POST', '/api/v1/tickets', ws.agent.headers, ticketBody());
    await deliverAll(40);
    // Two deliveries, each with every attempt used: 2 × 12 calls.
    expect(hits.filter((h) => h.path === '/down')).toHaveLength(24);
    const off = (await call(app, 'GET', `/api/v1/integrations/webhooks/${sub.id}`, ws.admin.headers)).json();
    expect(off).toMatchObject({ active: false, failedDeliveries: 2 });
    expect(off.disabledReason).toMatch(/2 failed deliveries/);
    const audit = await app.db.query<{ action: string }>(
      sql`SELECT action FROM audit_log WHERE workspace_id = ${ws.workspaceId} AND action = 'webhook.disabled'`,
    );
    expect(audit).toHaveLength(1);
    const log = (
      await call(
        app,
        'GET',
        `/api/v1/integrations/webhooks/${sub.id}/deliveries?status=failed`,
        ws.admin.headers,
      )
    ).json();
    expect(log.items).toHaveLength(2);
    expect(log.items[0]).toMatchObject({ attempts: 12, lastStatus: 500, lastError: 'answered 500' });

    await call(app, 'POST', '/api/v1/tickets', ws.agent.headers, ticketBody());
    await deliverAll();
    expect(hits.filter((h) => h.path === '/down')).toHaveLength(24);

    const on = await call(app, 'PATCH', `/api/v1/integrations/webhooks/${sub.id}`, ws.admin.headers, {
      active: true,
    });
    expect(on.json()).toMatchObject({
      active: true,
      disabledReason: null,
      failedDeliveries: 0,
      failingSince: null,
    });
    await call(app, 'DELETE', `/api/v1/integrations/webhooks/${sub.id}`, ws.admin.headers);
  });

  it('a test event reaches the receiver signed', async () => {
    const sub = await subscribe('/ping', ['ticket.solved']);
    const res = await call(app, 'POST', `/api/v1/integrations/webhooks/${sub.id}/test`, ws.admin.headers);
    expect(res.statusCode).toBe(202);
    await deliverAll();
    const [hit] = hits.filter((h) => h.path === '/ping');
    expect(JSON.parse(hit!.body)).toMatchObject({ type: 'webhook.test', workspaceId: ws.workspaceId });
    expect(verify(sub.secret, hit!.headers, hit!.body)).toBe(true);
  });

  it('refuses private targets without the allow-list, bad input and other roles, changing nothing', async () => {
    const strictWs = await strict.workspace('Strict Shop');
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.8/',
    ]) {
      const res = await call(strict, 'POST', '/api/v1/integrations/webhooks', strictWs.admin.headers, {
        url,
        events: ['ticket.created'],
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message).toMatch(/Webhook URL refused/);
    }
    const bad = [
      { url: 'ftp://example.com/x', events: ['ticket.created'] },
      { url: `${base}/x`, events: [] },
      { url: `${base}/x`, events: ['ticket.exploded'] },
      { url: 'not a url', events: ['ticket.created'] },
    ];
    const before = (await call(app, 'GET', '/api/v1/integrations/webhooks', ws.admin.headers)).json().items
      .length;
    for (const b of bad)
      expect((await call(app, 'POST', '/api/v1/integrations/webhooks', ws.admin.headers, b)).statusCode).toBe(
        400,
      );
    for (const who of [ws.agent, ws.lead, ws.readonly])
      expect(
        (
          await call(app, 'POST', '/api/v1/integrations/webhooks', who.headers, {
            url: `${base}/x`,
            events: ['ticket.created'],
          })
        ).statusCode,
      ).toBe(403);
    expect(
      (await call(app, 'GET', '/api/v1/integrations/webhooks', ws.admin.headers)).json().items,
    ).toHaveLength(before);
    expect(
      (await call(app, 'GET', '/api/v1/integrations/webhooks', other.admin.headers)).json().items,
    ).toHaveLength(0);
    const mine = (await call(app, 'GET', '/api/v1/integrations/webhooks', ws.admin.headers)).json().items[0];
    expect(
      (
        await call(app, 'PATCH', `/api/v1/integrations/webhooks/${mine.id}`, other.admin.headers, {
          active: false,
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await call(app, 'GET', '/api/v1/integrations/webhooks/event-types', ws.readonly.headers)).json().items
        .length,
    ).toBeGreaterThan(5);
  });

  it('the demo subscription points at the local sink, which checks signatures over the raw body', async () => {
    const demo = await app.workspace('Demo Hooks');
    await seedDemoWebhooks(app.db, { ...app.config, PORT: 3999 }, demo.workspaceId);
    const [sub] = (await call(app, 'GET', '/api/v1/integrations/webhooks', demo.admin.headers)).json().items;
    expect(sub.url).toBe(`http://127.0.0.1:3999/demo/webhook-sink/${demo.workspaceId}/${sub.id}`);
    expect(sub.active).toBe(true);
    const allow = (
      await call(app, 'GET', '/api/v1/workspace/outbound-allow-list', demo.admin.headers)
    ).json();
    expect(allow.items).toEqual(['127.0.0.1/32']);
    const { secret } = (
      await call(app, 'POST', `/api/v1/integrations/webhooks/${sub.id}/rotate-secret`, demo.admin.headers)
    ).json();
    const body = '{"type":"webhook.test",  "data":{}}';
    const id = 'msg_demo1';
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update(`${id}.${ts}.${body}`)
      .digest('base64');
    const send = (b: string, path = `/demo/webhook-sink/${demo.workspaceId}/${sub.id}`) =>
      app.app.inject({
        method: 'POST',
        url: path,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': ts,
          'webhook-signature': `v1,${sig}`,
        },
        payload: b,
      });
    const ok = await send(body);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ verified: true, type: 'webhook.test', webhookId: id });
    expect((await send(body.replace('  ', ' '))).statusCode).toBe(401);
    // Another workspace's id pair finds nothing.
    expect((await send(body, `/demo/webhook-sink/${ws.workspaceId}/${sub.id}`)).statusCode).toBe(404);
  });
});
