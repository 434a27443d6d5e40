import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../src/modules/tracking/detection.ts';
import { fromShippo, mapStoreStatus } from '../src/modules/tracking/normalize.ts';
import { demoOrder } from './commerce-helpers.ts';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

const fixtures = join(__dirname, '../../../../shared/fixtures');
const DAY = 86_400_000;
let t: TestApp;
let ws: TestWorkspace;
let hooks: Record<string, string>;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

const post = (url: string, body: Buffer | string, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: new URL(url).pathname + new URL(url).search,
    headers: { 'content-type': 'application/json', ...headers },
    payload: body,
  });
const aftership = (tracking: Record<string, unknown>, eventId: string) => {
  const body = Buffer.from(
    JSON.stringify({
      event: 'tracking_update',
      event_id: eventId,
      is_tracking_first_tag: false,
      msg: tracking,
      ts: 1,
    }),
  );
  return post(hooks.aftership!, body, {
    'aftership-hmac-sha256': createHmac('sha256', 'as-secret').update(body).digest('base64'),
  });
};
const shippo = (track: Record<string, unknown>, token = 'sp-token') =>
  post(
    `${hooks.shippo!}?token=${token}`,
    JSON.stringify({ event: 'track_updated', test: false, data: track }),
  );
const shipmentOf = async (number: string) => {
  const items = (await get(t, '/api/v1/tracking/shipments?limit=200', ws.agent.headers)).json().items as {
    id: number;
    trackingNumber: string;
  }[];
  const s = items.find((i) => i.trackingNumber === number);
  return s ? (await get(t, `/api/v1/tracking/shipments/${s.id}`, ws.agent.headers)).json() : null;
};

beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' });
  ws = await t.workspace('Parcel Shop');
  await createInbox(t, ws, { name: 'Support', address: 'support@parcel-shop.test' });
  // Quiet hours off, so notices go out whenever the test runs.
  await t.app.inject({
    method: 'PATCH',
    url: '/api/v1/notices/settings',
    headers: ws.admin.headers,
    payload: { quietStart: '00:00', quietEnd: '00:00', capCount: 50 },
  });
  const conn = await t.app.inject({
    method: 'POST',
    url: '/api/v1/commerce/connections',
    headers: ws.admin.headers,
    payload: { platform: 'builtin', currency: 'EUR' },
  });
  const store = { authorization: `Bearer ${conn.json().token}` };
  const parcel = (id: string, number: string, carrier: string) => ({
    externalId: id,
    carrier,
    trackingNumber: number,
    shippedAt: ago(4),
    updatedAt: ago(4),
    shipmentStatus: 'label_printed',
  });
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/v1/store/batch',
    headers: store,
    payload: {
      orders: [
        demoOrder({
          externalId: 'o-3001',
          number: '#3001',
          updatedAt: ago(4),
          fulfillmentStatus: 'fulfilled',
          fulfillments: [parcel('f-1', 'AS1', 'fedex'), parcel('f-2', 'SP1', 'usps')],
        }),
        demoOrder({
          externalId: 'o-3002',
          number: '#3002',
          updatedAt: ago(5),
          customer: { externalId: 'c-2', email: 'bob@example.com', firstName: 'Bob', lastName: 'Berg' },
          fulfillmentStatus: 'fulfilled',
          fulfillments: [parcel('f-3', 'ST1', 'dhl')],
        }),
      ],
    },
  });
  expect(r.statusCode).toBeLessThan(300);
  await t.app.inject({
    method: 'PATCH',
    url: '/api/v1/tracking/settings',
    headers: ws.admin.headers,
    payload: { noFirstScanDays: 30 },
  });
  hooks = {};
  for (const [p, secret] of [
    ['aftership', 'as-secret'],
    ['easypost', 'sécret'],
    ['shippo', 'sp-token'],
  ] as const) {
    const res = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/tracking/sources/${p}`,
      headers: ws.admin.headers,
      payload: { secret },
    });
    expect(res.statusCode).toBe(200);
    hooks[p] = res.json().hookUrl;
  }
});
afterAll(() => t?.stop());

describe('tracking pipeline', () => {
  it('imports the store’s shipments, one per parcel, linked to the order', async () => {
    const sw = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tracking/sweep',
      headers: ws.admin.headers,
    });
    expect(sw.statusCode).toBe(200);
    const as1 = await shipmentOf('AS1');
    const sp1 = await shipmentOf('SP1');
    expect(as1).toMatchObject({ status: 'info_received', source: 'store', carrier: 'fedex' });
    expect(sp1.orderId).toBe(as1.orderId);
    expect(as1.id).not.toBe(sp1.id);
  });

  it('refuses a bad signature with 401 and stores nothing', async () => {
    const body = JSON.stringify({
      event: 'tracking_update',
      event_id: 'evil',
      msg: { tracking_number: 'AS1', tag: 'Delivered', checkpoints: [] },
    });
    const bad = await post(hooks.aftership!, body, { 'aftership-hmac-sha256': 'AAAA' });
    expect(bad.statusCode).toBe(401);
    const shippoBad = await shippo(
      { tracking_number: 'SP1', tracking_status: { status: 'DELIVERED', status_date: ago(0) } },
      'wrong',
    );
    expect(shippoBad.statusCode).toBe(401);
    await settle(t);
    expect((await shipmentOf('AS1')).status).toBe('info_received');
    expect((await shipmentOf('SP1')).status).toBe('info_received');
    // Another workspace's address does not take this workspace's secret.
    const other = await t.workspace('Other Parcel Shop');
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/tracking/sources/aftership',
      headers: other.admin.headers,
      payload: { secret: 'theirs' },
    });
    const theirs = Buffer.from(body);
    const r = await post(res.json().hookUrl, theirs, {
      'aftership-hmac-sha256': createHmac('sha256', 'as-secret').update(theirs).digest('base64'),
    });
    expect(r.statusCode).toBe(401);
  });

  it.runIf(existsSync(fixtures))(
    'EasyPost: the recorded tracker.updated event verifies and maps (../shared/fixtures)',
    async () => {
      // SOURCES.md: the signature covers the file without its final newline, key = NFKD("sécret").
      const raw = readFileSync(
        join(fixtures, 'webhooks/easypost/tracker-updated.event.easypost-examples.json'),
      );
      const body = raw.subarray(0, raw.length - 1);
      const sig = 'hmac-sha256-hex=38f3f53c103713df81616a0a186d77141957323ec21d5fe9363db93840f527db';
      const ok = await post(hooks.easypost!, body, { 'x-hmac-signature': sig });
      expect(ok.statusCode).toBe(200);
      expect((await post(hooks.easypost!, raw, { 'x-hmac-signature': sig })).statusCode).toBe(401);
      await settle(t);
      const s = await shipmentOf('1');
      expect(s).toMatchObject({
        status: 'in_transit',
        carrier: 'FedEx',
        orderId: null,
        estimatedDeliveryAt: '2024-08-05T00:00:00.000Z',
      });
      expect(s.history.length).toBeGreaterThanOrEqual(6);
      expect(s.history[0]).toMatchObject({
        status: 'info_received',
        message: 'Shipment information sent to FedEx',
      });
      // A replay of the same event is acknowledged and not stored again.
      const again = await post(hooks.easypost!, body, { 'x-hmac-signature': sig });
      expect(again.json()).toMatchObject({ duplicate: true });
    },
  );

  it.runIf(existsSync(fixtures))(
    'AfterShip: the recorded tracking maps tags, subtags and checkpoint times (../shared/fixtures)',
    async () => {
      const file = JSON.parse(
        readFileSync(
          join(fixtures, 'apis/aftership/get-tracking.delivered-with-checkpoints.aftership-sdk-java.json'),
          'utf8',
        ),
      );
      const tracking = { ...file.data.tracking, tracking_number: 'AS-FIX' };
      expect((await aftership(tracking, 'evt-as-fix')).statusCode).toBe(200);
      await settle(t);
      const s = await shipmentOf('AS-FIX');
      expect(s).toMatchObject({
        status: 'delivered',
        carrier: 'fedex',
        deliveredAt: '2018-07-25T01:10:00.000Z',
      });
      expect(s.history).toHaveLength(tracking.checkpoints.length);
      expect(s.history[0]).toMatchObject({ status: 'info_received', occurredAt: '2018-07-23T06:21:39.000Z' });
      // Merged by carrier time, whatever the offsets the carrier wrote them with.
      const times = s.history.map((e: { occurredAt: string }) => e.occurredAt);
      expect([...times].sort()).toEqual(times);
    },
  );

  it('AfterShip: a delivered parcel never moves back', async () => {
    const cp = (tag: string, sub: string, at: string, message: string) => ({
      tag,
      subtag: sub,
      checkpoint_time: at,
      message,
    });
    const delivered = {
      tracking_number: 'AS1',
      slug: 'fedex',
      tag: 'Delivered',
      checkpoints: [
        cp('InTransit', 'InTransit_002', ago(3), 'Picked up'),
        cp('Delivered', 'Delivered_001', ago(1), 'Delivered'),
      ],
    };
    expect((await aftership(delivered, 'evt-as-1')).statusCode).toBe(200);
    const late = {
      tracking_number: 'AS1',
      tag: 'InTransit',
      checkpoints: [cp('InTransit', 'InTransit_001', ago(0), 'late scan')],
    };
    await aftership(late, 'evt-as-2');
    await settle(t);
    expect(await shipmentOf('AS1')).toMatchObject({ status: 'delivered' });
  });

  it('Shippo: out-of-order and duplicate scans; a failed attempt opens a ticket and tells the shopper once', async () => {
    const scan = (id: string, status: string, sub: string | null, at: string, details: string) => ({
      object_id: id,
      status,
      substatus: sub ? { code: sub } : null,
      status_date: at,
      status_details: details,
      location: { city: 'Austin', state: 'TX', country: 'US' },
    });
    const s1 = scan('s1', 'TRANSIT', null, ago(3), 'Accepted');
    const s2 = scan('s2', 'TRANSIT', 'out_for_delivery', ago(1), 'Out for delivery');
    const s3 = scan(
      's3',
      'TRANSIT',
      'delivery_attempted',
      new Date(Date.now() - DAY / 2).toISOString(),
      'No one home',
    );
    // Newest first, then an older one alone (arrives late), then the same again.
    await shippo({
      tracking_number: 'SP1',
      carrier: 'usps',
      tracking_status: s3,
      tracking_history: [s1, s2, s3],
    });
    await shippo({ tracking_number: 'SP1', carrier: 'usps', tracking_status: s1, tracking_history: [s1] });
    await shippo({
      tracking_number: 'SP1',
      carrier: 'usps',
      tracking_status: s3,
      tracking_history: [s1, s2, s3],
    });
    await settle(t);
    const s = await shipmentOf('SP1');
    expect(s.status).toBe('failed_attempt');
    expect(s.history.map((e: { key: string }) => e.key)).toEqual(['store:f-2:shipped', 's1', 's2', 's3']);
    const det = (await get(t, '/api/v1/tracking/detections', ws.agent.headers))
      .json()
      .items.filter((d: { trackingNumber: string }) => d.trackingNumber === 'SP1');
    expect(det).toHaveLength(1);
    expect(det[0].rule).toBe('failed_attempt');
    const ticket = (await get(t, `/api/v1/tickets/${det[0].ticketId}`, ws.agent.headers)).json();
    expect(ticket.tags).toContain('delivery-issue');
    expect(ticket.subject).toBe('Order #3001: delivery needs attention');
    const note = ticket.messages.find((m: { kind: string }) => m.kind === 'note');
    expect(note.bodyText).toContain('No one home');
    const out = ticket.messages.filter((m: { kind: string }) => m.kind === 'outbound');
    expect(out).toHaveLength(1);
    // One notice for the whole order: the other parcel is in it.
    expect(out[0].bodyText).toContain('1 of 2 parcels delivered');
    expect(out[0].bodyText).toMatch(/\/track-link\/tracking\.order\./);
    const box = (await get(t, '/api/v1/email/dev-mailbox', ws.agent.headers)).json().items as {
      to: string[];
      subject: string;
    }[];
    expect(box.filter((m) => m.to.includes('emma@example.com') && m.subject.includes('#3001'))).toHaveLength(
      1,
    );
    // Counted for analytics ("Proactive delivery notices"): the detection knows its notice went out.
    const report = (
      await get(
        t,
        `/api/v1/analytics/report?from=${ago(1).slice(0, 10)}&to=${ago(0).slice(0, 10)}`,
        ws.admin.headers,
      )
    ).json();
    const notices = report.summaries.find((s: { key: string }) => s.key === 'delivery_notices');
    expect(notices.value).toBeGreaterThanOrEqual(1);
  });

  it('the sweep finds a parcel never scanned, and annotates nothing twice', async () => {
    await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/tracking/settings',
      headers: ws.admin.headers,
      payload: { noFirstScanDays: 3 },
    });
    // Store data alone never counts as "not scanned" (a store may not report scans at all) …
    await t.app.inject({ method: 'POST', url: '/api/v1/tracking/sweep', headers: ws.admin.headers });
    const none = (await get(t, '/api/v1/tracking/detections', ws.agent.headers)).json().items;
    expect(none.filter((d: { trackingNumber: string }) => d.trackingNumber === 'ST1')).toHaveLength(0);
    // … a carrier feed that reports the label and nothing after it does.
    await aftership(
      {
        tracking_number: 'ST1',
        tag: 'InfoReceived',
        checkpoints: [
          {
            tag: 'InfoReceived',
            subtag: 'InfoReceived_001',
            checkpoint_time: ago(4),
            message: 'Label created',
          },
        ],
      },
      'evt-st1',
    );
    await settle(t);
    await t.app.inject({ method: 'POST', url: '/api/v1/tracking/sweep', headers: ws.admin.headers });
    await t.app.inject({ method: 'POST', url: '/api/v1/tracking/sweep', headers: ws.admin.headers });
    await settle(t);
    const det = (await get(t, '/api/v1/tracking/detections', ws.agent.headers))
      .json()
      .items.filter((d: { trackingNumber: string }) => d.trackingNumber === 'ST1');
    expect(det.map((d: { rule: string }) => d.rule)).toEqual(['no_first_scan']);
    const ticket = (await get(t, `/api/v1/tickets/${det[0].ticketId}`, ws.agent.headers)).json();
    expect(ticket.contact.email).toBe('bob@example.com');
    expect(ticket.messages.filter((m: { kind: string }) => m.kind === 'outbound')).toHaveLength(1);
  });
});

describe('problems', () => {
  it('links tickets, answers them all, and solving tells everyone and solves their tickets', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: ws.agent.headers,
        payload: {
          subject: `Parcel stuck ${i}`,
          channel: 'email',
          contact: { email: `p${i}@example.com`, name: `P ${i}` },
          message: { body: 'Where is it?' },
        },
      });
      ids.push(r.json().id);
    }
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/problems',
      headers: ws.agent.headers,
      payload: { title: 'Carrier outage in Texas', ticketIds: ids.slice(0, 3), keywords: ['hub flood'] },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    // A new ticket naming the keyword is linked automatically.
    const auto = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: ws.agent.headers,
      payload: {
        subject: 'Is the HUB FLOOD why my parcel is late?',
        channel: 'email',
        contact: { email: 'late@example.com' },
        message: { body: '?' },
      },
    });
    await settle(t);
    expect((await get(t, `/api/v1/problems/${id}`, ws.agent.headers)).json().ticketIds).toContain(
      auto.json().id,
    );
    const dry = await t.app.inject({
      method: 'POST',
      url: `/api/v1/problems/${id}/notify`,
      headers: ws.agent.headers,
      payload: { text: 'The hub reopens tomorrow.', dryRun: true },
    });
    expect(dry.json().items).toHaveLength(4);
    expect(dry.json().items.every((i: { dryRun: boolean }) => i.dryRun)).toBe(true);
    const sent = await t.app.inject({
      method: 'POST',
      url: `/api/v1/problems/${id}/notify`,
      headers: ws.agent.headers,
      payload: { text: 'The hub reopens tomorrow.' },
    });
    expect(sent.json().items.map((i: { status: string }) => i.status)).toEqual([
      'sent',
      'sent',
      'sent',
      'sent',
    ]);
    const solved = await t.app.inject({
      method: 'POST',
      url: `/api/v1/problems/${id}/solve`,
      headers: ws.agent.headers,
      payload: { text: 'Parcels are moving again.', solveTickets: true },
    });
    expect(solved.statusCode).toBe(200);
    expect(solved.json().items.filter((i: { status: string }) => i.status === 'sent')).toHaveLength(4);
    await settle(t);
    for (const tid of [...ids.slice(0, 3), auto.json().id]) {
      const tk = (await get(t, `/api/v1/tickets/${tid}`, ws.agent.headers)).json();
      expect(tk.status).toBe('solved');
      expect(tk.messages.filter((m: { kind: string }) => m.kind === 'outbound')).toHaveLength(2);
    }
    expect((await get(t, `/api/v1/tickets/${ids[3]}`, ws.agent.headers)).json().status).not.toBe('solved');
  });
});

describe('mapping and rules (pure)', () => {
  it('maps each source’s words to one status set', () => {
    expect(mapStoreStatus('attempted_delivery')).toEqual(['failed_attempt', null]);
    expect(mapStoreStatus('ready_for_pickup')).toEqual(['available_for_pickup', null]);
    const lost = fromShippo({
      data: {
        tracking_number: 'X',
        tracking_status: {
          status: 'FAILURE',
          substatus: { code: 'package_lost' },
          status_date: '2026-01-01T00:00:00Z',
        },
      },
    });
    expect(lost).toMatchObject({ status: 'expired', subStatus: 'lost' });
  });
  it('fires time rules on calendar days', () => {
    const base = {
      status: 'in_transit' as string,
      sub_status: null,
      label_at: null,
      delivered_at: null,
      original_estimate_at: null,
      created_at: new Date('2026-01-01T00:00:00Z'),
    };
    const now = new Date('2026-01-10T00:00:00Z');
    const rules = (s: Partial<typeof base> & Record<string, unknown>) =>
      detect(
        { ...base, first_scan_at: null, estimated_delivery_at: null, ...s } as never,
        { no_first_scan_days: 2, in_transit_days: 7 },
        now,
      ).map((d) => d.rule);
    expect(rules({ first_scan_at: new Date('2026-01-02T00:00:00Z') })).toEqual(['in_transit_long']);
    expect(
      rules({
        first_scan_at: new Date('2026-01-08T00:00:00Z'),
        estimated_delivery_at: new Date('2026-01-07T00:00:00Z'),
      }),
    ).toEqual(['estimate_passed']);
    expect(rules({ status: 'info_received' })).toEqual(['no_first_scan']);
    expect(rules({ status: 'delivered', first_scan_at: new Date('2026-01-02T00:00:00Z') })).toEqual([]);
  });
});
