import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// The endpoints behind the dashboard's dev mailbox and delivery line: scoped to the workspace and role.
let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let ticketId: number;

beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' });
  ws = await t.workspace('Dev Mail Shop');
  other = await t.workspace('Nosy Shop');
  const inbox = await createInbox(t, ws, { name: 'Support', address: 'support@devmail-shop.test' });
  await createInbox(t, other, { name: 'Support', address: 'support@nosy-shop.test' });
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/channels/email/inbound',
    headers: { authorization: `Bearer ${inbox.webhookSecret}`, 'content-type': 'message/rfc822' },
    payload: Buffer.from(
      'From: Cleo <cleo@customer.test>\r\nTo: support@devmail-shop.test\r\nSubject: Lost parcel\r\n' +
        'Message-ID: <lost-1@customer.test>\r\n\r\nWhere is it?\r\n',
    ),
  });
  expect(res.statusCode).toBe(202);
  await settle(t);
  ticketId = (await get(t, '/api/v1/tickets?limit=5', ws.agent.headers)).json().items[0].id;
});
afterAll(async () => {
  await t?.stop();
});

describe('dev mailbox', () => {
  it('keeps a reply sent with no relay, with headers and a sanitised body, for this workspace only', async () => {
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/replies`,
      headers: ws.agent.headers,
      payload: {
        body: 'Found it, it ships today.',
        html: '<p>Found it, it ships today.</p><script>alert(1)</script><img src="x" onerror="alert(2)">',
      },
    });
    expect(reply.statusCode).toBeLessThan(300);
    await settle(t);

    const msg = (await get(t, `/api/v1/tickets/${ticketId}`, ws.agent.headers))
      .json()
      .messages.find((m: { id: number }) => m.id === reply.json().id);
    expect(msg).toMatchObject({ deliveryStatus: 'sent', deliveryError: null });
    expect(msg.channelMeta.transport).toBe('dev');

    const items = (await get(t, '/api/v1/email/dev-mailbox', ws.agent.headers)).json().items as {
      id: number;
      kind: string;
      messageId: number | null;
      to: string[];
    }[];
    const kept = items.find((i) => i.messageId === msg.id)!;
    expect(kept).toMatchObject({ kind: 'reply', to: ['cleo@customer.test'] });
    expect(items.some((i) => i.kind === 'auto-ack')).toBe(true);

    const detail = (await get(t, `/api/v1/email/outbound/${kept.id}`, ws.agent.headers)).json();
    expect(detail.headers['in-reply-to']).toBe('<lost-1@customer.test>');
    expect(detail.html).toContain('Found it, it ships today.');
    expect(detail.html).not.toMatch(/<script|onerror|alert\(/);
    const raw = await get(t, detail.rawUrl, ws.agent.headers);
    expect(raw.status).toBe(200);
    expect(raw.body.toString()).toContain('Subject: Re: Lost parcel');

    // Another workspace sees none of it, not even by guessing ids.
    const theirs = (await get(t, '/api/v1/email/dev-mailbox', other.admin.headers)).json().items as {
      id: number;
    }[];
    expect(theirs.some((i) => i.id === kept.id)).toBe(false);
    expect((await get(t, `/api/v1/email/outbound/${kept.id}`, other.admin.headers)).status).toBe(404);
    expect((await get(t, `/api/v1/email/outbound/${kept.id}/raw`, other.admin.headers)).status).toBe(404);
    expect((await get(t, `/api/v1/email/messages/${msg.id}/raw`, other.admin.headers)).status).toBe(404);
    // Read-only members may download originals of the tickets they can read, but not browse sent mail.
    expect((await get(t, '/api/v1/email/dev-mailbox', ws.readonly.headers)).status).toBe(403);
    expect((await get(t, `/api/v1/email/messages/${msg.id}/raw`, ws.readonly.headers)).status).toBe(200);
  });

  it('answers a malformed id with 400 and changes nothing', async () => {
    const before = (await get(t, '/api/v1/email/dev-mailbox', ws.agent.headers)).json().items.length;
    expect((await get(t, '/api/v1/email/outbound/abc', ws.agent.headers)).status).toBe(400);
    expect((await get(t, '/api/v1/email/dev-mailbox?limit=0', ws.agent.headers)).status).toBe(400);
    expect((await get(t, '/api/v1/email/dev-mailbox', ws.agent.headers)).json().items.length).toBe(before);
  });
});
