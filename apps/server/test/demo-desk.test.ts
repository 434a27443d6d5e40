import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { DEMO_ADMIN_EMAIL, seedDemo } from '../src/seed/demo-seed.ts';
import { startTestApp, type TestApp } from './harness.ts';

// The demo is a working desk: macros that fill in the customer and the order, business hours and SLA
// policies that do not find the backlog breached, automations, round-robin routing, recent tickets, and
// product pictures served by this server (nothing loads from a photo site).
let t: TestApp;
let headers: { authorization: string };
let workspaceId: number;

beforeAll(async () => {
  t = await startTestApp();
  workspaceId = (await seedDemo(t.db, undefined, 'demo-password-123')).workspaceId;
  const admin = await t.db.one<{ id: number }>(
    sql`SELECT id FROM agents WHERE workspace_id = ${workspaceId} AND email = ${DEMO_ADMIN_EMAIL}`,
  );
  headers = {
    authorization: `Bearer ${(await t.services.agents.createToken(workspaceId, admin!.id, 't')).token}`,
  };
  await t.jobs.drain();
});
afterAll(() => t?.stop());

const get = async (url: string) => {
  const res = await t.app.inject({ method: 'GET', url, headers });
  expect(res.statusCode, url).toBe(200);
  return res.json();
};

describe('the demo desk', () => {
  it('has shared macros whose customer and order fields fill in for a demo ticket', async () => {
    const macros = (await get('/api/v1/macros')).items as { id: number; name: string; body: string }[];
    expect(macros.length).toBeGreaterThanOrEqual(4);
    const wismo = macros.find((m) => m.name === 'Where is my order?')!;
    expect(wismo.body).toContain('{{customer.first_name}}');
    expect(wismo.body).toContain('{{order.tracking_url}}');
    const tickets = (await get('/api/v1/tickets?channel=email&limit=40')).items as { id: number }[];
    let filled: { body: string; missing: string[] } | undefined;
    for (const tk of tickets) {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/macros/${wismo.id}/render`,
        headers,
        payload: { ticketId: tk.id },
      });
      expect(r.statusCode).toBe(200);
      if (!r.json().missing.includes('order.number')) {
        filled = r.json();
        break;
      }
    }
    expect(filled, 'some demo ticket has the customer’s own order').toBeDefined();
    expect(filled!.body).toMatch(/Your order #\d+ is/);
    expect(filled!.body).not.toContain('{{');
  });

  it('has business hours, SLA policies that leave the backlog unbreached, automations and round-robin routing', async () => {
    const policies = (await get('/api/v1/sla/policies')).items as {
      name: string;
      appliesFrom: string | null;
    }[];
    expect(policies.map((p) => p.name)).toEqual(['Urgent and VIP', 'Standard']);
    expect(policies.every((p) => p.appliesFrom !== null)).toBe(true);
    const { count: active } = await get('/api/v1/tickets/count?status=active');
    const { count: breached } = await get('/api/v1/tickets/count?status=active&sla=breached');
    expect(active).toBeGreaterThan(50);
    // The seeded tickets are timed from when the policies began (two hours ago), not for days: every
    // open ticket has a running clock and none starts out breached.
    expect(breached).toBe(0);
    const [open] = (await get('/api/v1/tickets?status=new&limit=1')).items as { id: number }[];
    const clocks = (await get(`/api/v1/tickets/${open!.id}/sla`)).clocks as {
      metric: string;
      state: string;
    }[];
    expect(clocks.find((c) => c.metric === 'first_response')?.state).toBe('running');
    const automations = (await get('/api/v1/automations')).items as { kind: string; active: boolean }[];
    expect(automations.length).toBe(4);
    expect(automations.some((a) => a.kind === 'scheduled')).toBe(true);
    const routing = (await get('/api/v1/routing/config')).items as { teamId: number | null; mode: string }[];
    expect(routing.find((c) => c.teamId === null)?.mode).toBe('round_robin');
    expect((await get('/api/v1/business-hours')).items.length).toBe(1);
  });

  it('has recent tickets: all from the last ten days, none in the future', async () => {
    const r = await t.db.one<{ oldest: Date; newest: Date; last: Date }>(sql`
      SELECT min(t.created_at) AS oldest, max(t.created_at) AS newest, max(m.created_at) AS last
      FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE t.workspace_id = ${workspaceId}`);
    expect(Date.now() - r!.oldest.getTime()).toBeLessThan(11 * 86_400_000);
    expect(Date.now() - r!.newest.getTime()).toBeLessThan(86_400_000);
    expect(r!.last.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('shows the reports’ new parts: backlog, business hours, bot containment and NPS', async () => {
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const r = await get(`/api/v1/analytics/report?from=${day(13)}&to=${day(0)}`);
    const m = (k: string) => r.metrics.find((x: { key: string }) => x.key === k);
    expect(m('backlog').total.value).toBeGreaterThan(0);
    expect(m('first_response_time_business')).toBeDefined();
    const s = (k: string) => r.summaries.find((x: { key: string }) => x.key === k);
    // 10 of 14 finished bot conversations resolved; NPS of 6 promoters, 2 passives, 4 detractors.
    expect(s('bot_containment')).toMatchObject({ value: 71.4, n: 14 });
    expect(s('nps').n).toBe(12);
    expect(s('nps').value).toBeGreaterThanOrEqual(16);
    expect(s('nps').value).toBeLessThanOrEqual(17);
  });

  it('has a voicemail with its callback task and triage (no call placed)', async () => {
    const { items } = await get('/api/v1/callbacks');
    const task = items.find((x: { reason: string }) => x.reason === 'voicemail');
    expect(task).toMatchObject({ status: 'open', calls: [] });
    const triage = await get(`/api/v1/tickets/${task.ticketId}/voice-triage`);
    expect(triage.transcript).toContain('zip broke');
    expect(triage.intent).toMatchObject({ damage: true });
  });

  it('serves its product pictures itself', async () => {
    const images = await t.db.query<{ image_url: string }>(
      sql`SELECT DISTINCT image_url FROM products WHERE workspace_id = ${workspaceId}`,
    );
    expect(images.length).toBeGreaterThan(3);
    for (const { image_url } of images) {
      expect(image_url).toMatch(/^\/demo\/images\/product-\d+\.svg$/);
      const res = await t.app.inject({ method: 'GET', url: image_url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('image/svg+xml');
      expect(res.body).toContain('<svg');
    }
    const lines = await t.db.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM order_line_items WHERE workspace_id = ${workspaceId} AND image_url LIKE 'http%'`,
    );
    expect(lines[0]!.n).toBe(0);
    expect((await t.app.inject({ method: 'GET', url: '/demo/images/product-999.svg' })).statusCode).toBe(404);
  });
});
