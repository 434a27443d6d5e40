import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBusinessMinutes } from '../src/modules/sla/index.ts';
import { sql } from '../src/platform/db/db.ts';
import { demoOrder } from './commerce-helpers.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { type FakeTwilio, hex, signLikeTwilio, startFakeTwilio, voiceFields } from './twilio-fake.ts';

/*
 * Callback tasks and click-to-call (issue #18) against a local Twilio: a voicemail opens a task due in
 * business hours; "call back" places Calls.json (agent's phone first, <Dial> to the customer); the signed
 * status callbacks log one outcome on the ticket; the agent closes the task with an outcome and a note.
 */

const PUBLIC = 'https://desk.example.com';
const SHOP_NUMBER = '+14155550100';
const AGENT_PHONE = '+14155559999';
const CALENDAR = {
  name: 'Phones',
  timezone: 'UTC',
  weekly: Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '09:00', end: '09:30' }]]),
  ),
};
let t: TestApp;
let tw: FakeTwilio;
let ws: TestWorkspace;
let other: TestWorkspace;
let hooks: Record<string, string>;

beforeAll(async () => {
  tw = await startFakeTwilio();
  t = await startTestApp({
    PUBLIC_URL: PUBLIC,
    TWILIO_API_URL: tw.url,
    OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
  });
  ws = await t.workspace('Callback Shop');
  other = await t.workspace('Other Shop');
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/channels/sms/accounts',
    headers: ws.admin.headers,
    payload: {
      name: 'Support line',
      settings: {
        accountSid: tw.accountSid,
        phoneNumber: SHOP_NUMBER,
        voice: { enabled: true, callbackWithinMinutes: 20 },
      },
      secrets: { authToken: tw.authToken },
    },
  });
  expect(res.statusCode).toBe(201);
  hooks = res.json().webhooks;
  expect(hooks['call-status']).toMatch(/\/call-status$/);
  const cal = await t.app.inject({
    method: 'PUT',
    url: '/api/v1/business-hours',
    headers: ws.lead.headers,
    payload: CALENDAR,
  });
  expect(cal.statusCode).toBe(200);
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await tw?.close();
});

const form = (
  url: string,
  fields: [string, string][],
  signature = signLikeTwilio(tw.authToken, url, fields),
) =>
  t.app.inject({
    method: 'POST',
    url: new URL(url).pathname,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    payload: new URLSearchParams(fields).toString(),
  });
const drain = async () => {
  await t.db.query(sql`UPDATE jobs SET run_at = now() WHERE status = 'queued'`);
  await t.jobs.drain();
  await t.bus.reactionsSettled();
};
const api = (
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

/** A voicemail (or, with 0 seconds, a missed call) from `from`; returns its ticket id. */
async function voicemail(from: string, seconds: number) {
  const callSid = `CA${hex(32)}`;
  const recSid = `RE${hex(32)}`;
  if (seconds) tw.recordings.set(recSid, Buffer.from('ID3 voicemail'));
  const res = await form(
    hooks.voicemail!,
    voiceFields({ accountSid: tw.accountSid, callSid, from, to: SHOP_NUMBER, status: 'completed' }, [
      ['RecordingUrl', `${tw.url}/2010-04-01/Accounts/${tw.accountSid}/Recordings/${recSid}`],
      ['RecordingDuration', String(seconds)],
      ['RecordingSid', recSid],
    ]),
  );
  expect(res.statusCode).toBe(200);
  await drain();
  await drain();
  const list = await api('GET', '/api/v1/tickets?limit=100', ws.agent.headers);
  const ticket = (list.json().items as { id: number; subject: string }[]).find((x) =>
    x.subject.includes(from),
  );
  expect(ticket).toBeDefined();
  return ticket!.id;
}

const callStatus = (callSid: string, extra: [string, string][]) =>
  form(hooks['call-status']!, [
    ['AccountSid', tw.accountSid],
    ['ApiVersion', '2010-04-01'],
    ['CallSid', callSid],
    ['Direction', 'outbound-api'],
    ['From', SHOP_NUMBER],
    ['To', AGENT_PHONE],
    ...extra,
  ]);

describe('callback tasks', () => {
  let ticketId: number;
  let taskId: number;

  it('opens a callback task for a voicemail, due by the business-hours calendar', async () => {
    ticketId = await voicemail('+14155550131', 12);
    const res = await api('GET', `/api/v1/callbacks?ticketId=${ticketId}`, ws.agent.headers);
    expect(res.statusCode).toBe(200);
    const [task] = res.json().items;
    expect(task).toMatchObject({ ticketId, reason: 'voicemail', phone: '+14155550131', status: 'open' });
    taskId = task.id;
    const detail = (await api('GET', `/api/v1/tickets/${ticketId}`, ws.agent.headers)).json();
    const vm = detail.messages.find((m: { kind: string }) => m.kind === 'inbound');
    // 20 business minutes inside a 09:00–09:30 UTC window: due inside that window, as the SLA calendar counts.
    const expected = addBusinessMinutes(
      {
        timezone: 'UTC',
        weekly: Object.fromEntries(Object.entries(CALENDAR.weekly)) as never,
        holidays: [],
      },
      new Date(vm.createdAt),
      20,
    );
    expect(new Date(task.dueAt).toISOString()).toBe(expected!.toISOString());
    const due = new Date(task.dueAt);
    expect(due.getUTCHours()).toBe(9);
    expect(due.getUTCMinutes()).toBeLessThanOrEqual(30);
    // Listed among the callbacks due, and a replayed event opens no second task.
    const due2 = (await api('GET', '/api/v1/callbacks', ws.agent.headers)).json().items;
    expect(due2.map((x: { id: number }) => x.id)).toContain(taskId);
    expect((await t.db.query(sql`SELECT id FROM callback_tasks WHERE ticket_id = ${ticketId}`)).length).toBe(
      1,
    );
  });

  it('opens a missed-call task too', async () => {
    const id = await voicemail('+14155550132', 0);
    const [task] = (await api('GET', `/api/v1/callbacks?ticketId=${id}`, ws.agent.headers)).json().items;
    expect(task).toMatchObject({ reason: 'missed-call', phone: '+14155550132' });
  });

  it('needs the agent’s own phone before calling, and validates it', async () => {
    const noPhone = await api('POST', `/api/v1/callbacks/${taskId}/call`, ws.agent.headers, {});
    expect(noPhone.statusCode).toBe(400);
    const bad = await api('PUT', '/api/v1/callbacks/my-phone', ws.agent.headers, { phone: '555-1234' });
    expect(bad.statusCode).toBe(400);
    const ok = await api('PUT', '/api/v1/callbacks/my-phone', ws.agent.headers, { phone: AGENT_PHONE });
    expect(ok.statusCode).toBe(200);
    expect((await api('GET', '/api/v1/callbacks/my-phone', ws.agent.headers)).json()).toEqual({
      phone: AGENT_PHONE,
    });
    expect(tw.calls).toHaveLength(0);
  });

  it('calls back: rings the agent, bridges to the customer, logs one outcome from signed callbacks', async () => {
    const res = await api('POST', `/api/v1/callbacks/${taskId}/call`, ws.agent.headers, {});
    expect(res.statusCode).toBe(201);
    const call = res.json();
    const placed = tw.calls.at(-1)!;
    expect(placed).toMatchObject({
      to: AGENT_PHONE,
      from: SHOP_NUMBER,
      statusCallback: hooks['call-status'],
    });
    expect(placed.twiml).toContain(`<Dial callerId="${SHOP_NUMBER}"`);
    expect(placed.twiml).toContain('<Number>+14155550131</Number>');
    expect(placed.twiml).toContain(`action="${hooks['call-status']}"`);
    expect(call.callSid).toBe(placed.sid);

    // A forged callback (signed with another token) and one with a bad body are refused, nothing stored.
    const before = (await t.db.query(sql`SELECT id FROM inbound_events`)).length;
    const fields: [string, string][] = [
      ['AccountSid', tw.accountSid],
      ['CallSid', placed.sid],
      ['DialCallStatus', 'completed'],
      ['DialCallDuration', '125'],
    ];
    expect(
      (
        await form(
          hooks['call-status']!,
          fields,
          signLikeTwilio('x'.repeat(32), hooks['call-status']!, fields),
        )
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await form(
          hooks['call-status']!,
          fields.filter(([k]) => k !== 'CallSid'),
        )
      ).statusCode,
    ).toBe(400);
    expect((await t.db.query(sql`SELECT id FROM inbound_events`)).length).toBe(before);

    // The <Dial> action (customer answered, 125 s) arrives twice, then the agent leg's completed status.
    const dial: [string, string][] = [
      ['CallStatus', 'in-progress'],
      ['DialCallSid', `CA${hex(32)}`],
      ['DialCallStatus', 'completed'],
      ['DialCallDuration', '125'],
    ];
    expect((await callStatus(placed.sid, dial)).statusCode).toBe(200);
    expect((await callStatus(placed.sid, dial)).statusCode).toBe(200);
    expect(
      (
        await callStatus(placed.sid, [
          ['CallStatus', 'completed'],
          ['CallDuration', '140'],
        ])
      ).statusCode,
    ).toBe(200);
    await drain();
    const [task] = (await api('GET', `/api/v1/callbacks?ticketId=${ticketId}`, ws.agent.headers)).json()
      .items;
    expect(task.calls).toEqual([expect.objectContaining({ outcome: 'answered', durationSeconds: 125 })]);
    const notes = (await api('GET', `/api/v1/tickets/${ticketId}`, ws.agent.headers))
      .json()
      .messages.filter(
        (m: { kind: string; bodyText: string }) => m.kind === 'note' && m.bodyText.startsWith('Call back to'),
      );
    expect(notes.map((n: { bodyText: string }) => n.bodyText)).toEqual([
      'Call back to +14155550131: answered (2 min 05 s).',
    ]);
  });

  it('logs "agent’s phone did not answer" when the agent leg ends unanswered', async () => {
    const id = await voicemail('+14155550133', 5);
    const [task] = (await api('GET', `/api/v1/callbacks?ticketId=${id}`, ws.agent.headers)).json().items;
    const call = (await api('POST', `/api/v1/callbacks/${task.id}/call`, ws.agent.headers, {})).json();
    expect((await callStatus(call.callSid, [['CallStatus', 'no-answer']])).statusCode).toBe(200);
    await drain();
    const [after] = (await api('GET', `/api/v1/callbacks?ticketId=${id}`, ws.agent.headers)).json().items;
    expect(after.calls[0]).toMatchObject({ outcome: 'agent-missed', status: 'no-answer' });
  });

  it('completes the task with an outcome and a note on the ticket; a second completion is 409', async () => {
    const bad = await api('POST', `/api/v1/callbacks/${taskId}/complete`, ws.agent.headers, {
      outcome: 'maybe',
    });
    expect(bad.statusCode).toBe(400);
    const ro = await api('POST', `/api/v1/callbacks/${taskId}/complete`, ws.readonly.headers, {
      outcome: 'answered',
    });
    expect(ro.statusCode).toBe(403);
    const done = await api('POST', `/api/v1/callbacks/${taskId}/complete`, ws.agent.headers, {
      outcome: 'answered',
      note: 'Replacement agreed, shipping today.',
    });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ status: 'done', outcome: 'answered' });
    expect(
      (await api('POST', `/api/v1/callbacks/${taskId}/complete`, ws.agent.headers, { outcome: 'busy' }))
        .statusCode,
    ).toBe(409);
    const notes = (await api('GET', `/api/v1/tickets/${ticketId}`, ws.agent.headers))
      .json()
      .messages.filter(
        (m: { kind: string; bodyText: string }) =>
          m.kind === 'note' && m.bodyText.startsWith('Callback done'),
      );
    expect(notes).toHaveLength(1);
    expect(notes[0].bodyText).toContain('Replacement agreed');
    const open = (await api('GET', '/api/v1/callbacks', ws.agent.headers)).json().items;
    expect(open.map((x: { id: number }) => x.id)).not.toContain(taskId);
    const done2 = (await api('GET', '/api/v1/callbacks?status=done', ws.agent.headers)).json().items;
    expect(done2[0]).toMatchObject({ id: taskId, note: 'Replacement agreed, shipping today.' });
  });

  it('keeps workspaces apart and checks roles', async () => {
    expect((await api('GET', '/api/v1/callbacks?status=all', other.agent.headers)).json().items).toEqual([]);
    expect((await api('POST', `/api/v1/callbacks/${taskId}/call`, other.agent.headers, {})).statusCode).toBe(
      404,
    );
    expect(
      (await api('POST', `/api/v1/callbacks/${taskId}/complete`, other.agent.headers, { outcome: 'busy' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await api('POST', `/api/v1/tickets/${ticketId}/callbacks`, other.agent.headers, {})).statusCode,
    ).toBe(404);
    expect(
      (await api('POST', `/api/v1/tickets/${ticketId}/callbacks`, ws.readonly.headers, {})).statusCode,
    ).toBe(403);
    const before = (await t.db.query(sql`SELECT id FROM callback_tasks`)).length;
    expect(
      (await api('POST', `/api/v1/tickets/${ticketId}/callbacks`, ws.agent.headers, { dueAt: 'tomorrow' }))
        .statusCode,
    ).toBe(400);
    expect((await t.db.query(sql`SELECT id FROM callback_tasks`)).length).toBe(before);
    const manual = await api('POST', `/api/v1/tickets/${ticketId}/callbacks`, ws.agent.headers, {
      note: 'Call after 5',
    });
    expect(manual.statusCode).toBe(201);
    expect(manual.json()).toMatchObject({ reason: 'manual', status: 'open', note: 'Call after 5' });
  });

  it('fails the call at once with Twilio’s reason when it refuses to dial', async () => {
    tw.refuse.set(AGENT_PHONE, { code: 21215, message: 'Geographic permission' });
    const [task] = (await api('GET', `/api/v1/callbacks?ticketId=${ticketId}`, ws.agent.headers)).json()
      .items;
    const res = await api('POST', `/api/v1/callbacks/${task.id}/call`, ws.agent.headers, {});
    tw.refuse.delete(AGENT_PHONE);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'failed', outcome: 'failed' });
    expect(res.json().error).toBeTruthy();
  });
});

describe('voicemail triage', () => {
  it('shows the caller’s order and parcel, the transcript’s intent and a suggested macro', async () => {
    const conn = await api('POST', '/api/v1/commerce/connections', ws.admin.headers, {
      platform: 'builtin',
      currency: 'EUR',
    });
    expect(conn.statusCode).toBe(201);
    const shipped = new Date(Date.now() - 2 * 86400_000).toISOString();
    const push = await api(
      'POST',
      '/api/v1/store/batch',
      { authorization: `Bearer ${conn.json().token}` },
      {
        orders: [
          demoOrder({
            externalId: 'o-2042',
            number: '#2042',
            customer: {
              externalId: 'c-9',
              email: 'mia@example.com',
              phone: '+14155550141',
              firstName: 'Mia',
            },
            fulfillmentStatus: 'fulfilled',
            fulfillments: [
              {
                externalId: 'f-2042',
                carrier: 'UPS',
                trackingNumber: '1Z999AA10123456784',
                shippedAt: shipped,
                updatedAt: shipped,
              },
            ],
          }),
        ],
      },
    );
    expect(push.statusCode).toBe(200);
    for (const name of ['Damaged item – replacement', 'Where is my order', 'Return label'])
      expect(
        (await api('POST', '/api/v1/macros', ws.lead.headers, { name, body: `${name}: …`, shared: true }))
          .statusCode,
      ).toBe(201);
    const callSid = `CA${hex(32)}`;
    const recSid = `RE${hex(32)}`;
    tw.recordings.set(recSid, Buffer.from('ID3 voicemail'));
    const call = {
      accountSid: tw.accountSid,
      callSid,
      from: '+14155550141',
      to: SHOP_NUMBER,
      status: 'completed',
    };
    await form(
      hooks.voicemail!,
      voiceFields(call, [
        ['RecordingUrl', `${tw.url}/2010-04-01/Accounts/${tw.accountSid}/Recordings/${recSid}`],
        ['RecordingDuration', '9'],
        ['RecordingSid', recSid],
      ]),
    );
    await drain();
    const list = (await api('GET', '/api/v1/tickets?limit=100', ws.agent.headers)).json().items as {
      id: number;
      subject: string;
    }[];
    const ticket = list.find((x) => x.subject.includes('+14155550141'))!;
    const before = (await api('GET', `/api/v1/tickets/${ticket.id}/voice-triage`, ws.agent.headers)).json();
    expect(before).toMatchObject({ transcript: null, intent: null, macro: null });
    await form(
      hooks.transcription!,
      voiceFields(call, [
        ['TranscriptionSid', `TR${hex(32)}`],
        ['TranscriptionText', 'Hi, my order 2042 arrived broken. The box was crushed. Please call me back.'],
        ['TranscriptionStatus', 'completed'],
        ['RecordingSid', recSid],
      ]),
    );
    await drain();
    const res = await api('GET', `/api/v1/tickets/${ticket.id}/voice-triage`, ws.readonly.headers);
    expect(res.statusCode).toBe(200);
    const triage = res.json();
    expect(triage.transcript).toContain('arrived broken');
    expect(triage.intent).toMatchObject({ damage: true, orderNumber: '2042' });
    expect(triage.order).toMatchObject({ number: '#2042' });
    expect(triage.macro).toMatchObject({ name: 'Damaged item – replacement' });
    expect(
      (await api('GET', `/api/v1/tickets/${ticket.id}/voice-triage`, other.agent.headers)).statusCode,
    ).toBe(404);
  });
});
