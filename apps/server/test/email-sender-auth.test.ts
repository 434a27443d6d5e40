import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, dnsStub, get, settle, smtpClient } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

/**
 * Sender verification with real SPF evaluation, real DKIM signatures made here and DMARC policies, all
 * answered by a local DNS stub (mailauth's `resolver` hook). A forged From must not thread by [#id],
 * add followers (who would get every later reply) or pass unnoticed by the agent.
 */
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const dkimTxt = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;

const DNS: Record<string, string[][]> = {
  // The customer's mail server is 127.0.0.1 (the test's SMTP client); DMARC rejects anything else.
  'TXT:shop-customer.test': [['v=spf1 ip4:127.0.0.1 -all']],
  'TXT:_dmarc.shop-customer.test': [['v=DMARC1; p=reject']],
  // A domain whose mail only comes from elsewhere: a message from 127.0.0.1 fails SPF and DMARC.
  'TXT:elsewhere-customer.test': [['v=spf1 ip4:192.0.2.10 -all']],
  'TXT:_dmarc.elsewhere-customer.test': [['v=DMARC1; p=reject']],
  // DKIM-signing domain (no SPF): authenticated by its signature alone.
  'TXT:sel1._domainkey.signed-customer.test': [[dkimTxt]],
  'TXT:_dmarc.signed-customer.test': [['v=DMARC1; p=quarantine']],
};
const stub = dnsStub(DNS);

let t: TestApp;
let ws: TestWorkspace;
let port: number;
let inbox: { id: number; webhookSecret: string };

beforeAll(async () => {
  t = await startTestApp({
    EMAIL_SMTP_PORT: '0',
    EMAIL_SMTP_HOST: '127.0.0.1',
    EMAIL_TRUSTED_AUTHSERV_IDS: 'mx.trusted-provider.test',
  });
  t.email.service.useDnsResolver(stub);
  port = t.email.smtpPort!;
  ws = await t.workspace('Auth Shop');
  inbox = await createInbox(t, ws, { name: 'Support', address: 'support@auth-shop.test' });
});
afterAll(() => t?.stop());

const crlf = (...l: string[]) => l.join('\r\n');
let seq = 0;
function mail(o: { from: string; cc?: string; subject: string; body: string; extra?: string[] }) {
  return crlf(
    `From: ${o.from}`,
    'To: support@auth-shop.test',
    ...(o.cc ? [`Cc: ${o.cc}`] : []),
    `Subject: ${o.subject}`,
    `Message-ID: <auth-${++seq}-${Date.now()}@sender.test>`,
    'Date: Mon, 1 Dec 2025 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(o.extra ?? []),
    '',
    o.body,
    '',
  );
}
async function signed(raw: string, domain = 'signed-customer.test') {
  const key = { signingDomain: domain, selector: 'sel1', privateKey: pem };
  // mailauth reads signatureData; its typings also want the single-key fields.
  const r = await dkimSign(raw, { ...key, signatureData: [key] });
  expect(r.errors).toEqual([]);
  return r.signatures + raw;
}

type LogItem = {
  inboundEventId: number;
  outcome: string;
  ticketId: number;
  messageId: number;
  senderAuth: string;
};
const log = async () =>
  (await get(t, '/api/v1/email/inbound?limit=200', ws.lead.headers)).json().items as LogItem[];
const ticket = async (id: number) => (await get(t, `/api/v1/tickets/${id}`, ws.agent.headers)).json();

async function smtp(raw: string, mailFrom: string) {
  const c = smtpClient(port);
  try {
    const before = new Set((await log()).map((x) => x.inboundEventId));
    const info = await c.sendMail({ envelope: { from: mailFrom, to: ['support@auth-shop.test'] }, raw });
    expect(info.response).toMatch(/^250/);
    await settle(t);
    return (await log()).find((x) => !before.has(x.inboundEventId))!;
  } finally {
    c.close();
  }
}
async function webhook(raw: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/channels/email/inbound',
    headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${inbox.webhookSecret}` },
    payload: raw,
  });
  expect(res.statusCode).toBe(202);
  await settle(t);
  return (await log()).find((x) => x.inboundEventId === res.json().inboundEventId)!;
}
const messageOf = async (item: LogItem) =>
  (await ticket(item.ticketId)).messages.find((m: { id: number }) => m.id === item.messageId);

describe('SPF through the built-in SMTP server', () => {
  let customerTicket: number;

  it('passes mail from the domain’s own server: it threads by [#id] and adds its Cc as follower', async () => {
    const first = await smtp(
      mail({ from: 'Kim <kim@shop-customer.test>', subject: 'Size exchange', body: 'Can I swap to M?' }),
      'kim@shop-customer.test',
    );
    expect(first).toMatchObject({ outcome: 'ticket', senderAuth: 'pass' });
    customerTicket = first.ticketId;
    const m = await messageOf(first);
    expect(m.channelMeta.senderAuth).toMatchObject({
      verdict: 'pass',
      spf: 'pass',
      dmarc: 'pass',
      method: 'smtp',
    });

    const again = await smtp(
      mail({
        from: 'kim@shop-customer.test',
        cc: 'partner@shop-customer.test',
        subject: `About [#${customerTicket}]`,
        body: 'My partner will pick it up.',
      }),
      'kim@shop-customer.test',
    );
    expect(again).toMatchObject({ outcome: 'threaded', ticketId: customerTicket, senderAuth: 'pass' });
    expect((await ticket(customerTicket)).followers).toEqual(['partner@shop-customer.test']);
  });

  it('a forged From (SPF and DMARC fail) neither threads by [#id] nor adds its Cc, and the agent is warned', async () => {
    // Lee's real mail arrives through Lee's provider (verified there, trusted here).
    const real = await webhook(
      mail({ from: 'Lee <lee@elsewhere-customer.test>', subject: 'Order 77', body: 'Where is it?' }).replace(
        /^/,
        'Authentication-Results: mx.trusted-provider.test; spf=pass; dmarc=pass header.from=elsewhere-customer.test\r\n',
      ),
    );
    expect(real).toMatchObject({ outcome: 'ticket', senderAuth: 'pass' });
    // Someone else writes "as Lee" from 127.0.0.1, which Lee's domain does not allow.
    const forged = await smtp(
      mail({
        from: 'Lee <lee@elsewhere-customer.test>',
        cc: 'attacker@evil.test',
        subject: `Re: Order 77 [#${real.ticketId}]`,
        body: 'Please send all updates to my colleague too.',
      }),
      'lee@elsewhere-customer.test',
    );
    expect(forged.senderAuth).toBe('fail');
    expect(forged.outcome).toBe('ticket');
    expect(forged.ticketId).not.toBe(real.ticketId);
    expect((await ticket(real.ticketId)).followers).toEqual([]);
    const f = await ticket(forged.ticketId);
    expect(f.followers).toEqual([]);
    const fm = f.messages[0];
    expect(fm.channelMeta.senderAuth).toMatchObject({
      verdict: 'fail',
      spf: 'fail',
      dmarc: 'fail',
      claimsKnownCustomer: true,
    });
    expect(fm.channelMeta.ccNotAdded).toEqual(['attacker@evil.test']);
  });

  it('warns when unverified mail claims a known customer', async () => {
    // Max is a known customer (an agent added him); mail "from Max" out of 127.0.0.1 fails SPF.
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: ws.agent.headers,
      payload: { name: 'Max', email: 'max@elsewhere-customer.test' },
    });
    expect(res.statusCode).toBeLessThan(300);
    const forged = await smtp(
      mail({
        from: 'Max <max@elsewhere-customer.test>',
        subject: 'Refund to new card',
        body: 'Use this card.',
      }),
      'max@elsewhere-customer.test',
    );
    const m = await messageOf(forged);
    expect(m.channelMeta.senderAuth).toMatchObject({ verdict: 'fail', claimsKnownCustomer: true });
    const stranger = await smtp(
      mail({ from: 'nobody@elsewhere-customer.test', subject: 'Hello', body: 'Hi' }),
      'nobody@elsewhere-customer.test',
    );
    expect((await messageOf(stranger)).channelMeta.senderAuth.claimsKnownCustomer).toBe(false);
  });

  it('unverified mail (no records at all) threads by [#id] no more, and agent replies are not copied to its Cc', async () => {
    const own = await smtp(
      mail({ from: 'ola@plain-customer.test', subject: 'Broken lamp', body: 'It flickers.' }),
      'ola@plain-customer.test',
    );
    expect(own.senderAuth).toBe('none');
    const spoof = await smtp(
      mail({
        from: 'ola@plain-customer.test',
        cc: 'eve@evil.test',
        subject: `Re: Broken lamp [#${own.ticketId}]`,
        body: 'cc my friend',
      }),
      'ola@plain-customer.test',
    );
    expect(spoof.ticketId).not.toBe(own.ticketId);
    // Even threaded by a real reference, unverified mail adds nobody.
    const ref = (await messageOf(own)).channelMeta.messageIdHeader as string;
    const threaded = await smtp(
      mail({
        from: 'ola@plain-customer.test',
        cc: 'eve@evil.test',
        subject: 'Re: Broken lamp',
        body: 'still flickers',
        extra: [`In-Reply-To: ${ref}`],
      }),
      'ola@plain-customer.test',
    );
    expect(threaded).toMatchObject({ outcome: 'threaded', ticketId: own.ticketId });
    expect((await ticket(own.ticketId)).followers).toEqual([]);
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${own.ticketId}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'A new lamp is on its way.' },
    });
    expect(reply.statusCode).toBeLessThan(300);
    await settle(t);
    const dev = (await get(t, '/api/v1/email/dev-mailbox', ws.agent.headers)).json().items as {
      id: number;
      ticketId: number;
      kind: string;
      to: string[];
    }[];
    const sent = dev.find((x) => x.ticketId === own.ticketId && x.kind === 'reply')!;
    expect(sent.to).toEqual(['ola@plain-customer.test']);
    const detail = (await get(t, `/api/v1/email/outbound/${sent.id}`, ws.agent.headers)).json();
    expect(detail.headers.cc ?? '').not.toContain('eve@evil.test');
  });
});

describe('DKIM and DMARC without an SMTP session (webhook, IMAP)', () => {
  it('a valid signature of the From domain passes; a tampered one fails DMARC', async () => {
    const raw = await signed(
      mail({ from: 'rui@signed-customer.test', subject: 'Invoice', body: 'Please resend.' }),
    );
    const ok = await webhook(raw);
    expect(ok.senderAuth).toBe('pass');
    expect((await messageOf(ok)).channelMeta.senderAuth).toMatchObject({
      dkim: 'pass',
      dmarc: 'pass',
      spf: 'skipped',
      method: 'dkim-only',
    });
    const tampered = await webhook(
      raw
        .replace('Please resend.', 'Refund to IBAN XY00 1234.')
        .replace(/Message-ID: <[^>]+>/, 'Message-ID: <tampered@x.test>'),
    );
    expect(tampered.senderAuth).toBe('fail');
    // A body that no longer matches its signature: mailauth reports the signature neutral (body hash).
    const auth = (await messageOf(tampered)).channelMeta.senderAuth;
    expect(auth.dkim).not.toBe('pass');
    expect(auth.dmarc).toBe('fail');
  });

  it('a signature by another domain does not authenticate the From domain', async () => {
    const raw = await signed(
      mail({ from: 'kim@shop-customer.test', subject: 'Other signer', body: 'hello' }),
      'signed-customer.test',
    );
    const r = await webhook(raw);
    // shop-customer.test publishes p=reject and nothing aligned passes (no SPF without a session).
    expect(r.senderAuth).toBe('fail');
  });

  it('trusts the Authentication-Results of a configured provider only', async () => {
    const trusted = await webhook(
      mail({
        from: 'ada@unsigned-customer.test',
        subject: 'Via provider',
        body: 'hi',
        extra: [
          'Authentication-Results: mx.trusted-provider.test; spf=pass smtp.mailfrom=unsigned-customer.test; dmarc=pass header.from=unsigned-customer.test',
        ],
      }).replace(
        /^/,
        'Authentication-Results: mx.trusted-provider.test; dmarc=pass header.from=unsigned-customer.test\r\n',
      ),
    );
    expect(trusted.senderAuth).toBe('pass');
    expect((await messageOf(trusted)).channelMeta.senderAuth.method).toBe('header');
    const forged = await webhook(
      mail({ from: 'ada@unsigned-customer.test', subject: 'Forged header', body: 'hi' }).replace(
        /^/,
        'Authentication-Results: mx.some-other.test; dmarc=pass header.from=unsigned-customer.test\r\n',
      ),
    );
    expect(forged.senderAuth).toBe('none');
  });
});
