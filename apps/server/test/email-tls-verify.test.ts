import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { createInbox, get, selfSignedCert, settle, startRelay } from './email-helpers.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// A relay whose certificate is self-signed: refused by default with a reason the admin can act on, and
// used once the inbox accepts invalid certificates (the IMAP side: email-imap.test.ts).
let dir: string;
let relay: Awaited<ReturnType<typeof startRelay>>;
let t: TestApp;
let ws: TestWorkspace;
let inbox: { id: number; webhookSecret: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shopdesk-tls-verify-'));
  const { key, cert } = selfSignedCert(dir);
  relay = await startRelay({ tls: { key, cert } });
  t = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS, EMAIL_SMTP_ENABLED: 'false' });
  ws = await t.workspace('Cert Shop');
  inbox = await createInbox(t, ws, {
    name: 'Support',
    address: 'support@cert-shop.test',
    autoAck: { enabled: false },
    smtp: { host: '127.0.0.1', port: relay.port, secure: false, user: null },
  });
});
afterAll(async () => {
  await t?.stop();
  await relay?.close();
  rmSync(dir, { recursive: true, force: true });
});

const inboxNow = async () => (await get(t, `/api/v1/email/inboxes/${inbox.id}`, ws.admin.headers)).json();

describe('TLS certificates of an inbox relay', () => {
  it('refuses a self-signed relay by default, records why on the inbox, and sends once the inbox accepts it', async () => {
    expect((await inboxNow()).acceptInvalidCertificates).toBe(false);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/channels/email/inbound',
      headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${inbox.webhookSecret}` },
      payload:
        'From: Sam <sam@customer.test>\r\nTo: support@cert-shop.test\r\nSubject: Sizes\r\nMessage-ID: <cert-1@customer.test>\r\n\r\nDo you have it in M?\r\n',
    });
    expect(res.statusCode).toBe(202);
    await settle(t);
    const ticketId = (await get(t, '/api/v1/tickets?limit=5', ws.agent.headers)).json().items[0].id;
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'Yes, M is in stock.' },
    });
    expect(reply.statusCode).toBe(201);
    await settle(t);
    const message = async () =>
      (await get(t, `/api/v1/tickets/${ticketId}`, ws.agent.headers))
        .json()
        .messages.find((m: { id: number }) => m.id === reply.json().id);
    const refused = await message();
    expect(refused.deliveryStatus).toBe('queued');
    const why =
      /TLS certificate of the relay 127\.0\.0\.1:\d+ was not accepted \(self[- ]signed certificate\).*Accept self-signed \/ invalid certificates/;
    expect(refused.deliveryError).toMatch(why);
    const recorded = (await inboxNow()).relayLastError;
    expect(recorded.message).toMatch(why);
    expect(relay.received).toHaveLength(0);

    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/email/inboxes/${inbox.id}`,
      headers: ws.admin.headers,
      payload: { acceptInvalidCertificates: true },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().acceptInvalidCertificates).toBe(true);
    // The retry is scheduled with backoff; bring it forward instead of waiting.
    await t.db.query(
      sql`UPDATE jobs SET run_at = now() WHERE name = 'deliver-message' AND status = 'queued'`,
    );
    await settle(t);
    expect((await message()).deliveryStatus).toBe('sent');
    expect(relay.received).toHaveLength(1);
    expect(relay.received[0]!.parsed.text).toContain('Yes, M is in stock.');
    expect((await inboxNow()).relayLastError).toBeNull();
  });

  it('only admins change the setting', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/email/inboxes/${inbox.id}`,
      headers: ws.lead.headers,
      payload: { acceptInvalidCertificates: false },
    });
    expect(res.statusCode).toBe(403);
    expect((await inboxNow()).acceptInvalidCertificates).toBe(true);
  });
});
