import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ChannelAdapter } from '../src/channels/channel-adapter.ts';
import { type InboundChannel, WebhookRejected } from '../src/channels/inbound.ts';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, TEST_CAPABILITIES, type TestApp, type TestWorkspace } from './harness.ts';

/*
 * The one inbound pipeline with a minimal channel written the way docs/channels.md says: JSON webhooks
 * signed with HMAC-SHA256 of the URL and body, one account per inbox. Every guarantee the intake gives
 * (stored before the 2xx, replays are no-ops, refused input stores nothing, threading, receipts,
 * isolation) is checked through HTTP as a provider would see it.
 */
const Settings = z.object({ number: z.string().regex(/^\+\d{6,15}$/) });
type Settings = z.infer<typeof Settings>;
const Body = z.object({
  id: z.string(),
  type: z.enum(['message', 'status']),
  from: z.string().optional(),
  text: z.string().optional(),
  status: z.enum(['sent', 'delivered', 'failed']).optional(),
});
const sign = (secret: string, url: string, body: string) =>
  createHmac('sha256', secret).update(url).update(body).digest('hex');

const inbound: InboundChannel<Settings> = {
  hooks: ['events'],
  settings: Settings,
  secrets: z.object({ secret: z.string().min(8) }),
  addressOf: (s) => s.number,
  verify(req, account) {
    const sig = req.headers['x-test-signature'];
    if (sig !== sign(account.secrets.secret!, req.url, req.body.toString('utf8')))
      throw new WebhookRejected(401, 'signature does not match');
    const parsed = Body.safeParse(JSON.parse(req.body.toString('utf8') || 'null'));
    if (!parsed.success) throw new WebhookRejected(400, 'not a delivery');
    return { providerId: `${parsed.data.id}:${parsed.data.type}` };
  },
  async read(d) {
    const b = Body.parse(JSON.parse(d.body.toString('utf8')));
    if (b.type === 'status') return [{ type: 'receipt', externalId: b.id, status: b.status!, error: null }];
    if (b.text === 'boom') throw new Error('provider media fetch failed');
    return [
      {
        type: 'message',
        message: {
          from: { phone: b.from! },
          threadKey: b.from!,
          subject: `Text from ${b.from}`,
          bodyText: b.text ?? '',
          externalId: b.id,
          attachments: [],
          meta: {},
          consent: b.text === 'STOP' ? { state: 'opted-out', keyword: 'STOP' } : undefined,
        },
      },
    ];
  },
};
const sent: { to: string | null; body: string }[] = [];
const adapter: ChannelAdapter = {
  channel: 'testsms',
  capabilities: { ...TEST_CAPABILITIES, maxLength: 1600, deliveryReceipts: true },
  inbound: inbound as InboundChannel,
  async deliver(m) {
    sent.push({ to: m.to.phone, body: m.bodyText });
    return { externalId: `out-${m.messageId}` };
  },
};

let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let hookUrl: string;
const SECRET = 'test-channel-secret';

beforeAll(async () => {
  t = await startTestApp({ PUBLIC_URL: 'https://desk.example.com' });
  t.channels.register(adapter);
  ws = await t.workspace('Intake Shop');
  other = await t.workspace('Other Shop');
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/channels/testsms/accounts',
    headers: ws.admin.headers,
    payload: { name: 'Main line', settings: { number: '+15550001111' }, secrets: { secret: SECRET } },
  });
  expect(res.statusCode).toBe(201);
  hookUrl = res.json().webhooks.events;
});
afterAll(() => t.stop());

const post = (body: unknown, opts: { url?: string; signWith?: string; signedUrl?: string } = {}) => {
  const url = opts.url ?? hookUrl;
  const raw = JSON.stringify(body);
  return t.app.inject({
    method: 'POST',
    url: new URL(url).pathname,
    headers: {
      'content-type': 'application/json',
      'x-test-signature': sign(opts.signWith ?? SECRET, opts.signedUrl ?? url, raw),
    },
    payload: raw,
  });
};
const count = async (q: string) => (await t.db.query(sql.raw(q))).length;
const ticketsOf = async (w: TestWorkspace) =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/tickets?limit=50', headers: w.agent.headers })).json()
    .items as { id: number; channel: string; subject: string }[];

describe('intake: one pipeline for every channel', () => {
  it('lists channels with their capabilities and shows an account without its secret', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/channels/capabilities',
      headers: ws.agent.headers,
    });
    const ch = res.json().items.find((c: { channel: string }) => c.channel === 'testsms');
    expect(ch).toMatchObject({ inbound: true, capabilities: { maxLength: 1600, deliveryReceipts: true } });
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/channels/testsms/accounts',
      headers: ws.admin.headers,
    });
    const [a] = list.json().items;
    expect(a).toMatchObject({ name: 'Main line', address: '+15550001111', secretsSet: ['secret'] });
    expect(JSON.stringify(a)).not.toContain(SECRET);
    expect(hookUrl).toMatch(/^https:\/\/desk\.example\.com\/api\/v1\/intake\/testsms\/[\w-]+\/events$/);
    // Agents cannot see or change accounts; settings are checked against the channel's schema.
    const agent = await t.app.inject({
      method: 'GET',
      url: '/api/v1/channels/testsms/accounts',
      headers: ws.agent.headers,
    });
    expect(agent.statusCode).toBe(403);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/channels/testsms/accounts',
      headers: ws.admin.headers,
      payload: { name: 'x', settings: { number: 'call me' }, secrets: { secret: SECRET } },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('stores before answering, lands one ticket per sender, and a replay is a no-op', async () => {
    const m = { id: 'M1', type: 'message', from: '+15557770001', text: 'Where is my parcel?' };
    const first = await post(m);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ accepted: true, duplicate: false });
    const again = await post(m);
    expect(again.json()).toEqual({ accepted: true, duplicate: true });
    await t.jobs.drain();
    await post({ id: 'M2', type: 'message', from: '+15557770001', text: 'Order 1042' });
    await t.jobs.drain();
    const mine = (await ticketsOf(ws)).filter((x) => x.channel === 'testsms');
    expect(mine).toHaveLength(1);
    const detail = (
      await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${mine[0]!.id}`, headers: ws.agent.headers })
    ).json();
    expect(detail.messages.map((x: { bodyText: string }) => x.bodyText)).toEqual([
      'Where is my parcel?',
      'Order 1042',
    ]);
    const contact = await t.app.inject({
      method: 'GET',
      url: `/api/v1/contacts/${detail.contact.id}`,
      headers: ws.agent.headers,
    });
    expect(contact.json().phone).toBe('+15557770001');
  });

  it('refuses a bad signature, a URL it was not signed for and bad input with 4xx, storing nothing', async () => {
    const before = await count('SELECT id FROM inbound_events');
    const body = { id: 'M9', type: 'message', from: '+15557770002', text: 'hi' };
    expect((await post(body, { signWith: 'wrong-secret' })).statusCode).toBe(401);
    expect((await post(body, { signedUrl: 'http://internal:3000/other' })).statusCode).toBe(401);
    expect((await post({ nonsense: true })).statusCode).toBe(400);
    const unknownKey = hookUrl.replace(/\/testsms\/[\w-]+\//, '/testsms/no-such-account-key/');
    expect((await post(body, { url: unknownKey })).statusCode).toBe(404);
    expect(await count('SELECT id FROM inbound_events')).toBe(before);
  });

  it('retries a delivery whose processing failed, and keeps it until it succeeds', async () => {
    await post({ id: 'M3', type: 'message', from: '+15557770003', text: 'boom' });
    await t.jobs.drain();
    expect(
      await count(
        `SELECT id FROM inbound_events WHERE provider_id = 'M3:message' AND processed_at IS NULL AND error LIKE '%media fetch%'`,
      ),
    ).toBe(1);
    const accounts = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/channels/testsms/accounts',
        headers: ws.admin.headers,
      })
    ).json().items;
    expect(accounts[0].pendingDeliveries).toBe(1);
    expect(accounts[0].failingDeliveries).toBe(1);
  });

  it('records STOP as consent, and turns receipts into delivery status on the reply', async () => {
    await post({ id: 'M4', type: 'message', from: '+15557770004', text: 'STOP' });
    await t.jobs.drain();
    expect(await t.intake.optedOut(ws.workspaceId, 'testsms', '+15557770004')).toBe(true);
    expect(await t.intake.optedOut(other.workspaceId, 'testsms', '+15557770004')).toBe(false);

    const ticket = (await ticketsOf(ws)).find((x) => x.subject === 'Text from +15557770001')!;
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket.id}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'On its way!' },
    });
    expect(reply.statusCode).toBeLessThan(300);
    await t.jobs.drain();
    expect(sent.at(-1)).toEqual({ to: '+15557770001', body: 'On its way!' });
    const messageId = reply.json().id;
    // Out of order: delivered first, then a late "sent" that must not move it back.
    await post({ id: `out-${messageId}`, type: 'status', status: 'delivered' });
    await post({ id: `out-${messageId}`, type: 'status', status: 'sent' });
    await t.jobs.drain();
    const detail = (
      await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.id}`, headers: ws.agent.headers })
    ).json();
    const out = detail.messages.find((x: { id: number }) => x.id === messageId);
    expect(out.deliveryStatus).toBe('delivered');
  });

  it('keeps workspaces apart: another workspace sees neither the account nor the tickets', async () => {
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/channels/testsms/accounts',
      headers: other.admin.headers,
    });
    expect(list.json().items).toEqual([]);
    expect((await ticketsOf(other)).filter((x) => x.channel === 'testsms')).toEqual([]);
    const id = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/channels/testsms/accounts',
        headers: ws.admin.headers,
      })
    ).json().items[0].id;
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/channels/testsms/accounts/${id}`,
      headers: other.admin.headers,
      payload: { name: 'stolen' },
    });
    expect(patch.statusCode).toBe(404);
  });
});
