import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, customerDns, get, sendTo, settle, startRelay } from './email-helpers.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let relay: Awaited<ReturnType<typeof startRelay>>;
let port: number;
let inbox: { id: number; address: string };

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR42mP8z8DwnwEIGBkZGRgYGAAkGgQAf1n7XwAAAABJRU5ErkJggg==',
  'base64',
);

beforeAll(async () => {
  relay = await startRelay();
  t = await startTestApp({
    OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
    EMAIL_SMTP_PORT: '0',
    EMAIL_SMTP_HOST: '127.0.0.1',
    EMAIL_MAX_BYTES: '200000',
  });
  port = t.email.smtpPort!;
  // The customers' domain allows the test's SMTP client: their mail is verified, as a real customer's is.
  t.email.service.useDnsResolver(customerDns);
  ws = await t.workspace('Mail Shop');
  other = await t.workspace('Other Shop');
  inbox = await createInbox(t, ws, {
    name: 'Support',
    address: 'support@mail-shop.test',
    fromName: 'Mail Shop',
    signature: 'The Mail Shop team',
    aliases: ['help@mail-shop.test'],
  });
  await createInbox(t, other, { name: 'Other', address: 'care@other-shop.test' });
});
afterAll(async () => {
  await t?.stop();
  await relay?.close();
});

const ticketsOf = async (w: TestWorkspace) =>
  (await get(t, '/api/v1/tickets?limit=100&sort=created_asc', w.agent.headers)).json().items as {
    id: number;
    subject: string;
    status: string;
    contact: { email: string };
  }[];
const ticket = async (id: number) => (await get(t, `/api/v1/tickets/${id}`, ws.agent.headers)).json();
const inboundLog = async () =>
  (await get(t, '/api/v1/email/inbound?limit=200', ws.lead.headers)).json().items;

describe('inbound SMTP', () => {
  it('turns a customer email with HTML, an inline image and an attachment into a ticket', async () => {
    const info = await sendTo(port, {
      from: '"Ada Lovelace" <ada@customer.test>',
      to: 'support@mail-shop.test',
      cc: 'bob@customer.test',
      subject: 'Where is my order #1042?',
      text: 'Hello, my order has not arrived.',
      html: '<p>Hello, my order has <b>not</b> arrived.</p><img src="cid:logo@ada"><script>alert(1)</script>',
      attachments: [
        { filename: 'receipt.pdf', content: Buffer.from('%PDF-1.4 fake'), contentType: 'application/pdf' },
        { filename: 'logo.png', content: PNG, cid: 'logo@ada' },
      ],
    });
    expect(info.accepted).toEqual(['support@mail-shop.test']);
    expect(info.response).toMatch(/^250/);
    await settle(t);

    const list = await ticketsOf(ws);
    const mine = list.find((x) => x.subject === 'Where is my order #1042?')!;
    expect(mine).toBeTruthy();
    expect(mine.contact.email).toBe('ada@customer.test');
    const d = await ticket(mine.id);
    expect(d.channel).toBe('email');
    const m = d.messages[0];
    expect(m.bodyText).toContain('has not arrived');
    expect(m.bodyHtml).toContain('<b>not</b>');
    expect(m.bodyHtml).not.toContain('<script');
    expect(m.bodyHtml).toMatch(/src="\/api\/v1\/email\/inline\/[0-9a-f]{64}"/);
    expect(m.attachments.map((a: { filename: string }) => a.filename).sort()).toEqual([
      'logo.png',
      'receipt.pdf',
    ]);
    expect(d.followers).toEqual(['bob@customer.test']);

    // The inline image is served from our copy, to this workspace only.
    const src = /src="([^"]+)"/.exec(m.bodyHtml)![1]!;
    const img = await get(t, src, ws.readonly.headers);
    expect(img.status).toBe(200);
    expect(Buffer.compare(img.body, PNG)).toBe(0);
    expect((await get(t, src, other.agent.headers)).status).toBe(404);

    // The original is downloadable byte for byte.
    const eml = await get(t, `/api/v1/email/messages/${m.id}/raw`, ws.readonly.headers);
    expect(eml.status).toBe(200);
    expect(eml.body.toString()).toContain('Subject: Where is my order #1042?');
    expect((await get(t, `/api/v1/email/messages/${m.id}/raw`, other.admin.headers)).status).toBe(404);

    // No relay is configured: the auto-acknowledgement went to the dev mailbox, marked automatic.
    const dev = (await get(t, '/api/v1/email/dev-mailbox', ws.agent.headers)).json().items;
    const ack = dev.find(
      (x: { ticketId: number; kind: string }) => x.ticketId === mine.id && x.kind === 'auto-ack',
    );
    expect(ack).toBeTruthy();
    expect(ack.to).toEqual(['ada@customer.test']);
    const detail = (await get(t, `/api/v1/email/outbound/${ack.id}`, ws.agent.headers)).json();
    expect(detail.headers['auto-submitted']).toBe('auto-replied');
    expect(detail.headers['in-reply-to']).toBe(info.messageId);
    expect(detail.subject).toContain(`[#${mine.id}]`);
    expect(detail.text).toContain(`ticket #${mine.id}`);
    expect(detail.text).toMatch(/We aim to reply within one business day\./);
  });

  it('rejects unknown recipients with 550 and stores nothing', async () => {
    const before = (await inboundLog()).length;
    await expect(
      sendTo(port, { from: 'x@customer.test', to: 'nobody@mail-shop.test', subject: 'hi', text: 'hi' }),
    ).rejects.toMatchObject({ responseCode: 550 });
    await settle(t);
    expect((await inboundLog()).length).toBe(before);
  });

  it('accepts +tag sub-addresses and aliases', async () => {
    await sendTo(port, {
      from: 'tag@customer.test',
      to: 'support+returns@mail-shop.test',
      subject: 'Tagged',
      text: 'x',
    });
    await sendTo(port, {
      from: 'alias@customer.test',
      to: 'HELP@mail-shop.test',
      subject: 'Alias',
      text: 'x',
    });
    await settle(t);
    const subjects = (await ticketsOf(ws)).map((x) => x.subject);
    expect(subjects).toEqual(expect.arrayContaining(['Tagged', 'Alias']));
  });

  it('answers 552 above the size limit', async () => {
    await expect(
      sendTo(port, {
        from: 'big@customer.test',
        to: 'support@mail-shop.test',
        subject: 'Huge',
        text: 'x'.repeat(300_000),
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
  });

  it('acknowledges a second delivery of the same Message-ID without creating anything', async () => {
    const mail = {
      from: 'dup@customer.test',
      to: 'support@mail-shop.test',
      subject: 'Sent twice',
      text: 'Hello twice',
      messageId: '<dup-1@customer.test>',
    };
    await sendTo(port, mail);
    const again = await sendTo(port, mail);
    expect(again.response).toMatch(/^250/);
    await settle(t);
    expect((await ticketsOf(ws)).filter((x) => x.subject === 'Sent twice')).toHaveLength(1);
  });

  it('answers 451 when the message cannot be stored, and 250 once it can', async () => {
    await t.db.query(
      (await import('../src/platform/db/db.ts'))
        .sql`ALTER TABLE inbound_events RENAME TO inbound_events_away`,
    );
    try {
      await expect(
        sendTo(port, {
          from: 'later@customer.test',
          to: 'support@mail-shop.test',
          subject: 'Retry me',
          text: 'x',
        }),
      ).rejects.toMatchObject({ responseCode: 451 });
    } finally {
      await t.db.query(
        (await import('../src/platform/db/db.ts'))
          .sql`ALTER TABLE inbound_events_away RENAME TO inbound_events`,
      );
    }
    const ok = await sendTo(port, {
      from: 'later@customer.test',
      to: 'support@mail-shop.test',
      subject: 'Retry me',
      text: 'x',
    });
    expect(ok.response).toMatch(/^250/);
    await settle(t);
    expect((await ticketsOf(ws)).filter((x) => x.subject === 'Retry me')).toHaveLength(1);
  });
});

describe('replies through the relay', () => {
  let ticketId: number;
  let customerMessageId: string;

  beforeAll(async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/email/inboxes/${inbox.id}`,
      headers: ws.admin.headers,
      payload: { smtp: { host: '127.0.0.1', port: relay.port, secure: false, user: null } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().outbound).toBe('inbox-relay');
    const info = await sendTo(port, {
      from: '"Grace Hopper" <grace@customer.test>',
      to: 'support@mail-shop.test',
      subject: 'Broken zipper',
      text: 'The zipper of my jacket broke.',
    });
    customerMessageId = info.messageId;
    await settle(t);
    ticketId = (await ticketsOf(ws)).find((x) => x.subject === 'Broken zipper')!.id;
    relay.received.length = 0; // the auto-acknowledgement
  });

  it('sends the agent reply with threading headers, Reply-To, signature and attachment', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/replies`,
      headers: ws.agent.headers,
      payload: {
        body: 'Sorry about that! Here is a return label.',
        attachments: [
          {
            filename: 'label.pdf',
            contentType: 'application/pdf',
            contentBase64: Buffer.from('%PDF label').toString('base64'),
          },
        ],
      },
    });
    expect(res.statusCode).toBeLessThan(300);
    const replyId = res.json().id;
    await settle(t);

    expect(relay.received).toHaveLength(1);
    const m = relay.received[0]!;
    expect(m.rcptTo).toEqual(['grace@customer.test']);
    expect(m.parsed.subject).toBe(`Re: Broken zipper [#${ticketId}]`);
    expect(m.parsed.inReplyTo).toBe(customerMessageId);
    expect(m.parsed.references).toContain(customerMessageId);
    expect(m.parsed.from?.value[0]?.address).toBe('support@mail-shop.test');
    const replyTo = m.parsed.replyTo?.value[0]?.address ?? '';
    expect(replyTo).toMatch(new RegExp(`^support\\+t${ticketId}-[0-9a-f]{14}@mail-shop\\.test$`));
    expect(m.parsed.text).toContain('Here is a return label.');
    expect(m.parsed.text).toContain('The Mail Shop team');
    expect(m.parsed.html).toContain('return label');
    expect(m.parsed.attachments.map((a) => a.filename)).toEqual(['label.pdf']);
    expect(m.parsed.attachments[0]!.content.toString()).toBe('%PDF label');

    const d = await ticket(ticketId);
    const reply = d.messages.find((x: { id: number }) => x.id === replyId);
    expect(reply.deliveryStatus).toBe('sent');
    expect(reply.channelMeta.messageIdHeader).toBe(m.parsed.messageId);

    // The customer answers the reply: it lands in the same ticket, quoted history hidden.
    await sendTo(port, {
      from: 'grace@customer.test',
      to: replyTo,
      subject: `Re: Broken zipper [#${ticketId}]`,
      text: `Thanks, label printed.\n\nOn Tue, 1 Jul 2025 at 10:00, Mail Shop <support@mail-shop.test> wrote:\n> Sorry about that!\n> Here is a return label.\n`,
      inReplyTo: m.parsed.messageId,
      references: [customerMessageId, m.parsed.messageId!],
    });
    await settle(t);
    const after = await ticket(ticketId);
    const last = after.messages[after.messages.length - 1];
    expect(last.kind).toBe('inbound');
    expect(last.bodyText).toBe('Thanks, label printed.');
    expect(after.status).toBe('open');
  });

  it('threads by References alone, and by [#id] only for the ticket’s own people', async () => {
    const d0 = await ticket(ticketId);
    const ours = d0.messages.find((x: { kind: string }) => x.kind === 'outbound').channelMeta.messageIdHeader;
    await sendTo(port, {
      from: 'grace@customer.test',
      to: 'support@mail-shop.test',
      subject: 'new subject, same thread',
      text: 'one more thing',
      references: [ours],
    });
    await sendTo(port, {
      from: 'grace@customer.test',
      to: 'support@mail-shop.test',
      subject: `About [#${ticketId}]`,
      text: 'by subject',
    });
    await sendTo(port, {
      from: 'stranger@elsewhere.test',
      to: 'support@mail-shop.test',
      subject: `Hijack [#${ticketId}]`,
      text: 'not yours',
    });
    await settle(t);
    const d = await ticket(ticketId);
    const bodies = d.messages.map((x: { bodyText: string }) => x.bodyText);
    expect(bodies).toEqual(expect.arrayContaining(['one more thing', 'by subject']));
    expect(bodies).not.toContain('not yours');
    expect((await ticketsOf(ws)).some((x) => x.subject === `Hijack [#${ticketId}]`)).toBe(true);
  });

  it('reopens a solved ticket and opens a linked follow-up for a closed one', async () => {
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tickets/${ticketId}`,
      headers: ws.agent.headers,
      payload: { status: 'solved' },
    });
    await sendTo(port, {
      from: 'grace@customer.test',
      to: 'support@mail-shop.test',
      subject: `Re: [#${ticketId}]`,
      text: 'still broken',
    });
    await settle(t);
    expect((await ticket(ticketId)).status).toBe('open');

    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tickets/${ticketId}`,
      headers: ws.agent.headers,
      payload: { status: 'closed' },
    });
    await sendTo(port, {
      from: 'grace@customer.test',
      to: 'support@mail-shop.test',
      subject: `Re: [#${ticketId}]`,
      text: 'new problem',
    });
    await settle(t);
    const closed = await ticket(ticketId);
    expect(closed.status).toBe('closed');
    const follow = closed.links.find((l: { kind: string }) => l.kind === 'follow-up');
    expect(follow).toBeTruthy();
    const f = await ticket(follow.ticketId);
    expect(f.messages[0].bodyText).toBe('new problem');
  });

  it('marks a reply failed at once when the relay refuses it permanently, and retries temporary refusals', async () => {
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tickets/${ticketId}`,
      headers: ws.agent.headers,
      payload: { status: 'open' },
    });
    relay.answerNext({ code: 550, message: '5.1.1 mailbox unavailable' });
    const r1 = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'will fail' },
    });
    await settle(t);
    const m1 = (await ticket(ticketId)).messages.find((x: { id: number }) => x.id === r1.json().id);
    expect(m1.deliveryStatus).toBe('failed');
    expect(m1.deliveryError).toMatch(/mailbox unavailable/);

    relay.answerNext({ code: 451, message: '4.3.0 try later' });
    const r2 = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'will retry' },
    });
    await settle(t);
    const m2 = (await ticket(ticketId)).messages.find((x: { id: number }) => x.id === r2.json().id);
    expect(m2.deliveryStatus).toBe('queued');
    expect(m2.deliveryError).toMatch(/try later/);
    relay.answerNext(null);
    // The retry is scheduled with backoff; bring it forward instead of waiting.
    await t.db.query(
      (await import('../src/platform/db/db.ts'))
        .sql`UPDATE jobs SET run_at = now() WHERE name = 'deliver-message' AND status = 'queued'`,
    );
    await settle(t);
    const m3 = (await ticket(ticketId)).messages.find((x: { id: number }) => x.id === r2.json().id);
    expect(m3.deliveryStatus).toBe('sent');
  });

  it('marks the outbound message failed when a bounce for it comes back', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'to bounce' },
    });
    await settle(t);
    const sent = relay.received[relay.received.length - 1]!;
    const before = (await ticketsOf(ws)).length;
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>',
      'To: support@mail-shop.test',
      'Subject: Undelivered Mail Returned to Sender',
      'Auto-Submitted: auto-replied',
      'Message-ID: <bounce-1@mx.customer.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.customer.test',
      '',
      'Final-Recipient: rfc822; grace@customer.test',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${sent.parsed.messageId}`,
      'Subject: whatever',
      '--B--',
      '',
    ].join('\r\n');
    const c = (await import('nodemailer')).default.createTransport({
      host: '127.0.0.1',
      port,
      ignoreTLS: true,
    });
    await c.sendMail({ envelope: { from: '', to: ['support@mail-shop.test'] }, raw: dsn });
    c.close();
    await settle(t);
    const m = (await ticket(ticketId)).messages.find((x: { id: number }) => x.id === r.json().id);
    expect(m.deliveryStatus).toBe('failed');
    expect(m.deliveryError).toMatch(/5\.1\.1.*user unknown/);
    expect((await ticketsOf(ws)).length).toBe(before);
    const log = await inboundLog();
    expect(
      log.find((x: { messageIdHeader: string }) => x.messageIdHeader === '<bounce-1@mx.customer.test>')
        .outcome,
    ).toBe('bounce');
  });
});

describe('inbox settings API', () => {
  it('is admin-only for writes, keeps passwords write-only and encrypted, and rejects taken addresses', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/email/inboxes',
      headers: ws.agent.headers,
      payload: { name: 'x', address: 'x@mail-shop.test' },
    });
    expect(bad.statusCode).toBe(403);
    const taken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/email/inboxes',
      headers: other.admin.headers,
      payload: { name: 'x', address: 'support@mail-shop.test' },
    });
    expect(taken.statusCode).toBe(409);
    const invalid = await t.app.inject({
      method: 'POST',
      url: '/api/v1/email/inboxes',
      headers: ws.admin.headers,
      payload: { name: 'x', address: 'not-an-address' },
    });
    expect(invalid.statusCode).toBe(400);

    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/email/inboxes/${inbox.id}`,
      headers: ws.admin.headers,
      payload: { imap: { host: '127.0.0.1', port: 1, secure: false, user: 'u', password: 'hunter2-secret' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('hunter2');
    const stored = await t.db.one<{ imap: string }>(
      (await import('../src/platform/db/db.ts'))
        .sql`SELECT imap::text AS imap FROM email_inboxes WHERE id = ${inbox.id}`,
    );
    expect(stored!.imap).not.toContain('hunter2');
    expect(stored!.imap).toContain('v2.');
    const off = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/email/inboxes/${inbox.id}`,
      headers: ws.admin.headers,
      payload: { imap: null },
    });
    expect(off.json().imap).toBeNull();
    expect((await get(t, `/api/v1/email/inboxes/${inbox.id}`, other.admin.headers)).status).toBe(404);
  });
});
