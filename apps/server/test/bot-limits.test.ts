import { randomBytes } from 'node:crypto';
import type { Order } from '@shopdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotService } from '../src/modules/bot/bot.service.ts';
import { createHelpCenterService, type ShopperOrderSource } from '../src/modules/helpcenter/index.ts';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { BOT_SHOP_TRACKING, setUpBotShop } from './helpcenter-helpers.ts';

// Order-number guessing through the bot, and two messages of one conversation at the same time.

let t: TestApp;
let ws: TestWorkspace;
const SECRET = BOT_SHOP_TRACKING;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Bot Limits Shop');
  await setUpBotShop(t, ws);
});
afterAll(() => t?.stop());

/** A shopper on the "ask" page: own cookie (conversation) and own client address. */
function shopper(remoteAddress = `10.${[1, 2, 3].map(() => Math.floor(Math.random() * 250) + 1).join('.')}`) {
  const cookie = `sd_hc_vid=${randomBytes(16).toString('base64url')}`;
  const send = async (text: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/help/${ws.slug}/en/ask`,
      remoteAddress,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `text=${encodeURIComponent(text)}`,
    });
    expect(res.statusCode).toBe(200);
    const said = [...res.body.matchAll(/<p class="bot">(.*?)<\/p>/gs)].map((m) =>
      m[1]!
        .replace(/&#39;/g, "'")
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    );
    return { html: res.body, said, last: said.at(-1) ?? '' };
  };
  return { send };
}

const shows = (html: string) => html.includes(SECRET) || html.includes('Shipped');

describe('order look-ups through the bot are limited', () => {
  it('repeated wrong proofs in restarted flows are stopped, and nothing about the order is shown', async () => {
    const s = shopper();
    await s.send('where is my order 1042');
    expect((await s.send('wrong-1@example.com')).last).toContain("doesn't match");
    expect((await s.send('hi')).last).toContain('How can I help');
    await s.send('where is my order 1042');
    const second = await s.send('wrong-2@example.com');
    // Second failure in this conversation: handed to a person (who asks for an address here), no third try.
    expect(second.last).toContain("What's your e-mail address");
    const after = await s.send('emma@example.com');
    expect(after.last).toContain('Our team will reply to emma@example.com');
    expect(shows(after.html)).toBe(false);
  });

  it('across conversations: the order number is locked after five failures, even for the right e-mail, until the window passes', async () => {
    // Five shoppers (own cookies, own addresses) each guess once: the per-number limit (5 / 15 min) fills.
    // The first test already failed twice on #1042, so three more reach five.
    for (let i = 0; i < 3; i++) {
      const s = shopper();
      await s.send('where is my order 1042');
      const r = await s.send(`guess-${i}@example.com`);
      expect(r.last).toContain("doesn't match");
      expect(shows(r.html)).toBe(false);
    }
    const owner = shopper();
    const asked = await owner.send('where is my order 1042');
    expect(asked.last).toContain('too many attempts');
    expect(asked.last).toContain('"agent"');
    const right = await owner.send('where is my order 1042 emma@example.com');
    expect(right.last).toContain('too many attempts');
    expect(shows(right.html)).toBe(false);

    // An order number that does not exist, guessed as often, gets the very same words.
    for (let i = 0; i < 5; i++) {
      const s = shopper();
      await s.send('where is my order 7777');
      await s.send(`guess-${i}@example.com`);
    }
    const unknown = await shopper().send('where is my order 7777 emma@example.com');
    const words = (x: string, n: string) => x.replace(n, 'N').replace(/\d+ minutes?/, 'M minutes');
    expect(words(unknown.last, '7777')).toBe(words(right.last, '1042'));

    // The window passes (the failures are moved 16 minutes into the past): the owner gets in.
    await t.db.query(
      sql`UPDATE bot_lookup_failures SET failed_at = failed_at - interval '16 minutes' WHERE workspace_id = ${ws.workspaceId}`,
    );
    const later = await owner.send('where is my order 1042 emma@example.com');
    expect(later.last).toContain('Order #1042: Shipped');
    expect(later.last).toContain(SECRET);
  });

  it('one known e-mail tried against many order numbers is stopped too', async () => {
    for (let i = 0; i < 5; i++) {
      const s = shopper();
      const r = await s.send(`where is my order ${3000 + i} target@example.com`);
      expect(r.last).not.toContain('too many attempts');
    }
    const r = await shopper().send('where is my order 3999 target@example.com');
    expect(r.last).toContain('too many attempts');
  });

  it('one client address guessing with new conversations, numbers and e-mails is stopped after ten failures', async () => {
    const address = '10.200.200.7';
    for (let i = 0; i < 10; i++) {
      const r = await shopper(address).send(`where is my order ${5000 + i} ip-guess-${i}@example.com`);
      expect(r.last).not.toContain('too many attempts');
    }
    const r = await shopper(address).send('where is my order 5999 ip-guess-x@example.com');
    expect(r.last).toContain('too many attempts');
    // Another address is not affected.
    const other = await shopper('10.200.200.8').send('where is my order 5998 ip-guess-y@example.com');
    expect(other.last).not.toContain('too many attempts');
  });
});

describe('one conversation, two messages at once', () => {
  /** A bot service as a node builds it; two of them over one database stand for two nodes. */
  function node() {
    const order = { id: 1, number: '#1042', email: 'emma@example.com', fulfillments: [] } as unknown as Order;
    const orders: ShopperOrderSource = {
      byNumber: async (_w, n) => (n === '1042' ? [order] : []),
      byId: async () => order,
    };
    return createBotService({
      deps: t.deps,
      hc: createHelpCenterService(t.deps),
      tickets: t.services.tickets,
      orders,
    });
  }

  async function raceTwoProofs(a: ReturnType<typeof node>, b: ReturnType<typeof node>) {
    const key = `race-${randomBytes(6).toString('hex')}`;
    const input = { workspaceId: ws.workspaceId, channel: 'portal' as const, conversationKey: key };
    await a.converse({ ...input, text: 'where is my order 1042' });
    const [r1, r2] = await Promise.all([
      a.converse({ ...input, text: 'first-wrong@example.com' }),
      b.converse({ ...input, text: 'second-wrong@example.com' }),
    ]);
    const row = await t.db.one<{ state: { proofFailures: number }; turns: number; outcome: string }>(
      sql`SELECT state, turns, outcome FROM bot_conversations WHERE workspace_id = ${ws.workspaceId}
          AND channel = 'portal' AND conversation_key = ${key}`,
    );
    const transcript = (await a.transcript(ws.workspaceId, 'portal', key)).map((x) => `${x.from}: ${x.text}`);
    return { replies: [...r1.replies, ...r2.replies].map((r) => r.text), row: row!, transcript };
  }

  function expectBothApplied(r: Awaited<ReturnType<typeof raceTwoProofs>>) {
    expect(r.row.state.proofFailures).toBe(2);
    expect(r.row.turns).toBe(3);
    // Each message answered once: one "doesn't match", then (second failure) the handover question.
    expect(r.replies.filter((x) => x.includes("doesn't match"))).toHaveLength(1);
    expect(r.replies.filter((x) => x.includes("What's your e-mail address"))).toHaveLength(1);
    expect(r.transcript.filter((x) => x.startsWith('shopper:'))).toHaveLength(3);
    expect(r.transcript.at(-1)).toContain("What's your e-mail address");
  }

  it('on one node: the turns run one after the other, both wrong proofs count', async () => {
    await t.db.query(sql`DELETE FROM bot_lookup_failures WHERE workspace_id = ${ws.workspaceId}`);
    const n = node();
    expectBothApplied(await raceTwoProofs(n, n));
  });

  it('on two nodes sharing the database: the lease keeps the turns apart', async () => {
    await t.db.query(sql`DELETE FROM bot_lookup_failures WHERE workspace_id = ${ws.workspaceId}`);
    expectBothApplied(await raceTwoProofs(node(), node()));
  });
});
