import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Automation Shop');
});
afterAll(() => t?.stop());

const call = (
  node: TestApp,
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => node.app.inject({ method: method as 'GET', url, headers, payload: payload as object });
const api = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  call(t, method, url, headers, payload);

const create = async (body: Record<string, unknown>) => {
  const res = await api('POST', '/api/v1/automations', ws.lead.headers, body);
  expect(res.statusCode).toBe(201);
  return res.json();
};

describe('automations', () => {
  it('rejects bad definitions and changes nothing', async () => {
    const cases = [
      { name: 'x', kind: 'trigger', events: [], actions: [{ type: 'add_tags', tags: ['a'] }] },
      { name: 'x', kind: 'trigger', events: ['ticket.created'], actions: [] },
      {
        name: 'x',
        kind: 'trigger',
        events: ['ticket.created'],
        actions: [{ type: 'webhook', url: 'ftp://x' }],
      },
      { name: 'x', kind: 'scheduled', actions: [{ type: 'set_status', status: 'solved' }] },
      {
        name: 'x',
        kind: 'trigger',
        events: ['ticket.created'],
        actions: [{ type: 'assign_agent', agentId: 999999 }],
      },
    ];
    for (const c of cases)
      expect((await api('POST', '/api/v1/automations', ws.lead.headers, c)).statusCode).toBe(400);
    expect((await api('POST', '/api/v1/automations', ws.agent.headers, cases[0])).statusCode).toBe(403);
    expect((await api('GET', '/api/v1/automations', ws.agent.headers)).json().items).toEqual([]);
  });

  it('runs a trigger with conditions and logs what it did on the ticket', async () => {
    const a = await create({
      name: 'VIP shipping',
      kind: 'trigger',
      events: ['ticket.created'],
      conditions: {
        all: [{ field: 'subject', op: 'contains', value: 'order' }],
        any: [
          { field: 'tags', op: 'includes', value: 'vip' },
          { field: 'priority', op: 'is', value: 'urgent' },
        ],
      },
      actions: [
        { type: 'set_priority', priority: 'high' },
        { type: 'add_tags', tags: ['auto-vip'] },
        { type: 'reply', body: 'Hi {{contact.name}}, we got ticket #{{ticket.id}} and answer VIPs first.' },
        { type: 'notify', to: 'leads', body: 'A VIP wrote in' },
      ],
    });
    const vip = (
      await api('POST', '/api/v1/tickets', ws.agent.headers, ticketBody({ tags: ['vip'] }))
    ).json();
    const plain = (await api('POST', '/api/v1/tickets', ws.agent.headers, ticketBody())).json();
    const got = (await api('GET', `/api/v1/tickets/${vip.id}`, ws.agent.headers)).json();
    expect(got).toMatchObject({ priority: 'high', tags: expect.arrayContaining(['vip', 'auto-vip']) });
    const reply = got.messages.find((m: { kind: string }) => m.kind === 'outbound');
    expect(reply.bodyText).toBe(`Hi Sam Shopper, we got ticket #${vip.id} and answer VIPs first.`);
    expect(reply.author.type).toBe('system');
    const leadNotes = (await api('GET', '/api/v1/notifications', ws.lead.headers)).json();
    expect(JSON.stringify(leadNotes)).toContain(String(vip.id));
    expect((await api('GET', `/api/v1/tickets/${plain.id}`, ws.agent.headers)).json().priority).toBe(
      'normal',
    );

    const log = (await api('GET', `/api/v1/tickets/${vip.id}/automation-runs`, ws.agent.headers)).json()
      .items;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ automationId: a.id, outcome: 'applied', trigger: 'ticket.created' });
    expect(log[0].actions).toEqual([
      'Set priority to high',
      'Added tag auto-vip',
      'Replied to the customer from its template',
      'Notified leads and admins',
    ]);
    // An automated reply is not an agent's first response.
    expect(got.firstResponseAt).toBeNull();
    await api('DELETE', `/api/v1/automations/${a.id}`, ws.lead.headers);
  });

  it('stops a chain that would loop, with the reason in the log', async () => {
    const up = await create({
      name: 'Escalate',
      kind: 'trigger',
      events: ['ticket.updated'],
      conditions: { all: [{ field: 'tags', op: 'includes', value: 'ping' }] },
      actions: [
        { type: 'remove_tags', tags: ['ping'] },
        { type: 'add_tags', tags: ['pong'] },
      ],
    });
    const down = await create({
      name: 'De-escalate',
      kind: 'trigger',
      events: ['ticket.updated'],
      conditions: { all: [{ field: 'tags', op: 'includes', value: 'pong' }] },
      actions: [
        { type: 'remove_tags', tags: ['pong'] },
        { type: 'add_tags', tags: ['ping'] },
      ],
    });
    const tk = (
      await api('POST', '/api/v1/tickets', ws.agent.headers, ticketBody({ subject: 'Loop me' }))
    ).json();
    const res = await api('PATCH', `/api/v1/tickets/${tk.id}`, ws.agent.headers, { addTags: ['ping'] });
    expect(res.statusCode).toBe(200);
    const log = (await api('GET', `/api/v1/tickets/${tk.id}/automation-runs`, ws.agent.headers)).json().items;
    const stopped = log.filter((r: { outcome: string }) => r.outcome === 'loop_stopped');
    expect(stopped).toHaveLength(1);
    expect(stopped[0].reason).toContain(`already acted in this chain (#${up.id} → #${down.id} → #${up.id})`);
    expect(log.filter((r: { outcome: string }) => r.outcome === 'applied')).toHaveLength(2);
    for (const id of [up.id, down.id]) await api('DELETE', `/api/v1/automations/${id}`, ws.lead.headers);
  });

  it('previews a scheduled automation and then acts once per ticket even when scans overlap', async () => {
    const other = await t.workspace('Scheduled Shop');
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await call(
        t,
        'POST',
        '/api/v1/tickets',
        other.agent.headers,
        ticketBody({ subject: `Waiting ${i}` }),
      );
      ids.push(r.json().id);
    }
    for (const id of ids.slice(0, 3))
      await call(t, 'PATCH', `/api/v1/tickets/${id}`, other.agent.headers, { status: 'pending' });
    // Pretend the first two have been pending for four days.
    await t.db.query(sql`
      UPDATE ticket_events SET created_at = now() - interval '4 days'
      WHERE ticket_id = ANY(${ids.slice(0, 2)}::bigint[]) AND type = 'status_changed'`);
    const def = {
      name: 'Remind after 3 days',
      kind: 'scheduled',
      conditions: {
        all: [
          { field: 'status', op: 'is', value: 'pending' },
          { field: 'hoursInStatus', op: 'gte', value: 72 },
        ],
      },
      actions: [{ type: 'reply', body: 'Just checking in on #{{ticket.id}}: do you still need help?' }],
    };
    const preview = await call(t, 'POST', '/api/v1/automations/preview', other.lead.headers, def);
    expect(
      preview
        .json()
        .matches.map((m: { ticketId: number }) => m.ticketId)
        .sort(),
    ).toEqual(ids.slice(0, 2).sort());
    const before = await t.db.query(
      sql`SELECT count(*)::int AS n FROM messages WHERE ticket_id = ANY(${ids}::bigint[])`,
    );

    await call(t, 'POST', '/api/v1/automations', other.lead.headers, def);
    const runs = await Promise.all([
      call(t, 'POST', '/api/v1/automations/run-scheduled', other.admin.headers),
      call(t, 'POST', '/api/v1/automations/run-scheduled', other.admin.headers),
    ]);
    expect(runs.map((r) => r.json().acted).reduce((a, b) => a + b, 0)).toBe(2);
    expect(
      (await call(t, 'POST', '/api/v1/automations/run-scheduled', other.admin.headers)).json().acted,
    ).toBe(0);
    const after = await t.db.query(
      sql`SELECT count(*)::int AS n FROM messages WHERE ticket_id = ANY(${ids}::bigint[])`,
    );
    expect((after[0] as { n: number }).n - (before[0] as { n: number }).n).toBe(2);
  });

  it('raises priority on an angry message and shows the reason to the agent', async () => {
    const tk = (
      await api(
        'POST',
        '/api/v1/tickets',
        ws.agent.headers,
        ticketBody({
          message: { body: 'Third time asking. This is a scam and I will file a chargeback with my bank!' },
        }),
      )
    ).json();
    const got = (await api('GET', `/api/v1/tickets/${tk.id}`, ws.agent.headers)).json();
    expect(got.priority).toBe('urgent');
    expect(got.tags).toContain('urgent-language');
    const note = got.messages.find((m: { kind: string }) => m.kind === 'note');
    expect(note.bodyText).toMatch(/^Urgency urgent \(score \d+\): chargeback \(\+40\)/);
    const scores = (await api('GET', `/api/v1/tickets/${tk.id}/urgency`, ws.agent.headers)).json().items;
    expect(scores[0]).toMatchObject({
      level: 'urgent',
      reasons: expect.arrayContaining([{ phrase: 'chargeback', weight: 40 }]),
    });
    const other = await t.workspace('Nosy Shop');
    expect((await api('GET', `/api/v1/tickets/${tk.id}/urgency`, other.agent.headers)).statusCode).toBe(404);
  });
});
