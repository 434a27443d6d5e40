import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// The server-wide body limit and the email size limit, both lowered so the test stays small: the
// webhook must take every email SMTP would (up to EMAIL_MAX_BYTES), not only what fits BODY_LIMIT_BYTES.
const BODY_LIMIT = 100_000;
const EMAIL_MAX = 300_000;

let t: TestApp;
let ws: TestWorkspace;
let inbox: { id: number; webhookSecret: string };

beforeAll(async () => {
  t = await startTestApp({
    EMAIL_SMTP_ENABLED: 'false',
    BODY_LIMIT_BYTES: String(BODY_LIMIT),
    EMAIL_MAX_BYTES: String(EMAIL_MAX),
  });
  ws = await t.workspace('Hook Shop');
  inbox = await createInbox(t, ws, { name: 'Support', address: 'support@hook-shop.test' });
});
afterAll(() => t?.stop());

/** An email with a base64 attachment making it about `size` bytes. */
function bigEmail(id: string, size: number) {
  const lines = Math.ceil(size / 78);
  const b64 = Array.from(
    { length: lines },
    () => 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx',
  ).join('\r\n');
  return [
    'From: Big Sender <big@customer.test>',
    'To: support@hook-shop.test',
    `Subject: Photos of the damage ${id}`,
    `Message-ID: <${id}@customer.test>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="XX"',
    '',
    '--XX',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The photos are attached.',
    '--XX',
    'Content-Type: application/octet-stream; name="photos.bin"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="photos.bin"',
    '',
    b64,
    '--XX--',
    '',
  ].join('\r\n');
}

const post = (payload: string, headers: Record<string, string>, url = '/api/v1/channels/email/inbound') =>
  t.app.inject({ method: 'POST', url, headers: { 'content-type': 'message/rfc822', ...headers }, payload });

describe('raw MIME webhook limits and authentication', () => {
  it('takes an email larger than the server-wide body limit but within EMAIL_MAX_BYTES', async () => {
    const mail = bigEmail('big-1', 200_000);
    expect(mail.length).toBeGreaterThan(BODY_LIMIT);
    expect(mail.length).toBeLessThan(EMAIL_MAX);
    const res = await post(mail, { authorization: `Bearer ${inbox.webhookSecret}` });
    expect(res.statusCode).toBe(202);
    await settle(t);
    const log = (await get(t, '/api/v1/email/inbound?limit=10', ws.lead.headers)).json().items;
    const item = log.find((x: { inboundEventId: number }) => x.inboundEventId === res.json().inboundEventId);
    expect(item.outcome).toBe('ticket');
    const ticket = (await get(t, `/api/v1/tickets/${item.ticketId}`, ws.agent.headers)).json();
    expect(ticket.subject).toBe('Photos of the damage big-1');
    expect(ticket.messages[0].attachments).toHaveLength(1);
  });

  it('refuses an email above EMAIL_MAX_BYTES with 413 and stores nothing', async () => {
    const res = await post(bigEmail('big-2', 400_000), { authorization: `Bearer ${inbox.webhookSecret}` });
    expect(res.statusCode).toBe(413);
    const log = (await get(t, '/api/v1/email/inbound?limit=10', ws.lead.headers)).json();
    expect(log.items.some((x: { subject: string }) => x.subject.endsWith('big-2'))).toBe(false);
    expect(log.pending).toBe(0);
  });

  it('keeps other routes at the server-wide body limit', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { ...ws.agent.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({
        subject: 'Huge',
        contact: { email: 'x@customer.test' },
        message: { body: 'x'.repeat(BODY_LIMIT + 10) },
      }),
    });
    expect(res.statusCode).toBe(413);
  });

  it('accepts the secret only in the Authorization header, never in the query string', async () => {
    const mail = bigEmail('small-1', 100);
    const inQuery = await post(mail, {}, `/api/v1/channels/email/inbound?secret=${inbox.webhookSecret}`);
    expect(inQuery.statusCode).toBe(401);
    expect(inQuery.json().error.message).toMatch(/Authorization: Bearer/);
    const inHeader = await post(mail, { authorization: `Bearer ${inbox.webhookSecret}` });
    expect(inHeader.statusCode).toBe(202);
  });
});
