import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, get, settle, smtpClient } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

/**
 * NUL (U+0000) is valid in MIME-decoded text but PostgreSQL refuses it in text columns: before the
 * fix such mail was accepted (250/202) and then failed processing on every retry, and a NUL in the
 * Message-ID got 451 forever. Each variant must become a ticket with the NUL removed.
 */
let t: TestApp;
let ws: TestWorkspace;
let inbox: { id: number; webhookSecret: string };
let port: number;

beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_PORT: '0', EMAIL_SMTP_HOST: '127.0.0.1' });
  port = t.email.smtpPort!;
  ws = await t.workspace('Nul Shop');
  inbox = await createInbox(t, ws, { name: 'Support', address: 'support@nul-shop.test' });
});
afterAll(() => t?.stop());

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** One raw email per place a NUL can hide; `id` keeps each one's Message-ID and subject unique. */
function variants(id: string): Record<string, string> {
  const head = (over: Record<string, string> = {}) => {
    const h: Record<string, string> = {
      From: `"Nina Null" <nina-${id}@customer.test>`,
      To: 'support@nul-shop.test',
      Subject: `Broken order ${id}`,
      'Message-ID': `<${id}@customer.test>`,
      'MIME-Version': '1.0',
      ...over,
    };
    return Object.entries(h).map(([k, v]) => `${k}: ${v}`);
  };
  const mail = (headers: string[], ...body: string[]) => [...headers, ...body, ''].join('\r\n');
  return {
    'quoted-printable =00': mail(
      head({ 'Content-Type': 'text/plain; charset=utf-8', 'Content-Transfer-Encoding': 'quoted-printable' }),
      '',
      'My parcel=00 never came.',
    ),
    'base64 body': mail(
      head({ 'Content-Type': 'text/plain; charset=utf-8', 'Content-Transfer-Encoding': 'base64' }),
      '',
      b64('My parcel\u0000 never came.'),
    ),
    'base64 HTML body': mail(
      head({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Transfer-Encoding': 'base64' }),
      '',
      b64('<p>My parcel\u0000 never came.</p>'),
    ),
    'encoded subject': mail(
      head({ Subject: `=?UTF-8?B?${b64(`Broken\u0000 order ${id}`)}?=`, 'Content-Type': 'text/plain' }),
      '',
      'My parcel never came.',
    ),
    'From name': mail(
      head({
        From: `=?UTF-8?B?${b64('Nina\u0000 Null')}?= <nina-${id}@customer.test>`,
        'Content-Type': 'text/plain',
      }),
      '',
      'My parcel never came.',
    ),
    'attachment name': mail(
      head({ 'Content-Type': 'multipart/mixed; boundary="B"' }),
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'My parcel never came.',
      '--B',
      `Content-Type: application/pdf; name="=?UTF-8?B?${b64('rec\u0000eipt.pdf')}?="`,
      `Content-Disposition: attachment; filename="=?UTF-8?B?${b64('rec\u0000eipt.pdf')}?="`,
      'Content-Transfer-Encoding: base64',
      '',
      b64('%PDF-1.4 fake'),
      '--B--',
    ),
    'Message-ID': mail(
      head({ 'Message-ID': `<${id}\u0000x@customer.test>`, 'Content-Type': 'text/plain' }),
      '',
      'My parcel never came.',
    ),
  };
}

async function expectTicket(inboundEventId: number | null, label: string) {
  const log = (await get(t, '/api/v1/email/inbound?limit=200', ws.lead.headers)).json().items as {
    inboundEventId: number;
    outcome: string;
    ticketId: number | null;
  }[];
  const item = inboundEventId ? log.find((x) => x.inboundEventId === inboundEventId) : undefined;
  expect(item?.outcome, label).toBe('ticket');
  const ticket = (await get(t, `/api/v1/tickets/${item!.ticketId}`, ws.agent.headers)).json();
  const all = JSON.stringify(ticket);
  expect(all, label).not.toContain('\\u0000');
  expect(ticket.subject, label).toMatch(/^Broken ?order /);
  expect(ticket.messages[0].bodyText + (ticket.messages[0].bodyHtml ?? ''), label).toMatch(
    /My parcel ?never came/,
  );
  return ticket;
}

describe('an email with a NUL character becomes a ticket', () => {
  it('through the raw-MIME webhook, wherever the NUL is', async () => {
    for (const label of Object.keys(variants(''))) {
      const id = `hook-${label.replace(/\W+/g, '-')}`;
      const raw = variants(id)[label]!;
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/channels/email/inbound',
        headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${inbox.webhookSecret}` },
        payload: raw,
      });
      expect(res.statusCode, label).toBe(202);
      await settle(t);
      const ticket = await expectTicket(res.json().inboundEventId, label);
      if (label === 'From name') expect(ticket.contact.name).toBe('Nina Null');
      if (label === 'attachment name') expect(ticket.messages[0].attachments[0].filename).toBe('receipt.pdf');
    }
  });

  it('through SMTP, with a 250 for each and no 451', async () => {
    const c = smtpClient(port);
    try {
      for (const label of Object.keys(variants(''))) {
        const id = `smtp-${label.replace(/\W+/g, '-')}`;
        const raw = variants(id)[label]!;
        const info = await c.sendMail({
          envelope: { from: `nina-${id}@customer.test`, to: ['support@nul-shop.test'] },
          raw,
        });
        expect(info.response, label).toMatch(/^250/);
        await settle(t);
        const log = (await get(t, '/api/v1/email/inbound?limit=200', ws.lead.headers)).json().items as {
          inboundEventId: number;
          subject: string;
        }[];
        const mine = log.find((x) => x.subject.replace(/\s/g, '').includes(`order${id}`));
        await expectTicket(mine?.inboundEventId ?? null, label);
      }
    } finally {
      c.close();
    }
  });
});
