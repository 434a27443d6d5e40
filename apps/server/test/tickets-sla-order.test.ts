import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// Inbox lists sort by "SLA due soonest" and filter to "breached", paging with the usual cursor.

let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
const ids: Record<string, number> = {};

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Due Soonest Shop');
  other = await t.workspace('Other Due Shop');
  for (const [priority, minutes] of [
    ['urgent', 30],
    ['high', 120],
    ['normal', 600],
  ] as const) {
    const res = await call('POST', '/api/v1/sla/policies', ws.lead.headers, {
      name: `${priority} first response`,
      // The test backdates a ticket to before the policy: it must count from the ticket's start.
      applyToOpenTickets: true,
      match: { priorities: [priority] },
      targets: { firstResponse: { minutes, business: false } },
    });
    expect(res.statusCode).toBe(201);
  }
  const make = async (w: TestWorkspace, key: string, priority: string) => {
    const res = await call(
      'POST',
      '/api/v1/tickets',
      w.agent.headers,
      ticketBody({ priority, subject: key }),
    );
    expect(res.statusCode).toBe(201);
    ids[key] = res.json().id;
  };
  await make(ws, 'normal', 'normal'); // due in 10 h
  await make(ws, 'no-sla', 'low'); // no policy matches
  await make(ws, 'urgent', 'urgent'); // due in 30 min
  await make(ws, 'high', 'high'); // due in 2 h
  await make(ws, 'late', 'high');
  await make(other, 'elsewhere', 'urgent');
  // "late" came in three hours ago: its 2-hour target has passed. A change makes the SLA re-evaluate it.
  await t.db.query(sql`UPDATE tickets SET created_at = now() - interval '3 hours' WHERE id = ${ids.late}`);
  await t.db.query(
    sql`UPDATE messages SET created_at = now() - interval '3 hours' WHERE ticket_id = ${ids.late}`,
  );
  const tag = await call('PATCH', `/api/v1/tickets/${ids.late}`, ws.agent.headers, { tags: ['touched'] });
  expect(tag.statusCode).toBe(200);
});
afterAll(() => t?.stop());

async function walk(query: string, w = ws) {
  const seen: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const res = await call(
      'GET',
      `/api/v1/tickets?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      w.agent.headers,
    );
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: { id: number }[]; nextCursor: string | null };
    seen.push(...body.items.map((i) => i.id));
    cursor = body.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error('pagination did not end');
}

describe('ticket lists by SLA', () => {
  it('sorts by the target due soonest, breached first, tickets without an SLA last, across pages', async () => {
    expect(await walk('sort=sla_due_asc')).toEqual([
      ids.late,
      ids.urgent,
      ids.high,
      ids.normal,
      ids['no-sla'],
    ]);
  });

  it('filters to breached tickets, within the caller’s workspace only', async () => {
    expect(await walk('sla=breached')).toEqual([ids.late]);
    expect(await walk('sla=breached&sort=sla_due_asc')).toEqual([ids.late]);
    const count = await call('GET', '/api/v1/tickets/count?sla=breached', ws.agent.headers);
    expect(count.json()).toEqual({ count: 1 });
    expect(await walk('sort=sla_due_asc', other)).toEqual([ids.elsewhere]);
    expect(await walk('sla=breached', other)).toEqual([]);
  });

  it('rejects an unknown SLA filter or a forged cursor with 400', async () => {
    expect((await call('GET', '/api/v1/tickets?sla=late', ws.agent.headers)).statusCode).toBe(400);
    const forged = Buffer.from(JSON.stringify([null, 1])).toString('base64url');
    const res = await call('GET', `/api/v1/tickets?sort=created_desc&cursor=${forged}`, ws.agent.headers);
    expect(res.statusCode).toBe(400);
  });

  it('saves the breached filter and the SLA sort in a view', async () => {
    const res = await call('POST', '/api/v1/views', ws.agent.headers, {
      name: 'Breached first',
      filters: { sla: 'breached', sort: 'sla_due_asc' },
    });
    expect(res.statusCode).toBe(201);
    expect(await walk(`view=${res.json().id}`)).toEqual([ids.late]);
  });
});
