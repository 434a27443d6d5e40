import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_CANDIDATES } from '../src/modules/search/search.repository.ts';
import { sql } from '../src/platform/db/db.ts';
import { scaleWorkspaceCounts, seedScale } from '../src/seed/scale-seed.ts';
import { startTestApp, type TestApp } from './harness.ts';

// The benchmark's data generator, checked through the API an agent uses on the seeded workspace.
describe('seed --scale', () => {
  let t: TestApp;
  let headers: { authorization: string };
  const TICKETS = 1500;

  beforeAll(async () => {
    t = await startTestApp();
    const progress: string[] = [];
    const r = await seedScale(t.db, {
      tickets: TICKETS,
      slug: 'scale-test',
      batch: 500,
      onProgress: (p) => progress.push(p.phase),
    });
    expect(r).toMatchObject({
      tickets: TICKETS,
      messages: TICKETS * 3,
      contacts: TICKETS * 0.4,
      orders: TICKETS * 0.4 * 1.5,
    });
    expect(r.password).toBeTruthy();
    expect(progress).toContain('tickets');
    const agent = await t.db.one<{ id: number }>(
      sql`SELECT id FROM agents WHERE workspace_id = ${r.workspaceId} AND role = 'agent' ORDER BY id LIMIT 1`,
    );
    const token = await t.services.agents.createToken(r.workspaceId, agent!.id, 'test');
    headers = { authorization: `Bearer ${token.token}` };
  });
  afterAll(() => t?.stop());

  const get = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('creates consistent tickets: counters, previews and threads agree with the messages', async () => {
    const page = await get('/api/v1/tickets?limit=50');
    expect(page.items).toHaveLength(50);
    const times = page.items.map((x: { lastMessageAt: string }) => Date.parse(x.lastMessageAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const summary of page.items.slice(0, 10)) {
      const detail = await get(`/api/v1/tickets/${summary.id}`);
      expect(detail.messages).toHaveLength(summary.messageCount);
      expect(detail.messages[0].kind).toBe('inbound');
      expect(detail.messages[0].author.type).toBe('contact');
      expect(detail.contact.id).toBeGreaterThan(0);
      const lastVisible = detail.messages.filter((m: { kind: string }) => m.kind !== 'note').at(-1);
      expect(summary.lastMessagePreview).toBe(lastVisible.bodyText.replace(/\s+/g, ' ').trim().slice(0, 200));
      // Placeholders are all filled in.
      for (const m of detail.messages) expect(m.bodyText).not.toMatch(/\{[a-z]+\}/);
    }
  });

  it("shows the customer's orders when a ticket is opened (about 1.5 per customer, with items and shipments)", async () => {
    const page = await get('/api/v1/tickets?status=solved,closed&limit=20');
    let withOrders = 0;
    for (const summary of page.items) {
      const orders = await get(`/api/v1/commerce/tickets/${summary.id}/orders`);
      if (!orders.items.length) continue;
      withOrders++;
      expect(orders.items.length).toBeLessThanOrEqual(2);
      for (const o of orders.items) {
        expect(o.lineItems.length).toBeGreaterThan(0);
        expect(o.total).toBeGreaterThan(0);
      }
    }
    expect(withOrders).toBe(page.items.length);
  });

  it('gives the inbox a realistic mix: mostly solved or closed history, a working set of active tickets', async () => {
    const active = (await get('/api/v1/tickets/count?status=active')).count;
    const done = (await get('/api/v1/tickets/count?status=solved,closed')).count;
    expect(active + done).toBeGreaterThan(0);
    expect(done).toBeGreaterThan(active);
    expect(active).toBeGreaterThan(0);
    const mine = await get('/api/v1/tickets?status=active&assignee=me&limit=50');
    for (const x of mine.items) expect(['new', 'open', 'pending', 'on-hold']).toContain(x.status);
  });

  it('search finds a single order among thousands, and ranks the newest matches for a common word', async () => {
    const one = await t.db.one<{ id: number; order: string }>(sql`
      SELECT id, substring(subject from '#([0-9]+)') AS order FROM tickets
      WHERE subject ~ '#[0-9]+' ORDER BY id DESC LIMIT 1`);
    const exact = await get(`/api/v1/search?q=${one!.order}`);
    expect(exact.tickets.map((x: { ticketId: number }) => x.ticketId)).toContain(one!.id);

    // "the" is in far more messages than search ranks at once: a full page still comes back, highlighted.
    const matching = await t.db.one<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM messages WHERE search @@ websearch_to_tsquery('simple', 'the')`,
    );
    expect(matching!.n).toBeGreaterThan(SEARCH_CANDIDATES);
    const common = await get('/api/v1/search?q=the&limit=20');
    expect(common.tickets).toHaveLength(20);
    for (const hit of common.tickets) expect(hit.highlight.toLowerCase()).toContain('<mark>the</mark>');
  });

  it('resumes: running again with the same size adds nothing, a larger size tops up', async () => {
    const again = await seedScale(t.db, { tickets: TICKETS, slug: 'scale-test' });
    expect(again).toMatchObject({ tickets: TICKETS, messages: TICKETS * 3, password: null });
    const more = await seedScale(t.db, { tickets: TICKETS + 100, slug: 'scale-test' });
    expect(more.tickets).toBe(TICKETS + 100);
    expect((await scaleWorkspaceCounts(t.db, 'scale-test'))!.tickets).toBe(TICKETS + 100);
    await expect(seedScale(t.db, { tickets: 0 })).rejects.toThrow(/positive/);
  });
});
