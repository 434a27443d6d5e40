import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// A client that retries after a timeout must not create a second ticket (#27 item 7).
let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Idempotent Shop');
});
afterAll(() => t?.stop());

const create = (
  key: string | undefined,
  body: unknown = ticketBody(),
  headers: Record<string, string> = ws.agent.headers,
) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) },
    payload: body as object,
  });
const ticketsOf = async (email: string) =>
  (
    await t.db.query<{ id: number }>(sql`
    SELECT t.id FROM tickets t JOIN contacts c ON c.id = t.contact_id
    WHERE t.workspace_id = ${ws.workspaceId} AND c.email = ${email}`)
  ).map((r) => r.id);

describe('Idempotency-Key on creating routes', () => {
  it('answers a retry with the first response and creates nothing new', async () => {
    const body = ticketBody({ contact: { email: 'retry@example.com' } });
    const first = await create('order-1042-a', body);
    expect(first.statusCode).toBe(201);
    const again = await create('order-1042-a', body);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect(await ticketsOf('retry@example.com')).toEqual([first.json().id]);
    // Without a key, or with a new one, a request creates as before.
    expect((await create('order-1042-b', body)).json().id).not.toBe(first.json().id);
    expect(await ticketsOf('retry@example.com')).toHaveLength(2);
  });

  it('refuses the same key with a different body with a 422 that says so', async () => {
    expect((await create('reused-key', ticketBody({ subject: 'One' }))).statusCode).toBe(201);
    const other = await create('reused-key', ticketBody({ subject: 'Two' }));
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe('idempotency_key_reused');
    expect(other.json().error.message).toContain('different request');
  });

  it('keeps keys apart per caller: another agent’s same key creates its own ticket', async () => {
    const body = ticketBody({ contact: { email: 'two-callers@example.com' } });
    const a = await create('shared-key', body, ws.agent.headers);
    const b = await create('shared-key', body, ws.admin.headers);
    expect(b.statusCode).toBe(201);
    expect(b.json().id).not.toBe(a.json().id);
  });

  it('creates one ticket when two requests with the same key arrive at once', async () => {
    const body = ticketBody({ contact: { email: 'at-once@example.com' } });
    const [a, b, c] = await Promise.all([
      create('at-once', body),
      create('at-once', body),
      create('at-once', body),
    ]);
    expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([201, 201, 201]);
    expect(new Set([a.json().id, b.json().id, c.json().id]).size).toBe(1);
    expect(await ticketsOf('at-once@example.com')).toHaveLength(1);
  });

  it('lets a retry try again after a failed request, and forgets keys after 24 hours', async () => {
    const bad = ticketBody({ contact: { email: 'later@example.com' }, assigneeId: 999_999 });
    expect((await create('after-failure', bad)).statusCode).toBe(400);
    const good = ticketBody({ contact: { email: 'later@example.com' } });
    expect((await create('after-failure', good)).statusCode).toBe(201);

    await t.db.query(
      sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'after-failure'`,
    );
    const afterExpiry = await create('after-failure', good);
    expect(afterExpiry.statusCode).toBe(201);
    expect(afterExpiry.headers['idempotent-replayed']).toBeUndefined();
    expect(await ticketsOf('later@example.com')).toHaveLength(2);
  });

  it('after a crash between commit and answer, the retry gets the ticket that was created', async () => {
    const body = ticketBody({ contact: { email: 'crash@example.com' } });
    const first = await create('crashed-request', body);
    // What a kill -9 after the commit leaves behind: the ticket, and a claim that never completed.
    await t.db.query(sql`
      UPDATE idempotency_keys SET status = 'pending', response_status = NULL, response_body = NULL,
        claimed_at = now() - interval '1 minute'
      WHERE key = 'crashed-request'`);
    const retry = await create('crashed-request', body);
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).toBe(first.json().id);
    expect(await ticketsOf('crash@example.com')).toHaveLength(1);
  });

  it('replays replies too, and refuses a key that is not visible ASCII', async () => {
    const ticket = (await create(undefined, ticketBody({ contact: { email: 'reply@example.com' } }))).json();
    const reply = () =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/tickets/${ticket.id}/replies`,
        headers: { ...ws.agent.headers, 'idempotency-key': 'reply-1' },
        payload: { body: 'Your parcel is on its way.' },
      });
    const a = await reply();
    const b = await reply();
    expect(a.statusCode).toBe(b.statusCode);
    expect(b.json().id).toBe(a.json().id);
    const detail = (
      await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.id}`, headers: ws.agent.headers })
    ).json();
    expect(detail.messages.filter((m: { kind: string }) => m.kind === 'outbound')).toHaveLength(1);

    const bad = await create('with space', ticketBody());
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('Idempotency-Key');
  });

  it('is documented in the OpenAPI document', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const op = spec.paths['/api/v1/tickets'].post;
    expect(op.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    expect(op.responses['422']).toBeDefined();
  });
});
