import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_WINDOW, searchWindows } from '../src/modules/search/search.repository.ts';
import { sql } from '../src/platform/db/db.ts';
import { seedScale } from '../src/seed/scale-seed.ts';
import { startTestApp, type TestApp } from './harness.ts';

/**
 * Known-item relevance on the benchmark's data: 30 labelled queries, each written the way an agent
 * looks up one conversation (an order number, "order" and the number, the subject as the customer wrote
 * it, a tracking code, the carrier and the tracking code), must each find their ticket in the first 10
 * results. The words of a query must meet in one subject or one message ("order 100004" does not find
 * a ticket whose subject has the number and whose messages say "order": docs/benchmarks.md).
 */
describe('search relevance (30 labelled queries on the scale seed)', () => {
  let t: TestApp;
  let headers: { authorization: string };
  let labelled: { q: string; ticketId: number; kind: string }[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    const r = await seedScale(t.db, { tickets: 3000, slug: 'relevance', batch: 1000 });
    const agent = await t.db.one<{ id: number }>(
      sql`SELECT id FROM agents WHERE workspace_id = ${r.workspaceId} AND role = 'agent' ORDER BY id LIMIT 1`,
    );
    headers = {
      authorization: `Bearer ${(await t.services.agents.createToken(r.workspaceId, agent!.id, 't')).token}`,
    };
    const w = r.workspaceId;
    // Six of each kind, spread over the desk's history (old, middle and new conversations).
    const spread = <T>(rows: T[]) =>
      Array.from({ length: 6 }, (_, i) => rows[Math.floor((i * rows.length) / 6)]!);
    const orders = await t.db.query<{ id: number; subject: string; no: string }>(sql`
      SELECT id, subject, substring(subject from '#([0-9]+)') AS no FROM tickets
      WHERE workspace_id = ${w} AND subject ~ '#[0-9]+' ORDER BY id`);
    const tracking = await t.db.query<{ id: number; code: string }>(sql`
      SELECT DISTINCT ON (ticket_id) ticket_id AS id, substring(body_text from '[A-F0-9]{2}[0-9]{10}') AS code
      FROM messages WHERE workspace_id = ${w} AND body_text ~ '[A-F0-9]{2}[0-9]{10}' ORDER BY ticket_id, id`);
    const carrierTracking = await t.db.query<{ id: number; q: string }>(sql`
      SELECT DISTINCT ON (ticket_id) ticket_id AS id,
        substring(body_text from '([A-Za-z]+) tracking number [A-F0-9]{2}[0-9]{10}') || ' ' ||
        substring(body_text from '[A-F0-9]{2}[0-9]{10}') AS q
      FROM messages WHERE workspace_id = ${w} AND body_text ~ '[A-Za-z]+ tracking number [A-F0-9]{2}[0-9]{10}'
      ORDER BY ticket_id, id`);
    const picked = spread(orders);
    labelled = [
      ...picked.map((o) => ({ q: o.no, ticketId: o.id, kind: 'order number' })),
      ...spread(orders.filter((o) => /\border\b/i.test(o.subject)).slice(1)).map((o) => ({
        q: `order ${o.no}`,
        ticketId: o.id,
        kind: 'order + number',
      })),
      ...spread(orders.slice(2)).map((o) => ({ q: o.subject, ticketId: o.id, kind: 'subject' })),
      ...spread(tracking).map((x) => ({ q: x.code, ticketId: x.id, kind: 'tracking code' })),
      ...spread(carrierTracking).map((x) => ({ q: x.q, ticketId: x.id, kind: 'carrier + tracking' })),
    ];
  }, 120_000);
  afterAll(() => t?.stop());

  it('finds the labelled ticket in the top 10 for every query', async () => {
    expect(labelled).toHaveLength(30);
    const misses: string[] = [];
    for (const l of labelled) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/search?q=${encodeURIComponent(l.q)}&limit=10`,
        headers,
      });
      expect(res.statusCode).toBe(200);
      const ids = res.json().tickets.map((x: { ticketId: number }) => x.ticketId);
      if (!ids.includes(l.ticketId)) misses.push(`${l.kind}: "${l.q}" → ${l.ticketId} not in [${ids}]`);
    }
    expect(misses).toEqual([]);
  });

  it('searches newest first in growing windows that cover every id once', () => {
    expect(searchWindows(100)).toEqual([[null, null]]);
    const max = 3_000_000;
    const w = searchWindows(max);
    expect(w[0]).toEqual([max - SEARCH_WINDOW + 1, null]);
    expect(w.at(-1)![0]).toBeNull();
    for (let i = 1; i < w.length; i++) expect(w[i]![1]).toBe(w[i - 1]![0]! - 1);
    expect(w.length).toBeLessThan(8);
  });
});
