import type { Order } from '@shopdesk/contracts';
import { describe, expect, it } from 'vitest';
import {
  type BotTools,
  botTurn,
  classify,
  DEFAULT_BOT_SETTINGS,
  humanEtaText,
  initialState,
} from '../src/modules/bot/index.ts';
import type { Calendar } from '../src/modules/sla/index.ts';

// The bot's dialogue on its own (no server): handover rules, photos, restarted order flows, limits.

const SECRET = 'JD0146TRACK';
const order = {
  id: 7,
  number: '#1042',
  email: 'emma@example.com',
  fulfillmentStatus: 'fulfilled',
  fulfillments: [{ carrier: 'DHL', trackingNumber: SECRET, trackingUrl: `https://dhl.example/${SECRET}` }],
} as unknown as Order;

function tools(over: Partial<BotTools> = {}) {
  const lookups = { tried: 0, failed: [] as string[] };
  const t: BotTools = {
    answer: async (q) =>
      /damaged|broken/.test(q)
        ? [
            {
              articleId: 3,
              title: 'Damaged items',
              summary: 'We replace it for free.',
              url: 'https://x/3-damaged',
              confidence: 0.9,
            },
          ]
        : /shipping/.test(q)
          ? [
              {
                articleId: 1,
                title: 'Shipping',
                summary: '2-4 days.',
                url: 'https://x/1-shipping',
                confidence: 0.9,
              },
            ]
          : [],
    verifiedOrder: async (n, proof) => {
      lookups.tried++;
      return n.replace('#', '') === '1042' && proof.email?.toLowerCase() === 'emma@example.com'
        ? order
        : null;
    },
    verifiedEmail: null,
    canReachShopper: true,
    canReceiveFiles: true,
    statusLine: () => 'Shipped',
    humanEta: async () => 'We usually reply within a few hours.',
    lookups: {
      blockedFor: async () => null,
      failed: async (n) => {
        lookups.failed.push(n);
      },
    },
    ...over,
  };
  return { t, lookups };
}

/** Runs a conversation; returns every turn's result. */
async function talk(texts: (string | { files: string[] })[], t: BotTools, settings = DEFAULT_BOT_SETTINGS) {
  let state = initialState();
  const turns = [];
  for (const x of texts) {
    const r =
      typeof x === 'string'
        ? await botTurn(state, x, settings, t)
        : await botTurn(state, null, settings, t, {
            attachments: x.files.map((f, i) => ({
              filename: f,
              contentType: 'image/jpeg',
              ref: `message ${i + 1}`,
            })),
          });
    state = r.state;
    turns.push(r);
  }
  return turns;
}
const handedOver = (r: { actions: { type: string }[] }) => r.actions.some((a) => a.type === 'handover');
const said = (r: { replies: { text: string }[] }) => r.replies.map((x) => x.text).join('\n');

describe('anger is read from what shoppers say, not from punctuation', () => {
  it.each([
    'Thanks!!!',
    'THANK YOU SO MUCH!!!',
    'where is my order???',
    'still waiting for my package!!!',
    'OK',
  ])('"%s" does not go to a human', async (text) => {
    const [r] = await talk([text], tools().t);
    expect(handedOver(r!)).toBe(false);
    expect(classify(text).angry).toBe(false);
  });

  it.each([
    'You are useless, total scam',
    "I'll file a chargeback with my bank",
    'my lawyer will hear about this',
    "This is the third time I'm writing about my refund",
    'WHY DOES NOBODY ANSWER MY EMAILS ABOUT THE ORDER',
  ])('"%s" hands over at once', async (text) => {
    const [r] = await talk([text], tools().t);
    expect(handedOver(r!)).toBe(true);
    expect(r!.actions).toContainEqual({ type: 'handover', reason: 'shopper is upset' });
  });
});

describe('not confident', () => {
  it('says it does not know and offers a colleague; "yes" hands over', async () => {
    const [first, yes] = await talk(['do you sell bicycles', 'yes'], tools().t);
    expect(said(first!)).toContain("I don't know the answer");
    expect(said(first!)).toContain('Reply yes or no');
    expect(handedOver(first!)).toBe(false);
    expect(yes!.actions).toContainEqual({ type: 'handover', reason: 'bot did not know the answer' });
  });

  it('"no" keeps the bot talking; the second unknown question hands over (admin rule: 2)', async () => {
    const [, no, second] = await talk(['do you sell bicycles', 'no', 'and horse saddles?'], tools().t);
    expect(handedOver(no!)).toBe(false);
    expect(said(no!)).toContain('Ask me anything else');
    expect(handedOver(second!)).toBe(true);
  });

  it('hands over at the first unknown question when the admin set one failed answer', async () => {
    const settings = {
      ...DEFAULT_BOT_SETTINGS,
      handover: { ...DEFAULT_BOT_SETTINGS.handover, afterFailedAnswers: 1 },
    };
    const [r] = await talk(['do you sell bicycles'], tools().t, settings);
    expect(said(r!)).toContain('handing you over');
    expect(handedOver(r!)).toBe(true);
  });
});

describe('options are written into the text (channels without buttons)', () => {
  it('asks "Reply yes or no" after an answer and names the way to a person when greeting', async () => {
    const [hi, answer] = await talk(['hi', 'how much is shipping'], tools().t);
    expect(said(hi!)).toContain('type "agent"');
    expect(said(answer!)).toContain('Did that answer your question? Reply yes or no.');
  });
});

describe('photos', () => {
  it('asks for a photo of a damaged item and hands the photo over with the conversation', async () => {
    const [q, photo] = await talk(['my jacket arrived damaged', { files: ['tear.jpg'] }], tools().t);
    expect(said(q!)).toContain('send a photo');
    expect(photo!.state.collected.photos).toEqual(['tear.jpg (image/jpeg, message 1)']);
    expect(photo!.actions).toContainEqual({
      type: 'handover',
      reason: 'damaged or wrong item, photo received',
    });
  });

  it('adds a photo sent after a return request to that request', async () => {
    const turns = await talk(
      ['I want to return order 1042', 'emma@example.com', { files: ['box.jpg'] }],
      tools().t,
    );
    expect(turns[1]!.actions).toContainEqual({
      type: 'request',
      kind: 'return',
      orderId: 7,
      orderNumber: '#1042',
    });
    expect(said(turns[1]!)).toContain('send a photo');
    const note = turns[2]!.actions.find((a) => a.type === 'note');
    expect(note).toEqual({
      type: 'note',
      text: 'Photo for the return request of order #1042: box.jpg (message 1)',
    });
  });

  it('does not ask for photos where the shopper cannot send files', async () => {
    const [q] = await talk(['my jacket arrived damaged'], tools({ canReceiveFiles: false }).t);
    expect(said(q!)).not.toContain('photo');
  });
});

describe('order look-ups', () => {
  it('a cancellation request is verified first, then put on the ticket', async () => {
    const turns = await talk(['please cancel order 1042', 'emma@example.com'], tools().t);
    expect(said(turns[0]!)).toContain('e-mail address you ordered with');
    expect(turns[0]!.actions).toEqual([]);
    expect(turns[1]!.actions).toContainEqual({
      type: 'request',
      kind: 'cancel',
      orderId: 7,
      orderNumber: '#1042',
    });
    expect(said(turns[1]!)).toContain('asked our team to cancel order #1042');
  });

  it('"hi" and asking again does not reset the failed proofs: the second wrong one hands over', async () => {
    const { t } = tools();
    const turns = await talk(
      ['where is my order 1042', 'noah@example.com', 'hi', 'where is my order 1042', 'mia@example.com'],
      t,
    );
    expect(said(turns[1]!)).toContain("doesn't match");
    expect(turns[4]!.actions).toContainEqual({ type: 'handover', reason: 'could not verify the order' });
    expect(turns.map(said).join('\n')).not.toContain(SECRET);
  });

  it('refuses a correct proof while a limit holds, with the same words for any order number', async () => {
    const { t, lookups } = tools({
      lookups: { blockedFor: async () => 600, failed: async () => {} },
    });
    const a = await talk(['where is my order 1042 emma@example.com'], t);
    const b = await talk(['where is my order 5555 emma@example.com'], t);
    expect(said(a[0]!)).toContain('too many attempts');
    expect(said(a[0]!)).toContain('10 minutes');
    expect(said(a[0]!)).toContain('"agent"');
    expect(said(a[0]!).replace('1042', 'N')).toBe(said(b[0]!).replace('5555', 'N'));
    expect(said(a[0]!)).not.toContain(SECRET);
    expect(lookups.tried).toBe(0);
  });

  it('a channel-verified shopper sees the order without typing a proof; others are asked', async () => {
    const verified = await talk(['where is my order 1042'], tools({ verifiedEmail: 'emma@example.com' }).t);
    expect(said(verified[0]!)).toContain('Order #1042: Shipped');
    expect(said(verified[0]!)).toContain(SECRET);
    const stranger = await talk(['where is my order 1042'], tools({ verifiedEmail: 'noah@example.com' }).t);
    expect(said(stranger[0]!)).toContain('e-mail address you ordered with');
    expect(said(stranger[0]!)).not.toContain(SECRET);
  });
});

describe('when a human will reply', () => {
  // Mon–Fri 09:00–17:00 in Berlin.
  const cal: Calendar = {
    timezone: 'Europe/Berlin',
    weekly: Object.fromEntries(
      (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [{ start: '09:00', end: '17:00' }]]),
    ),
    holidays: [],
  };
  it('outside business hours says the team is offline and when it is back', () => {
    // Saturday 2026-12-05 12:00 UTC: back on Monday 7 December at 09:00 Berlin time.
    const text = humanEtaText(cal, new Date('2026-12-05T12:00:00Z'));
    expect(text).toContain('offline');
    expect(text).toContain('Monday 7 December');
    expect(text).toContain('09:00');
  });
  it('during business hours gives the usual reply time', () => {
    expect(humanEtaText(cal, new Date('2026-12-07T10:00:00Z'))).toBe('We usually reply within a few hours.');
  });
  it('with an agent online says so, rather than "a few hours" (or "offline")', () => {
    const online = 'Someone from our team is online and will be with you shortly.';
    expect(humanEtaText(cal, new Date('2026-12-07T10:00:00Z'), 1)).toBe(online);
    expect(humanEtaText(cal, new Date('2026-12-05T12:00:00Z'), 2)).toBe(online);
  });
});
