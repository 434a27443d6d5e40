import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

async function onlineAgent(ws: TestWorkspace, name: string) {
  const res = await call('POST', '/api/v1/agents', ws.admin.headers, {
    email: `rules-${randomBytes(4).toString('hex')}@example.com`,
    name,
  });
  expect(res.statusCode).toBe(201);
  const id = res.json().id as number;
  expect(
    (await call('PATCH', `/api/v1/routing/agents/${id}`, ws.lead.headers, { status: 'online' })).statusCode,
  ).toBe(200);
  return id;
}

async function team(ws: TestWorkspace, name: string, memberIds: number[]) {
  const res = await call('POST', '/api/v1/teams', ws.admin.headers, { name, memberIds });
  expect(res.statusCode).toBe(201);
  return res.json().id as number;
}

/** Delivers a raw email to an inbox's webhook and returns the ticket it landed in. */
async function email(
  ws: TestWorkspace,
  inbox: { webhookSecret: string; address: string },
  o: { messageId: string; subject: string; inReplyTo?: string },
) {
  const raw =
    `From: Cleo Customer <cleo@customer.test>\r\nTo: ${inbox.address}\r\nSubject: ${o.subject}\r\n` +
    `Message-ID: <${o.messageId}>\r\n${o.inReplyTo ? `In-Reply-To: <${o.inReplyTo}>\r\nReferences: <${o.inReplyTo}>\r\n` : ''}` +
    'Date: Mon, 3 Mar 2025 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWhere is my parcel?\r\n';
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/channels/email/inbound',
    headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${inbox.webhookSecret}` },
    payload: Buffer.from(raw),
  });
  expect(res.statusCode).toBe(202);
  await settle(t);
  const log = (await call('GET', '/api/v1/email/inbound?limit=50', ws.lead.headers)).json().items as {
    inboundEventId: number;
    ticketId: number;
  }[];
  const mine = log.find((x) => x.inboundEventId === res.json().inboundEventId);
  expect(mine?.ticketId).toBeTruthy();
  return (await call('GET', `/api/v1/tickets/${mine!.ticketId}`, ws.agent.headers)).json();
}

describe('routing rules: channel and inbox → team', () => {
  it('sends each inbox’s tickets to its team, whose mode then routes them', async () => {
    const ws = await t.workspace('Inbox rules');
    const billingAgent = await onlineAgent(ws, 'Bea Billing');
    const chatAgent = await onlineAgent(ws, 'Chad Chat');
    const billing = await team(ws, 'Billing', [billingAgent]);
    const chats = await team(ws, 'Live chat', [chatAgent]);
    // Only the teams route automatically; the workspace default stays manual.
    for (const id of [billing, chats])
      await call('PUT', `/api/v1/routing/config/teams/${id}`, ws.lead.headers, { mode: 'round_robin' });
    const invoices = await createInbox(t, ws, { name: 'Invoices', address: `invoices@${ws.slug}.test` });
    const support = await createInbox(t, ws, { name: 'Support', address: `support@${ws.slug}.test` });

    const put = await call('PUT', '/api/v1/routing/rules', ws.lead.headers, {
      rules: [
        { channel: 'email', inboxId: invoices.id, teamId: billing },
        { channel: 'chat', teamId: chats },
      ],
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().items).toMatchObject([
      { channel: 'chat', inboxId: null, teamId: chats },
      { channel: 'email', inboxId: invoices.id, teamId: billing },
    ]);

    const invoiceTicket = await email(ws, invoices, { messageId: 'inv-1@customer.test', subject: 'Invoice' });
    expect(invoiceTicket).toMatchObject({ teamId: billing, assigneeId: billingAgent });
    const assignedToTeam = invoiceTicket.events.find((e: { type: string }) => e.type === 'team_changed');
    expect(assignedToTeam?.data?.via).toMatchObject({ kind: 'routing' });
    // Another inbox has no rule: no team, and the manual default leaves it alone.
    const other = await email(ws, support, { messageId: 'sup-1@customer.test', subject: 'Hello' });
    expect(other).toMatchObject({ teamId: null, assigneeId: null });
    // A whole channel can go to a team too.
    const chat = (
      await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody({ channel: 'chat' }))
    ).json();
    const got = (await call('GET', `/api/v1/tickets/${chat.id}`, ws.agent.headers)).json();
    expect(got).toMatchObject({ teamId: chats, assigneeId: chatAgent });
    // A ticket that already names its team keeps it.
    const own = (
      await call(
        'POST',
        '/api/v1/tickets',
        ws.agent.headers,
        ticketBody({ channel: 'chat', teamId: billing }),
      )
    ).json();
    expect((await call('GET', `/api/v1/tickets/${own.id}`, ws.agent.headers)).json()).toMatchObject({
      teamId: billing,
      assigneeId: billingAgent,
    });

    expect((await call('GET', '/api/v1/routing/rules', ws.readonly.headers)).json().items).toHaveLength(2);
  });

  it('refuses bad rules with the field named and changes nothing', async () => {
    const ws = await t.workspace('Bad rules');
    const other = await t.workspace('Other rules');
    const mine = await team(ws, 'Mine', []);
    const theirs = await team(other, 'Theirs', []);
    const theirInbox = await createInbox(t, other, { name: 'Theirs', address: `x@${other.slug}.test` });
    const myInbox = await createInbox(t, ws, { name: 'Mine', address: `y@${ws.slug}.test` });
    await call('PUT', '/api/v1/routing/rules', ws.lead.headers, {
      rules: [{ channel: 'chat', teamId: mine }],
    });
    const cases: [unknown, string][] = [
      [[{ channel: 'email', teamId: theirs }], 'body.rules.0.teamId'],
      [[{ channel: 'email', inboxId: theirInbox.id, teamId: mine }], 'body.rules.0.inboxId'],
      [[{ channel: 'chat', inboxId: myInbox.id, teamId: mine }], 'body.rules.0.inboxId'],
      [
        [
          { channel: 'email', teamId: mine },
          { channel: 'email', teamId: mine },
        ],
        'body.rules.1',
      ],
      [[{ channel: 'pigeon', teamId: mine }], 'body.rules.0.channel'],
    ];
    for (const [rules, path] of cases) {
      const res = await call('PUT', '/api/v1/routing/rules', ws.lead.headers, { rules });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await call('PUT', '/api/v1/routing/rules', ws.agent.headers, { rules: [] })).statusCode).toBe(
      403,
    );
    expect((await call('GET', '/api/v1/routing/rules', ws.lead.headers)).json().items).toMatchObject([
      { channel: 'chat', teamId: mine },
    ]);
    expect((await call('GET', '/api/v1/routing/rules', other.lead.headers)).json().items).toEqual([]);
  });
});

describe('reopened tickets', () => {
  it('routes a solved, unassigned ticket again when the customer writes back', async () => {
    const ws = await t.workspace('Reopen routing');
    await call('PUT', '/api/v1/routing/config', ws.lead.headers, { mode: 'round_robin' });
    const inbox = await createInbox(t, ws, { name: 'Support', address: `help@${ws.slug}.test` });
    const agent = await onlineAgent(ws, 'Rita Router');
    const first = await email(ws, inbox, { messageId: 'reopen-1@customer.test', subject: 'Broken zip' });
    expect(first.assigneeId).toBe(agent);
    // Solved and handed back: nobody holds it any more.
    const solved = await call('PATCH', `/api/v1/tickets/${first.id}`, ws.lead.headers, {
      status: 'solved',
      assigneeId: null,
    });
    expect(solved.json()).toMatchObject({ status: 'solved', assigneeId: null });

    const again = await email(ws, inbox, {
      messageId: 'reopen-2@customer.test',
      subject: 'Re: Broken zip',
      inReplyTo: 'reopen-1@customer.test',
    });
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ status: 'open', assigneeId: agent });
  });
});
