import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { BOT_SHOP_TRACKING, call, setUpBotShop } from './helpcenter-helpers.ts';

// The failure classes of issue #23, each sent through the chat widget as a new shopper would: the
// bot's replies are read back from the conversation's ticket, as the agent sees it.

let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Bot Failure Classes');
  await setUpBotShop(t, ws, [
    {
      externalId: 'o-1077',
      number: '#1077',
      fulfillmentStatus: 'unfulfilled',
      fulfillments: [],
    },
  ]);
});
afterAll(() => t?.stop());

// biome-ignore lint/suspicious/noExplicitAny: test code walks JSON bodies freely
type Json = Record<string, any>;
const widget = (slug: string, path: string) => `/api/v1/widget/${slug}/${path}`;

async function shopper(body: Json = {}) {
  const r = await t.app.inject({ method: 'POST', url: widget(ws.slug, 'session'), payload: body });
  expect(r.statusCode).toBe(200);
  const token = r.json().token as string;
  let ticketId = 0;
  const ticket = async () =>
    (await call(t, 'GET', `/api/v1/tickets/${ticketId}`, ws.agent.headers)).json() as Json;
  const botLines = async () =>
    ((await ticket()).messages as Json[])
      .filter((m) => m.kind === 'outbound' && m.author.type !== 'agent')
      .map((m) => m.bodyText as string);
  /** Sends a message and returns the bot's lines written in answer to it. */
  const say = async (text: string) => {
    const before = ticketId ? (await botLines()).length : 0;
    const res = await t.app.inject({
      method: 'POST',
      url: widget(ws.slug, 'messages'),
      payload: { token, clientId: randomBytes(9).toString('base64url'), text },
    });
    expect(res.statusCode).toBe(201);
    if (!ticketId) {
      const again = await t.app.inject({
        method: 'POST',
        url: widget(ws.slug, 'session'),
        payload: { token },
      });
      ticketId = again.json().conversation.ticketId;
    }
    return (await botLines()).slice(before).join('\n');
  };
  const notes = async () =>
    ((await ticket()).messages as Json[]).filter((m) => m.kind === 'note').map((m) => m.bodyText as string);
  return { say, ticket, notes };
}

describe('the bot generalises (#23 failure classes, through the widget)', () => {
  it('an exchange request starts a return (not the sizing article), verified, with the intent for the agent', async () => {
    const s = await shopper();
    const first = await s.say("I'd like to swap my jacket for a size M please");
    expect(first).toContain('order number');
    expect(first).not.toMatch(/Sizing guide|More in/);
    expect(await s.say('#1042')).toContain('e-mail address you ordered with');
    const started = await s.say('emma@example.com');
    expect(started).toContain('return request for order #1042');
    // The order's returns page (modules/returns), where the shopper picks the exchange size.
    const link = started.match(/returns page: (\S+)/)?.[1];
    expect(link).toMatch(/\/en\/l\/[\w.-]+$/);
    const page = await t.app.inject({ method: 'GET', url: new URL(link!).pathname });
    expect(page.statusCode).toBe(200);
    const d = await s.ticket();
    expect(d.tags).toContain('return-request');
    expect((await s.notes()).join('\n')).toContain('Detected intent: return_request');
  });

  it('a damaged item with a request for money back starts a return instead of the refund-timing article', async () => {
    const s = await shopper();
    const r = await s.say('my backpack arrived with a torn strap and I want my money back');
    expect(r).toContain('order number');
    expect(r).not.toContain('When will I get my refund?');
  });

  it('a plain thank-you gets a welcome, never "I don\'t know"', async () => {
    const s = await shopper();
    for (const text of ['thank you for your help', 'ok thanks, bye', 'Danke für die Hilfe!']) {
      const r = await s.say(text);
      expect(r).toMatch(/You're welcome|Gern geschehen/);
      expect(r).not.toMatch(/don't know|weiß ich leider nicht/);
    }
  });

  it('a question no article answers gets an honest answer and the offer of a colleague, not an unrelated article', async () => {
    for (const text of [
      'do you have a physical store in Hamburg?',
      'will you price match a cheaper competitor?',
    ]) {
      const s = await shopper();
      const r = await s.say(text);
      expect(r).toContain("I don't know the answer");
      expect(r).toContain('pass you to a colleague');
      expect(r).not.toContain('/articles/');
      expect(await s.say('yes')).toContain('handing you over');
      const note = (await s.notes()).join('\n');
      expect(note).toContain('Detected intent: question');
    }
  });

  it('answers a German question in German, and a French one in French with the original article', async () => {
    const de = await shopper();
    const r = await de.say('Welche Zahlungsarten akzeptiert ihr?');
    expect(r).toContain('Welche Zahlungsarten akzeptiert ihr?');
    expect(r).toContain('Hat das deine Frage beantwortet?');
    expect(await de.say('ja')).toContain('freut mich');

    const fr = await shopper();
    const f = await fr.say('Quels moyens de paiement acceptez-vous ?');
    expect(f).toContain('n’existe pas encore en français');
    expect(f).toContain('Which payment methods do you accept?');
    expect(f).toContain('Cela répond-il à votre question ?');
  });

  it('a delivery-address change after shipping is a change request (not a status question), handed over', async () => {
    const s = await shopper();
    const r = await s.say('I moved, please change the delivery address of order 1042');
    expect(r).toContain('e-mail address you ordered with');
    const after = await s.say('emma@example.com');
    expect(after).toContain('has already shipped');
    expect(after).not.toContain(BOT_SHOP_TRACKING);
    const d = await s.ticket();
    expect(d.tags).toEqual(expect.arrayContaining(['change-request', 'bot-handover']));
    const note = (await s.notes()).join('\n');
    expect(note).toContain('I moved, please change the delivery address');
    expect(note).toContain('already shipped');
  });

  it('an address change before shipping is passed to the team without a handover', async () => {
    const s = await shopper();
    await s.say('can you update the shipping address on order 1077, I typed the wrong street');
    expect(await s.say('10115')).toContain('has not shipped yet');
    expect((await s.ticket()).tags).toContain('change-request');
  });

  it('a bare order number typed while the bot asks for a postcode is not a failed proof', async () => {
    const s = await shopper();
    expect(await s.say('where is my order 1042')).toContain('postcode');
    // Typed again and again: each time told it is the order number; the look-up budget is untouched.
    for (let i = 0; i < 4; i++) expect(await s.say('1042')).toContain('That is the order number (1042)');
    expect(await s.say('#1042')).toContain('That is the order number');
    expect(await s.say('10115')).toContain('Order #1042: Shipped');
  });
});
