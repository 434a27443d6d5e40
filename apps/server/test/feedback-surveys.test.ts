import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// Follow-ups and CSAT surveys end to end through the API, the jobs, the dev mailbox and the shopper's
// pages in the help center (issue #15). Time passes by moving the jobs' run_at, never by sleeping.
let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let inboxSecret: string;
let mailN = 0;

const patch = (url: string, headers: Record<string, string>, payload: unknown) =>
  t.app.inject({ method: 'PATCH', url, headers, payload: payload as Record<string, unknown> });
const post = (url: string, headers: Record<string, string>, payload: unknown) =>
  t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });

/** A shopper writes in by e-mail; returns the new ticket's id. */
async function mailIn(from: string, subject = 'Broken zip') {
  const n = ++mailN;
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/channels/email/inbound',
    headers: { authorization: `Bearer ${inboxSecret}`, 'content-type': 'message/rfc822' },
    payload: Buffer.from(
      `From: Shopper <${from}>\r\nTo: support@survey-shop.test\r\nSubject: ${subject} ${n}\r\nMessage-ID: <m${n}@customer.test>\r\n\r\nHelp please ${n}\r\n`,
    ),
  });
  expect(res.statusCode).toBe(202);
  await settle(t);
  const list = (await get(t, '/api/v1/tickets?limit=50', ws.agent.headers)).json().items as {
    id: number;
    subject: string;
  }[];
  return list.find((x) => x.subject === `${subject} ${n}`)!.id;
}

async function replyAndSolve(ticketId: number) {
  const r = await post(`/api/v1/tickets/${ticketId}/replies`, ws.agent.headers, {
    body: 'Here is a new zip, on its way.',
    status: 'solved',
  });
  expect(r.statusCode).toBeLessThan(300);
  await settle(t);
}

/** Every due-later feedback job becomes due now, then runs. */
async function timePasses(name: string) {
  await t.db.query(sql`UPDATE jobs SET run_at = now() WHERE name = ${name} AND status = 'queued'`);
  await settle(t);
}

async function surveysOf(ticketId: number) {
  return (await get(t, `/api/v1/feedback/surveys?ticketId=${ticketId}`, ws.agent.headers)).json().items as {
    id: number;
    status: string;
    skipReason: string | null;
    score: number | null;
    comment: string | null;
    snapshot: { assigneeId: number | null; human: boolean };
  }[];
}

/** The survey notice on the ticket's timeline (sent through customer notices), if any. */
async function surveyNotice(ticketId: number) {
  const msgs = (await get(t, `/api/v1/tickets/${ticketId}`, ws.agent.headers)).json().messages as {
    kind: string;
    bodyText: string;
    deliveryStatus: string;
  }[];
  return msgs.find((m) => m.kind === 'outbound' && m.bodyText.includes('/l/survey.')) ?? null;
}

async function lastMailTo(address: string, subjectPart: string) {
  const items = (await get(t, '/api/v1/email/dev-mailbox?limit=50', ws.admin.headers)).json().items as {
    id: number;
    to: string[];
    subject: string;
  }[];
  const m = items.find((i) => i.to.includes(address) && i.subject.includes(subjectPart));
  if (!m) return null;
  return (await get(t, `/api/v1/email/outbound/${m.id}`, ws.admin.headers)).json() as { text: string };
}

const linkIn = (text: string, re: RegExp) => {
  const m = re.exec(text);
  if (!m) throw new Error(`no link in: ${text}`);
  return new URL(m[0]).pathname + new URL(m[0]).search;
};

const form = (url: string, fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });

beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' });
  ws = await t.workspace('Survey Shop');
  other = await t.workspace('Other Shop');
  inboxSecret = (await createInbox(t, ws, { name: 'Support', address: 'support@survey-shop.test' }))
    .webhookSecret;
  // No quiet hours and no cap: the notices go out whatever the time of day the suite runs.
  const n = await patch('/api/v1/notices/settings', ws.admin.headers, {
    quietStart: '00:00',
    quietEnd: '00:00',
    capCount: 100,
  });
  expect(n.statusCode).toBe(200);
  const s = await patch('/api/v1/feedback/settings', ws.lead.headers, {
    csat: { cooldownDays: 7, delayMinutes: 60 },
  });
  expect(s.statusCode).toBe(200);
});
afterAll(async () => {
  await t?.stop();
});

describe('CSAT surveys', () => {
  let ticketId: number;
  let surveyPath: string;

  it('asks by e-mail after the delay, with one link per score; a GET of a link records nothing', async () => {
    ticketId = await mailIn('ana@customer.test');
    await replyAndSolve(ticketId);
    let [s] = await surveysOf(ticketId);
    expect(s).toMatchObject({ status: 'scheduled' });
    expect(await surveyNotice(ticketId)).toBeNull();

    await timePasses('send-feedback-survey');
    [s] = await surveysOf(ticketId);
    expect(s!.status).toBe('sent');
    expect(s!.snapshot).toMatchObject({ assigneeId: ws.agent.agentId, human: true });
    const notice = await surveyNotice(ticketId);
    expect(notice!.bodyText).toContain('Excellent: http');
    expect(notice!.deliveryStatus).toBe('sent');
    const mail = await lastMailTo('ana@customer.test', '');
    expect(mail!.text).toContain('/l/survey.');
    const two = linkIn(notice!.bodyText, /http\S+\/l\/survey\.\S+\?score=2/);
    surveyPath = two.split('?')[0]!;

    // What a link scanner does: open every link. The page shows the choice, nothing is recorded.
    for (const n of [1, 2, 3, 4, 5]) {
      const page = await t.app.inject({ method: 'GET', url: `${surveyPath}?score=${n}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`value="${n}" required checked`);
    }
    expect((await surveysOf(ticketId))[0]!.status).toBe('sent');
  });

  it('records a low answer once: the ticket reopens with a note for the leads; a resubmit changes nothing', async () => {
    const res = await form(surveyPath, { score: '2', comment: 'Still broken', reason: 'Problem not solved' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Your rating is saved');
    const [s] = await surveysOf(ticketId);
    expect(s).toMatchObject({ status: 'answered', score: 2, comment: 'Still broken' });

    const ticket = (await get(t, `/api/v1/tickets/${ticketId}`, ws.agent.headers)).json();
    expect(ticket.status).toBe('open');
    expect(ticket.priority).toBe('high');
    const notes = ticket.messages.filter((m: { kind: string }) => m.kind === 'note');
    expect(notes.at(-1).bodyText).toContain('rated this conversation 2/5');
    expect(ticket.events.some((e: { type: string }) => e.type === 'survey_answered')).toBe(true);
    const inbox = (await get(t, '/api/v1/notifications', ws.lead.headers)).json();
    expect(JSON.stringify(inbox)).toContain(String(ticketId));

    // The same answer again (a double click, a retry): one answer, one note.
    await form(surveyPath, { score: '2', comment: 'Still broken', reason: 'Problem not solved' });
    const again = (await get(t, `/api/v1/tickets/${ticketId}`, ws.agent.headers)).json();
    expect(again.messages.filter((m: { kind: string }) => m.kind === 'note')).toHaveLength(notes.length);
    expect(again.events.filter((e: { type: string }) => e.type === 'survey_answered')).toHaveLength(1);

    // Editable within the window: a changed answer replaces it, the reaction is not repeated.
    const changed = await form(surveyPath, { score: '4', comment: 'Sorted now' });
    expect(changed.statusCode).toBe(200);
    expect((await surveysOf(ticketId))[0]).toMatchObject({ score: 4, comment: 'Sorted now' });
    const after = (await get(t, `/api/v1/tickets/${ticketId}`, ws.agent.headers)).json();
    expect(after.messages.filter((m: { kind: string }) => m.kind === 'note')).toHaveLength(notes.length);
  });

  it('keeps the snapshot after the ticket is reassigned', async () => {
    const r = await patch(`/api/v1/tickets/${ticketId}`, ws.agent.headers, { assigneeId: ws.lead.agentId });
    expect(r.statusCode).toBe(200);
    expect((await surveysOf(ticketId))[0]!.snapshot.assigneeId).toBe(ws.agent.agentId);
    const overview = (await get(t, '/api/v1/feedback/overview?days=30', ws.agent.headers)).json();
    expect(overview.byAgent[0]).toMatchObject({ id: ws.agent.agentId, answered: 1 });
    expect(overview.csat).toMatchObject({ answered: 1, good: 1, csat: 100 });
  });

  it('refuses forged, foreign and closed links, and records nothing', async () => {
    const forged = surveyPath.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect((await t.app.inject({ method: 'GET', url: forged })).statusCode).toBe(404);
    expect((await form(forged, { score: '1' })).statusCode).toBe(404);
    // The same token under another shop's help center.
    const foreign = surveyPath.replace(`/help/${ws.slug}/`, `/help/${other.slug}/`);
    expect((await form(foreign, { score: '1' })).statusCode).toBe(404);
    // Out of range and garbage scores.
    expect((await form(surveyPath, { score: '9' })).body).toContain('Please choose a rating');
    expect((await surveysOf(ticketId))[0]).toMatchObject({ score: 4 });
    // The answer window closed: no change any more.
    await t.db.query(
      sql`UPDATE feedback_surveys SET expires_at = now() - interval '1 minute' WHERE ticket_id = ${ticketId}`,
    );
    expect((await form(surveyPath, { score: '1' })).statusCode).toBe(410);
    expect((await surveysOf(ticketId))[0]).toMatchObject({ score: 4 });
    // Another workspace's agents cannot read or answer it.
    const id = (await surveysOf(ticketId))[0]!.id;
    expect((await get(t, `/api/v1/feedback/surveys/${id}`, other.admin.headers)).status).toBe(404);
    expect(
      (await post(`/api/v1/feedback/surveys/${id}/answer`, other.admin.headers, { score: 1 })).statusCode,
    ).toBe(404);
    expect((await get(t, '/api/v1/feedback/surveys', other.admin.headers)).json().items).toHaveLength(0);
  });

  it('surveys each resolution cycle, within the cooldown per contact', async () => {
    // The reopened ticket is solved again: a second cycle, but Ana was asked moments ago.
    await replyAndSolve(ticketId);
    const cycles = await surveysOf(ticketId);
    expect(cycles).toHaveLength(2);
    expect(cycles[0]).toMatchObject({ status: 'skipped', skipReason: 'asked within the last 7 days' });

    // Without a cooldown the next cycle is asked.
    await patch('/api/v1/feedback/settings', ws.lead.headers, { csat: { cooldownDays: 0 } });
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tickets/${ticketId}`,
      headers: ws.agent.headers,
      payload: { status: 'open' },
    });
    await replyAndSolve(ticketId);
    const three = await surveysOf(ticketId);
    expect(three).toHaveLength(3);
    expect(three[0]!.status).toBe('scheduled');
  });

  it('calls off a survey not sent yet when the customer writes again', async () => {
    const id = await mailIn('ben@customer.test');
    await replyAndSolve(id);
    expect((await surveysOf(id))[0]!.status).toBe('scheduled');
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/channels/email/inbound',
      headers: { authorization: `Bearer ${inboxSecret}`, 'content-type': 'message/rfc822' },
      payload: Buffer.from(
        `From: Shopper <ben@customer.test>\r\nTo: support@survey-shop.test\r\nSubject: Re: Broken zip\r\nIn-Reply-To: <m${mailN}@customer.test>\r\nMessage-ID: <ben-again@customer.test>\r\nX-Shopdesk-Ticket: ${id}\r\n\r\nActually, one more thing\r\n`,
      ),
    });
    await settle(t);
    const status = (await get(t, `/api/v1/tickets/${id}`, ws.agent.headers)).json().status;
    if (status !== 'solved') expect((await surveysOf(id))[0]).toMatchObject({ status: 'cancelled' });
    else {
      // Threading did not match (a new ticket was made): reopening by hand does the same.
      await patch(`/api/v1/tickets/${id}`, ws.agent.headers, { status: 'open' });
      expect((await surveysOf(id))[0]).toMatchObject({ status: 'cancelled' });
    }
    await timePasses('send-feedback-survey');
    expect(await surveyNotice(id)).toBeNull();
  });

  it('samples and filters by rule', async () => {
    await patch('/api/v1/feedback/settings', ws.lead.headers, { csat: { samplePercent: 0 } });
    const a = await mailIn('cleo@customer.test');
    await replyAndSolve(a);
    expect((await surveysOf(a))[0]).toMatchObject({ status: 'skipped', skipReason: 'not in the sample' });
    await patch('/api/v1/feedback/settings', ws.lead.headers, {
      csat: { samplePercent: 100, excludeTags: ['vip'] },
    });
    const b = await mailIn('dan@customer.test');
    await patch(`/api/v1/tickets/${b}`, ws.agent.headers, { addTags: ['vip'] });
    await replyAndSolve(b);
    expect((await surveysOf(b))[0]).toMatchObject({ status: 'skipped', skipReason: 'tag vip is excluded' });
    await patch('/api/v1/feedback/settings', ws.lead.headers, { csat: { excludeTags: [] } });
  });

  it('takes an answer through the API, idempotently, on the survey’s scale only', async () => {
    const id = await mailIn('eve@customer.test');
    await replyAndSolve(id);
    await timePasses('send-feedback-survey');
    const s = (await surveysOf(id))[0]!;
    expect(
      (await post(`/api/v1/feedback/surveys/${s.id}/answer`, ws.agent.headers, { score: 9 })).statusCode,
    ).toBe(400);
    const a = await post(`/api/v1/feedback/surveys/${s.id}/answer`, ws.agent.headers, {
      score: 5,
      comment: 'Great',
    });
    expect(a.statusCode).toBe(200);
    expect(a.json()).toMatchObject({ status: 'answered', score: 5, verdict: 'good' });
    const b = await post(`/api/v1/feedback/surveys/${s.id}/answer`, ws.agent.headers, {
      score: 5,
      comment: 'Great',
    });
    expect(b.json().answeredAt).toBe(a.json().answeredAt);
    expect(
      (await post(`/api/v1/feedback/surveys/${s.id}/answer`, ws.readonly.headers, { score: 5 })).statusCode,
    ).toBe(403);
  });
});

describe('follow-ups', () => {
  it('asks "did this fix it?" in the thread; "no" reopens with a higher priority', async () => {
    await patch('/api/v1/feedback/settings', ws.lead.headers, {
      followUp: { enabled: true, delayHours: 24, closeAfterHours: 48 },
      csat: { enabled: false },
    });
    const id = await mailIn('finn@customer.test');
    await replyAndSolve(id);
    await timePasses('send-feedback-follow-up');
    const ticket = (await get(t, `/api/v1/tickets/${id}`, ws.agent.headers)).json();
    expect(ticket.status).toBe('solved');
    const ask = ticket.messages.at(-1);
    expect(ask.kind).toBe('outbound');
    expect(ask.bodyText).toContain('Did that fix your problem?');
    const no = linkIn(ask.bodyText, /http\S+\/l\/follow-up\.\S+\?answer=no/);

    const page = await t.app.inject({ method: 'GET', url: no });
    expect(page.statusCode).toBe(200);
    expect((await get(t, `/api/v1/tickets/${id}`, ws.agent.headers)).json().status).toBe('solved');

    const res = await form(no.split('?')[0]!, { answer: 'no' });
    expect(res.statusCode).toBe(200);
    const after = (await get(t, `/api/v1/tickets/${id}`, ws.agent.headers)).json();
    expect(after).toMatchObject({ status: 'open', priority: 'high' });
    expect(after.messages.at(-1).bodyText).toContain('not fixed');
    const f = (await get(t, `/api/v1/feedback/follow-ups?ticketId=${id}`, ws.agent.headers)).json().items;
    expect(f[0]).toMatchObject({ status: 'not-fixed' });
    // The close job that was scheduled finds nothing to close.
    await timePasses('close-feedback-follow-up');
    expect((await get(t, `/api/v1/tickets/${id}`, ws.agent.headers)).json().status).toBe('open');
  });

  it('closes the ticket on schedule when nobody answers, and is called off by a reopen', async () => {
    const quiet = await mailIn('gus@customer.test');
    await replyAndSolve(quiet);
    await timePasses('send-feedback-follow-up');
    await timePasses('close-feedback-follow-up');
    expect((await get(t, `/api/v1/tickets/${quiet}`, ws.agent.headers)).json().status).toBe('closed');

    const back = await mailIn('hal@customer.test');
    await replyAndSolve(back);
    await patch(`/api/v1/tickets/${back}`, ws.agent.headers, { status: 'open' });
    await timePasses('send-feedback-follow-up');
    const f = (await get(t, `/api/v1/feedback/follow-ups?ticketId=${back}`, ws.agent.headers)).json().items;
    expect(f[0]).toMatchObject({ status: 'cancelled' });
    const msgs = (await get(t, `/api/v1/tickets/${back}`, ws.agent.headers)).json().messages;
    expect(msgs.some((m: { bodyText: string }) => m.bodyText.includes('Did that fix'))).toBe(false);
  });
});
