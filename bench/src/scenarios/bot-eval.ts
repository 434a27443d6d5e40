import type { Order } from '@shopdesk/contracts';
import { evalMessages } from '../../../apps/server/src/modules/bot/eval/messages.ts';
import {
  botTurn,
  classify,
  DEFAULT_BOT_SETTINGS,
  initialState,
} from '../../../apps/server/src/modules/bot/index.ts';
import {
  createHelpCenterService,
  findVerifiedOrder,
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

/**
 * Bot evaluation over the labelled shopper messages (apps/server/src/modules/bot/eval): intent
 * accuracy, correct article in the top 1 / top 3 of the bot's retrieval, handover precision and
 * recall, and order details shown to unverified shoppers (must be zero).
 */
export const botEval: Scenario = {
  name: 'bot-eval',
  description: 'bot: intent accuracy, article top-1/top-3, handover precision, unverified order leaks',
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

      let intentOk = 0;
      let top1 = 0;
      let top3 = 0;
      let questions = 0;
      let tp = 0;
      let fp = 0;
      let fn = 0;
      const misses: string[] = [];
      const started = performance.now();
      for (const m of evalMessages) {
        const c = classify(m.text);
        if (c.intent === m.intent) intentOk++;
        else misses.push(`intent "${m.text}": ${c.intent} ≠ ${m.intent}`);
        const handover = c.intent === 'human' || c.angry;
        if (handover && m.handover) tp++;
        else if (handover) fp++;
        else if (m.handover) fn++;
        if (m.article) {
          questions++;
          const r = await hc.search(ws.workspaceId, m.text, { limit: 3, record: false });
          const slugs = r.hits.map((h) => slugOf.get(h.articleId));
          if (slugs[0] === m.article) top1++;
          if (slugs.includes(m.article)) top3++;
          else misses.push(`article "${m.text}": ${slugs.join(', ') || '(none)'} ≠ ${m.article}`);
        }
      }
      const ms = (performance.now() - started) / evalMessages.length;

      // Every order-status message, followed by wrong proofs: no reply may carry the order's details.
      let leaks = 0;
      let conversations = 0;
      const tools = {
        answer: async () => [],
        verifiedOrder: (n: string, proof: { email?: string | null; zip?: string | null }) =>
          findVerifiedOrder(orders, ws.workspaceId, n, proof),
        verifiedEmail: null,
        canReachShopper: true,
        statusLine: orderStatusLine,
        humanEta: async () => '',
      };
      for (const m of evalMessages.filter(
        (x) => x.intent === 'order_status' || x.intent === 'return_request',
      )) {
        let state = initialState();
        const replies: string[] = [];
        for (const text of [m.text, '#1042', 'noah@example.com', '20095', 'emma@example', '1042']) {
          const turn = await botTurn(state, text, DEFAULT_BOT_SETTINGS, tools);
          state = turn.state;
          replies.push(...turn.replies.map((r) => `${r.text} ${r.order?.trackingUrl ?? ''}`));
        }
        conversations++;
        if (replies.some((r) => r.includes(SECRET) || r.includes('In transit') || r.includes('Shipped')))
          leaks++;
      }
      for (const miss of misses.slice(0, 30)) ctx.log(`  miss: ${miss}`);
      const pct = (n: number, d: number) => (d ? (100 * n) / d : null);
      const row = (
        metric: string,
        value: number | null,
        unit: string,
        target?: number,
        goal?: 'min' | 'max',
        note?: string,
      ) => figure({ scenario: 'bot-eval', database: 'pglite', metric, value, unit, target, goal, note });
      return [
        row(
          'intent accuracy',
          pct(intentOk, evalMessages.length),
          '%',
          90,
          'min',
          `${evalMessages.length} labelled messages`,
        ),
        row('article top-1', pct(top1, questions), '%', undefined, undefined, `${questions} questions`),
        row('article top-3', pct(top3, questions), '%', 90, 'min', `${questions} questions`),
        row(
          'handover precision',
          pct(tp, tp + fp),
          '%',
          undefined,
          undefined,
          `recall ${pct(tp, tp + fn)?.toFixed(0)}%`,
        ),
        row(
          'order details shown unverified',
          leaks,
          'conversations',
          0,
          'max',
          `${conversations} conversations with wrong proofs`,
        ),
        row('time per message', ms, 'ms', undefined, undefined, 'intent + retrieval, PGlite in memory'),
      ];
    } finally {
      await server.close();
      tmp.remove();
    }
  },
};
