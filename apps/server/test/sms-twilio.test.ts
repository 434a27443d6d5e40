import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toE164 } from '../src/channels/twilio/phone.ts';
import { parseTwilioForm, twilioSignature, validTwilioSignature } from '../src/channels/twilio/signature.ts';
import { sql } from '../src/platform/db/db.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import {
  type FakeTwilio,
  hex,
  incomingSms,
  signLikeTwilio,
  startFakeTwilio,
  statusCallback,
} from './twilio-fake.ts';

const PUBLIC = 'https://desk.example.com';
const SHOP_NUMBER = '+14155550100';
let t: TestApp;
let tw: FakeTwilio;
let ws: TestWorkspace;
let other: TestWorkspace;
let hooks: { sms: string; status: string };
let accountId: number;

beforeAll(async () => {
  tw = await startFakeTwilio();
  t = await startTestApp({
    PUBLIC_URL: PUBLIC,
    TWILIO_API_URL: tw.url,
    OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
  });
  ws = await t.workspace('Text Shop');
  other = await t.workspace('Other Text Shop');
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/channels/sms/accounts',
    headers: ws.admin.headers,
    payload: {
      name: 'Support line',
      settings: {
        accountSid: tw.accountSid,
        phoneNumber: SHOP_NUMBER,
        helpText: 'Text us any time. Reply STOP to opt out.',
      },
      secrets: { authToken: tw.authToken },
    },
  });
  expect(res.statusCode).toBe(201);
  hooks = res.json().webhooks;
  accountId = res.json().id;
});
afterAll(async () => {
  await t?.stop();
  await tw?.close();
});

/** Posts fields to a webhook as Twilio would: form-encoded in the given order, signed over `signedUrl`. */
function twilioPost(
  url: string,
  fields: [string, string][],
  o: { signedUrl?: string; token?: string; sign?: [string, string][] } = {},
) {
  const body = new URLSearchParams(fields).toString();
  return t.app.inject({
    method: 'POST',
    url: new URL(url).pathname + new URL(url).search,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signLikeTwilio(o.token ?? tw.authToken, o.signedUrl ?? url, o.sign ?? fields),
      host: '10.0.0.5:3000',
    },
    payload: body,
  });
}
const drain = async () => {
  // Retries wait for their backoff; a test does not.
  await t.db.query(sql`UPDATE jobs SET run_at = now() WHERE status = 'queued'`);
  await t.jobs.drain();
};
const ticketsOf = async (w: TestWorkspace) =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/tickets?limit=100', headers: w.agent.headers })).json()
    .items as { id: number; channel: string; subject: string; status: string }[];
const detail = async (id: number) =>
  (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${id}`, headers: ws.agent.headers })).json();
const smsTicketFrom = async (phone: string) => {
  for (const x of (await ticketsOf(ws)).filter((x) => x.channel === 'sms')) {
    const d = await detail(x.id);
    const c = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/contacts/${d.contact.id}`,
        headers: ws.agent.headers,
      })
    ).json();
    if (c.phone === phone) return d;
  }
  return null;
};
const storedCount = async () =>
  (await t.db.query(sql`SELECT id FROM inbound_events WHERE channel = 'sms'`)).length;

describe('Twilio X-Twilio-Signature', () => {
  const dir = resolve(__dirname, '../../../../shared/fixtures/webhooks/twilio');
  it.runIf(existsSync(`${dir}/signature-vectors.json`))("matches Twilio's own SDK test vectors", () => {
    const { vectors } = JSON.parse(readFileSync(`${dir}/signature-vectors.json`, 'utf8')) as {
      vectors: {
        name: string;
        auth_token: string;
        url: string;
        params?: Record<string, string>;
        form_body?: string;
        expected_signature: string;
        url_variants_that_must_also_validate?: Record<string, string>;
      }[];
    };
    for (const v of vectors.filter((x) => !x.name.includes('json'))) {
      const params = v.params ?? parseTwilioForm(v.form_body ?? '');
      expect(twilioSignature(v.auth_token, v.url, params), v.name).toBe(v.expected_signature);
      expect(validTwilioSignature(v.auth_token, v.expected_signature, v.url, params)).toBe(true);
      for (const [url, note] of Object.entries(v.url_variants_that_must_also_validate ?? {})) {
        const sig = note.split(' ')[0]!;
        expect(validTwilioSignature(v.auth_token, sig, url.replace(/ signed$/, ''), params), url).toBe(true);
      }
    }
  });
  it('normalises numbers as shoppers type them to E.164', () => {
    expect(toE164('(415) 555-0100')).toBe('+14155550100');
    expect(toE164('0044 20 7946 0958')).toBe('+442079460958');
    expect(toE164('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(toE164('call me')).toBeNull();
  });
});

describe('SMS through Twilio', () => {
  it('lands a text in a ticket with the sender in E.164; a replayed webhook is one message', async () => {
    const sms = incomingSms({
      accountSid: tw.accountSid,
      from: '+14155550111',
      to: SHOP_NUMBER,
      body: 'Hi! Where is order 1042?',
    });
    const res = await twilioPost(hooks.sms, sms.fields);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/xml');
    expect(res.body).toContain('<Response></Response>');
    // Durable before the 2xx: the raw request and its job are in the database.
    const stored = await t.db.query<{ id: number }>(
      sql`SELECT id FROM inbound_events WHERE provider_id = ${sms.sid}`,
    );
    expect(stored).toHaveLength(1);
    expect((await twilioPost(hooks.sms, sms.fields)).statusCode).toBe(200);
    await drain();
    const d = await smsTicketFrom('+14155550111');
    expect(d.channel).toBe('sms');
    expect(d.messages.map((m: { bodyText: string }) => m.bodyText)).toEqual(['Hi! Where is order 1042?']);
    // The next text threads into the same ticket.
    await twilioPost(
      hooks.sms,
      incomingSms({ accountSid: tw.accountSid, from: '+14155550111', to: SHOP_NUMBER, body: 'Thanks' })
        .fields,
    );
    await drain();
    expect((await detail(d.id)).messages).toHaveLength(2);
  });

  it('verifies the signature over the public URL and every field, whatever order they come in', async () => {
    const before = await storedCount();
    const sms = incomingSms({
      accountSid: tw.accountSid,
      from: '+14155550112',
      to: SHOP_NUMBER,
      body: 'hello',
    });
    // Signed for the internal address the proxy forwards to: refused.
    const internal = hooks.sms.replace(PUBLIC, 'http://10.0.0.5:3000');
    expect((await twilioPost(hooks.sms, sms.fields, { signedUrl: internal })).statusCode).toBe(401);
    // Another auth token, or a field changed after signing: refused.
    expect((await twilioPost(hooks.sms, sms.fields, { token: hex(32) })).statusCode).toBe(401);
    const tampered = sms.fields.map(
      ([k, v]) => [k, k === 'Body' ? 'send me a refund' : v] as [string, string],
    );
    expect((await twilioPost(hooks.sms, tampered, { sign: sms.fields })).statusCode).toBe(401);
    expect(await storedCount()).toBe(before);
    // The same fields in another order: the signature sorts them, so it is valid.
    expect((await twilioPost(hooks.sms, [...sms.fields].reverse())).statusCode).toBe(200);
    expect(await storedCount()).toBe(before + 1);
  });

  it('honours a public URL set on the account (a proxy with a path prefix)', async () => {
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/channels/sms/accounts/${accountId}`,
      headers: ws.admin.headers,
      payload: { publicUrl: 'https://proxy.example.net' },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().webhooks.sms).toMatch(/^https:\/\/proxy\.example\.net\/api\/v1\/intake\/sms\//);
    const sms = incomingSms({
      accountSid: tw.accountSid,
      from: '+14155550113',
      to: SHOP_NUMBER,
      body: 'via proxy',
    });
    expect((await twilioPost(hooks.sms, sms.fields)).statusCode).toBe(401);
    expect((await twilioPost(patch.json().webhooks.sms, sms.fields)).statusCode).toBe(200);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/channels/sms/accounts/${accountId}`,
      headers: ws.admin.headers,
      payload: { publicUrl: null },
    });
  });

  it('refuses bad input with 4xx and stores nothing', async () => {
    const before = await storedCount();
    const noSid = incomingSms({
      accountSid: tw.accountSid,
      from: '+14155550114',
      to: SHOP_NUMBER,
      body: 'x',
    }).fields.filter(([k]) => !k.endsWith('Sid') || k === 'AccountSid');
    expect((await twilioPost(hooks.sms, noSid)).statusCode).toBe(400);
    const otherAccount = incomingSms({
      accountSid: `AC${hex(32)}`,
      from: '+14155550114',
      to: SHOP_NUMBER,
      body: 'x',
    });
    expect((await twilioPost(hooks.sms, otherAccount.fields)).statusCode).toBe(403);
    expect(await storedCount()).toBe(before);
  });

  it('stores MMS pictures as attachments, retrying a media download that failed', async () => {
    tw.media.set('ME1', {
      data: Buffer.from('\x89PNG fake picture'),
      contentType: 'image/png',
      failTimes: 1,
    });
    const url = `${tw.url}/2010-04-01/Accounts/${tw.accountSid}/Messages/MM1/Media/ME1`;
    const sms = incomingSms({
      accountSid: tw.accountSid,
      from: '+14155550115',
      to: SHOP_NUMBER,
      body: 'The box arrived like this',
      media: [{ url, type: 'image/png' }],
    });
    expect((await twilioPost(hooks.sms, sms.fields)).statusCode).toBe(200);
    await drain(); // the download answers 500 twice (outbound retries once): the job fails and waits
    expect(await smsTicketFrom('+14155550115')).toBeNull();
    await drain();
    const errors = await t.db.query(sql`SELECT error FROM inbound_events WHERE provider_id = ${sms.sid}`);
    const d = await smsTicketFrom('+14155550115');
    expect(d, JSON.stringify(errors)).not.toBeNull();
    expect(d.messages[0].attachments).toEqual([expect.objectContaining({ contentType: 'image/png' })]);
  });

  it('sends a reply through Twilio and shows delivery and failures from status callbacks', async () => {
    const d = await smsTicketFrom('+14155550111');
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${d.id}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'It ships today — tracking follows.' },
    });
    expect(reply.statusCode).toBe(201);
    await drain();
    const out = tw.sent.at(-1)!;
    expect(out).toMatchObject({
      to: '+14155550111',
      from: SHOP_NUMBER,
      body: 'It ships today — tracking follows.',
    });
    expect(out.statusCallback).toBe(hooks.status);
    await twilioPost(
      hooks.status,
      statusCallback({
        accountSid: tw.accountSid,
        sid: out.sid,
        status: 'sent',
        to: out.to,
        from: SHOP_NUMBER,
      }),
    );
    await twilioPost(
      hooks.status,
      statusCallback({
        accountSid: tw.accountSid,
        sid: out.sid,
        status: 'delivered',
        to: out.to,
        from: SHOP_NUMBER,
      }),
    );
    await drain();
    const msg = (await detail(d.id)).messages.find((m: { id: number }) => m.id === reply.json().id);
    expect(msg.deliveryStatus).toBe('delivered');

    const second = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${d.id}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'One more thing' },
    });
    await drain();
    const sid = tw.sent.at(-1)!.sid;
    await twilioPost(
      hooks.status,
      statusCallback({
        accountSid: tw.accountSid,
        sid,
        status: 'undelivered',
        errorCode: '30007',
        to: out.to,
        from: SHOP_NUMBER,
      }),
    );
    await drain();
    const failed = (await detail(d.id)).messages.find((m: { id: number }) => m.id === second.json().id);
    expect(failed.deliveryStatus).toBe('failed');
    expect(failed.deliveryError).toContain('filtered the message as spam');
  });

  it('honours STOP: recorded as consent, and the number is never texted again until START', async () => {
    const from = '+14155550116';
    await twilioPost(
      hooks.sms,
      incomingSms({ accountSid: tw.accountSid, from, to: SHOP_NUMBER, body: 'Need help with my order' })
        .fields,
    );
    await twilioPost(
      hooks.sms,
      incomingSms({ accountSid: tw.accountSid, from, to: SHOP_NUMBER, body: ' stop ' }).fields,
    );
    await drain();
    expect(await t.intake.optedOut(ws.workspaceId, 'sms', from)).toBe(true);
    const d = await smsTicketFrom(from);
    const sentBefore = tw.sent.length;
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${d.id}/replies`,
      headers: ws.agent.headers,
      payload: { body: 'Sorry to see you go' },
    });
    await drain();
    expect(tw.sent.length).toBe(sentBefore);
    const msg = (await detail(d.id)).messages.find((m: { id: number }) => m.id === reply.json().id);
    expect(msg.deliveryStatus).toBe('failed');
    expect(msg.deliveryError).toContain('STOP');
    await twilioPost(
      hooks.sms,
      incomingSms({ accountSid: tw.accountSid, from, to: SHOP_NUMBER, body: 'START' }).fields,
    );
    await drain();
    expect(await t.intake.optedOut(ws.workspaceId, 'sms', from)).toBe(false);
  });

  it('answers HELP with the inbox help text in TwiML', async () => {
    const res = await twilioPost(
      hooks.sms,
      incomingSms({ accountSid: tw.accountSid, from: '+14155550117', to: SHOP_NUMBER, body: 'help' }).fields,
    );
    expect(res.body).toContain('<Message>Text us any time. Reply STOP to opt out.</Message>');
  });

  it('keeps workspaces apart and never shows the auth token', async () => {
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/channels/sms/accounts',
      headers: ws.admin.headers,
    });
    expect(JSON.stringify(list.json())).not.toContain(tw.authToken);
    expect(list.json().items[0].secretsSet).toEqual(['authToken']);
    const raw = await t.db.query<{ secrets: string }>(
      sql`SELECT secrets FROM channel_accounts WHERE id = ${accountId}`,
    );
    expect(raw[0]!.secrets).not.toContain(tw.authToken);
    expect((await ticketsOf(other)).filter((x) => x.channel === 'sms')).toEqual([]);
    const otherList = await t.app.inject({
      method: 'GET',
      url: '/api/v1/channels/sms/accounts',
      headers: other.admin.headers,
    });
    expect(otherList.json().items).toEqual([]);
  });
});
