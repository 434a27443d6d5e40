import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
let inbox: { id: number; address: string; webhookSecret: string };

beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' });
  ws = await t.workspace('Webhook Shop');
  inbox = await createInbox(t, ws, { name: 'Support', address: 'support@webhook-shop.test' });
});
afterAll(() => t?.stop());

const post = (raw: Buffer | string, secret: string | null = inbox.webhookSecret, type = 'message/rfc822') =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/channels/email/inbound',
    headers: { 'content-type': type, ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
    payload: raw,
  });

type LogItem = {
  inboundEventId: number;
  subject: string;
  from: string | null;
  outcome: string;
  reason: string | null;
  ticketId: number | null;
  messageId: number | null;
};
const logItem = async (id: number): Promise<LogItem> =>
  (await get(t, '/api/v1/email/inbound?limit=200', ws.lead.headers))
    .json()
    .items.find((x: LogItem) => x.inboundEventId === id);
const ticket = async (id: number) => (await get(t, `/api/v1/tickets/${id}`, ws.agent.headers)).json();

async function ingest(raw: Buffer | string) {
  const res = await post(raw);
  expect(res.statusCode).toBe(202);
  await settle(t);
  return logItem(res.json().inboundEventId);
}

describe('raw MIME webhook', () => {
  it('needs the inbox secret, rejects non-email bodies with 400, and dedupes by Message-ID', async () => {
    const mail =
      'From: a@customer.test\r\nTo: support@webhook-shop.test\r\nSubject: via webhook\r\nMessage-ID: <wh-1@customer.test>\r\n\r\nHello\r\n';
    expect((await post(mail, null)).statusCode).toBe(401);
    expect((await post(mail, `sdi_${inbox.id}_wrongwrongwrong`)).statusCode).toBe(401);
    expect((await post('just some words without headers')).statusCode).toBe(400);
    expect((await post('', inbox.webhookSecret)).statusCode).toBe(400);
    const first = await post(mail);
    expect(first.statusCode).toBe(202);
    expect(first.json().status).toBe('stored');
    const again = await post(mail);
    expect(again.json()).toEqual({ status: 'duplicate', inboundEventId: null });
    await settle(t);
    const item = await logItem(first.json().inboundEventId);
    expect(item.outcome).toBe('ticket');

    // Rotating the secret retires the old one.
    const rot = await t.app.inject({
      method: 'POST',
      url: `/api/v1/email/inboxes/${inbox.id}/rotate-secret`,
      headers: ws.admin.headers,
    });
    const fresh = rot.json().webhookSecret as string;
    expect((await post(mail.replace('wh-1', 'wh-2'), inbox.webhookSecret)).statusCode).toBe(401);
    inbox.webhookSecret = fresh;
    expect((await post(mail.replace('wh-1', 'wh-2'))).statusCode).toBe(202);
  });
});

describe('sanitising customer HTML', () => {
  it('removes scripts, handlers, javascript: links, forms, remote CSS and tracking pixels; remote images become links', async () => {
    const html = `<html><head><title>secret title</title><style>@import url(https://evil.test/x.css); body{background:url(https://evil.test/bg)}</style>
<link rel="stylesheet" href="https://evil.test/y.css"><meta http-equiv="refresh" content="0;url=https://evil.test"></head>
<body onload="steal()"><p style="color:red;background-image:url(https://evil.test/p.png)">Hi <b>team</b></p>
<script>alert(document.cookie)</script><img src="x" onerror="alert(1)">
<a href="javascript:alert(1)">click</a> <a href="https://shop.test/order/1" onclick="x()">order</a>
<form action="https://evil.test/phish"><input name="password"><button>Log in</button></form>
<img src="https://tracker.test/open.gif" width="1" height="1"><img src="https://tracker.test/o2.gif" style="display:none">
<img src="https://cdn.test/product.jpg" alt="product photo">
<iframe src="https://evil.test/frame"></iframe><svg onload="alert(1)"><circle/></svg>
<div style="position:fixed;top:0">overlay</div></body></html>`;
    const raw = [
      'From: html@customer.test',
      'To: support@webhook-shop.test',
      'Subject: Rich mail',
      'Message-ID: <html-1@customer.test>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
    ].join('\r\n');
    const item = await ingest(raw);
    expect(item.outcome).toBe('ticket');
    const m = (await ticket(item.ticketId!)).messages[0];
    const out: string = m.bodyHtml;
    expect(out).toContain('<b>team</b>');
    for (const bad of [
      '<script',
      'onerror',
      'onload',
      'onclick',
      'javascript:',
      '<form',
      '<input',
      '<iframe',
      '<svg',
      '<style',
      '<link',
      '<meta',
      '@import',
      'url(',
      'secret title',
      'tracker.test',
      'position',
    ])
      expect(out).not.toContain(bad);
    expect(out).not.toMatch(/<img[^>]+https:\/\/cdn\.test/);
    expect(out).toMatch(/<a href="https:\/\/cdn\.test\/product\.jpg"[^>]*>\[image: product photo\]<\/a>/);
    expect(out).toMatch(/<a href="https:\/\/shop\.test\/order\/1"[^>]*rel="noopener noreferrer nofollow"/);
    expect(m.bodyText).toContain('Hi team');
  });
});

const fixtures = resolve(__dirname, '../../../../shared/fixtures/emails');
const messageIdOf = (raw: Buffer) =>
  /^message-id:\s*(<[^>]+>)/im.exec(
    raw.subarray(0, raw.indexOf('\n\n') > 0 ? raw.indexOf('\n\n') : 4096).toString('latin1'),
  )?.[1] ?? null;

/** What each real-world fixture must become: a ticket (subject, sender, attachments) or a recorded rejection. */
const expected: Record<
  string,
  { outcome: string; subject?: string; from?: string; attachments?: number; text?: string; reason?: RegExp }
> = {
  '01': { outcome: 'ticket', subject: '1 plaintext', from: 'test@example.com', text: 'Search for huhu' },
  '02': { outcome: 'ticket', subject: 'Re: Hello there', from: 'adam@tictail.com', text: 'Hello' },
  '04': { outcome: 'ticket', subject: '3 HTML', text: 'Search for huhu' },
  '05': { outcome: 'ticket', subject: 'Re: Test', from: 'xxx@gmail.com', text: 'Hello' },
  '06': { outcome: 'ticket', from: 'bob@example.com', text: 'Hello' },
  '07': { outcome: 'ticket', subject: 'Testaus', attachments: 1 },
  '08': { outcome: 'ticket', subject: 'MIME test 1', attachments: 1 },
  '09': { outcome: 'ticket', attachments: 2 },
  '10': { outcome: 'ticket', attachments: 2 },
  '11': { outcome: 'ticket', attachments: 1 },
  '12': { outcome: 'ticket', attachments: 1 },
  '13': { outcome: 'ticket', subject: 'Die Hasen und die Frösche', attachments: 1 },
  '14': { outcome: 'ticket', attachments: 1 },
  '15': { outcome: 'ticket', subject: 'Sup?', attachments: 1 },
  '16': { outcome: 'ticket', attachments: 1, text: 'Hello' },
  '17': { outcome: 'ticket', subject: 'MySurvey.com: You have a survey waiting! 91123105' },
  '18': { outcome: 'ticket', subject: 'Re: Test: "漢字" mid "漢字" tail', text: '대부분의' },
  '19': { outcome: 'ticket', subject: 'Die Hasen und die Frösche (Microsoft Outlook 00)' },
  '20': { outcome: 'ticket', text: 'Aquí tenemos texto en español' },
  '22': { outcome: 'ticket', text: '日本語の本文' },
  '23': { outcome: 'ticket', subject: 'ご注文商品を本日お届けします' },
  '24': { outcome: 'ticket', subject: 'Алфавит', text: 'Вопрос' },
  '25': { outcome: 'ticket', subject: 'активизация виндойс', attachments: 1 },
  '26': { outcome: 'ticket', text: 'あいうえお' },
  '28': { outcome: 'ticket', attachments: 1 },
  '29': { outcome: 'ticket', attachments: 1 },
  '30': { outcome: 'ticket', subject: 'Wow', attachments: 1 },
  '31': { outcome: 'rejected' },
  '32': { outcome: 'ticket', attachments: 1 },
  '33': { outcome: 'ticket', attachments: 3 },
  '34': { outcome: 'ticket', text: 'Hello' },
  // Only the subject says "Auto reply" / "Automatic reply": kept as tickets, never acknowledged.
  '35': { outcome: 'ticket', reason: /^no auto-acknowledgement: possibly automatic: out-of-office subject/ },
  '36': { outcome: 'ticket', reason: /^no auto-acknowledgement: X-Auto-Response-Suppress: All/ },
  '37': { outcome: 'auto-reply' },
  '38': { outcome: 'auto-reply' },
  '39': { outcome: 'bounce' },
  '40': { outcome: 'bounce' },
  '41': { outcome: 'bounce' },
  '42': { outcome: 'bounce' },
  '43': { outcome: 'bounce' },
  '44': { outcome: 'bounce' },
  '45': { outcome: 'receipt' },
  '46': { outcome: 'ticket', attachments: 1 },
  '47': { outcome: 'ticket', attachments: 1 },
  '48': { outcome: 'rejected' },
  // No header block at all: the webhook refuses it outright (400 with the reason).
  '53': { outcome: 'http-400' },
  '54': { outcome: 'rejected' },
  '56': { outcome: 'ticket', from: 'bob@example.com' },
};

/**
 * The fixture's own Subject and From, read straight from its header block with a decoder written here
 * (RFC 2047 encoded words through the WHATWG TextDecoder; raw 8-bit as UTF-8), independent of the
 * mailparser/libmime path the server uses.
 */
function headersOf(raw: Buffer): { subject: string | null; from: string | null } {
  let end = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (end < 0 || (lf >= 0 && lf < end)) end = lf;
  const block = raw.subarray(0, end < 0 ? raw.length : end);
  // Bytes as latin1 so encoded words and raw 8-bit both survive; 8-bit is decoded as UTF-8 below.
  const lines = block
    .toString('latin1')
    .replace(/\r?\n[ \t]/g, ' ')
    .split(/\r?\n/);
  const first = (name: string) => {
    const line = lines.find((l) => l.toLowerCase().startsWith(`${name}:`));
    return line === undefined ? null : line.slice(name.length + 1);
  };
  const subject = first('subject');
  const from = first('from');
  const address =
    from && (/<([^<>\s]+@[^<>\s]+)>/.exec(from)?.[1] ?? /[^\s<>"',;:]+@[^\s<>"',;]+/.exec(from)?.[0]);
  return {
    subject: subject === null ? null : decodeHeader(subject).replace(/\s+/g, ' ').trim(),
    from: address ? address.toLowerCase() : null,
  };
}

function decodeHeader(value: string): string {
  const word = /=\?([^?*\s]+)(?:\*[^?]*)?\?([bq])\?([^?\s]*)\?=/gi;
  let out = '';
  let last = 0;
  // Adjacent encoded words in one charset are joined as bytes first: a multi-byte character may be
  // split across two of them (AOL does that).
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = () => {
    if (pending) out += textIn(pending.charset, Buffer.concat(pending.bytes));
    pending = null;
  };
  for (const m of value.matchAll(word)) {
    const between = value.slice(last, m.index);
    if (!pending || between.trim()) {
      flush();
      out += textIn('utf-8', Buffer.from(between, 'latin1'));
    }
    const charset = m[1]!.toLowerCase();
    const bytes =
      m[2]!.toLowerCase() === 'b'
        ? Buffer.from(m[3]!, 'base64')
        : Buffer.from(
            m[3]!
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          );
    if (pending && pending.charset !== charset) flush();
    pending ??= { charset, bytes: [] };
    pending.bytes.push(bytes);
    last = m.index + m[0].length;
  }
  flush();
  return out + textIn('utf-8', Buffer.from(value.slice(last), 'latin1'));
}

function textIn(charset: string, bytes: Buffer): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

describe.runIf(existsSync(fixtures))('real-world emails (../shared/fixtures/emails)', () => {
  const files = existsSync(fixtures)
    ? readdirSync(fixtures)
        .filter((f) => f.endsWith('.eml'))
        .sort()
    : [];
  it.each(files)('%s is ingested without a crash and ends as expected', async (file) => {
    const raw = readFileSync(join(fixtures, file));
    const want = expected[file.slice(0, 2)] ?? { outcome: 'ticket' };
    const res = await post(raw);
    if (want.outcome === 'http-400') {
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/headers/);
      return;
    }
    expect(res.statusCode).toBe(202);
    const id = messageIdOf(raw);
    if (res.json().status === 'duplicate') {
      // Some fixtures share a Message-ID: the second delivery is acknowledged and creates nothing.
      expect(
        files.slice(0, files.indexOf(file)).some((f) => messageIdOf(readFileSync(join(fixtures, f))) === id),
      ).toBe(true);
      return;
    }
    await settle(t);
    const item = await logItem(res.json().inboundEventId);
    expect(item, `${file} was not processed`).toBeTruthy();
    expect({ outcome: item.outcome, reason: item.reason }).toMatchObject({
      outcome: want.outcome === 'ticket' ? expect.stringMatching(/^(ticket|threaded)$/) : want.outcome,
    });
    if (want.reason) expect(item.reason).toMatch(want.reason);
    if (want.outcome !== 'ticket') {
      expect(item.reason).toBeTruthy();
      return;
    }
    const d = await ticket(item.ticketId!);
    const m = d.messages.find((x: { id: number }) => x.id === item.messageId);
    // Every ticket's subject and sender against the file's own headers, decoded independently.
    const own = headersOf(raw);
    expect(own.from, `${file} has a From address`).toBeTruthy();
    // The inbound log keeps 1,000 characters of a subject, a ticket 500 (fixture 56's is 205 KB).
    expect({ subject: item.subject, from: item.from }, `${file}: inbound log`).toEqual({
      subject: (own.subject ?? '').slice(0, 1000),
      from: own.from,
    });
    expect({ subject: m.channelMeta.subject, from: m.channelMeta.from }, `${file}: message`).toEqual({
      subject: own.subject ?? '',
      from: own.from,
    });
    if (item.outcome === 'ticket')
      expect({ subject: d.subject, contact: d.contact.email }, `${file}: ticket`).toEqual({
        subject: own.subject?.slice(0, 500) || '(no subject)',
        contact: own.from,
      });
    if (want.subject && item.outcome === 'ticket') expect(d.subject).toBe(want.subject);
    if (want.from) expect(d.contact.email).toBe(want.from);
    expect(m.attachments).toHaveLength(want.attachments ?? 0);
    if (want.text) expect(m.bodyText).toContain(want.text);
    expect(m.bodyText.length + (m.bodyHtml?.length ?? 0)).toBeGreaterThanOrEqual(0);
    const eml = await get(t, `/api/v1/email/messages/${m.id}/raw`, ws.agent.headers);
    expect(Buffer.compare(eml.body, raw)).toBe(0);
  });
});
