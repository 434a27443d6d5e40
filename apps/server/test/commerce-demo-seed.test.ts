import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { seedDemo } from '../src/seed/demo-seed.ts';
import { startTestApp, type TestApp } from './harness.ts';

let t: TestApp;
let headers: { authorization: string };

beforeAll(async () => {
  t = await startTestApp();
  const demo = await seedDemo(t.db, undefined, 'demo-password-123');
  const agent = await t.db.one<{ id: number }>(
    sql`SELECT id FROM agents WHERE workspace_id = ${demo.workspaceId} AND role = 'agent' ORDER BY id LIMIT 1`,
  );
  const token = await t.services.agents.createToken(demo.workspaceId, agent!.id, 'test');
  headers = { authorization: `Bearer ${token.token}` };
});
afterAll(() => t?.stop());

const get = async (url: string) => (await t.app.inject({ method: 'GET', url, headers })).json();

describe('demo store', () => {
  it('gives every demo customer an order history with items, payments and tracking', async () => {
    const contacts = (await get('/api/v1/contacts?limit=100')).items as {
      id: number;
      email: string | null;
    }[];
    const demo = contacts.filter((c) => c.email?.endsWith('@example.com'));
    expect(demo).toHaveLength(50);
    let shipped = 0;
    for (const c of demo.slice(0, 10)) {
      const { items } = await get(`/api/v1/commerce/orders?contactId=${c.id}`);
      expect(items.length).toBeGreaterThanOrEqual(1);
      for (const o of items) {
        expect(o.lineItems.length).toBeGreaterThan(0);
        expect(o.transactions.length).toBe(1);
        if (o.fulfillments[0]?.trackingUrl) shipped++;
      }
    }
    expect(shipped).toBeGreaterThan(5);
  });

  it('highlights the order a demo ticket talks about', async () => {
    const tickets = (await get('/api/v1/tickets?limit=50')).items as {
      id: number;
      subject: string;
      lastMessagePreview: string;
    }[];
    const withNumber = tickets.find((x) => /#\d{4}/.test(x.subject));
    expect(withNumber).toBeTruthy();
    const panel = await get(`/api/v1/commerce/tickets/${withNumber!.id}/orders`);
    expect(panel.mentionedNumbers.length).toBeGreaterThan(0);
    expect(withNumber!.subject).toContain(panel.mentionedNumbers[0]);
  });

  it('seeds a return policy and a return in progress on a customer ticket (#14)', async () => {
    const policy = await get('/api/v1/returns/policy');
    expect(policy).toMatchObject({ windowDays: 30, windowFrom: 'delivery', storeCreditBonusPercent: 10 });
    expect(policy.markets[0]).toMatchObject({ name: 'Switzerland', windowDays: 14 });
    const { items } = await get('/api/v1/returns');
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ rma: 'RMA-DEMO2345', status: 'approved', outcome: 'exchange' });
    // A return with an outcome per line, waiting for review.
    const mixed = items[1];
    expect(mixed).toMatchObject({ rma: 'RMA-DEMOMIX7', status: 'needs_review', outcome: 'mixed' });
    expect(mixed.lines.map((l: { outcome: string }) => l.outcome)).toEqual(['store_credit', 'refund']);
    expect(mixed.value).toBe(mixed.lines.reduce((s: number, l: { amount: number }) => s + l.amount, 0));
    const ticket = await get(`/api/v1/tickets/${items[0].ticketId}`);
    expect(ticket.events.map((e: { type: string }) => e.type)).toContain('return_approved');
    // Its line is not returnable twice.
    const opts = await get(`/api/v1/returns/orders/${items[0].orderId}/options`);
    const line = opts.lines.find(
      (l: { lineItemId: number }) => l.lineItemId === items[0].lines[0].lineItemId,
    );
    expect(line.returnableQuantity).toBeLessThan(line.quantity);
  });
  it('the demo return has a printable slip, drawn here on download with no outside call (#14)', async () => {
    const { items } = await get('/api/v1/returns');
    const labels = await get(`/api/v1/returns/${items[0].id}/labels`);
    expect(labels).toHaveLength(1);
    expect(labels[0]).toMatchObject({ provider: 'slip', status: 'ready', rma: 'RMA-DEMO2345', cost: 0 });
    expect((await get('/api/v1/labels/settings')).provider).toBe('slip');
    const pdf = await t.app.inject({ method: 'GET', url: new URL(labels[0].downloadUrl).pathname });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });
});
