import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAutomatic, isAutoReply } from '../src/channels/email/classify.ts';
import { parseEmail } from '../src/channels/email/parse-email.ts';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

const raw = (headers: string[], subject = 'Question about my order') =>
  Buffer.from(
    [
      'From: Sam <sam@customer.test>',
      'To: support@classify-shop.test',
      `Subject: ${subject}`,
      'Message-ID: <c-1@customer.test>',
      ...headers,
      '',
      'Hello, where is my parcel?',
      '',
    ].join('\r\n'),
  );

const classify = async (headers: string[], subject?: string) => {
  const p = await parseEmail(raw(headers, subject));
  return { dropped: isAutoReply(p), automatic: classifyAutomatic(p) };
};

describe('auto-reply and machine-mail signals (classify.ts)', () => {
  it('leaves a person’s mail alone', async () => {
    expect(await classify([])).toEqual({ dropped: null, automatic: null });
    expect(await classify(['Auto-Submitted: no', 'Return-Path: <sam@customer.test>'])).toEqual({
      dropped: null,
      automatic: null,
    });
  });

  it.each([
    ['Auto-Submitted: auto-replied', /Auto-Submitted: auto-replied/],
    ['Auto-Submitted: auto-replied (vacation)', /Auto-Submitted: auto-replied/],
    ['X-Autoreply: yes', /X-Autoreply/],
    ['X-Autorespond: Out of office', /X-Autorespond/],
    ['Precedence: auto_reply', /Precedence: auto_reply/],
  ])('%s is an auto-reply: dropped, never acknowledged', async (h, reason) => {
    const r = await classify([h]);
    expect(r.dropped).toMatch(reason);
    expect(r.automatic).toMatch(reason);
  });

  it.each([
    ['Auto-Submitted: auto-generated', /Auto-Submitted: auto-generated/],
    ['Precedence: bulk', /Precedence: bulk/],
    ['Precedence: junk', /Precedence: junk/],
    ['Precedence: list', /Precedence: list/],
    ['Return-Path: <>', /empty Return-Path/],
    ['Return-Path: < >', /empty Return-Path/],
    ['List-Id: <news.shop.test>', /mailing list/],
    ['X-Auto-Response-Suppress: All', /X-Auto-Response-Suppress/],
  ])('%s is machine mail: kept as a ticket, never acknowledged', async (h, reason) => {
    const r = await classify([h]);
    expect(r.dropped).toBeNull();
    expect(r.automatic).toMatch(reason);
  });

  it.each([
    'On holiday next week – can you ship earlier?',
    'Vacation rental order #1042',
    'Absence of the invoice in my parcel',
    'Away from home until Friday, please hold the parcel',
    "I'm away in June, deliver in July please",
    'OOO until Monday - order question',
    'Out of office: Nyaan',
    'Automatic reply: Nyaan',
  ])('the subject "%s" alone never drops the mail, it only stops the acknowledgement', async (subject) => {
    const r = await classify([], subject);
    expect(r.dropped).toBeNull();
    expect(r.automatic).toMatch(/possibly automatic: out-of-office subject/);
  });
});

describe('a customer whose subject looks like an out-of-office reply', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let inbox: { id: number; webhookSecret: string };
  beforeAll(async () => {
    t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' });
    ws = await t.workspace('Classify Shop');
    inbox = await createInbox(t, ws, { name: 'Support', address: 'support@classify-shop.test' });
  });
  afterAll(() => t?.stop());

  it('gets a ticket with the reason recorded, and no auto-acknowledgement', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/channels/email/inbound',
      headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${inbox.webhookSecret}` },
      payload: raw([], 'On holiday next week – can you ship earlier?'),
    });
    expect(res.statusCode).toBe(202);
    await settle(t);
    const log = (await get(t, '/api/v1/email/inbound?limit=10', ws.lead.headers)).json().items as {
      outcome: string;
      reason: string;
      ticketId: number;
    }[];
    expect(log).toHaveLength(1);
    expect(log[0]!.outcome).toBe('ticket');
    expect(log[0]!.reason).toMatch(/no auto-acknowledgement: possibly automatic/);
    const ticket = (await get(t, `/api/v1/tickets/${log[0]!.ticketId}`, ws.agent.headers)).json();
    expect(ticket.subject).toBe('On holiday next week – can you ship earlier?');
    expect(ticket.messages[0].bodyText).toContain('where is my parcel');
    const sent = (await get(t, '/api/v1/email/dev-mailbox', ws.agent.headers)).json().items;
    expect(sent).toEqual([]);
  });
});
