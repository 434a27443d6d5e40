import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

/** How forwarded/attached messages, broken MIME parts, attachment names and bulk mail reach the agent. */
let t: TestApp;
let ws: TestWorkspace;
let inbox: { id: number; webhookSecret: string };

beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' });
  ws = await t.workspace('Display Shop');
  inbox = await createInbox(t, ws, { name: 'Support', address: 'support@display-shop.test' });
});
afterAll(() => t?.stop());

const crlf = (...lines: string[]) => lines.join('\r\n');

async function deliver(raw: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/channels/email/inbound',
    headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${inbox.webhookSecret}` },
    payload: raw,
  });
  expect(res.statusCode).toBe(202);
  await settle(t);
  const log = (await get(t, '/api/v1/email/inbound?limit=200', ws.lead.headers)).json().items as {
    inboundEventId: number;
    outcome: string;
    ticketId: number;
  }[];
  const item = log.find((x) => x.inboundEventId === res.json().inboundEventId)!;
  expect(item.outcome).toBe('ticket');
  return (await get(t, `/api/v1/tickets/${item.ticketId}`, ws.agent.headers)).json();
}

/** A message with `inner` attached as message/rfc822. */
function wrap(level: number, inner: string | null): string {
  const head = [
    `From: "Person ${level}" <person${level}@level${level}.test>`,
    level === 0 ? 'To: support@display-shop.test' : `To: someone${level}@level${level}.test`,
    `Subject: Level ${level} subject`,
    `Date: Mon, ${level + 1} Dec 2025 10:00:00 +0000`,
    `Message-ID: <level${level}-${Date.now()}@display.test>`,
    'MIME-Version: 1.0',
  ];
  const body =
    level === 3
      ? '<p>Deepest words<script>alert(1)</script><img src="x" onerror="alert(2)"></p>'
      : `Text of level ${level}`;
  if (!inner) return crlf(...head, 'Content-Type: text/html; charset=utf-8', '', body, '');
  return crlf(
    ...head,
    `Content-Type: multipart/mixed; boundary="B${level}"`,
    '',
    `--B${level}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    `--B${level}`,
    'Content-Type: message/rfc822',
    'Content-Disposition: attachment; filename="forwarded.eml"',
    '',
    inner,
    `--B${level}--`,
    '',
  );
}

describe('forwarded and attached messages', () => {
  it('shows each level of a message forwarded three levels deep: sender, date, subject, sanitised body', async () => {
    const raw = wrap(0, wrap(1, wrap(2, wrap(3, null))));
    const ticket = await deliver(raw);
    const m = ticket.messages[0];
    expect(m.bodyText).toContain('Text of level 0');
    const l1 = m.channelMeta.forwarded[0];
    expect(l1).toMatchObject({
      from: { address: 'person1@level1.test', name: 'Person 1' },
      subject: 'Level 1 subject',
      date: '2025-12-02T10:00:00.000Z',
    });
    expect(l1.text).toContain('Text of level 1');
    const l2 = l1.forwarded[0];
    expect(l2.subject).toBe('Level 2 subject');
    expect(l2.text).toContain('Text of level 2');
    const l3 = l2.forwarded[0];
    expect(l3).toMatchObject({ from: { address: 'person3@level3.test' }, subject: 'Level 3 subject' });
    expect(l3.html).toContain('Deepest words');
    expect(l3.html).not.toContain('<script');
    expect(l3.html).not.toContain('onerror');
    // The original stays downloadable too.
    expect(m.attachments.map((a: { filename: string }) => a.filename)).toContain('forwarded.eml');
  });
});

describe('a part with a broken MIME boundary', () => {
  it('reads the parts with the delimiter the message really uses and reports the broken part', async () => {
    const ticket = await deliver(
      crlf(
        'From: Bea <bea@customer.test>',
        'To: support@display-shop.test',
        'Subject: Broken boundary',
        'Message-ID: <broken-1@customer.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="XX"',
        '',
        '--XX',
        'Content-Type: multipart/alternative; boundary="AA"',
        '',
        '--AB',
        'Content-Type: text/plain',
        '',
        'The zip on my order is wrong.',
        '--AB--',
        '--XX',
        'Content-Type: application/pdf; name="invoice.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQ=',
        '--XX--',
        '',
      ),
    );
    const m = ticket.messages[0];
    expect(m.bodyText).toContain('The zip on my order is wrong.');
    expect(m.bodyText).not.toContain('--AB');
    expect(m.channelMeta.mimeProblems).toEqual([expect.stringContaining('"AA"')]);
    expect(m.attachments.map((a: { filename: string }) => a.filename)).toEqual(['invoice.pdf']);
  });

  it('says so when nothing could be repaired', async () => {
    const ticket = await deliver(
      crlf(
        'From: Bea <bea@customer.test>',
        'To: support@display-shop.test',
        'Subject: Unreadable boundary',
        'Message-ID: <broken-2@customer.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="XX"',
        '',
        'Hello, this body has no delimiter at all.',
        '',
      ),
    );
    expect(ticket.messages[0].channelMeta.mimeProblems).toEqual([
      expect.stringContaining('could not be read'),
    ]);
  });
});

describe('attachment names', () => {
  it('keeps only the base name (no ../ or \\ path parts)', async () => {
    const part = (name: string) => [
      '--B',
      `Content-Type: text/plain; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      '',
      'data',
    ];
    const ticket = await deliver(
      crlf(
        'From: Cy <cy@customer.test>',
        'To: support@display-shop.test',
        'Subject: Files',
        'Message-ID: <names-1@customer.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="B"',
        '',
        '--B',
        'Content-Type: text/plain',
        '',
        'See the files.',
        ...part('../../etc/passwd'),
        ...part('..\\\\..\\\\win\\\\boot.ini'),
        ...part('..'),
        '--B--',
        '',
      ),
    );
    const names = ticket.messages[0].attachments.map((a: { filename: string }) => a.filename);
    expect(names).toEqual(['passwd', 'boot.ini', 'attachment-3']);
  });
});

describe('bulk mail', () => {
  const bulk = (id: string, header: string) =>
    crlf(
      'From: News <news@brand.test>',
      'To: support@display-shop.test',
      `Subject: Newsletter ${id}`,
      `Message-ID: <${id}@brand.test>`,
      header,
      'Content-Type: text/plain',
      '',
      'Our autumn sale starts now.',
      '',
    );

  it('is tagged bulk, not acknowledged, and the inbox can filter it', async () => {
    const ids: number[] = [];
    for (const [i, h] of [
      'Precedence: bulk',
      'Precedence: list',
      'Precedence: junk',
      'List-Unsubscribe: <mailto:unsub@brand.test>',
      'List-Id: <news.brand.test>',
      'Auto-Submitted: auto-generated',
    ].entries()) {
      const ticket = await deliver(bulk(`bulk-${i}`, h));
      expect(ticket.tags, h).toEqual(['bulk']);
      ids.push(ticket.id);
    }
    const person = await deliver(
      crlf(
        'From: Dee <dee@customer.test>',
        'To: support@display-shop.test',
        'Subject: A real question',
        'Message-ID: <person-1@customer.test>',
        'Content-Type: text/plain',
        '',
        'Where is my parcel?',
        '',
      ),
    );
    expect(person.tags).toEqual([]);
    const dev = (await get(t, '/api/v1/email/dev-mailbox', ws.agent.headers)).json().items as {
      ticketId: number;
      kind: string;
    }[];
    expect(dev.filter((x) => x.kind === 'auto-ack' && ids.includes(x.ticketId))).toEqual([]);
    expect(dev.some((x) => x.kind === 'auto-ack' && x.ticketId === person.id)).toBe(true);
    const listed = (await get(t, '/api/v1/tickets?tag=bulk&limit=100', ws.agent.headers)).json().items as {
      id: number;
    }[];
    expect(listed.map((x) => x.id).sort()).toEqual([...ids].sort());
  });
});

describe('notices (chat transcripts, codes) through the e-mail channel', () => {
  it('are sent each time asked, marked automatic, and listed as notices', async () => {
    const ticket = await deliver(
      crlf(
        'From: Gus <gus@customer.test>',
        'To: support@display-shop.test',
        'Subject: For a notice',
        'Message-ID: <notice-1@customer.test>',
        'Content-Type: text/plain',
        '',
        'hello',
        '',
      ),
    );
    const mail = t.channels.get('email')!;
    const notice = {
      workspaceId: ws.workspaceId,
      ticketId: ticket.id,
      messageId: ticket.messages[0].id,
      channel: 'email',
      subject: 'Your code',
      bodyText: 'Your code: 123456',
      bodyHtml: null,
      from: { agentName: null },
      to: { name: null, email: 'gus@customer.test', phone: null, identities: [] },
      cc: [],
      attachments: [],
      threadExternalIds: [],
      lastInboundMeta: null,
      notice: true,
    };
    await mail.deliver(notice);
    await mail.deliver(notice);
    const dev = (await get(t, '/api/v1/email/dev-mailbox', ws.agent.headers)).json().items as {
      id: number;
      kind: string;
      ticketId: number;
    }[];
    const sent = dev.filter((x) => x.kind === 'notice' && x.ticketId === ticket.id);
    expect(sent).toHaveLength(2);
    const detail = (await get(t, `/api/v1/email/outbound/${sent[0]!.id}`, ws.agent.headers)).json();
    expect(detail.headers['auto-submitted']).toBe('auto-generated');
  });
});
