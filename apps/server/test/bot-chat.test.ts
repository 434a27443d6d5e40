import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { BOT_SHOP_TRACKING, call, setUpBotShop } from './helpcenter-helpers.ts';

// The bot in the chat widget, through the widget's HTTP API. A visitor's message is stored by
// tickets.receive, which runs the listeners (the bot) before it returns: when the POST has answered,
// the bot has answered too (or decided to stay silent).

let t: TestApp;
let ws: TestWorkspace;
const SECRET = BOT_SHOP_TRACKING;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Bot Chat Shop');
  await setUpBotShop(t, ws);
});
afterAll(() => t?.stop());

// biome-ignore lint/suspicious/noExplicitAny: test code walks JSON bodies freely
type Json = Record<string, any>;
const widget = (slug: string, path: string) => `/api/v1/widget/${slug}/${path}`;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

async function visitor(slug: string, body: Json = {}) {
  const r = await t.app.inject({ method: 'POST', url: widget(slug, 'session'), payload: body });
  expect(r.statusCode).toBe(200);
  const token = r.json().token as string;
  let ticketId = 0;
  const say = async (text: string, extra: Json = {}) => {
    const res = await t.app.inject({
      method: 'POST',
      url: widget(slug, 'messages'),
      payload: { token, clientId: randomBytes(9).toString('base64url'), text, ...extra },
    });
    expect(res.statusCode).toBe(201);
    if (!ticketId) {
      // The visitor's session names the conversation's ticket.
      const again = await t.app.inject({
        method: 'POST',
        url: widget(slug, 'session'),
        payload: { ...body, token },
      });
      ticketId = again.json().conversation.ticketId;
    }
    return res.json();
  };
  return { token, say, ticket: () => ticketId };
}

async function ticketOf(id: number, w = ws) {
  return (await call(t, 'GET', `/api/v1/tickets/${id}`, w.agent.headers)).json() as Json;
}
const botLines = (d: Json) =>
  (d.messages as Json[])
    .filter((m) => m.kind === 'outbound' && m.author.type !== 'agent')
    .map((m) => m.bodyText as string);
const notes = (d: Json) =>
  (d.messages as Json[]).filter((m) => m.kind === 'note').map((m) => m.bodyText as string);

describe('the bot in the chat widget', () => {
  it('shows a verified visitor their order at once, and asks an unverified one for proof', async () => {
    const rotated = await call(t, 'PATCH', '/api/v1/chat/settings', ws.admin.headers, {
      rotateIdentitySecret: true,
    });
    const secret = rotated.json().identitySecret as string;
    const hash = createHmac('sha256', secret).update('emma@example.com').digest('hex');
    const verified = await visitor(ws.slug, { identity: { email: 'emma@example.com', name: 'Emma', hash } });
    await verified.say('where is my order 1042');
    await expect
      .poll(async () => botLines(await ticketOf(verified.ticket())).join('\n'), { timeout: 15_000 })
      .toContain('Order #1042: Shipped');
    expect(botLines(await ticketOf(verified.ticket())).join('\n')).toContain(SECRET);

    // Same words from a visitor who only typed an e-mail into the widget: asked to prove it.
    const typed = await visitor(ws.slug);
    await t.app.inject({
      method: 'POST',
      url: widget(ws.slug, 'email'),
      payload: { token: typed.token, email: 'emma@example.com' },
    });
    await typed.say('where is my order 1042');
    await expect
      .poll(async () => botLines(await ticketOf(typed.ticket())).join('\n'), { timeout: 15_000 })
      .toContain('e-mail address you ordered with');
    expect(JSON.stringify(await ticketOf(typed.ticket()))).not.toContain(SECRET);
  });

  it('asks for a photo of a damaged item and lists it in the handover note the agent sees', async () => {
    const v = await visitor(ws.slug);
    await v.say('my jacket arrived damaged, the zipper is broken');
    await expect
      .poll(async () => botLines(await ticketOf(v.ticket())).join('\n'), { timeout: 15_000 })
      .toContain('send a photo');
    await v.say('', {
      attachment: { filename: 'zipper.png', contentType: 'image/png', dataBase64: PNG.toString('base64') },
    });
    await expect
      .poll(async () => notes(await ticketOf(v.ticket())).join('\n'), { timeout: 15_000 })
      .toContain('Photo from the shopper: zipper.png (image/png');
    const d = await ticketOf(v.ticket());
    expect(d.tags).toContain('bot-handover');
    const note = notes(d).join('\n');
    expect(note).toContain('damaged or wrong item, photo received');
    expect(note).toContain('Shopper: my jacket arrived damaged, the zipper is broken');
    expect(botLines(d).at(-1)).toContain('handing you over');
  });

  it('answers a German chat from the German article', async () => {
    const v = await visitor(ws.slug, { locale: 'de-DE' });
    await v.say('Wie lange dauert der Versand?');
    await expect
      .poll(async () => botLines(await ticketOf(v.ticket())).join('\n'), { timeout: 15_000 })
      .toContain('Wie lange dauert der Versand und was kostet er?');
  });

  it('stops once an agent has replied on the chat', async () => {
    const v = await visitor(ws.slug);
    await v.say('hi');
    await expect.poll(async () => botLines(await ticketOf(v.ticket())).length, { timeout: 15_000 }).toBe(1);
    const reply = await call(t, 'POST', `/api/v1/tickets/${v.ticket()}/replies`, ws.agent.headers, {
      body: 'Hi, Sam from the team here. How can I help?',
    });
    expect(reply.statusCode).toBe(201);
    await v.say('how long does shipping take?');
    // The POST returned after the listeners ran: had the bot answered, its line would be stored by now.
    const d = await ticketOf(v.ticket());
    expect(botLines(d)).toHaveLength(1);
    expect((d.messages as Json[]).at(-1)!.bodyText).toBe('how long does shipping take?');
  });

  it('outside business hours, the handover says when the team will reply', async () => {
    const closed = await t.workspace('Bot Closed Shop');
    const day = (offset: number) => new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10);
    const hours = [{ start: '09:00', end: '17:00' }];
    const put = await call(t, 'PUT', '/api/v1/business-hours', closed.lead.headers, {
      timezone: 'UTC',
      weekly: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours },
      // Closed today and tomorrow: back the day after at 09:00 UTC.
      holidays: [{ date: day(0) }, { date: day(1) }],
    });
    expect(put.statusCode).toBe(200);
    const v = await visitor(closed.slug);
    await v.say('talk to a human please');
    const back = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'UTC' }).format(
      new Date(Date.now() + 2 * 86400_000),
    );
    await expect
      .poll(async () => botLines(await ticketOf(v.ticket(), closed)).join('\n'), { timeout: 15_000 })
      .toContain('offline right now');
    const line = botLines(await ticketOf(v.ticket(), closed)).join('\n');
    expect(line).toContain(`back on ${back}`);
    expect(line).toContain('09:00');
  });

  it('with an agent online, the handover promises a quick answer; the bot signs its lines as the bot', async () => {
    const staffed = await t.workspace('Bot Staffed Shop');
    const online = await call(t, 'PUT', '/api/v1/routing/presence', staffed.agent.headers, {
      status: 'online',
    });
    expect(online.statusCode).toBe(200);
    const v = await visitor(staffed.slug);
    await v.say('talk to a human please');
    await expect
      .poll(async () => botLines(await ticketOf(v.ticket(), staffed)).join('\n'), { timeout: 15_000 })
      .toContain('online and will be with you shortly');
    const line = botLines(await ticketOf(v.ticket(), staffed)).join('\n');
    expect(line).not.toContain('a few hours');
    const authors = ((await ticketOf(v.ticket(), staffed)).messages as Json[])
      .filter((m) => m.kind === 'outbound')
      .map((m) => m.author.name);
    expect(authors.length).toBeGreaterThan(0);
    expect(new Set(authors)).toEqual(new Set(['Shopdesk bot']));
  });
});
