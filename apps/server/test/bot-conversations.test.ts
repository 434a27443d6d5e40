import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOrder } from './commerce-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { authorDemoHelpCenter, call } from './helpcenter-helpers.ts';

let t: TestApp;
let ws: TestWorkspace;

const shipped = new Date(Date.now() - 2 * 86400_000).toISOString();

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Bot Shop');
  await authorDemoHelpCenter(t, ws);
  const conn = await call(t, 'POST', '/api/v1/commerce/connections', ws.admin.headers, {
    platform: 'builtin',
    currency: 'EUR',
  });
  const store = { authorization: `Bearer ${conn.json().token}` };
  const push = await call(t, 'POST', '/api/v1/store/batch', store, {
    orders: [
      demoOrder({
        externalId: 'o-1042',
        number: '#1042',
        updatedAt: shipped,
        fulfillmentStatus: 'fulfilled',
        fulfillments: [
          {
            externalId: 'f-1042',
            carrier: 'DHL',
            trackingNumber: 'JD014600006281',
            trackingUrl: 'https://dhl.example/track/JD014600006281',
            shippedAt: shipped,
            updatedAt: shipped,
          },
        ],
      }),
      demoOrder({
        externalId: 'o-1055',
        number: '#1055',
        customer: { externalId: 'c-2', email: 'noah@example.com', firstName: 'Noah', lastName: 'Berg' },
        shippingAddress: { name: 'Noah Berg', city: 'Hamburg', zip: '20095', countryCode: 'DE' },
      }),
    ],
  });
  expect(push.statusCode).toBe(200);
});
afterAll(() => t?.stop());

/** A shopper on the help center's "Ask a question" page (plain HTML form posts). */
function shopper() {
  let cookie = '';
  const send = async (text?: string) => {
    const res = await t.app.inject({
      method: text === undefined ? 'GET' : 'POST',
      url: `/help/${ws.slug}/en/ask`,
      headers: {
        cookie,
        ...(text === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      payload: text === undefined ? undefined : `text=${encodeURIComponent(text)}`,
    });
    const set = res.cookies.find((c) => c.name === 'sd_hc_vid');
    if (set) cookie = `sd_hc_vid=${set.value}`;
    expect(res.statusCode).toBe(200);
    const said = [...res.body.matchAll(/<p class="bot">(.*?)<\/p>/gs)].map((m) =>
      m[1]!
        .replace(/&#39;/g, "'")
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    );
    return { html: res.body, last: said.at(-1) ?? '' };
  };
  return { send };
}

describe('the bot on the help center', () => {
  it('greets, then tells order status only after the shopper proves the order is theirs', async () => {
    const s = shopper();
    expect((await s.send()).last).toContain('shop assistant');
    const ask = await s.send('where is my order 1042');
    expect(ask.last).toContain('e-mail address you ordered with');
    expect(ask.html).not.toContain('JD014600006281');
    const wrong = await s.send('noah@example.com');
    expect(wrong.last).toContain("doesn't match");
    expect(wrong.html).not.toContain('JD014600006281');
    expect(wrong.html).not.toContain('Shipped');
    const right = await s.send('Emma@Example.com');
    expect(right.last).toContain('Order #1042: Shipped');
    expect(right.last).toContain('JD014600006281');
  });

  it('never reveals another customer’s order, and accepts the shipping postcode as proof', async () => {
    const s = shopper();
    await s.send('status of order #1055');
    const other = await s.send('emma@example.com');
    expect(other.html).not.toContain('Order #1055:');
    expect(other.html).not.toContain('Being prepared');
    const zip = shopper();
    await zip.send('where is my parcel, order 1055');
    expect((await zip.send('20095')).last).toContain('Order #1055: Being prepared');
    // Unknown numbers get the same answer as a wrong e-mail: nothing to enumerate.
    const unknown = shopper();
    await unknown.send('where is order 9999');
    expect((await unknown.send('emma@example.com')).last).toContain("doesn't match");
  });

  it('answers a policy question from the right article, and records when it helped', async () => {
    const s = shopper();
    const a = await s.send('can i pay with klarna?');
    expect(a.last).toContain('Which payment methods do you accept?');
    expect(a.last).toMatch(/href="http[^"]+\/en\/articles\/\d+-payment-methods"/);
    expect(a.last).toContain('Did that answer your question?');
    expect((await s.send('yes')).last).toContain('glad I could help');
    const c = (await call(t, 'GET', '/api/v1/bot/containment', ws.lead.headers)).json();
    expect(c.resolved).toBeGreaterThanOrEqual(1);
    expect(c.containmentRate).toBeGreaterThan(0);
  });

  it('says honestly when it does not know, and hands over after two failed answers', async () => {
    const s = shopper();
    expect((await s.send('do you sell bicycles with electric motors')).last).toContain("I don't know");
    const second = await s.send('what about horse saddles');
    expect(second.last).toContain('e-mail address');
    const done = await s.send('mia@example.com');
    expect(done.last).toContain('Our team will reply to mia@example.com');
    const list = await call(t, 'GET', '/api/v1/tickets?limit=50', ws.agent.headers);
    const ticket = list
      .json()
      .items.find(
        (x: { tags: string[]; contact: { email: string } | null }) => x.contact?.email === 'mia@example.com',
      );
    expect(ticket.tags).toContain('bot-handover');
    const detail = (await call(t, 'GET', `/api/v1/tickets/${ticket.id}`, ws.agent.headers)).json();
    const note = detail.messages.find((m: { kind: string }) => m.kind === 'note');
    expect(note.bodyText).toContain('bot did not know the answer');
    expect(note.bodyText).toContain('Shopper: do you sell bicycles with electric motors');
  });

  it('hands over at once when asked for a human, with the verified order in the context', async () => {
    const s = shopper();
    await s.send('I want to return my order 1042');
    const started = await s.send('emma@example.com');
    expect(started.last).toContain('passed your return request for order #1042');
    const h = await s.send('talk to a human please');
    expect(h.last).toContain('handing you over');
    const list = await call(t, 'GET', '/api/v1/tickets?limit=50', ws.agent.headers);
    const ticket = list.json().items.find((x: { tags: string[] }) => x.tags.includes('return-request'));
    expect(ticket.tags).toContain('bot-handover');
    const detail = (await call(t, 'GET', `/api/v1/tickets/${ticket.id}`, ws.agent.headers)).json();
    const notes = detail.messages
      .filter((m: { kind: string }) => m.kind === 'note')
      .map((m: { bodyText: string }) => m.bodyText);
    expect(notes.join('\n')).toContain(
      'Return requested by the shopper through the bot for order #1042 (shopper verified)',
    );
    expect(notes.join('\n')).toContain('Order: #1042 (shopper verified)');
    expect(notes.join('\n')).toContain('Shopper: I want to return my order 1042');
  });

  it('answers chat conversations on the ticket until a human takes over', async () => {
    const created = await call(t, 'POST', '/api/v1/tickets', ws.agent.headers, {
      subject: 'Chat',
      channel: 'chat',
      contact: { email: 'lena@example.com' },
      message: { body: 'How long does shipping take to Germany?' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    let reply: { bodyText: string } | undefined;
    for (let i = 0; i < 50 && !reply; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const d = (await call(t, 'GET', `/api/v1/tickets/${id}`, ws.agent.headers)).json();
      reply = d.messages.find(
        (m: { kind: string; author: { type: string } }) => m.kind === 'outbound' && m.author.type !== 'agent',
      );
    }
    expect(reply?.bodyText).toContain('How long does delivery take');
  });

  it('lets leads and admins switch the bot off per channel and validates settings', async () => {
    const bad = await call(t, 'PATCH', '/api/v1/bot/settings', ws.admin.headers, {
      handover: { afterFailedAnswers: 0 },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      (await call(t, 'PATCH', '/api/v1/bot/settings', ws.agent.headers, { greeting: 'x' })).statusCode,
    ).toBe(403);
    const off = await call(t, 'PATCH', '/api/v1/bot/settings', ws.lead.headers, {
      enabled: { portal: false },
    });
    expect(off.json().enabled).toEqual({ chat: true, portal: false, messaging: false });
    const s = shopper();
    const off1 = await s.send('how long does shipping take');
    expect(off1.last).toContain('not available');
    expect(off1.html).not.toContain('How long does delivery take');
    await call(t, 'PATCH', '/api/v1/bot/settings', ws.admin.headers, { enabled: { portal: true } });
  });

  it('reports containment of finished conversations only: never a rate above 0 % with 0 resolved', async () => {
    // A conversation still going has no outcome yet: it is neither contained nor handed over.
    await shopper().send('hello');
    const c = (await call(t, 'GET', '/api/v1/bot/containment', ws.lead.headers)).json();
    expect(c.open).toBeGreaterThan(0);
    expect(c.handedOver).toBeGreaterThan(0);
    expect(c.containmentRate).toBeCloseTo(c.resolved / (c.resolved + c.handedOver), 6);
  });
});
