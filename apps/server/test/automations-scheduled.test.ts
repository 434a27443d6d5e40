import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutomationsService } from '../src/modules/automations/index.ts';
import { createSlaService } from '../src/modules/sla/index.ts';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

async function tickets(ws: TestWorkspace, n: number, over: Record<string, unknown> = {}) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await call(
      'POST',
      '/api/v1/tickets',
      ws.agent.headers,
      ticketBody({ subject: `T${i}`, ...over }),
    );
    expect(res.statusCode).toBe(201);
    ids.push(res.json().id);
  }
  return ids;
}

async function scheduled(ws: TestWorkspace, body: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/automations', ws.lead.headers, { kind: 'scheduled', ...body });
  expect(res.statusCode).toBe(201);
  return res.json().id as number;
}

const tagNote = (tag: string) => ({
  name: `Tag ${tag}`,
  conditions: { all: [{ field: 'status', op: 'in', value: ['new', 'open'] }] },
  actions: [{ type: 'add_tags', tags: [tag] }],
});

const tagged = async (ws: TestWorkspace, tag: string) =>
  (
    await t.db.query<{ id: number }>(
      sql`SELECT id FROM tickets WHERE workspace_id = ${ws.workspaceId} AND ${tag} = ANY(tags) ORDER BY id`,
    )
  ).map((r) => r.id);

type Run = { outcome: string; reason: string | null; trigger: string; automationId: number };
const runsOf = async (ws: TestWorkspace, ticketId: number) =>
  (await call('GET', `/api/v1/tickets/${ticketId}/automation-runs`, ws.agent.headers)).json().items as Run[];

describe('scheduled automations', () => {
  it('"run now" runs and counts only the caller’s workspace', async () => {
    const a = await t.workspace('Run now A');
    const b = await t.workspace('Run now B');
    const mineA = await tickets(a, 2);
    const mineB = await tickets(b, 3);
    await scheduled(a, tagNote('seen-a'));
    await scheduled(b, tagNote('seen-b'));

    const res = await call('POST', '/api/v1/automations/run-scheduled', a.admin.headers);
    expect(res.json()).toEqual({ acted: 2, complete: true });
    expect(await tagged(a, 'seen-a')).toEqual(mineA);
    expect(await tagged(b, 'seen-b')).toEqual([]);

    expect((await call('POST', '/api/v1/automations/run-scheduled', b.admin.headers)).json().acted).toBe(3);
    expect(await tagged(b, 'seen-b')).toEqual(mineB);
    expect((await call('POST', '/api/v1/automations/run-scheduled', b.lead.headers)).statusCode).toBe(403);
  });

  it('logs a failed run on the ticket and retries it on the next scan, a bounded number of times', async () => {
    const ws = await t.workspace('Flaky store');
    const [flaky, broken] = await tickets(ws, 2);
    const auto = await scheduled(ws, tagNote('nudged'));
    // The first attempt on every ticket fails, and the second ticket keeps failing.
    const attempts = new Map<number, number>();
    const real = t.services.tickets;
    const svc = createAutomationsService(
      t.deps,
      {
        ...real,
        applySystemChanges: async (...args: Parameters<typeof real.applySystemChanges>) => {
          const id = args[2];
          attempts.set(id, (attempts.get(id) ?? 0) + 1);
          if (id === broken || attempts.get(id) === 1) throw new Error('store unavailable');
          return real.applySystemChanges(...args);
        },
      },
      createSlaService(t.deps),
    );

    expect(await svc.scan({ workspaceId: ws.workspaceId })).toEqual({ acted: 0, complete: true });
    expect(await runsOf(ws, flaky!)).toMatchObject([
      {
        automationId: auto,
        trigger: 'schedule',
        outcome: 'failed',
        reason: 'store unavailable (attempt 1 of 3, retried by the next scan)',
      },
    ]);
    expect((await svc.scan({ workspaceId: ws.workspaceId })).acted).toBe(1);
    expect(await tagged(ws, 'nudged')).toEqual([flaky]);
    expect((await runsOf(ws, flaky!)).map((r) => r.outcome)).toEqual(['applied', 'failed']);

    // The broken one is given up after the third failure; later scans leave it alone.
    for (let i = 0; i < 3; i++) await svc.scan({ workspaceId: ws.workspaceId });
    const log = await runsOf(ws, broken!);
    expect(log.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(log[0]!.reason).toBe('store unavailable (attempt 3 of 3, not retried)');
    expect(attempts.get(broken!)).toBe(3);
  });

  it('pages through every open ticket and resumes where the time budget ran out', async () => {
    const ws = await t.workspace('Big shop');
    const ids = await tickets(ws, 5);
    await scheduled(ws, tagNote('paged'));
    const svc = createAutomationsService(t.deps, t.services.tickets, createSlaService(t.deps));
    // A budget of zero stops after each page of two: three runs cover the five tickets, in id order.
    const run = () => svc.scan({ workspaceId: ws.workspaceId, pageSize: 2, budgetMs: 0 });
    expect(await run()).toEqual({ acted: 2, complete: false });
    expect(await tagged(ws, 'paged')).toEqual(ids.slice(0, 2));
    expect(await run()).toEqual({ acted: 2, complete: false });
    expect(await run()).toEqual({ acted: 1, complete: true });
    expect(await tagged(ws, 'paged')).toEqual(ids);
    // The next pass starts over, and every ticket has had its turn.
    expect(await run()).toEqual({ acted: 0, complete: false });
    const late = await tickets(ws, 1);
    let runs = 0;
    while (!(await run()).complete) expect(++runs).toBeLessThan(10);
    expect(await tagged(ws, 'paged')).toEqual([...ids, ...late]);
  });

  it('counts businessHoursInStatus on the workspace calendar (weekend and holiday excluded)', async () => {
    const ws = await t.workspace('Office hours');
    const cal = await call('PUT', '/api/v1/business-hours', ws.lead.headers, {
      name: 'Office',
      timezone: 'Europe/Berlin',
      weekly: Object.fromEntries(
        ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:00' }]]),
      ),
      holidays: [{ date: '2025-03-10', name: 'Closed Monday' }],
    });
    expect(cal.statusCode).toBe(200);
    const [sinceFriday, sinceTuesday] = await tickets(ws, 2);
    for (const id of [sinceFriday, sinceTuesday])
      await call('PATCH', `/api/v1/tickets/${id}`, ws.agent.headers, { status: 'pending' });
    // Berlin is UTC+1 in early March 2025 (summer time starts on the 30th).
    const pendingSince = async (id: number, at: string) =>
      t.db.query(sql`UPDATE ticket_events SET created_at = ${at}::timestamptz
                     WHERE ticket_id = ${id} AND type = 'status_changed'`);
    await pendingSince(sinceFriday!, '2025-03-07T15:00:00Z'); // Fri 16:00
    await pendingSince(sinceTuesday!, '2025-03-11T08:00:00Z'); // Tue 09:00
    const now = Date.parse('2025-03-12T09:00:00Z'); // Wed 10:00
    // By hand: Friday 16–17 (1 h) + Tuesday 9–17 (8 h) + Wednesday 9–10 (1 h) = 10 h (Monday is the holiday);
    // since Tuesday 09:00 it is 8 h + 1 h = 9 h. In calendar hours both are past a day (114 h and 25 h).
    await scheduled(ws, {
      name: 'Remind after 10 business hours',
      conditions: {
        all: [
          { field: 'status', op: 'is', value: 'pending' },
          { field: 'businessHoursInStatus', op: 'gte', value: 10 },
        ],
      },
      actions: [{ type: 'add_tags', tags: ['reminded'] }],
    });
    await scheduled(ws, {
      name: 'Nine business hours exactly',
      conditions: {
        all: [
          { field: 'businessHoursInStatus', op: 'gte', value: 9 },
          { field: 'businessHoursInStatus', op: 'lt', value: 9.01 },
        ],
      },
      actions: [{ type: 'add_tags', tags: ['nine'] }],
    });
    const svc = createAutomationsService(t.deps, t.services.tickets, createSlaService(t.deps));
    expect((await svc.scan({ workspaceId: ws.workspaceId, now })).acted).toBe(2);
    expect(await tagged(ws, 'reminded')).toEqual([sinceFriday]);
    expect(await tagged(ws, 'nine')).toEqual([sinceTuesday]);
  });
});
