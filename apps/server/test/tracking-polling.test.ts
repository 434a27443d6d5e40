import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRateLimit } from '../src/carriers/carrier-adapter.ts';
import { sql } from '../src/platform/db/db.ts';
import { enqueue } from '../src/platform/jobs/queue.ts';
import { type FakeCarriers, startFakeCarriers } from './carriers-fake.ts';
import { demoOrder } from './commerce-helpers.ts';
import { get, settle } from './email-helpers.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

const fixtures = join(__dirname, '../../../../shared/fixtures');
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
let t: TestApp;
let fake: FakeCarriers;

/** A workspace with a built-in store and one order whose parcels are tracked shipments. */
async function shopWith(parcels: { number: string; carrier: string }[]) {
  const ws = await t.workspace('Polling Shop');
  const conn = await t.app.inject({
    method: 'POST',
    url: '/api/v1/commerce/connections',
    headers: ws.admin.headers,
    payload: { platform: 'builtin', currency: 'EUR' },
  });
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/v1/store/batch',
    headers: { authorization: `Bearer ${conn.json().token}` },
    payload: {
      orders: [
        demoOrder({
          externalId: `o-${parcels[0]!.number}`,
          number: `#${parcels[0]!.number}`,
          updatedAt: ago(3),
          fulfillmentStatus: 'fulfilled',
          fulfillments: parcels.map((p, i) => ({
            externalId: `f-${p.number}-${i}`,
            carrier: p.carrier,
            trackingNumber: p.number,
            shippedAt: ago(3),
            updatedAt: ago(3),
            shipmentStatus: 'label_printed',
          })),
        }),
      ],
    },
  });
  expect(r.statusCode).toBeLessThan(300);
  // The shopper is not the subject here: no notices, no tickets.
  await t.app.inject({
    method: 'PATCH',
    url: '/api/v1/tracking/settings',
    headers: ws.admin.headers,
    payload: { notify: false, noFirstScanDays: 30, inTransitDays: 60 },
  });
  await t.app.inject({ method: 'POST', url: '/api/v1/tracking/sweep', headers: ws.admin.headers });
  return ws;
}
const configure = (
  ws: TestWorkspace,
  provider: string,
  payload: Record<string, unknown>,
  headers = ws.admin.headers,
) => t.app.inject({ method: 'PUT', url: `/api/v1/tracking/sources/${provider}/polling`, headers, payload });
const poll = async (ws: TestWorkspace, provider: string) => {
  const r = await t.app.inject({
    method: 'POST',
    url: `/api/v1/tracking/sources/${provider}/poll`,
    headers: ws.admin.headers,
  });
  expect(r.statusCode).toBe(200);
  return r.json() as { polled: number; updated: number; failed: number; pausedUntil: string | null };
};
const shipment = async (ws: TestWorkspace, number: string) => {
  const items = (await get(t, '/api/v1/tracking/shipments?limit=200', ws.agent.headers)).json().items as {
    id: number;
    trackingNumber: string;
  }[];
  const s = items.find((i) => i.trackingNumber === number)!;
  return (await get(t, `/api/v1/tracking/shipments/${s.id}`, ws.agent.headers)).json();
};
const source = async (ws: TestWorkspace, provider: string) =>
  (
    (await get(t, '/api/v1/tracking/sources', ws.admin.headers)).json().items as Record<string, unknown>[]
  ).find((s) => s.provider === provider);
/** Makes every open parcel of the workspace due now (as if the interval had passed). */
const makeDue = (ws: TestWorkspace) =>
  t.db.query(
    sql`UPDATE shipments SET next_poll_at = now() - interval '1 minute' WHERE workspace_id = ${ws.workspaceId}`,
  );
const calls = (provider: string) => fake.requests.filter((r) => r.provider === provider);

beforeAll(async () => {
  fake = await startFakeCarriers();
  t = await startTestApp({
    EMAIL_SMTP_ENABLED: 'false',
    OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
    AFTERSHIP_API_URL: fake.url,
    EASYPOST_API_URL: fake.url,
    SHIPPO_API_URL: fake.url,
  });
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await fake?.close();
});

describe('polling settings', () => {
  it('checks roles and input, and stores nothing on a bad request', async () => {
    const ws = await shopWith([{ number: 'SET1', carrier: 'fedex' }]);
    expect(
      (await configure(ws, 'aftership', { apiKey: 'k', pollMinutes: 60 }, ws.agent.headers)).statusCode,
    ).toBe(403);
    expect(
      (await configure(ws, 'aftership', { apiKey: 'k', pollMinutes: 60 }, ws.readonly.headers)).statusCode,
    ).toBe(403);
    expect((await configure(ws, 'aftership', { apiKey: 'k', pollMinutes: 5 })).statusCode).toBe(400);
    expect((await configure(ws, 'aftership', { pollMinutes: 60 })).statusCode).toBe(400);
    expect((await configure(ws, 'aftership', { apiKey: '   ', pollMinutes: 60 })).statusCode).toBe(400);
    expect((await configure(ws, 'fedex', { apiKey: 'k', pollMinutes: 60 })).statusCode).toBe(400);
    expect(await source(ws, 'aftership')).toBeUndefined();
    // Polling a provider the workspace has not set up: 404, and no call goes out.
    const before = fake.requests.length;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tracking/sources/aftership/poll',
      headers: ws.admin.headers,
    });
    expect(r.statusCode).toBe(404);
    expect(fake.requests.length).toBe(before);
  });
});

describe('AfterShip', () => {
  it('polls a parcel, maps the recorded Tracking shape, and replays change nothing', async () => {
    const recorded = join(
      fixtures,
      'apis/aftership/get-tracking.delivered-with-checkpoints.aftership-sdk-java.json',
    );
    const tracking = existsSync(recorded)
      ? (JSON.parse(readFileSync(recorded, 'utf8')).data.tracking as Record<string, unknown>)
      : {
          tracking_number: '111111111111',
          slug: 'fedex',
          tag: 'Delivered',
          subtag: 'Delivered_001',
          checkpoints: [
            {
              tag: 'InfoReceived',
              checkpoint_time: '2018-07-23T01:21:39-05:00',
              message: 'Shipment information sent to FedEx',
            },
            {
              tag: 'InTransit',
              checkpoint_time: '2018-07-23T18:58:00+08:00',
              message: 'Picked up',
              city: 'SHENZHEN',
            },
            {
              tag: 'Delivered',
              checkpoint_time: '2018-07-25T10:10:00+09:00',
              message: 'Delivered',
              city: 'TOKYO',
            },
          ],
        };
    fake.aftership.set('111111111111', tracking);
    const ws = await shopWith([
      { number: '111111111111', carrier: 'FedEx' },
      { number: 'ASNEW1', carrier: 'dhl' },
    ]);
    const ok = await configure(ws, 'aftership', { apiKey: fake.keys.aftership, pollMinutes: 60 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ provider: 'aftership', polling: true, pollMinutes: 60 });
    const out = await poll(ws, 'aftership');
    expect(out).toMatchObject({ polled: 2, updated: 2, failed: 0, pausedUntil: null });
    const s = await shipment(ws, '111111111111');
    expect(s.status).toBe('delivered');
    const n = s.history.length;
    expect(n).toBeGreaterThanOrEqual(3);
    expect(s.history.some((e: { source: string }) => e.source === 'aftership')).toBe(true);
    // The unknown parcel was created at AfterShip (POST) after its 404; the key travelled in its header.
    const mine = calls('aftership');
    expect(mine.every((c) => c.auth === fake.keys.aftership)).toBe(true);
    expect(mine.some((c) => c.method === 'POST' && c.body.includes('ASNEW1'))).toBe(true);
    expect(fake.aftership.has('ASNEW1')).toBe(true);
    expect(await source(ws, 'aftership')).toMatchObject({ poll_minutes: 60, has_api_key: true });
    expect(JSON.stringify(await source(ws, 'aftership'))).not.toContain(fake.keys.aftership);

    // Nothing is due again before the interval: no call.
    const before = calls('aftership').length;
    expect(await poll(ws, 'aftership')).toMatchObject({ polled: 0 });
    expect(calls('aftership').length).toBe(before);
    // The same answer polled again (a replay) adds no scan twice.
    await makeDue(ws);
    await poll(ws, 'aftership');
    expect((await shipment(ws, '111111111111')).history.length).toBe(n);
  });

  it('honours X-RateLimit-Remaining/Reset: the source pauses until the reset and resumes by a job', async () => {
    const ws = await shopWith([
      { number: 'RL1', carrier: 'dhl' },
      { number: 'RL2', carrier: 'dhl' },
    ]);
    await configure(ws, 'aftership', { apiKey: fake.keys.aftership, pollMinutes: 30 });
    const reset = Math.floor(Date.now() / 1000) + 600;
    fake.aftershipHeaders = {
      'x-ratelimit-limit': '10',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(reset),
    };
    try {
      const out = await poll(ws, 'aftership');
      // Stopped after the answer that spent the last call.
      expect(out.polled).toBe(1);
      expect(out.pausedUntil).toBe(new Date(reset * 1000).toISOString());
      const before = fake.requests.length;
      expect(await poll(ws, 'aftership')).toMatchObject({ polled: 0, pausedUntil: out.pausedUntil });
      expect(fake.requests.length).toBe(before);
      const job = await t.db.one<{ run_at: Date }>(sql`
        SELECT run_at FROM jobs WHERE name = 'tracking-poll' AND workspace_id = ${ws.workspaceId} AND status = 'queued'`);
      expect(job?.run_at.toISOString()).toBe(out.pausedUntil);
    } finally {
      fake.aftershipHeaders = {};
    }
  });

  it('a 429 pauses the source until Retry-After', async () => {
    const ws = await shopWith([{ number: 'R429', carrier: 'dhl' }]);
    await configure(ws, 'aftership', { apiKey: fake.keys.aftership, pollMinutes: 30 });
    fake.next.push({
      provider: 'aftership',
      status: 429,
      headers: { 'retry-after': '120' },
      body: { meta: { code: 429 } },
    });
    const t0 = Date.now();
    const out = await poll(ws, 'aftership');
    expect(new Date(out.pausedUntil!).getTime()).toBeGreaterThanOrEqual(t0 + 119_000);
    expect(await source(ws, 'aftership')).toMatchObject({ last_poll_error: 'rate limited by the provider' });
    // The parcel itself was not marked as failed: it is polled first once the pause ends.
    expect((await shipment(ws, 'R429')).status).toBe('info_received');
  });
});

describe('EasyPost', () => {
  it('creates the tracker once, then polls it by id; unknown ids are forgotten', async () => {
    const ws = await shopWith([{ number: 'EZ1000', carrier: 'USPS' }]);
    await configure(ws, 'easypost', { apiKey: fake.keys.easypost, pollMinutes: 120 });
    expect(await poll(ws, 'easypost')).toMatchObject({ polled: 1, updated: 1 });
    const created = calls('easypost').at(-1)!;
    expect(created).toMatchObject({ method: 'POST', path: '/v2/trackers' });
    expect(JSON.parse(created.body)).toEqual({ tracker: { tracking_code: 'EZ1000', carrier: 'USPS' } });
    expect(created.auth).toBe(`Basic ${Buffer.from(`${fake.keys.easypost}:`).toString('base64')}`);
    const tracker = fake.easypost.get('EZ1000')!;
    Object.assign(tracker, {
      status: 'in_transit',
      est_delivery_date: '2030-01-10T00:00:00Z',
      tracking_details: [
        {
          object: 'TrackingDetail',
          status: 'pre_transit',
          message: 'Label created',
          datetime: ago(3),
          tracking_location: {},
        },
        {
          object: 'TrackingDetail',
          status: 'in_transit',
          message: 'Arrived at facility',
          datetime: ago(1),
          tracking_location: { city: 'Memphis', state: 'TN', country: 'US' },
        },
      ],
    });
    await makeDue(ws);
    expect(await poll(ws, 'easypost')).toMatchObject({ polled: 1, updated: 1 });
    expect(calls('easypost').at(-1)).toMatchObject({ method: 'GET', path: `/v2/trackers/${tracker.id}` });
    const s = await shipment(ws, 'EZ1000');
    expect(s).toMatchObject({ status: 'in_transit', estimatedDeliveryAt: '2030-01-10T00:00:00.000Z' });
    expect(s.history.map((e: { location: string | null }) => e.location)).toContain('Memphis, TN, US');

    // The tracker disappeared at EasyPost: 404 → backoff, and the next poll creates it again.
    fake.easypost.delete('EZ1000');
    await makeDue(ws);
    expect(await poll(ws, 'easypost')).toMatchObject({ polled: 1, updated: 0 });
    await makeDue(ws);
    await poll(ws, 'easypost');
    expect(calls('easypost').at(-1)).toMatchObject({ method: 'POST', path: '/v2/trackers' });
  });
});

describe('Shippo', () => {
  it('polls with the carrier token; a 5xx backs off that parcel only; a refused key pauses the source', async () => {
    const ws = await shopWith([
      { number: 'SH1', carrier: 'usps' },
      { number: 'SH2', carrier: 'usps' },
    ]);
    fake.shippo.set('SH1', {
      carrier: 'usps',
      tracking_number: 'SH1',
      eta: '2030-02-01T00:00:00Z',
      tracking_status: {
        object_id: 'st-2',
        status: 'TRANSIT',
        status_details: 'In transit to destination',
        status_date: ago(1),
        substatus: { code: 'package_accepted' },
        location: { city: 'Denver', state: 'CO', country: 'US' },
      },
      tracking_history: [
        {
          object_id: 'st-1',
          status: 'PRE_TRANSIT',
          status_details: 'Label created',
          status_date: ago(3),
          location: null,
        },
      ],
    });
    await configure(ws, 'shippo', { apiKey: fake.keys.shippo, pollMinutes: 60 });
    fake.next.push({ provider: 'shippo', status: 503, body: { detail: 'unavailable' } });
    const out = await poll(ws, 'shippo');
    expect(out).toMatchObject({ polled: 2, failed: 1 });
    const mine = calls('shippo');
    expect(mine.at(-1)).toMatchObject({ method: 'GET', auth: `ShippoToken ${fake.keys.shippo}` });
    expect(
      mine
        .slice(-2)
        .map((c) => c.path)
        .sort(),
    ).toEqual(['/tracks/usps/SH1', '/tracks/usps/SH2']);
    const rows = await t.db.query<{ tracking_number: string; poll_failures: number }>(sql`
      SELECT tracking_number, poll_failures FROM shipments WHERE workspace_id = ${ws.workspaceId} ORDER BY tracking_number`);
    // The 503 hit the first due parcel (SH1, lower id): it backs off; SH2 was answered (UNKNOWN status).
    expect(rows).toEqual([
      { tracking_number: 'SH1', poll_failures: 1 },
      { tracking_number: 'SH2', poll_failures: 0 },
    ]);
    await makeDue(ws);
    await poll(ws, 'shippo');
    const s = await shipment(ws, 'SH1');
    expect(s).toMatchObject({ status: 'in_transit', estimatedDeliveryAt: '2030-02-01T00:00:00.000Z' });
    expect(
      s.history.filter((e: { source: string }) => e.source === 'shippo').map((e: { key: string }) => e.key),
    ).toEqual(['st-1', 'st-2']);

    // A refused key: the batch stops and the source waits (no call per parcel).
    await configure(ws, 'shippo', { apiKey: 'revoked', pollMinutes: 60 });
    await makeDue(ws);
    const before = calls('shippo').length;
    const refused = await poll(ws, 'shippo');
    expect(refused.polled).toBe(1);
    expect(refused.pausedUntil).not.toBeNull();
    expect(calls('shippo').length).toBe(before + 1);
    expect(await source(ws, 'shippo')).toMatchObject({ last_poll_error: 'refused the API key (401)' });
  });
});

describe('the tracking-poll job', () => {
  it('runs from the durable queue, and another workspace’s source never polls this one’s parcels', async () => {
    const a = await shopWith([{ number: 'JOBA', carrier: 'usps' }]);
    const b = await shopWith([{ number: 'JOBB', carrier: 'usps' }]);
    await configure(a, 'shippo', { apiKey: fake.keys.shippo, pollMinutes: 60 });
    fake.shippo.set('JOBA', {
      carrier: 'usps',
      tracking_number: 'JOBA',
      tracking_status: {
        object_id: 'ja-1',
        status: 'DELIVERED',
        status_details: 'Delivered',
        status_date: ago(0),
      },
      tracking_history: [],
    });
    const src = await t.db.one<{ id: number }>(sql`
      SELECT id FROM tracking_sources WHERE workspace_id = ${a.workspaceId} AND provider = 'shippo'`);
    await enqueue(t.db, 'tracking-poll', { sourceId: src!.id }, { workspaceId: a.workspaceId });
    await settle(t);
    expect((await shipment(a, 'JOBA')).status).toBe('delivered');
    expect(calls('shippo').some((c) => c.path.endsWith('/JOBB'))).toBe(false);
    expect((await shipment(b, 'JOBB')).status).toBe('info_received');
  });

  it('reads rate-limit headers in each documented form', () => {
    const now = Date.UTC(2030, 0, 1);
    const h = (o: Record<string, string>) => new Headers(o);
    expect(
      readRateLimit(h({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 30) }), now),
    ).toEqual({
      remaining: 0,
      resetAt: new Date(now + 30_000),
    });
    expect(readRateLimit(h({ 'ratelimit-remaining': '5', 'ratelimit-reset': '12' }), now)).toEqual({
      remaining: 5,
      resetAt: new Date(now + 12_000),
    });
    expect(readRateLimit(h({ 'retry-after': '90' }), now)).toEqual({
      remaining: null,
      resetAt: new Date(now + 90_000),
    });
    expect(readRateLimit(h({ 'x-ratelimit-remaining': 'lots' }), now)).toEqual({
      remaining: null,
      resetAt: null,
    });
  });
});
