import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { type FakeTwilio, hex, signLikeTwilio, startFakeTwilio, voiceFields } from './twilio-fake.ts';

const PUBLIC = 'https://desk.example.com';
const SHOP_NUMBER = '+14155550100';
let t: TestApp;
let tw: FakeTwilio;
let ws: TestWorkspace;
let hooks: Record<string, string>;

beforeAll(async () => {
  tw = await startFakeTwilio();
  t = await startTestApp({
    PUBLIC_URL: PUBLIC,
    TWILIO_API_URL: tw.url,
    OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
  });
  ws = await t.workspace('Call Shop');
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/channels/sms/accounts',
    headers: ws.admin.headers,
    payload: {
      name: 'Support line',
      settings: {
        accountSid: tw.accountSid,
        phoneNumber: SHOP_NUMBER,
        voice: { enabled: true, greetingClosed: 'We are closed & will call back.', maxRecordingSeconds: 90 },
      },
      secrets: { authToken: tw.authToken },
    },
  });
  expect(res.statusCode).toBe(201);
  hooks = res.json().webhooks;
});
afterAll(async () => {
  await t?.stop();
  await tw?.close();
});

const post = (url: string, fields: [string, string][]) =>
  t.app.inject({
    method: 'POST',
    url: new URL(url).pathname,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signLikeTwilio(tw.authToken, url, fields),
    },
    payload: new URLSearchParams(fields).toString(),
  });
const drain = async () => {
  await t.db.query(sql`UPDATE jobs SET run_at = now() WHERE status = 'queued'`);
  await t.jobs.drain();
};
const ticketsOf = async () =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/tickets?limit=100', headers: ws.agent.headers })).json()
    .items as { id: number; channel: string; subject: string; tags: string[] }[];
const detail = async (id: number) =>
  (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${id}`, headers: ws.agent.headers })).json();

describe('voicemail through Twilio', () => {
  it('greets by business hours, records with a beep and a limit, and hangs up after the message', async () => {
    const call = {
      accountSid: tw.accountSid,
      callSid: `CA${hex(32)}`,
      from: '+14155550123',
      to: SHOP_NUMBER,
    };
    const res = await post(hooks.voice!, voiceFields(call));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/xml');
    // No calendar set up: the default calendar is open all the time, so the open greeting plays.
    expect(res.body).toContain('All of us are helping other customers');
    expect(res.body).toContain('recorded and transcribed');
    expect(res.body).toMatch(
      /<Record maxLength="90" playBeep="true"[^>]* action="https:\/\/desk\.example\.com\/api\/v1\/intake\/sms\/[\w-]+\/voicemail"/,
    );
    expect(res.body).toContain('transcribe="true"');
    const done = await post(
      hooks.voicemail!,
      voiceFields(call, [
        ['RecordingUrl', 'x'],
        ['RecordingDuration', '0'],
      ]),
    );
    expect(done.body).toContain('<Hangup/>');
  });

  it('turns a voicemail into a ticket with the recording, then adds the transcript', async () => {
    const callSid = `CA${hex(32)}`;
    const recSid = `RE${hex(32)}`;
    const call = {
      accountSid: tw.accountSid,
      callSid,
      from: '(415) 555-0124',
      to: SHOP_NUMBER,
      status: 'completed',
    };
    const recordingUrl = `${tw.url}/2010-04-01/Accounts/${tw.accountSid}/Recordings/${recSid}`;
    const action = voiceFields(call, [
      ['RecordingUrl', recordingUrl],
      ['RecordingDuration', '14'],
      ['RecordingSid', recSid],
    ]);
    expect((await post(hooks.voicemail!, action)).statusCode).toBe(200);
    // The recording is not ready yet (404): the job retries, the voicemail is not landed without it.
    await drain();
    expect((await ticketsOf()).filter((x) => x.subject.startsWith('Voicemail'))).toHaveLength(0);
    // The transcript can arrive before the voicemail is landed: it waits for it.
    const transcript = voiceFields(call, [
      ['TranscriptionSid', `TR${hex(32)}`],
      ['TranscriptionText', 'Hi, my order 1042 arrived broken, please call me back.'],
      ['TranscriptionStatus', 'completed'],
      ['RecordingSid', recSid],
    ]);
    expect((await post(hooks.transcription!, transcript)).statusCode).toBe(200);
    tw.recordings.set(recSid, Buffer.from('ID3 fake mp3 bytes'));
    await drain();
    await drain();
    const [ticket] = (await ticketsOf()).filter((x) => x.subject.startsWith('Voicemail'));
    expect(ticket!.channel).toBe('voice');
    expect(ticket!.subject).toBe('Voicemail from +14155550124 (14 s)');
    expect(ticket!.tags).toEqual(expect.arrayContaining(['voicemail', 'callback']));
    const d = await detail(ticket!.id);
    const vm = d.messages.find((m: { kind: string }) => m.kind === 'inbound');
    expect(vm.attachments).toEqual([expect.objectContaining({ contentType: 'audio/mpeg' })]);
    const file = await t.app.inject({
      method: 'GET',
      url: `/api/v1/attachments/${vm.attachments[0].id}`,
      headers: ws.agent.headers,
    });
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe('ID3 fake mp3 bytes');
    const note = d.messages.find((m: { kind: string }) => m.kind === 'note');
    expect(note.bodyText).toContain('order 1042 arrived broken');
  });

  it('refuses an unsigned call and one without a CallSid, storing nothing', async () => {
    const before = (await t.db.query(sql`SELECT id FROM inbound_events`)).length;
    const fields = voiceFields({
      accountSid: tw.accountSid,
      callSid: `CA${hex(32)}`,
      from: '+14155550125',
      to: SHOP_NUMBER,
    });
    const unsigned = await t.app.inject({
      method: 'POST',
      url: new URL(hooks.voice!).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' },
      payload: new URLSearchParams(fields).toString(),
    });
    expect(unsigned.statusCode).toBe(401);
    expect(
      (
        await post(
          hooks.voice!,
          fields.filter(([k]) => k !== 'CallSid'),
        )
      ).statusCode,
    ).toBe(400);
    expect((await t.db.query(sql`SELECT id FROM inbound_events`)).length).toBe(before);
  });

  it('answers a voicemail by text from the same number', async () => {
    const [ticket] = (await ticketsOf()).filter((x) => x.subject.startsWith('Voicemail'));
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket!.id}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'Sorry about that! A replacement is on its way.' },
    });
    expect(reply.statusCode).toBe(201);
    await drain();
    expect(tw.sent.at(-1)).toMatchObject({ to: '+14155550124', from: SHOP_NUMBER });
  });
});
