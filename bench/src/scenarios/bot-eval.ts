import type { Order } from '@shopdesk/contracts';
import { heldOutMessages } from '../../../apps/server/src/modules/bot/eval/held-out.ts';
import { type HeldOutMessage, heldOut2 } from '../../../apps/server/src/modules/bot/eval/held-out-2.ts';
import { evalMessages, type LabelledMessage } from '../../../apps/server/src/modules/bot/eval/messages.ts';
import {
  answerFromHelpCenter,
  type BotTools,
  botTurn,
  classify,
  DEFAULT_BOT_SETTINGS,
  initialState,
} from '../../../apps/server/src/modules/bot/index.ts';
import { detectLanguage, INTENTS } from '../../../apps/server/src/modules/bot/intents.ts';
import {
  createHelpCenterService,
  findVerifiedOrder,
  type HelpCenterService,
  orderStatusLine,
  type ShopperOrderSource,
} from '../../../apps/server/src/modules/helpcenter/index.ts';
import { seedDemoArticles } from '../../../apps/server/src/seed/demo-articles.ts';
import { type BenchContext, type Scenario, startServer, tempDir } from '../env.ts';
import { type BenchResult, figure } from '../results.ts';

/** One order the evaluation's shoppers ask about; its tracking number must never leak unverified. */
const SECRET = 'JD014600009999';
const order = {
  id: 1,
  number: '#1042',
  email: 'emma@example.com',
  shippingAddress: { zip: '10115' },
  status: 'open',
  financialStatus: 'paid',
  fulfillmentStatus: 'fulfilled',
  placedAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  cancelledAt: null,
  lineItems: [],
  fulfillments: [
    {
      externalId: 'f',
      status: 'success',
      shipmentStatus: 'in_transit',
      carrier: 'DHL',
      trackingNumber: SECRET,
      trackingUrl: `https://dhl.example/${SECRET}`,
      expectedDeliveryAt: null,
      shippedAt: new Date().toISOString(),
      deliveredAt: null,
    },
  ],
} as unknown as Order;
const orders: ShopperOrderSource = {
  byNumber: async (_w, n) => (n.replace(/^#/, '') === '1042' ? [order] : []),
  byId: async () => order,
};

interface SetScore {
  messages: number;
  intentOk: number;
  questions: number;
  top1: number;
  top3: number;
  /** The bot's first reply showed the labelled article (retrieval and the confidence gate together). */
  answered: number;
  tp: number;
  fp: number;
  fn: number;
  misses: string[];
}

/**
 * Scores one labelled set. Intent from classify(); article ranks from the help-center search the bot
 * uses; handover from the dialogue: each message opens a conversation in the bot engine (with the
 * real retrieval and confidence), and a handover counts when the bot actually hands over.
 */
async function scoreSet(
  set: LabelledMessage[],
  hc: HelpCenterService,
  workspaceId: number,
  slugOf: Map<number, string>,
  tools: BotTools,
): Promise<SetScore> {
  const s: SetScore = {
    messages: set.length,
    intentOk: 0,
    questions: 0,
    top1: 0,
    top3: 0,
    answered: 0,
    tp: 0,
    fp: 0,
    fn: 0,
    misses: [],
  };
  for (const m of set) {
    const c = classify(m.text);
    if (c.intent === m.intent) s.intentOk++;
    else s.misses.push(`intent "${m.text}": ${c.intent} ≠ ${m.intent}`);
    const turn = await botTurn(initialState(), m.text, DEFAULT_BOT_SETTINGS, tools);
    const handover = turn.actions.some((a) => a.type === 'handover') || turn.state.step === 'await_contact';
    if (handover && m.handover) s.tp++;
    else if (handover) {
      s.fp++;
      s.misses.push(`handover "${m.text}" (not expected)`);
    } else if (m.handover) {
      s.fn++;
      s.misses.push(`no handover "${m.text}"`);
    }
    if (m.article) {
      s.questions++;
      // The bot's retrieval: search, re-ranked by relevance, in the message's language.
      const r = await answerFromHelpCenter(hc, workspaceId, detectLanguage(m.text).lang, m.text, {
        record: false,
      });
      const slugs = r.map((h) => slugOf.get(h.articleId));
      if (slugs[0] === m.article) s.top1++;
      if (slugs.includes(m.article)) s.top3++;
      else s.misses.push(`article "${m.text}": ${slugs.join(', ') || '(none)'} ≠ ${m.article}`);
      const shown = turn.replies.find((x) => x.article)?.article?.url ?? '';
      if (shown.endsWith(`-${m.article}`)) s.answered++;
      else
        s.misses.push(`answered "${m.text}": ${shown || turn.replies[0]?.text.slice(0, 60)} ≠ ${m.article}`);
    }
  }
  return s;
}

interface Set2Score {
  messages: number;
  intentOk: number;
  withArticle: number;
  answered: number;
  noArticle: number;
  honest: number;
  products: number;
  productAnswered: number;
  times: number[];
  misses: string[];
}

/**
 * Scores the second held-out set through the dialogue, one fresh conversation per message: intent,
 * the labelled article shown where one exists, an honest "don't know" with the offer of a colleague
 * where none does (no article shown), the catalogue answer naming the product, and the time per turn.
 */
async function scoreSet2(
  set: HeldOutMessage[],
  slugOf: Map<number, string>,
  tools: BotTools,
  known: ReadonlySet<string>,
): Promise<Set2Score> {
  const s: Set2Score = {
    messages: set.length,
    intentOk: 0,
    withArticle: 0,
    answered: 0,
    noArticle: 0,
    honest: 0,
    products: 0,
    productAnswered: 0,
    times: [],
    misses: [],
  };
  void slugOf;
  for (const m of set) {
    // Labels the classifier under test cannot produce count as the nearest one it can (before/after).
    const want = known.has(m.intent) ? m.intent : 'question';
    const started = performance.now();
    const c = classify(m.text);
    const turn = await botTurn(initialState(), m.text, DEFAULT_BOT_SETTINGS, tools);
    s.times.push(performance.now() - started);
    if (c.intent === want) s.intentOk++;
    else s.misses.push(`intent "${m.text}": ${c.intent} ≠ ${m.intent}`);
    const shown = turn.replies.find((x) => x.article)?.article?.url ?? '';
    const text = turn.replies.map((r) => r.text).join(' ');
    if (m.article) {
      s.withArticle++;
      if (shown.endsWith(`-${m.article}`)) s.answered++;
      else s.misses.push(`article "${m.text}": ${shown || '(none)'} ≠ ${m.article}`);
    } else if (m.article === null) {
      s.noArticle++;
      const offered =
        turn.state.step === 'offer_handover' ||
        turn.state.step === 'handed_over' ||
        turn.actions.some((x) => x.type === 'handover');
      if (!shown && offered) s.honest++;
      else s.misses.push(`don't know "${m.text}": ${shown || text.slice(0, 60)}`);
    }
    if (m.product) {
      s.products++;
      if (text.toLowerCase().includes(m.product.toLowerCase())) s.productAnswered++;
      else s.misses.push(`product "${m.text}": ${text.slice(0, 60)}`);
    }
  }
  return s;
}

/**
 * Bot evaluation over the labelled shopper messages (apps/server/src/modules/bot/eval): intent
 * accuracy, correct article in the top 1 / top 3 of the bot's retrieval, handover precision and
 * recall from the dialogue, and order details shown to unverified shoppers (must be zero) — for the
 * tuning set (messages.ts, the rules were tuned on it) and, separately, the held-out set (held-out.ts).
 */
export const botEval: Scenario = {
  name: 'bot-eval',
  description:
    'bot: intent accuracy, article top-1/top-3, handover precision/recall, unverified order leaks (tuning and held-out sets)',
  databases: ['pglite'],
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const tmp = tempDir('bot-eval');
    const server = await startServer({ dataDir: tmp.dir, memory: true });
    try {
      const ws = await server.newWorkspace('bot-eval');
      await seedDemoArticles(server.shop.db, ws.workspaceId);
      const hc = createHelpCenterService(server.shop.deps);
      const slugOf = new Map<number, string>();
      for (const a of await hc.publishedArticles(ws.workspaceId, 'en', 'en', true))
        slugOf.set(a.article_id, a.slug);

      // Look-up limits off: the leak check must show that the dialogue itself never reveals an order.
      const tools: BotTools = {
        answer: (q, lang) => answerFromHelpCenter(hc, ws.workspaceId, lang ?? 'en', q, { record: false }),
        verifiedOrder: (n, proof) => findVerifiedOrder(orders, ws.workspaceId, n, proof),
        verifiedEmail: null,
        canReachShopper: true,
        canReceiveFiles: true,
        statusLine: orderStatusLine,
        humanEta: async () => '',
        lookups: { blockedFor: async () => null, failed: async () => {} },
      };

      const started = performance.now();
      for (const m of evalMessages) {
        classify(m.text);
        await hc.search(ws.workspaceId, m.text, { limit: 3, record: false });
      }
      const ms = (performance.now() - started) / evalMessages.length;

      const tuning = await scoreSet(evalMessages, hc, ws.workspaceId, slugOf, tools);
      const held = await scoreSet(heldOutMessages, hc, ws.workspaceId, slugOf, tools);
      const known = new Set<string>(INTENTS);
      const held2 = await scoreSet2(heldOut2, slugOf, tools, known);

      // Every order-status, return and cancellation message of both sets, followed by wrong proofs, a
      // restarted flow and more wrong proofs: no reply may carry the order's details.
      let leaks = 0;
      let conversations = 0;
      for (const m of [...evalMessages, ...heldOutMessages].filter(
        (x) => x.intent === 'order_status' || x.intent === 'return_request' || x.intent === 'cancel_request',
      )) {
        let state = initialState();
        const replies: string[] = [];
        for (const text of [
          m.text,
          '#1042',
          'noah@example.com',
          'hi',
          m.text,
          '20095',
          'emma@example',
          '1042',
        ]) {
          const turn = await botTurn(state, text, DEFAULT_BOT_SETTINGS, tools);
          state = turn.state;
          replies.push(...turn.replies.map((r) => `${r.text} ${r.order?.trackingUrl ?? ''}`));
        }
        conversations++;
        if (replies.some((r) => r.includes(SECRET) || r.includes('In transit') || r.includes('Shipped')))
          leaks++;
      }
      for (const miss of tuning.misses.slice(0, 30)) ctx.log(`  tuning miss: ${miss}`);
      for (const miss of held.misses) ctx.log(`  held-out miss: ${miss}`);
      for (const miss of held2.misses) ctx.log(`  held-out-2 miss: ${miss}`);
      const sorted = [...held2.times].sort((x, y) => x - y);
      const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? null;
      const pct = (n: number, d: number) => (d ? (100 * n) / d : null);
      const row = (
        metric: string,
        value: number | null,
        unit: string,
        target?: number,
        goal?: 'min' | 'max',
        note?: string,
      ) => figure({ scenario: 'bot-eval', database: 'pglite', metric, value, unit, target, goal, note });
      const rows = (prefix: string, sc: SetScore, what: string) => [
        row(
          `${prefix}intent accuracy`,
          pct(sc.intentOk, sc.messages),
          '%',
          90,
          'min',
          `${sc.messages} ${what}`,
        ),
        row(
          `${prefix}article top-1`,
          pct(sc.top1, sc.questions),
          '%',
          undefined,
          undefined,
          `${sc.questions} questions`,
        ),
        row(
          `${prefix}article top-3`,
          pct(sc.top3, sc.questions),
          '%',
          90,
          'min',
          `${sc.questions} questions`,
        ),
        row(
          `${prefix}handover precision`,
          pct(sc.tp, sc.tp + sc.fp),
          '%',
          undefined,
          undefined,
          `from the dialogue; recall ${pct(sc.tp, sc.tp + sc.fn)?.toFixed(0)}%`,
        ),
        row(
          `${prefix}handover recall`,
          pct(sc.tp, sc.tp + sc.fn),
          '%',
          undefined,
          undefined,
          'from the dialogue',
        ),
        row(
          `${prefix}answered with the right article`,
          pct(sc.answered, sc.questions),
          '%',
          undefined,
          undefined,
          'first reply shows the labelled article (retrieval and confidence gate)',
        ),
      ];
      return [
        ...rows('', tuning, 'labelled messages (tuning set)'),
        row(
          'order details shown unverified',
          leaks,
          'conversations',
          0,
          'max',
          `${conversations} status/return/cancel conversations with wrong proofs and a restart, both sets`,
        ),
        row('time per message', ms, 'ms', undefined, undefined, 'intent + retrieval, PGlite in memory'),
        ...rows('held-out ', held, 'held-out messages, never tuned on'),
        row(
          'held-out-2 intent accuracy',
          pct(held2.intentOk, held2.messages),
          '%',
          92,
          'min',
          `${held2.messages} messages written before the change, five languages`,
        ),
        row(
          'held-out-2 answered with the right article',
          pct(held2.answered, held2.withArticle),
          '%',
          80,
          'min',
          `${held2.withArticle} messages with a matching article`,
        ),
        row(
          'held-out-2 honest "don\'t know"',
          pct(held2.honest, held2.noArticle),
          '%',
          90,
          'min',
          `${held2.noArticle} questions no article answers: no article shown, a colleague offered`,
        ),
        row(
          'held-out-2 catalogue answers',
          pct(held2.productAnswered, held2.products),
          '%',
          undefined,
          undefined,
          `${held2.products} product questions: the reply names the product`,
        ),
        row('held-out-2 time per message p95', p95, 'ms', 30, 'max', 'classify + one dialogue turn'),
      ];
    } finally {
      await server.close();
      tmp.remove();
    }
  },
};
