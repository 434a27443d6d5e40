import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { createInbox, get, settle, startRelay } from './email-helpers.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// A relay that only ever answers "try later": the reply is retried with backoff and, after the last
// attempt, ends as failed with the reason of that last attempt.
let relay: Awaited<ReturnType<typeof startRelay>>;
let t: TestApp;
let ws: TestWorkspace;
let inbox: { id: number; webhookSecret: string };

beforeAll(async () => {
  relay = await startRelay();
  t = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS, EMAIL_SMTP_ENABLED: 'false' });
  ws = await t.workspace('Retry Shop');
  inbox = await createInbox(t, ws, {
    name: 'Support',
    address: 'support@retry-shop.test',
    autoAck: { enabled: false },
    smtp: { host: '127.0.0.1', port: relay.port, secure: false, user: null },
  });
});
afterAll(async () => {
  await t?.stop();
  await relay?.close();
});

describe('a reply the relay keeps deferring', () => {
  it('is retried, then marked failed with the last reason once the attempts run out', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/channels/email/inbound',
      headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${inbox.webhookSecret}` },
      payload:
        'From: Sam <sam@customer.test>\r\nTo: support@retry-shop.test\r\nSubject: Refund\r\nMessage-ID: <retry-1@customer.test>\r\n\r\nWhere is my refund?\r\n',
    });
    expect(res.statusCode).toBe(202);
    await settle(t);
    const ticketId = (await get(t, '/api/v1/tickets?limit=5', ws.agent.headers)).json().items[0].id;
    relay.answerNext({ code: 451, message: '4.3.0 mailbox busy, attempt 1' });
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'Your refund is on its way.' },
    });
    expect(reply.statusCode).toBe(201);
    const message = async () =>
      (await get(t, `/api/v1/tickets/${ticketId}`, ws.agent.headers))
        .json()
        .messages.find((m: { id: number }) => m.id === reply.json().id);
    await settle(t);
    expect(await message()).toMatchObject({ deliveryStatus: 'queued' });
    expect((await message()).deliveryError).toMatch(/attempt 1/);

    // Three attempts instead of eight, and no waiting for the backoff: the job is brought forward.
    await t.db.query(sql`UPDATE jobs SET max_attempts = 3 WHERE name = 'deliver-message'`);
    for (const attempt of [2, 3]) {
      relay.answerNext({ code: 451, message: `4.3.0 mailbox busy, attempt ${attempt}` });
      await t.db.query(
        sql`UPDATE jobs SET run_at = now() WHERE name = 'deliver-message' AND status = 'queued'`,
      );
      await settle(t);
    }
    const failed = await message();
    expect(failed.deliveryStatus).toBe('failed');
    expect(failed.deliveryError).toMatch(/451.*mailbox busy, attempt 3/);
    const job = await t.db.one<{ status: string; attempts: number }>(
      sql`SELECT status, attempts FROM jobs WHERE name = 'deliver-message'`,
    );
    expect(job).toEqual({ status: 'failed', attempts: 3 });
    // Nothing is tried again after the last attempt.
    relay.answerNext(null);
    await t.db.query(sql`UPDATE jobs SET run_at = now() WHERE name = 'deliver-message'`);
    await settle(t);
    expect((await message()).deliveryStatus).toBe('failed');
    expect(relay.received).toHaveLength(0);
  });
});
