import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { DEMO_ADMIN_EMAIL, DEMO_INBOX_ADDRESS, seedDemo } from '../src/seed/demo-seed.ts';
import { get, sendTo, settle } from './email-helpers.ts';
import { startTestApp, type TestApp } from './harness.ts';

// Email in the demo as shipped: the seeded inbox receives over SMTP, replies land in the dev mailbox,
// and a reply that cannot be sent leaves the ticket's status alone and can be sent again.
let t: TestApp;
let headers: { authorization: string };

beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_PORT: '0', EMAIL_SMTP_HOST: '127.0.0.1' });
  const demo = await seedDemo(t.db, undefined, 'demo-password-123');
  const admin = await t.db.one<{ id: number }>(
    sql`SELECT id FROM agents WHERE workspace_id = ${demo.workspaceId} AND email = ${DEMO_ADMIN_EMAIL}`,
  );
  const tok = await t.services.agents.createToken(demo.workspaceId, admin!.id, 'test');
  headers = { authorization: `Bearer ${tok.token}` };
});
afterAll(async () => {
  await t?.stop();
});

type Msg = {
  id: number;
  deliveryStatus: string;
  deliveryError: string | null;
  channelMeta: { transport?: string };
};
const ticket = async (id: number) =>
  (await get(t, `/api/v1/tickets/${id}`, headers)).json() as { status: string; messages: Msg[] };
const reply = (id: number, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/replies`, headers, payload });
const openEmailTicket = async (skip = 0) =>
  (
    (await get(t, '/api/v1/tickets?status=open&channel=email&limit=20', headers)).json().items as {
      id: number;
    }[]
  )[skip]!.id;

describe('demo email', () => {
  it('mail sent over SMTP to the demo address becomes a ticket (no "550 no such mailbox")', async () => {
    const sent = await sendTo(t.email.smtpPort!, {
      from: 'Nia Newcomer <nia@example.com>',
      to: DEMO_INBOX_ADDRESS,
      subject: 'Trying the demo inbox',
      text: 'Does this arrive?',
    });
    expect(sent.accepted).toEqual([DEMO_INBOX_ADDRESS]);
    await settle(t);
    const found = (await get(t, '/api/v1/tickets?limit=5', headers)).json().items as { subject: string }[];
    expect(found.map((x) => x.subject)).toContain('Trying the demo inbox');
  });

  it('a reply to a demo email ticket is delivered into the dev mailbox', async () => {
    const id = await openEmailTicket();
    const r = await reply(id, { body: 'Your parcel left our warehouse today.' });
    expect(r.statusCode).toBe(201);
    await settle(t);
    const msg = (await ticket(id)).messages.find((m) => m.id === r.json().id)!;
    expect(msg).toMatchObject({ deliveryStatus: 'sent', deliveryError: null });
    expect(msg.channelMeta.transport).toBe('dev');
    const box = (await get(t, '/api/v1/email/dev-mailbox', headers)).json().items as {
      messageId: number | null;
    }[];
    expect(box.some((i) => i.messageId === msg.id)).toBe(true);
  });

  it('a failed send keeps the ticket status (not pending) and the reply can be retried', async () => {
    const inbox = (await get(t, '/api/v1/email/inboxes', headers)).json().items[0] as { id: number };
    const setActive = (active: boolean) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/email/inboxes/${inbox.id}`,
        headers,
        payload: { active },
      });
    expect((await setActive(false)).statusCode).toBe(200);
    const id = await openEmailTicket(1);
    const r = await reply(id, { body: 'Refund is on its way.', status: 'pending' });
    expect(r.statusCode).toBe(201);
    await settle(t);
    let after = await ticket(id);
    expect(after.messages.find((m) => m.id === r.json().id)).toMatchObject({
      deliveryStatus: 'failed',
      deliveryError: 'No email inbox is set up to send from',
    });
    expect(after.status).toBe('open');

    expect((await setActive(true)).statusCode).toBe(200);
    const retry = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${id}/messages/${r.json().id}/retry`,
      headers,
    });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().deliveryStatus).toBe('queued');
    await settle(t);
    after = await ticket(id);
    expect(after.messages.find((m) => m.id === r.json().id)).toMatchObject({ deliveryStatus: 'sent' });
    // Sent already: nothing to retry.
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${id}/messages/${r.json().id}/retry`,
      headers,
    });
    expect(again.statusCode).toBe(409);
  });
});
