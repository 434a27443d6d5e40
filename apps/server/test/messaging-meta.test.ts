import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import {
  type FakeGraph,
  hex,
  pageWebhook,
  signLikeMeta,
  startFakeGraph,
  whatsAppWebhook,
} from './meta-fake.ts';

/*
 * WhatsApp, Messenger and Instagram through the intake, against a local Graph API double
 * (meta-fake.ts) with webhooks signed as Meta documents X-Hub-Signature-256. Payloads are hand-written
 * from Meta's reference; the real captures in ../shared/fixtures run too when that folder exists.
 */
const PUBLIC = 'https://desk.example.com';
const PHONE_ID = '106540352242922';
const WABA = '102290129340398';
const PAGE_ID = '112233445566778';
const IG_ID = '17841400000000001';
const VERIFY = 'my-verify-token-1';
let t: TestApp;
let g: FakeGraph;
let ws: TestWorkspace;
let other: TestWorkspace;
const hooks: Record<string, string> = {};

/** Meta serialises non-ASCII as \uXXXX and signs those bytes. */
const metaJson = (x: unknown) =>
  JSON.stringify(x).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

async function connect(w: TestWorkspace, channel: string, settings: Record<string, unknown>) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/channels/${channel}/accounts`,
    headers: w.admin.headers,
    payload: {
      name: `${channel} inbox`,
      settings,
      secrets: { accessToken: g.token, appSecret: g.appSecret, verifyToken: VERIFY },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; webhooks: { webhook: string }; secretsSet: string[] };
}

beforeAll(async () => {
  g = await startFakeGraph();
  t = await startTestApp({
    PUBLIC_URL: PUBLIC,
    META_GRAPH_URL: g.url,
    OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
  });
  ws = await t.workspace('Chat Apps Shop');
  other = await t.workspace('Other Chat Apps Shop');
  hooks.whatsapp = (
    await connect(ws, 'whatsapp', {
      phoneNumberId: PHONE_ID,
      businessAccountId: WABA,
      displayPhoneNumber: '+1 555 078 3881',
    })
  ).webhooks.webhook;
  hooks.messenger = (
    await connect(ws, 'messenger', { pageId: PAGE_ID, pageName: 'Acme Shop' })
  ).webhooks.webhook;
  hooks.instagram = (
    await connect(ws, 'instagram', { pageId: IG_ID, pageName: '@acmeshop' })
  ).webhooks.webhook;
});
afterAll(async () => {
  await t?.stop();
  await g?.close();
});

const post = (url: string, body: string | Buffer, o: { secret?: string; signature?: string | null } = {}) =>
  t.app.inject({
    method: 'POST',
    url: new URL(url).pathname,
    headers: {
      'content-type': 'application/json',
      ...(o.signature === null
        ? {}
        : { 'x-hub-signature-256': o.signature ?? signLikeMeta(o.secret ?? g.appSecret, body) }),
    },
    payload: body,
  });
const drain = async () => {
  await t.db.query(sql`UPDATE jobs SET run_at = now() WHERE status = 'queued'`);
  await t.jobs.drain();
};
const stored = async (channel: string) =>
  (await t.db.query(sql`SELECT id FROM inbound_events WHERE channel = ${channel}`)).length;
const get = (url: string, w = ws) => t.app.inject({ method: 'GET', url, headers: w.agent.headers });
const ticketBy = async (channel: string, text: string) => {
  const items = (await get(`/api/v1/tickets?limit=100&channel=${channel}`)).json().items as { id: number }[];
  for (const x of items) {
    const d = (await get(`/api/v1/tickets/${x.id}`)).json();
    if (d.messages.some((m: { bodyText: string }) => m.bodyText.includes(text))) return d;
  }
  return null;
};
const reply = (id: number, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/replies`, headers: ws.agent.headers, payload });
const waText = (from: string, id: string, body: string, at: number) =>
  metaJson(
    whatsAppWebhook({
      phoneNumberId: PHONE_ID,
      from,
      message: { id, timestamp: String(at), type: 'text', text: { body } },
    }),
  );
const nowS = () => Math.floor(Date.now() / 1000);

describe('Meta webhooks: handshake and signatures', () => {
  it('answers the subscription check with hub.challenge only for the verify token', async () => {
    const path = new URL(hooks.whatsapp!).pathname;
    const ok = await t.app.inject({
      method: 'GET',
      url: `${path}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('1158201444');
    const wrong = await t.app.inject({
      method: 'GET',
      url: `${path}?hub.mode=subscribe&hub.verify_token=nope-nope&hub.challenge=1`,
    });
    expect(wrong.statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'GET', url: `${path}?hub.verify_token=${VERIFY}` })).statusCode,
    ).toBe(400);
    const unknown = path.replace(/\/[^/]+\/webhook$/, `/${hex(24)}/webhook`);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `${unknown}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1`,
        })
      ).statusCode,
    ).toBe(404);
    // SMS has no handshake: GET is not a thing there.
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/intake/sms/abcdefghijkl/sms?hub.challenge=1' }))
        .statusCode,
    ).toBe(404);
  });

  it('stores only deliveries signed with the app secret over the raw bytes; bad input is 400', async () => {
    const before = await stored('whatsapp');
    const body = waText('16315551181', `wamid.${hex(20)}`, 'Ça marche? 😊', nowS());
    expect(body).toContain('\\u00c7'); // escaped as Meta sends it
    expect((await post(hooks.whatsapp!, body, { signature: null })).statusCode).toBe(401);
    expect((await post(hooks.whatsapp!, body, { secret: hex(32) })).statusCode).toBe(401);
    // Signed over a re-serialised body (unescaped): not the bytes sent, refused.
    expect(
      (
        await post(hooks.whatsapp!, body, {
          signature: signLikeMeta(g.appSecret, JSON.stringify(JSON.parse(body))),
        })
      ).statusCode,
    ).toBe(401);
    expect((await post(hooks.whatsapp!, 'not json')).statusCode).toBe(400);
    expect((await post(hooks.whatsapp!, metaJson(pageWebhook('page', PAGE_ID, {})))).statusCode).toBe(400);
    expect(await stored('whatsapp')).toBe(before);
    const ok = await post(hooks.whatsapp!, body);
    expect(ok.statusCode).toBe(200);
    expect(await stored('whatsapp')).toBe(before + 1);
    await drain();
    expect(await ticketBy('whatsapp', 'Ça marche? 😊')).not.toBeNull();
  });

  it('never returns the secrets, only which are set', async () => {
    const list = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/channels/whatsapp/accounts',
        headers: ws.admin.headers,
      })
    ).json();
    expect(list.items[0].secretsSet).toEqual(['accessToken', 'appSecret', 'verifyToken']);
    expect(JSON.stringify(list)).not.toContain(g.appSecret);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/channels/whatsapp/accounts',
      headers: ws.admin.headers,
      payload: {
        name: 'x',
        settings: { phoneNumberId: 'abc', businessAccountId: WABA },
        secrets: { accessToken: g.token, appSecret: g.appSecret, verifyToken: VERIFY },
      },
    });
    expect(bad.statusCode).toBe(400);
    const agent = await t.app.inject({
      method: 'GET',
      url: '/api/v1/channels/whatsapp/accounts',
      headers: ws.agent.headers,
    });
    expect(agent.statusCode).toBe(403);
  });
});

describe('WhatsApp Cloud API', () => {
  const from = '16315551234';
  it('lands a text at the time WhatsApp gives, once however often it is delivered', async () => {
    const at = nowS() - 3600;
    const body = waText(
      from,
      'wamid.HBgLMTYzMTU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRjBFMDEyMDA0RQA=',
      'Where is order 1042?',
      at,
    );
    expect((await post(hooks.whatsapp!, body)).statusCode).toBe(200);
    expect((await post(hooks.whatsapp!, body)).json()).toMatchObject({ duplicate: true });
    // The same message in another envelope (Meta re-batches): stored, but landed once.
    const batched = JSON.parse(body);
    batched.entry[0].changes.push({
      field: 'messages',
      value: {
        messaging_product: 'whatsapp',
        metadata: batched.entry[0].changes[0].value.metadata,
        statuses: [],
      },
    });
    expect((await post(hooks.whatsapp!, metaJson(batched))).statusCode).toBe(200);
    await drain();
    const d = await ticketBy('whatsapp', 'Where is order 1042?');
    expect(d.channel).toBe('whatsapp');
    expect(d.messages).toHaveLength(1);
    expect(new Date(d.messages[0].createdAt).getTime()).toBe(at * 1000);
    const c = (await get(`/api/v1/contacts/${d.contact.id}`)).json();
    expect(c).toMatchObject({ name: 'Sheena Nelson', phone: `+${from}` });
  });

  it('downloads media at once, retrying when the download fails', async () => {
    g.media.set('1458771234567890', {
      data: Buffer.from('\xff\xd8 jpeg'),
      contentType: 'image/jpeg',
      failTimes: 1,
    });
    const body = metaJson(
      whatsAppWebhook({
        phoneNumberId: PHONE_ID,
        from,
        message: {
          id: `wamid.${hex(30)}`,
          timestamp: String(nowS()),
          type: 'image',
          image: {
            caption: 'The lid is broken',
            mime_type: 'image/jpeg',
            sha256: 'x',
            id: '1458771234567890',
          },
        },
      }),
    );
    expect((await post(hooks.whatsapp!, body)).statusCode).toBe(200);
    await drain(); // the download answers 500: the job fails and waits for its retry
    const failing = await t.db.query<{ error: string | null }>(
      sql`SELECT error FROM inbound_events WHERE channel = 'whatsapp' AND processed_at IS NULL`,
    );
    expect(failing[0]?.error).toContain('HTTP 500');
    await drain();
    const errs = await t.db.query(
      sql`SELECT error, processed_at FROM inbound_events WHERE channel = 'whatsapp' ORDER BY id DESC LIMIT 1`,
    );
    const d = await ticketBy('whatsapp', 'The lid is broken');
    expect(d, JSON.stringify(errs)).not.toBeNull();
    expect(d.messages.at(-1).attachments).toEqual([expect.objectContaining({ contentType: 'image/jpeg' })]);
  });

  it('reads locations, interactive replies and reactions as text an agent understands', async () => {
    const mk = (message: Record<string, unknown>) =>
      post(
        hooks.whatsapp!,
        metaJson(
          whatsAppWebhook({
            phoneNumberId: PHONE_ID,
            from: '16315550001',
            message: { id: `wamid.${hex(30)}`, timestamp: String(nowS() - 10 + ++n), ...message },
          }),
        ),
      );
    // Posted in one go and processed in parallel: WhatsApp's timestamps keep them in order.
    let n = 0;
    await mk({
      type: 'location',
      location: { latitude: 37.4611978, longitude: -122.2164385, name: 'Pickup point', address: '1 Main St' },
    });
    await mk({
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: 'track', title: 'Track my order' } },
    });
    await mk({ type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } });
    await drain();
    const d = await ticketBy('whatsapp', 'Track my order');
    expect(d.messages.map((m: { bodyText: string }) => m.bodyText)).toEqual([
      expect.stringContaining('📍 Shared a location: Pickup point, 1 Main St'),
      'Track my order',
      'Reacted 👍 to a message',
    ]);
  });

  it('replies as text inside the 24-hour window; statuses only move forward; a failure is shown in words', async () => {
    const d = await ticketBy('whatsapp', 'Where is order 1042?');
    const policy = (await get(`/api/v1/tickets/${d.id}/reply-policy`)).json();
    expect(policy).toMatchObject({ channel: 'whatsapp', freeText: true, templates: true });
    // 24 hours after the customer's latest message (the picture sent since), by WhatsApp's timestamps.
    expect(new Date(policy.closesAt).getTime()).toBe(
      new Date(d.messages.at(-1).createdAt).getTime() + 86_400_000,
    );
    const r = await reply(d.id, { body: 'It ships today.' });
    expect(r.statusCode).toBe(201);
    await drain();
    const sent = g.sent.at(-1)!;
    expect(sent.path).toBe(`/v21.0/${PHONE_ID}/messages`);
    expect(sent.body).toMatchObject({
      messaging_product: 'whatsapp',
      to: from,
      type: 'text',
      text: { body: 'It ships today.' },
    });
    const status = (s: string, extra: Record<string, unknown> = {}) =>
      post(
        hooks.whatsapp!,
        metaJson(
          whatsAppWebhook({
            phoneNumberId: PHONE_ID,
            status: { id: sent.id, status: s, timestamp: String(nowS()), recipient_id: from, ...extra },
          }),
        ),
      );
    await status('read');
    await status('delivered'); // arrives late: must not move it back
    await drain();
    const msg = (await get(`/api/v1/tickets/${d.id}`))
      .json()
      .messages.find((m: { id: number }) => m.id === r.json().id);
    expect(msg.deliveryStatus).toBe('read');

    const second = await reply(d.id, { body: 'And a coupon.' });
    await drain();
    await post(
      hooks.whatsapp!,
      metaJson(
        whatsAppWebhook({
          phoneNumberId: PHONE_ID,
          status: {
            id: g.sent.at(-1)!.id,
            status: 'failed',
            timestamp: String(nowS()),
            recipient_id: from,
            errors: [{ code: 131026, title: 'Message undeliverable' }],
          },
        }),
      ),
    );
    await drain();
    const failed = (await get(`/api/v1/tickets/${d.id}`))
      .json()
      .messages.find((m: { id: number }) => m.id === second.json().id);
    expect(failed.deliveryStatus).toBe('failed');
    expect(failed.deliveryError).toContain('not on WhatsApp');
  });

  it('after 24 hours forces an approved template, checks its variables, and sends it rendered', async () => {
    g.templates = [
      {
        name: 'order_update',
        language: 'en_US',
        status: 'APPROVED',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Hi {{1}}, order {{2}} has shipped.' }],
      },
      {
        name: 'spring_sale',
        language: 'en_US',
        status: 'PAUSED',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: 'Sale!' }],
      },
    ];
    const old = nowS() - 30 * 3600;
    await post(hooks.whatsapp!, waText('16315559999', `wamid.${hex(30)}`, 'Any news on my parcel?', old));
    await drain();
    const d = await ticketBy('whatsapp', 'Any news on my parcel?');
    expect((await get(`/api/v1/tickets/${d.id}/reply-policy`)).json()).toMatchObject({
      freeText: false,
      closesAt: null,
      templates: true,
      rule: expect.stringContaining('More than 24 hours'),
    });
    const free = await reply(d.id, { body: 'Hello?' });
    expect(free.statusCode).toBe(409);
    expect(free.json().error.message).toContain('approved template');
    const templates = (await get(`/api/v1/tickets/${d.id}/templates`)).json().items;
    expect(templates[0]).toMatchObject({ name: 'order_update', variables: 2, status: 'APPROVED' });
    const tpl = (variables: string[], name = 'order_update') => ({ name, language: 'en_US', variables });
    expect((await reply(d.id, { body: 'x', template: tpl(['Sam']) })).json().error.message).toContain(
      'needs 2 variables, 1 given',
    );
    expect(
      (await reply(d.id, { body: 'x', template: tpl([], 'spring_sale') })).json().error.message,
    ).toContain('not approved');
    expect((await reply(d.id, { body: 'x', template: tpl(['Sam', 'a\nb']) })).json().error.message).toContain(
      'new lines',
    );
    expect(
      (await reply(d.id, { body: 'x', template: { ...tpl(['Sam', '1']), language: 'de' } })).json().error
        .message,
    ).toContain('no de version');
    const before = g.sent.length;
    const ok = await reply(d.id, {
      body: 'Hi Sam, order #1042 has shipped.',
      template: tpl(['Sam', '#1042']),
    });
    expect(ok.statusCode).toBe(201);
    await drain();
    expect(g.sent).toHaveLength(before + 1);
    expect(g.sent.at(-1)!.body).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Sam' },
              { type: 'text', text: '#1042' },
            ],
          },
        ],
      },
    });
    // Meta's own refusal (the template paused meanwhile) fails the reply at once, in words.
    g.refuse.set('16315559999', { code: 132015, message: 'Template is paused' });
    const paused = await reply(d.id, {
      body: 'Hi Sam, order #1043 has shipped.',
      template: tpl(['Sam', '#1043']),
    });
    await drain();
    const m = (await get(`/api/v1/tickets/${d.id}`))
      .json()
      .messages.find((x: { id: number }) => x.id === paused.json().id);
    expect(m.deliveryStatus).toBe('failed');
    expect(m.deliveryError).toContain('paused for low quality');
  });

  const dir = resolve(__dirname, '../../../../shared/fixtures/webhooks/meta');
  it.runIf(existsSync(dir))('reads the pywa captures of real Cloud API webhooks (text, status)', async () => {
    const messages = JSON.parse(readFileSync(`${dir}/whatsapp-cloud-api.messages.pywa.json`, 'utf8'));
    const body = JSON.stringify(messages.text)
      .replace('1122334455667', PHONE_ID)
      .replace('wamid.xyzxyz', `wamid.${hex(20)}`);
    expect((await post(hooks.whatsapp!, body)).statusCode).toBe(200);
    const button = JSON.parse(
      readFileSync(`${dir}/whatsapp-cloud-api.interactive-button-reply.pywa.json`, 'utf8'),
    );
    const b = JSON.stringify(button.button)
      .replace('1122334455667', PHONE_ID)
      .replaceAll('wamid.xyzxyz', `wamid.${hex(20)}`);
    expect((await post(hooks.whatsapp!, b)).statusCode).toBe(200);
    await drain();
    const d = await ticketBy('whatsapp', 'Body Text');
    expect(d.messages.map((m: { bodyText: string }) => m.bodyText)).toEqual(['Body Text', 'title']);
    expect(new Date(d.messages[0].createdAt).getTime()).toBe(1697043223 * 1000);
    // Deliveries for another number of the same Meta app are acknowledged, not landed here.
    const foreign = JSON.stringify(messages.text)
      .replace('wamid.xyzxyz', `wamid.${hex(20)}`)
      .replace('Body Text', 'for another number');
    expect((await post(hooks.whatsapp!, foreign)).statusCode).toBe(200);
    await drain();
    expect(await ticketBy('whatsapp', 'for another number')).toBeNull();
  });
});

describe('Messenger and Instagram', () => {
  const psid = '6789012345678901';
  const igsid = '5432109876543210';
  it('lands a Messenger DM with its picture and replies inside the window; echoes are recorded once', async () => {
    g.cdn.set('pic.jpg', { data: Buffer.from('\xff\xd8 photo'), contentType: 'image/jpeg' });
    const ev = {
      sender: { id: psid },
      recipient: { id: PAGE_ID },
      timestamp: Date.now() - 60_000,
      message: {
        mid: `m_${hex(30)}`,
        text: 'Do you ship to Canada?',
        attachments: [{ type: 'image', payload: { url: `${g.cdnUrl}/pic.jpg` } }],
      },
    };
    expect((await post(hooks.messenger!, metaJson(pageWebhook('page', PAGE_ID, ev)))).statusCode).toBe(200);
    await drain();
    const d = await ticketBy('messenger', 'Do you ship to Canada?');
    expect(d.messages[0].attachments).toEqual([expect.objectContaining({ contentType: 'image/jpeg' })]);
    expect(g.tokenLeaks).toBe(0);
    expect((await get(`/api/v1/tickets/${d.id}/reply-policy`)).json()).toMatchObject({
      freeText: true,
      templates: false,
      rule: expect.stringContaining('24-hour standard messaging window'),
    });
    const r = await reply(d.id, { body: 'Yes, 5–7 days.' });
    await drain();
    const sent = g.sent.at(-1)!;
    expect(sent.path).toBe(`/v21.0/${PAGE_ID}/messages`);
    expect(sent.body).toMatchObject({
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: { text: 'Yes, 5–7 days.', metadata: `shopdesk:${r.json().id}` },
    });
    // Meta echoes our send (with our metadata) and one an employee typed in Meta Business Suite.
    const echo = (mid: string, text: string, metadata?: string) =>
      post(
        hooks.messenger!,
        metaJson(
          pageWebhook('page', PAGE_ID, {
            sender: { id: PAGE_ID },
            recipient: { id: psid },
            timestamp: Date.now(),
            message: {
              mid,
              is_echo: true,
              app_id: 1517776481860111,
              text,
              ...(metadata ? { metadata } : {}),
            },
          }),
        ),
      );
    await echo(sent.id, 'Yes, 5–7 days.', `shopdesk:${r.json().id}`);
    const fromSuite = `m_${hex(30)}`;
    await echo(fromSuite, 'Sent from the phone app');
    await echo(fromSuite, 'Sent from the phone app');
    await post(
      hooks.messenger!,
      metaJson(
        pageWebhook('page', PAGE_ID, {
          sender: { id: psid },
          recipient: { id: PAGE_ID },
          delivery: { mids: [sent.id], watermark: Date.now() },
        }),
      ),
    );
    await drain();
    const after = (await get(`/api/v1/tickets/${d.id}`)).json();
    expect(after.messages.filter((m: { bodyText: string }) => m.bodyText === 'Yes, 5–7 days.')).toHaveLength(
      1,
    );
    expect(
      after.messages.filter((m: { bodyText: string }) => m.bodyText.includes('Sent from the phone app')),
    ).toHaveLength(1);
    expect(after.messages.find((m: { id: number }) => m.id === r.json().id).deliveryStatus).toBe('delivered');
  });

  it('refuses a Messenger reply after the window, or tags it HUMAN_AGENT when the workspace enabled it', async () => {
    const ev = {
      sender: { id: '1112223334445556' },
      recipient: { id: PAGE_ID },
      timestamp: Date.now() - 3 * 86_400_000,
      message: { mid: `m_${hex(30)}`, text: 'Hello from three days ago' },
    };
    await post(hooks.messenger!, metaJson(pageWebhook('page', PAGE_ID, ev)));
    await drain();
    const d = await ticketBy('messenger', 'three days ago');
    const refused = await reply(d.id, { body: 'Sorry for the wait' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('within 24 hours');
    const acct = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/channels/messenger/accounts',
        headers: ws.admin.headers,
      })
    ).json().items[0];
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/channels/messenger/accounts/${acct.id}`,
      headers: ws.admin.headers,
      payload: { settings: { ...acct.settings, humanAgentTag: true } },
    });
    expect((await get(`/api/v1/tickets/${d.id}/reply-policy`)).json().rule).toContain('HUMAN_AGENT');
    expect((await reply(d.id, { body: 'Sorry for the wait' })).statusCode).toBe(201);
    await drain();
    expect(g.sent.at(-1)!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  it('lands an Instagram story reply and a shared post with their links, and answers on Instagram', async () => {
    const story = {
      sender: { id: igsid },
      recipient: { id: IG_ID },
      timestamp: Date.now() - 120_000,
      message: {
        mid: `aWdfZAG1${hex(30)}`,
        text: 'Is this jacket in stock?',
        reply_to: {
          story: { url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1', id: '17890000000000001' },
        },
      },
    };
    const share = {
      sender: { id: igsid },
      recipient: { id: IG_ID },
      timestamp: Date.now() - 60_000,
      message: {
        mid: `aWdfZAG1${hex(30)}`,
        attachments: [{ type: 'share', payload: { url: 'https://www.instagram.com/p/Cabc123/' } }],
      },
    };
    await post(hooks.instagram!, metaJson(pageWebhook('instagram', IG_ID, story)));
    await post(hooks.instagram!, metaJson(pageWebhook('instagram', IG_ID, share)));
    await drain();
    const d = await ticketBy('instagram', 'jacket in stock');
    expect(d.messages.map((m: { bodyText: string }) => m.bodyText)).toEqual([
      "Replied to the shop's story: https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1\nIs this jacket in stock?",
      'Shared an Instagram post: https://www.instagram.com/p/Cabc123/',
    ]);
    const r = await reply(d.id, { body: 'Yes, in all sizes.' });
    await drain();
    expect(g.sent.at(-1)).toMatchObject({
      path: `/v21.0/${IG_ID}/messages`,
      body: { recipient: { id: igsid }, message: { text: 'Yes, in all sizes.' } },
    });
    await post(
      hooks.instagram!,
      metaJson(
        pageWebhook('instagram', IG_ID, {
          sender: { id: igsid },
          recipient: { id: IG_ID },
          timestamp: Date.now(),
          read: { mid: g.sent.at(-1)!.id },
        }),
      ),
    );
    await drain();
    expect(
      (await get(`/api/v1/tickets/${d.id}`)).json().messages.find((m: { id: number }) => m.id === r.json().id)
        .deliveryStatus,
    ).toBe('read');
    // A Messenger envelope on the Instagram webhook is refused.
    expect((await post(hooks.instagram!, metaJson(pageWebhook('page', IG_ID, story)))).statusCode).toBe(400);
  });

  const dir = resolve(__dirname, '../../../../shared/fixtures/webhooks/meta');
  it.runIf(existsSync(dir))('reads the Messenger docs-era samples (text, postback)', async () => {
    const text = readFileSync(`${dir}/messenger.text-message.fbmessenger-api-hs.json`, 'utf8')
      .replace('"111111"', `"${PAGE_ID}"`)
      .replaceAll('USER_ID', '7000000000000001');
    expect((await post(hooks.messenger!, text)).statusCode).toBe(200);
    const postback = readFileSync(`${dir}/messenger.postback.fbmessenger-api-hs.json`, 'utf8')
      .replace('"111111"', `"${PAGE_ID}"`)
      .replaceAll('USER_ID', '7000000000000001');
    expect((await post(hooks.messenger!, postback)).statusCode).toBe(200);
    await drain();
    const d = await ticketBy('messenger', 'hello, world!');
    expect(d.messages).toHaveLength(2);
    expect(new Date(d.messages[0].createdAt).getTime()).toBe(1457764197627);
  });
});

describe('Isolation', () => {
  it("another workspace sees neither the tickets nor their reply rules, and cannot post to this shop's webhook with its own secret", async () => {
    const d = await ticketBy('whatsapp', 'Where is order 1042?');
    expect((await get(`/api/v1/tickets/${d.id}/reply-policy`, other)).statusCode).toBe(404);
    expect((await get(`/api/v1/tickets/${d.id}/templates`, other)).statusCode).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/tickets/${d.id}/replies`,
          headers: other.agent.headers,
          payload: { body: 'x' },
        })
      ).statusCode,
    ).toBe(404);
    const body = waText('16315550000', `wamid.${hex(20)}`, 'x', nowS());
    expect((await post(hooks.whatsapp!, body, { secret: hex(32) })).statusCode).toBe(401);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/v1/channels/whatsapp/accounts',
          headers: other.admin.headers,
        })
      ).json().items,
    ).toEqual([]);
  });
});
