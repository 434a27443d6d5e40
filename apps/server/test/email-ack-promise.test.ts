import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp } from './harness.ts';

// What the auto-acknowledgement promises: the median first-response time of the last 30 days once at
// least five email tickets were answered, counting tickets still waiting as at least their age.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' });
});
afterAll(() => t?.stop());

async function shop(name: string) {
  const ws = await t.workspace(name);
  const domain = `${name.toLowerCase().replace(/\W+/g, '-')}.test`;
  // Off while the history is built: the first acknowledgement would otherwise compute (and cache)
  // the promise from an empty history.
  const inbox = await createInbox(t, ws, {
    name: 'Support',
    address: `support@${domain}`,
    autoAck: { enabled: false, body: 'Hello {{contact.name}}. {{expected_response}}' },
  });
  let n = 0;
  const email = async (from: string) => {
    n++;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/channels/email/inbound',
      headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${inbox.webhookSecret}` },
      payload: `From: ${from}\r\nTo: support@${domain}\r\nSubject: Question ${n}\r\nMessage-ID: <ack-${domain}-${n}@customer.test>\r\n\r\nHello?\r\n`,
    });
    expect(res.statusCode).toBe(202);
    await settle(t);
  };
  /** Emails from new senders; then their tickets are given a history (created and answered times). */
  const history = async (count: number, createdHoursAgo: number, answeredAfterHours: number | null) => {
    const from = Array.from({ length: count }, (_, i) => `h${createdHoursAgo}-${i}@customer.test`);
    for (const f of from) await email(f);
    await t.db.query(sql`
      UPDATE tickets SET created_at = now() - make_interval(hours => ${createdHoursAgo}),
        first_response_at = ${
          answeredAfterHours === null
            ? null
            : sql`now() - make_interval(hours => ${createdHoursAgo}) + make_interval(hours => ${answeredAfterHours})`
        }
      WHERE workspace_id = ${ws.workspaceId} AND contact_id IN (
        SELECT contact_id FROM contact_identities WHERE value = ANY(${from}::text[]))`);
  };
  const acknowledge = async () => {
    const on = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/email/inboxes/${inbox.id}`,
      headers: ws.admin.headers,
      payload: { autoAck: { enabled: true } },
    });
    expect(on.statusCode).toBe(200);
    await email('"New Customer" <new@customer.test>');
    const acks = (await get(t, '/api/v1/email/dev-mailbox', ws.agent.headers)).json().items as {
      id: number;
      to: string[];
    }[];
    const ack = acks.find((m) => m.to.includes('new@customer.test'));
    expect(ack).toBeTruthy();
    return (await get(t, `/api/v1/email/outbound/${ack!.id}`, ws.agent.headers)).json().text as string;
  };
  return { ws, history, acknowledge };
}

describe('the expected response time in the auto-acknowledgement', () => {
  it('states the median first response of five answered tickets', async () => {
    const s = await shop('Median Shop');
    await s.history(5, 5, 2);
    expect(await s.acknowledge()).toContain(
      'Hello New Customer. Our team usually replies within about 2 hours.',
    );
  });

  it('with fewer than five answered tickets, uses the shop’s own words', async () => {
    const s = await shop('Young Shop');
    await s.history(4, 5, 2);
    expect(await s.acknowledge()).toContain('We aim to reply within one business day.');
  });

  it('counts tickets still waiting longer than the median as at least their age', async () => {
    const s = await shop('Busy Shop');
    await s.history(5, 5, 2);
    // Six tickets open for 29 hours (and the seconds of this test) without a reply: the honest median is
    // their age, rounded up, no longer two hours.
    await s.history(6, 29, null);
    expect(await s.acknowledge()).toContain('Our team usually replies within about 30 hours.');
  });

  it('leaves out tickets solved without a reply and waiting tickets younger than the median', async () => {
    const s = await shop('Calm Shop');
    await s.history(5, 5, 2);
    await s.history(3, 1, null); // younger than the median: they may yet be answered quickly
    await s.history(6, 40, null);
    await t.db.query(sql`
      UPDATE tickets SET status = 'solved' WHERE workspace_id = ${s.ws.workspaceId} AND first_response_at IS NULL
        AND created_at < now() - interval '39 hours'`);
    expect(await s.acknowledge()).toContain('Our team usually replies within about 2 hours.');
  });
});
