import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, testDb, ticketBody } from './harness.ts';

/**
 * Domain events are written to an outbox in the transaction that makes the change. A node that dies
 * between its commit and running the reactions (SLA clocks, routing, automations) no longer loses
 * them: the next node to start — or any live node, once the row is old enough — replays them once.
 */
let t: TestApp;
let ws: TestWorkspace;
let second: App | undefined;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Outbox Shop');
  const rule = await t.app.inject({
    method: 'POST',
    url: '/api/v1/automations',
    headers: ws.lead.headers,
    payload: {
      name: 'Tag new tickets',
      kind: 'trigger',
      events: ['ticket.created'],
      actions: [{ type: 'add_tags', tags: ['seen-by-automation'] }],
    },
  });
  expect(rule.statusCode).toBe(201);
});
afterAll(async () => {
  await second?.close();
  await t?.stop();
});

const outboxRows = async () =>
  (await t.db.one<{ n: number }>(sql`SELECT count(*)::int AS n FROM event_outbox`))!.n;

const ticket = async (id: number) =>
  (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${id}`, headers: ws.agent.headers })).json();

const runsOf = async (id: number) =>
  (
    await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets/${id}/automation-runs`,
      headers: ws.agent.headers,
    })
  ).json().items as unknown[];

async function until(what: string, check: () => Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('event outbox', () => {
  it('runs reactions once and leaves nothing behind when the node stays up', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: ws.agent.headers,
      payload: ticketBody(),
    });
    expect(res.statusCode).toBe(201);
    const id = res.json().id;
    expect((await ticket(id)).tags).toContain('seen-by-automation');
    await until('the outbox to be emptied', async () => (await outboxRows()) === 0);
    // Nothing is left for a recovering node to replay.
    expect(await t.bus.recover(0)).toBe(0);
    expect(await runsOf(id)).toHaveLength(1);
  });

  it('replays the reactions of a ticket whose node died right after the commit, exactly once', async () => {
    // The node "dies" after committing: it acknowledges the ticket but never runs its reactions.
    const { publish, publishMany } = t.bus;
    t.bus.publish = async () => {};
    t.bus.publishMany = async () => {};
    let id: number;
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: ws.agent.headers,
        payload: ticketBody({ subject: 'Committed but never published' }),
      });
      expect(res.statusCode).toBe(201);
      id = res.json().id;
    } finally {
      t.bus.publish = publish;
      t.bus.publishMany = publishMany;
    }
    expect((await ticket(id)).tags).not.toContain('seen-by-automation');
    expect(await outboxRows()).toBe(2);

    // Another node starts on the same database. The embedded database has one process by design, so
    // that node replays at start; a PostgreSQL node replays rows older than EVENT_REPLAY_AFTER_SECONDS.
    const config = { ...t.config, EVENT_REPLAY_AFTER_SECONDS: 0.5, RUN_WORKERS: true };
    second = await buildApp(config, testDb === 'pglite' ? { db: t.db, workers: true } : { workers: true });
    await until('the replayed automation', async () =>
      (await ticket(id)).tags.includes('seen-by-automation'),
    );
    await until('the outbox to be emptied', async () => (await outboxRows()) === 0);
    expect(await runsOf(id)).toHaveLength(1);
    expect(await second.bus.recover(0)).toBe(0);
    expect(await runsOf(id)).toHaveLength(1);
  });

  it('notes, mentions, links, contact merges and sign-outs go through the outbox: a crash after commit still runs their reactions', async () => {
    // The previous test's second node replays orphaned rows every 0.5 s: it must not take these.
    await second?.close();
    second = undefined;
    const call = (method: string, url: string, payload?: unknown) =>
      t.app.inject({ method: method as 'GET', url, headers: ws.agent.headers, payload: payload as object });
    const one = (await call('POST', '/api/v1/tickets', ticketBody({ subject: 'Note me' }))).json().id;
    const two = (await call('POST', '/api/v1/tickets', ticketBody({ subject: 'Link me' }))).json().id;
    const a = (await call('POST', '/api/v1/contacts', { email: 'outbox-a@example.com' })).json().id;
    const b = (await call('POST', '/api/v1/contacts', { email: 'outbox-b@example.com' })).json().id;
    await until('the outbox to be emptied', async () => (await outboxRows()) === 0);

    // The node "dies" after each commit: nothing is published.
    const { publish, publishMany } = t.bus;
    t.bus.publish = async () => {};
    t.bus.publishMany = async () => {};
    try {
      expect(
        (
          await call('POST', `/api/v1/tickets/${one}/notes`, {
            body: 'Please look',
            mentions: [ws.lead.agentId],
          })
        ).statusCode,
      ).toBe(201);
      expect((await call('POST', `/api/v1/tickets/${one}/links`, { ticketId: two })).statusCode).toBeLessThan(
        300,
      );
      expect((await call('POST', '/api/v1/contacts/merge', { sourceId: a, targetId: b })).statusCode).toBe(
        200,
      );
      const session = await t.login(ws.lead);
      const out = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        cookies: { sd_session: session.cookie },
        headers: { 'x-csrf-token': session.csrf },
      });
      expect(out.statusCode).toBeLessThan(300);
    } finally {
      t.bus.publish = publish;
      t.bus.publishMany = publishMany;
    }
    const pending = await t.db.query<{ name: string }>(
      sql`SELECT event->>'name' AS name FROM event_outbox ORDER BY id`,
    );
    const names = [
      'message.created',
      'agent.mentioned',
      'ticket.updated',
      'contact.merged',
      'agent.signed_out',
    ];
    expect(pending.map((r) => r.name)).toEqual(names);
    const replayed: string[] = [];
    for (const name of names) t.bus.on(name, (e) => void replayed.push(e.name));
    expect(await t.bus.recover(0)).toBe(5);
    expect(replayed).toEqual(names);
    await until('the outbox to be emptied', async () => (await outboxRows()) === 0);
  });

  it('a recovery with no orphan age neither replays nor spins on the events this node is still publishing', async () => {
    // A listener that holds the ticket's reactions: its outbox row stays this node's publication.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inListener = new Promise<void>((r) => (entered = r));
    let hold = true;
    t.bus.on('ticket.created', async () => {
      if (!hold) return;
      hold = false;
      entered();
      await held;
    });
    const created = t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: ws.agent.headers,
      payload: ticketBody(),
    });
    await inListener;
    const before = await t.db.query<{ id: number; attempts: number }>(
      sql`SELECT id, attempts FROM event_outbox ORDER BY id`,
    );
    expect(before.length).toBeGreaterThan(0);
    // Returns at once with nothing replayed, and the rows were not claimed again and again.
    expect(await t.bus.recover(0)).toBe(0);
    const after = await t.db.query<{ id: number; attempts: number }>(
      sql`SELECT id, attempts FROM event_outbox ORDER BY id`,
    );
    expect(after).toEqual(before);
    release();
    expect((await created).statusCode).toBe(201);
    await until('the outbox to be emptied', async () => (await outboxRows()) === 0);
  });
});
