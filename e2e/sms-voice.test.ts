import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_TEST_SERVERS,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import {
  type FakeTwilio,
  hex,
  incomingSms,
  signLikeTwilio,
  startFakeTwilio,
  voiceFields,
} from '../apps/server/test/twilio-fake.ts';
import { builtDashboard, launchChromium, listen, screenshotDir, signIn } from './support.ts';

/*
 * Texts and voicemails in the dashboard, in Chromium, against the local Twilio double (issue #18): an SMS
 * is answered from the ticket and the reply reaches Twilio with the right body; a voicemail shows its
 * recording (an <audio> player) and transcript, with the triage panel; its callback task is worked from
 * the ticket — click-to-call through Twilio, the signed <Dial> result logged, closed with an outcome.
 */
describe('SMS and voice in the dashboard, in a real browser', () => {
  const PUBLIC = 'https://desk.example.com';
  const SHOP = '+14155550100';
  const AGENT_PHONE = '+14155559999';
  let t: TestApp;
  let tw: FakeTwilio;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let hooks: Record<string, string>;
  const contexts: BrowserContext[] = [];
  const shots = screenshotDir();

  const page = async (): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    contexts.push(ctx);
    const p = await ctx.newPage();
    await signIn(p, base, ws.agent);
    return p;
  };
  /** A webhook signed the way Twilio signs it (over the public URL), posted to the desk. */
  const twilio = async (url: string, fields: [string, string][]) => {
    const res = await fetch(`${base}${new URL(url).pathname}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signLikeTwilio(tw.authToken, url, fields),
      },
      body: new URLSearchParams(fields).toString(),
    });
    expect(res.status).toBe(200);
    await t.jobs.drain();
    await t.bus.reactionsSettled();
  };
  const ticketWith = async (text: string) => {
    const list = (await (
      await fetch(`${base}/api/v1/tickets?limit=50`, { headers: ws.agent.headers })
    ).json()) as {
      items: { id: number; subject: string }[];
    };
    const found = list.items.find((x) => x.subject.includes(text));
    if (!found) throw new Error(`no ticket with ${text}`);
    return found.id;
  };

  beforeAll(async () => {
    tw = await startFakeTwilio();
    const dashboardDir = builtDashboard();
    t = await startTestApp({
      PUBLIC_URL: PUBLIC,
      TWILIO_API_URL: tw.url,
      OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
      DASHBOARD_DIR: dashboardDir,
    });
    base = await listen(t);
    ws = await t.workspace('Phone Journey');
    browser = await launchChromium();
    const res = await fetch(`${base}/api/v1/channels/sms/accounts`, {
      method: 'POST',
      headers: { ...ws.admin.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Support line',
        settings: { accountSid: tw.accountSid, phoneNumber: SHOP, voice: { enabled: true } },
        secrets: { authToken: tw.authToken },
      }),
    });
    expect(res.status).toBe(201);
    hooks = ((await res.json()) as { webhooks: Record<string, string> }).webhooks;
  }, 300_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    await tw?.close();
  });

  it('an admin sees the Twilio number with the webhook URLs to paste into Twilio', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    contexts.push(ctx);
    const p = await ctx.newPage();
    await signIn(p, base, ws.admin);
    await p.goto(`${base}/settings/sms`);
    const card = p.getByRole('region', { name: 'SMS account Support line' });
    await card.getByText(hooks.voice!).waitFor();
    await card.getByText(hooks.sms!).waitFor();
    expect(await p.content()).not.toContain(tw.authToken);
    await p.screenshot({ path: join(shots, 'sms-voice-settings.png') });
  });

  it('an SMS arrives and is answered from the dashboard; Twilio gets the reply', async () => {
    const sms = incomingSms({
      accountSid: tw.accountSid,
      from: '+14155550171',
      to: SHOP,
      body: 'Hi, can I still change the size of order 3001?',
    });
    await twilio(hooks.sms!, sms.fields);
    const p = await page();
    await p.goto(`${base}/tickets/${await ticketWith('change the size')}`);
    await p.getByText('Hi, can I still change the size of order 3001?').first().waitFor();
    await p.getByLabel('Reply to the customer by sms').fill('Yes! Which size would you like?');
    await p.getByRole('button', { name: 'Send', exact: true }).click();
    await expect
      .poll(async () => (await t.jobs.drain(), tw.sent.at(-1)))
      .toMatchObject({
        to: '+14155550171',
        from: SHOP,
        body: 'Yes! Which size would you like?',
        statusCallback: hooks.status,
      });
  });

  it('a voicemail shows its recording and transcript; its callback is called and closed', async () => {
    const callSid = `CA${hex(32)}`;
    const recSid = `RE${hex(32)}`;
    tw.recordings.set(recSid, Buffer.from('ID3 journey voicemail'));
    const call = { accountSid: tw.accountSid, callSid, from: '+14155550172', to: SHOP, status: 'completed' };
    await twilio(
      hooks.voicemail!,
      voiceFields(call, [
        ['RecordingUrl', `${tw.url}/2010-04-01/Accounts/${tw.accountSid}/Recordings/${recSid}`],
        ['RecordingDuration', '11'],
        ['RecordingSid', recSid],
      ]),
    );
    await twilio(
      hooks.transcription!,
      voiceFields(call, [
        ['TranscriptionSid', `TR${hex(32)}`],
        ['TranscriptionText', 'Hello, my parcel arrived damaged. Please call me back.'],
        ['TranscriptionStatus', 'completed'],
        ['RecordingSid', recSid],
      ]),
    );
    const id = await ticketWith('Voicemail from +14155550172');
    const p = await page();
    await p.goto(`${base}/tickets/${id}`);
    // The recording plays in place: an audio player whose source the browser can load.
    const audio = p.getByLabel(`Play voicemail-${callSid}.mp3`);
    await audio.waitFor();
    const src = await audio.getAttribute('src');
    const fetched = await p.evaluate(async (u) => {
      const r = await fetch(u!);
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
    }, src);
    expect(fetched).toMatchObject({ status: 200, text: 'ID3 journey voicemail' });
    expect(fetched.type).toContain('audio/mpeg');
    await p.getByText('my parcel arrived damaged').first().waitFor();
    // Triage: the transcript's intent, no order for this caller.
    const triage = p.getByTestId('voice-triage');
    await triage
      .getByTestId('triage-intent')
      .getByText(/damaged item/)
      .waitFor();
    await triage.getByTestId('triage-order').getByText('no order found for this caller').waitFor();

    // The callback task: due, then click-to-call after the agent saved their own phone.
    const section = p.getByTestId('callbacks-section');
    await section.getByTestId('callback-status').getByText(/^Due /).waitFor();
    await section.getByLabel(/Your phone/).fill(AGENT_PHONE);
    await section.getByRole('button', { name: 'Save my phone' }).click();
    await section.getByText(`Rings your phone ${AGENT_PHONE}`).waitFor();
    await p.screenshot({ path: join(shots, 'voicemail-triage-callback.png') });
    await section.getByRole('button', { name: 'Call back' }).click();
    await expect.poll(() => tw.calls.length).toBe(1);
    const placed = tw.calls[0]!;
    expect(placed).toMatchObject({ to: AGENT_PHONE, from: SHOP, statusCallback: hooks['call-status'] });
    expect(placed.twiml).toContain('<Number>+14155550172</Number>');
    // Twilio reports the customer leg (the <Dial> action): answered, 95 s.
    await twilio(hooks['call-status']!, [
      ['AccountSid', tw.accountSid],
      ['CallSid', placed.sid],
      ['CallStatus', 'in-progress'],
      ['DialCallSid', `CA${hex(32)}`],
      ['DialCallStatus', 'completed'],
      ['DialCallDuration', '95'],
    ]);
    await section
      .getByTestId('callback-call')
      .getByText(/answered/)
      .waitFor();
    await p.getByText('Call back to +14155550172: answered (1 min 35 s).').waitFor();
    await section.getByLabel('Outcome').selectOption('answered');
    await section.getByLabel('Note').fill('Replacement on its way.');
    await section.getByRole('button', { name: 'Mark callback done' }).click();
    await section.getByTestId('callback-status').getByText('Done: answered').waitFor();
    await p.getByText('Callback done: answered.').waitFor();
    // The Callbacks screen lists it as done.
    await p.goto(`${base}/callbacks`);
    await p.getByLabel('Show').selectOption('done');
    await p.getByTestId('callbacks-screen').getByText('Voicemail from +14155550172').waitFor();
  });
});
