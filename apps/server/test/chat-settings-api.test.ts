import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { connectRealtime } from './realtime-client.ts';

/*
 * What the dashboard's chat settings page and visitor panel rely on: settings round trip with per-field
 * errors, the identity secret shown once, and the visitor's whereabouts (referrer, time zone, pages).
 */

let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let base: string;

beforeAll(async () => {
  t = await startTestApp({}, { workers: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  ws = await t.workspace('Settings Shop');
  other = await t.workspace('Other Settings Shop');
});
afterAll(() => t?.stop());

// biome-ignore lint/suspicious/noExplicitAny: test code walks JSON bodies freely
type Json = Record<string, any>;
const inject = async (
  method: string,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) => {
  const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object, headers });
  return { status: res.statusCode, body: (res.body ? res.json() : null) as Json };
};
const settings = '/api/v1/chat/settings';

describe('chat settings', () => {
  it('saves colours, greeting, pre-chat fields, hours and origins, and the widget uses them', async () => {
    const r = await inject(
      'PATCH',
      settings,
      {
        color: '#aa3300',
        greeting: 'Hello from the settings test',
        emailField: 'required',
        prechatFields: [
          { key: 'order_number', label: 'Order number', type: 'text', required: false },
          { key: 'topic', label: 'Topic', type: 'select', required: true, options: ['Returns', 'Delivery'] },
        ],
        businessHours: {
          enabled: true,
          timezone: 'Europe/Berlin',
          days: { mon: [{ open: '09:00', close: '17:00' }] },
          holidays: [],
        },
        allowedOrigins: ['https://shop.example'],
      },
      ws.admin.headers,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ color: '#aa3300', allowedOrigins: ['https://shop.example'] });
    const cfg = await inject('GET', `/api/v1/widget/${ws.slug}/config`, undefined, {
      origin: 'https://shop.example',
    });
    expect(cfg.body).toMatchObject({
      color: '#aa3300',
      greeting: 'Hello from the settings test',
      emailField: 'required',
      prechatFields: [
        { key: 'order_number' },
        { key: 'topic', required: true, options: ['Returns', 'Delivery'] },
      ],
    });
    // Open around the clock but closed yesterday, today and tomorrow (Berlin dates): closed now, and
    // back at midnight after tomorrow, Berlin time, even if a midnight passes while the test runs.
    const now = Date.now();
    const [yesterday, today, tomorrow, afterTomorrow] = [-1, 0, 1, 2].map((d) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(now + d * 86_400_000)),
    );
    const allDay = Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ open: '00:00', close: '24:00' }]]),
    );
    const closed = await inject(
      'PATCH',
      settings,
      {
        businessHours: {
          enabled: true,
          timezone: 'Europe/Berlin',
          days: allDay,
          holidays: [yesterday, today, tomorrow],
        },
      },
      ws.admin.headers,
    );
    expect(closed.status).toBe(200);
    const away = await inject('GET', `/api/v1/widget/${ws.slug}/config`, undefined, {
      origin: 'https://shop.example',
    });
    expect(away.body.open).toBe(false);
    const back = new Date(away.body.nextOpenAt);
    const backParts = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/Berlin',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).format(back);
    expect(backParts).toBe(`${afterTomorrow}, 00:00`);
    // The same week without closed dates: open now.
    await inject(
      'PATCH',
      settings,
      { businessHours: { enabled: true, timezone: 'Europe/Berlin', days: allDay, holidays: [] } },
      ws.admin.headers,
    );
    const open = await inject('GET', `/api/v1/widget/${ws.slug}/config`, undefined, {
      origin: 'https://shop.example',
    });
    expect(open.body).toMatchObject({ open: true, nextOpenAt: null });
    const refused = await inject('GET', `/api/v1/widget/${ws.slug}/config`, undefined, {
      origin: 'https://evil.example',
    });
    expect(refused.status).toBe(403);
    // Put things back for the tests below (any origin, no hours, no required fields).
    const reset = await inject(
      'PATCH',
      settings,
      { allowedOrigins: [], prechatFields: [], emailField: 'optional', businessHours: { enabled: false } },
      ws.admin.headers,
    );
    expect(reset.status).toBe(200);
  });

  it('names every invalid field and changes nothing', async () => {
    const before = await inject('GET', settings, undefined, ws.admin.headers);
    const bad = await inject(
      'PATCH',
      settings,
      {
        color: 'red',
        greeting: 'fine',
        allowedOrigins: ['https://ok.example', 'not a url'],
        prechatFields: [{ key: 'Bad Key', label: '', type: 'text' }],
        businessHours: {
          enabled: true,
          timezone: 'Mars/Olympus',
          days: { mon: [{ open: '18:00', close: '09:00' }] },
        },
      },
      ws.admin.headers,
    );
    expect(bad.status).toBe(400);
    const paths = (bad.body.error.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'body.color',
        'body.allowedOrigins.1',
        'body.prechatFields.0.key',
        'body.prechatFields.0.label',
        'body.businessHours.timezone',
        'body.businessHours.days.mon.0',
      ]),
    );
    const after = await inject('GET', settings, undefined, ws.admin.headers);
    expect(after.body).toEqual(before.body);
  });

  it('shows the identity secret only when it is rotated, and the new one verifies shoppers', async () => {
    const first = await inject('GET', settings, undefined, ws.admin.headers);
    expect(first.body.identitySecret).toBeNull();
    expect(first.body.identitySecretHint).toHaveLength(4);
    const rotated = await inject('PATCH', settings, { rotateIdentitySecret: true }, ws.admin.headers);
    const secret = rotated.body.identitySecret as string;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(rotated.body.identitySecretHint).toBe(secret.slice(-4));
    expect(rotated.body.identitySecretRotatedAt).not.toBeNull();
    // Never again: not on a later read, not on a later change.
    const later = await inject('GET', settings, undefined, ws.admin.headers);
    expect(later.body.identitySecret).toBeNull();
    expect(later.body.identitySecretHint).toBe(secret.slice(-4));
    const changed = await inject('PATCH', settings, { greeting: 'Hi again' }, ws.admin.headers);
    expect(changed.body.identitySecret).toBeNull();

    const hash = createHmac('sha256', secret).update('ann@shop.test').digest('hex');
    const v = await inject('POST', `/api/v1/widget/${ws.slug}/session`, {
      identity: { email: 'ann@shop.test', hash },
    });
    expect(v.body.verified).toBe(true);
  });

  it('is for admins of the workspace only', async () => {
    for (const actor of [ws.lead, ws.agent, ws.readonly]) {
      expect((await inject('GET', settings, undefined, actor.headers)).status).toBe(403);
      expect((await inject('PATCH', settings, { greeting: 'x' }, actor.headers)).status).toBe(403);
    }
    expect((await inject('PATCH', settings, { rotateIdentitySecret: true }, ws.agent.headers)).status).toBe(
      403,
    );
    // Another workspace's admin changes their own settings, never these.
    await inject('PATCH', settings, { greeting: 'Other greeting' }, other.admin.headers);
    expect((await inject('GET', settings, undefined, ws.admin.headers)).body.greeting).toBe('Hi again');
  });
});

type Frame = { type: string; [k: string]: unknown };

async function visitorSocket(token: string) {
  const sock = new WebSocket(`${base.replace('http', 'ws')}/api/v1/widget/${ws.slug}/socket`, {
    headers: { origin: 'https://shop.example' },
  });
  const frames: Frame[] = [];
  sock.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as Frame));
  await new Promise<void>((resolve, reject) => sock.once('open', () => resolve()).once('error', reject));
  sock.send(JSON.stringify({ type: 'hello', token }));
  const until = Date.now() + 5000;
  while (!frames.some((f) => f.type === 'ready') && Date.now() < until)
    await new Promise((r) => setTimeout(r, 20));
  return { sock, frames, send: (f: unknown) => sock.send(JSON.stringify(f)) };
}

describe('visitor panel', () => {
  it('tells agents where the shopper came from, their time zone and the pages they opened, live', async () => {
    const s = await inject(
      'POST',
      `/api/v1/widget/${ws.slug}/session`,
      {
        timezone: 'America/New_York',
        referrer: 'https://www.google.com/search?q=boots',
        locale: 'en-US',
      },
      {
        origin: 'https://shop.example',
        'user-agent':
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      },
    );
    const v = await visitorSocket(s.body.token);
    v.send({ type: 'page', url: 'https://shop.example/', title: 'Home' });
    v.send({ type: 'message', clientId: 'panel-000001', text: 'Do you ship to Canada?' });
    const until = Date.now() + 5000;
    while (!v.frames.some((f) => f.type === 'ack') && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    expect(v.frames.some((f) => f.type === 'ack')).toBe(true);
    const ticketId = (
      await inject('GET', '/api/v1/tickets?channel=chat&limit=1', undefined, ws.agent.headers)
    ).body.items[0].id as number;

    const agent = await connectRealtime(base, ws.agent.headers);
    agent.send({ type: 'subscribe', room: `ticket:${ticketId}` });
    await agent.waitFor((f) => f.type === 'subscribed');
    v.send({ type: 'page', url: 'https://shop.example/products/boots', title: 'Boots' });
    const moved = await agent.waitFor((f) => f.event === 'chat.visitor_page' && f.ticketId === ticketId);
    expect(moved).toMatchObject({ data: { url: 'https://shop.example/products/boots', title: 'Boots' } });
    // The same page again (a reload) is not a new page.
    v.send({ type: 'page', url: 'https://shop.example/products/boots', title: 'Boots' });

    const info = await inject(
      'GET',
      `/api/v1/chat/tickets/${ticketId}/visitor`,
      undefined,
      ws.readonly.headers,
    );
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      pageUrl: 'https://shop.example/products/boots',
      browser: expect.stringContaining('Chrome'),
      os: expect.stringContaining('Windows'),
      timezone: 'America/New_York',
      referrer: 'https://www.google.com/search?q=boots',
      verified: false,
      online: true,
    });
    expect(info.body.pages.map((p: Json) => p.url)).toEqual([
      'https://shop.example/products/boots',
      'https://shop.example/',
    ]);
    v.sock.close();
    agent.close();

    // Visitor details are the workspace's own.
    expect(
      (await inject('GET', `/api/v1/chat/tickets/${ticketId}/visitor`, undefined, other.admin.headers))
        .status,
    ).toBe(404);
  });

  it('keeps a referrer from the shop itself and an unknown time zone out of the panel', async () => {
    const s = await inject(
      'POST',
      `/api/v1/widget/${ws.slug}/session`,
      { timezone: 'Not/AZone', referrer: 'https://shop.example/cart' },
      { origin: 'https://shop.example' },
    );
    const sent = await inject(
      'POST',
      `/api/v1/widget/${ws.slug}/messages`,
      { token: s.body.token, clientId: 'panel-000002', text: 'hi', pageUrl: 'https://shop.example/cart' },
      { origin: 'https://shop.example' },
    );
    expect(sent.status).toBe(201);
    const ticketId = (
      await inject('GET', '/api/v1/tickets?channel=chat&limit=1', undefined, ws.agent.headers)
    ).body.items[0].id;
    const info = await inject('GET', `/api/v1/chat/tickets/${ticketId}/visitor`, undefined, ws.agent.headers);
    expect(info.body).toMatchObject({ timezone: null, referrer: null, pageUrl: 'https://shop.example/cart' });
  });
});
