import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTrackingToken } from '../src/modules/helpcenter/index.ts';
import { sql } from '../src/platform/db/db.ts';
import { keyRing } from '../src/platform/security/keys.ts';
import { DEMO_ADMIN_EMAIL, DEMO_SLUG, seedDemo } from '../src/seed/demo-seed.ts';
import { startTestApp, type TestApp } from './harness.ts';

// The demo shows the tracking pipeline at work: a late parcel found before the shopper wrote, its ticket
// with the scan history, the notice sent, a problem linking the shipping tickets, and the tracking page's
// delay banner — and the first delivery sweep does not flood the demo with old parcels.
let t: TestApp;
let headers: { authorization: string };
let workspaceId: number;

beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' });
  workspaceId = (await seedDemo(t.db, undefined, 'demo-password-123')).workspaceId;
  const admin = await t.db.one<{ id: number }>(
    sql`SELECT id FROM agents WHERE workspace_id = ${workspaceId} AND email = ${DEMO_ADMIN_EMAIL}`,
  );
  headers = {
    authorization: `Bearer ${(await t.services.agents.createToken(workspaceId, admin!.id, 't')).token}`,
  };
});
afterAll(() => t?.stop());

const get = async (url: string) => {
  const res = await t.app.inject({ method: 'GET', url, headers });
  expect(res.statusCode, url).toBe(200);
  return res.json();
};

describe('the demo deliveries', () => {
  it('has a late parcel whose ticket holds the scan history and the notice sent', async () => {
    const detections = (await get('/api/v1/tracking/detections')).items as {
      rule: string;
      ticketId: number;
      orderId: number;
      shipmentId: number;
    }[];
    const pushed = detections.find((d) => d.rule.startsWith('estimate_pushed:'))!;
    expect(pushed.ticketId).toBeGreaterThan(0);
    const shipment = await get(`/api/v1/tracking/shipments/${pushed.shipmentId}`);
    expect(shipment.status).toBe('exception');
    expect(shipment.history.map((h: { location: string }) => h.location)).toContain('Leipzig hub');
    // The order's other parcel is delivered: "1 of 2".
    const parcels = (await get(`/api/v1/tracking/shipments?orderId=${pushed.orderId}`)).items;
    expect(parcels.map((p: { status: string }) => p.status).sort()).toEqual(['delivered', 'exception']);
    const ticket = await get(`/api/v1/tickets/${pushed.ticketId}`);
    expect(ticket.tags).toContain('delivery-issue');
    const messages = ticket.messages as {
      kind: string;
      bodyText: string;
    }[];
    expect(messages.find((m) => m.kind === 'note')!.bodyText).toContain('Scan history');
    expect(messages.find((m) => m.kind === 'outbound')!.bodyText).toContain('1 of 2 parcels delivered');
    const notices = await t.db.query<{ status: string }>(
      sql`SELECT status FROM notices WHERE workspace_id = ${workspaceId} AND kind = 'order.delivery_update'`,
    );
    expect(notices).toEqual([{ status: 'sent' }]);
  });

  it('has an open problem linking the shipping tickets', async () => {
    const problems = (await get('/api/v1/problems')).items as { title: string; ticketCount: number }[];
    expect(problems).toHaveLength(1);
    expect(problems[0]!.title).toContain('Leipzig');
    expect(problems[0]!.ticketCount).toBeGreaterThanOrEqual(3);
  });

  it('shows the delay banner and each parcel on the tracking page', async () => {
    const d = (await get('/api/v1/tracking/detections')).items[0] as { orderId: number };
    const token = signTrackingToken(keyRing(t.config), workspaceId, d.orderId);
    const page = await t.app.inject({ method: 'GET', url: `/help/${DEMO_SLUG}/track-link/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('class="warn delay-banner"');
    expect(page.body).toContain('Part of this order is running late');
    expect(page.body).toMatch(/data-status="exception">DHL JJD\d+: held up/);
    const de = await t.app.inject({ method: 'GET', url: `/help/${DEMO_SLUG}/de/track-link/${token}` });
    expect(de.body).toContain('Ein Teil dieser Bestellung verspätet sich');
  });

  it('does not flood the demo on the first delivery sweep', async () => {
    const before = (await get('/api/v1/tracking/detections')).items.length;
    const tickets = await t.db.one<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM tickets WHERE workspace_id = ${workspaceId}`,
    );
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tracking/sweep', headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().checked).toBeGreaterThan(0);
    expect((await get('/api/v1/tracking/detections')).items.length).toBe(before);
    expect(
      await t.db.one<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM tickets WHERE workspace_id = ${workspaceId}`,
      ),
    ).toEqual(tickets);
  });
});

describe('tracking in analytics', () => {
  it('registers delivery problems, notices sent and on-time deliveries as summaries, per workspace', async () => {
    const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    const report = await get(`/api/v1/analytics/report?from=${day(30)}&to=${day(0)}`);
    const by = Object.fromEntries(
      (report.summaries as { key: string; value: number | null; n: number; definition: string }[]).map(
        (s) => [s.key, s],
      ),
    );
    expect(by.delivery_problems!.value).toBeGreaterThanOrEqual(1);
    expect(by.delivery_notices!.value).toBe(1);
    expect(by.delivery_on_time!.definition).toContain('first delivery day');
    // Another workspace sees its own (none).
    const other = await t.workspace('Analytics Other');
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/analytics/report?from=${day(30)}&to=${day(0)}`,
      headers: other.admin.headers,
    });
    const theirs = (res.json().summaries as { key: string; value: number | null }[]).find(
      (s) => s.key === 'delivery_problems',
    );
    expect(theirs!.value).toBe(0);
  });
});

describe('the demo problem', () => {
  it('shows its impact and a timeline of what was done', async () => {
    const p = (await get('/api/v1/problems')).items[0] as { id: number };
    const impact = await get(`/api/v1/problems/${p.id}/impact`);
    expect(impact.tickets).toBeGreaterThanOrEqual(3);
    expect(impact.openTickets).toBe(impact.tickets);
    expect(impact.orders).toBe(1);
    expect(impact.atStake).toEqual([{ currency: 'EUR', amount: expect.any(Number) }]);
    expect(impact.atStake[0].amount).toBeGreaterThan(0);
    const sent = await t.app.inject({
      method: 'POST',
      url: `/api/v1/problems/${p.id}/notify`,
      headers,
      payload: { text: 'DHL expects the Leipzig hub to clear by Thursday.' },
    });
    expect(sent.statusCode).toBe(200);
    const told = (sent.json().items as { status: string }[]).filter((i) => i.status !== 'skipped').length;
    expect(told).toBeGreaterThan(0);
    const timeline = (await get(`/api/v1/problems/${p.id}/timeline`)).items as {
      type: string;
      what: string;
    }[];
    expect(timeline.map((e) => e.type)).toEqual(['created', 'update']);
    expect(timeline[1]!.what).toBe(`Update sent: ${told} customer${told === 1 ? '' : 's'} told`);
    // Another workspace sees none of it.
    const other = await t.workspace('Elsewhere');
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/problems/${p.id}/impact`,
      headers: other.agent.headers,
    });
    expect(res.statusCode).toBe(404);
  });
});
