import type { Order } from '@shopdesk/contracts';
import { type Classified, classify, extractOrderNumber, extractZip, type Intent } from './intents.ts';

/**
 * The bot's dialogue (channel-independent): one shopper message in, replies and actions out. All I/O
 * goes through `BotTools`, so the same logic serves the chat widget, the help-center "ask" page and
 * messaging channels, and the evaluation bench runs it without a server.
 */

export interface BotSettings {
  enabled: { chat: boolean; portal: boolean; messaging: boolean };
  greeting: string;
  intents: { answer: boolean; orderStatus: boolean; returns: boolean; cancel: boolean };
  handover: { onRequest: boolean; onAngry: boolean; afterFailedAnswers: number; minAnswerConfidence: number };
}
export const DEFAULT_BOT_SETTINGS: BotSettings = {
  enabled: { chat: true, portal: true, messaging: false },
  greeting:
    "Hi! I'm the shop assistant. Ask me anything, or tell me your order number to see where your order is.",
  intents: { answer: true, orderStatus: true, returns: true, cancel: true },
  handover: { onRequest: true, onAngry: true, afterFailedAnswers: 2, minAnswerConfidence: 0.5 },
};

export type Step =
  | 'idle'
  | 'await_order'
  | 'await_proof'
  | 'await_feedback'
  | 'await_contact'
  | 'handed_over';

export interface BotState {
  step: Step;
  pending: 'order_status' | 'return_request' | 'cancel_request' | null;
  orderNumber: string | null;
  proofFailures: number;
  failedAnswers: number;
  lastArticleIds: number[];
  lastQuery: string | null;
  collected: {
    orderNumber?: string;
    email?: string;
    request?: string;
    details?: string[];
    verifiedOrderId?: number;
  };
  transcript: { from: 'shopper' | 'bot'; text: string; at: string }[];
  resolved: boolean;
}
export const initialState = (): BotState => ({
  step: 'idle',
  pending: null,
  orderNumber: null,
  proofFailures: 0,
  failedAnswers: 0,
  lastArticleIds: [],
  lastQuery: null,
  collected: {},
  transcript: [],
  resolved: false,
});

export interface BotArticle {
  articleId: number;
  title: string;
  summary: string;
  url: string;
  /** 0..1: share of the question's words the article covers. */
  confidence: number;
}

export interface BotReply {
  text: string;
  article?: { title: string; url: string; summary: string };
  order?: { number: string; status: string; trackingUrl: string | null };
  quickReplies?: string[];
}

export type BotAction =
  | { type: 'handover'; reason: string }
  | { type: 'request'; kind: 'return' | 'cancel'; orderId: number; orderNumber: string }
  | { type: 'resolved'; articleIds: number[] }
  | { type: 'suggested'; articleIds: number[]; query: string };

export interface BotTools {
  answer(query: string): Promise<BotArticle[]>;
  /** The order with this number that the proof matches, else null (never says which part failed). */
  verifiedOrder(number: string, proof: { email?: string | null; zip?: string | null }): Promise<Order | null>;
  /** E-mail the channel already verified (signed-in widget identity), if any. */
  verifiedEmail: string | null;
  /** Whether the channel already knows how to reach the shopper (chat ticket, e-mail). */
  canReachShopper: boolean;
  statusLine(o: Order): string;
  /** When a human will answer, e.g. "within an hour" or "on Monday from 9:00". */
  humanEta(): Promise<string>;
}

export interface TurnResult {
  state: BotState;
  replies: BotReply[];
  actions: BotAction[];
  classified: Classified | null;
}

const MAX_TRANSCRIPT = 60;

export async function botTurn(
  prev: BotState,
  text: string | null,
  settings: BotSettings,
  tools: BotTools,
): Promise<TurnResult> {
  const state: BotState = structuredClone(prev);
  const replies: BotReply[] = [];
  const actions: BotAction[] = [];
  const now = new Date().toISOString();
  const say = (r: BotReply) => {
    replies.push(r);
    state.transcript.push({ from: 'bot', text: r.text, at: now });
  };
  const finish = (c: Classified | null): TurnResult => {
    state.transcript = state.transcript.slice(-MAX_TRANSCRIPT);
    return { state, replies, actions, classified: c };
  };

  if (text === null) {
    if (!state.transcript.length)
      say({
        text: settings.greeting,
        quickReplies: ['Where is my order?', 'Return an item', 'Talk to a person'],
      });
    return finish(null);
  }
  state.transcript.push({ from: 'shopper', text: text.slice(0, 2000), at: now });

  if (state.step === 'handed_over') {
    if (!tools.canReachShopper) {
      const email = text.match(/[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}/i)?.[0];
      if (email) {
        state.collected.email = email;
        actions.push({ type: 'handover', reason: 'details added' });
      }
    }
    return finish(null);
  }

  const c = classify(text);

  async function handover(reason: string) {
    if (!tools.canReachShopper && !state.collected.email && !tools.verifiedEmail) {
      state.step = 'await_contact';
      state.collected.request ??= reason;
      say({ text: "I'll pass this to our team. What's your e-mail address, so they can reply to you?" });
      return;
    }
    state.step = 'handed_over';
    actions.push({ type: 'handover', reason });
    say({
      text: `I'm handing you over to a colleague, who will see everything we talked about. ${await tools.humanEta()}`,
    });
  }

  // Handover first: asked for a human, or angry — whatever step we are in.
  if (c.intent === 'human' && settings.handover.onRequest) {
    await handover('asked for a human');
    return finish(c);
  }
  if (c.angry && settings.handover.onAngry) {
    if (c.orderNumber) state.collected.orderNumber = c.orderNumber;
    state.collected.details = [...(state.collected.details ?? []), text.slice(0, 500)];
    await handover('shopper is upset');
    return finish(c);
  }

  if (state.step === 'await_contact') {
    const email = c.email;
    if (email) {
      state.collected.email = email;
      state.step = 'handed_over';
      actions.push({ type: 'handover', reason: state.collected.request ?? 'asked for a human' });
      say({ text: `Thanks! Our team will reply to ${email}. ${await tools.humanEta()}` });
    } else say({ text: 'Please type the e-mail address where our team can reach you.' });
    return finish(c);
  }

  async function lookUp(number: string, proof: { email?: string | null; zip?: string | null }) {
    const order = await tools.verifiedOrder(number, proof);
    if (!order) return false;
    state.collected.verifiedOrderId = order.id;
    state.collected.orderNumber = order.number;
    if (proof.email) state.collected.email = proof.email;
    const pending = state.pending;
    state.step = 'idle';
    state.pending = null;
    if (pending === 'order_status') {
      const f = order.fulfillments.at(-1);
      say({
        text: `Order ${order.number}: ${tools.statusLine(order)}.${f?.carrier ? ` Carrier: ${f.carrier}${f.trackingNumber ? `, tracking number ${f.trackingNumber}` : ''}.` : ''}${f?.expectedDeliveryAt && !f.deliveredAt ? ` Expected: ${new Date(f.expectedDeliveryAt).toUTCString().slice(0, 16)}.` : ''}`,
        order: { number: order.number, status: tools.statusLine(order), trackingUrl: f?.trackingUrl ?? null },
        quickReplies: ['Thanks!', 'Talk to a person'],
      });
    } else if (pending === 'return_request' || pending === 'cancel_request') {
      const kind = pending === 'return_request' ? 'return' : 'cancel';
      actions.push({ type: 'request', kind, orderId: order.id, orderNumber: order.number });
      state.collected.request = kind === 'return' ? 'return' : 'cancellation';
      say({
        text:
          kind === 'return'
            ? `I've passed your return request for order ${order.number} to our team. You'll get the return label and instructions by e-mail, usually within one business day.`
            : `I've asked our team to cancel order ${order.number}. If it has not been packed yet it will be cancelled and fully refunded; you'll get an e-mail either way.`,
      });
    }
    return true;
  }

  async function askProofOrLookUp(number: string) {
    state.orderNumber = number;
    state.collected.orderNumber = number;
    if (tools.verifiedEmail && (await lookUp(number, { email: tools.verifiedEmail }))) return;
    if (c.email || c.zip) {
      if (await lookUp(number, { email: c.email, zip: c.email ? null : c.zip })) return;
    }
    state.step = 'await_proof';
    say({
      text: `To keep your order private, please tell me the e-mail address you ordered with (or the shipping postcode) for order ${number}.`,
    });
  }

  async function startOrderFlow(kind: 'order_status' | 'return_request' | 'cancel_request') {
    state.pending = kind;
    state.proofFailures = 0;
    const number = c.orderNumber;
    if (number) return askProofOrLookUp(number);
    state.step = 'await_order';
    say({
      text: 'Sure — what is your order number? You find it in your order confirmation e-mail (for example #1042).',
    });
  }

  if (state.step === 'await_proof' && state.orderNumber) {
    const email = c.email;
    const zip = email ? null : extractZip(text);
    if (email || zip) {
      if (await lookUp(state.orderNumber, { email, zip })) return finish(c);
      state.proofFailures++;
      if (state.proofFailures >= 2) {
        state.pending = null;
        await handover('could not verify the order');
        return finish(c);
      }
      say({
        text: "That doesn't match the order number I have. Please check the e-mail address or postcode you used for the order, or the order number.",
      });
      return finish(c);
    }
    const newNumber = extractOrderNumber(text);
    if (newNumber && newNumber !== state.orderNumber && c.intent !== 'question') {
      await askProofOrLookUp(newNumber);
      return finish(c);
    }
    if (c.intent === 'question' || c.intent === 'greeting') state.step = 'idle';
    else {
      say({ text: 'Please type the e-mail address or shipping postcode of the order.' });
      return finish(c);
    }
  }

  if (state.step === 'await_order') {
    const number = c.orderNumber;
    if (number) {
      await askProofOrLookUp(number);
      return finish(c);
    }
    if (c.intent === 'deny' || c.intent === 'question') state.step = 'idle';
    else {
      say({ text: 'I need the order number to look it up — it starts with # in your confirmation e-mail.' });
      return finish(c);
    }
  }

  if (state.step === 'await_feedback') {
    if (c.intent === 'affirm' || c.intent === 'thanks') {
      state.step = 'idle';
      state.resolved = true;
      state.failedAnswers = 0;
      actions.push({ type: 'resolved', articleIds: state.lastArticleIds });
      say({ text: 'Great, glad I could help! Anything else?' });
      return finish(c);
    }
    if (c.intent === 'deny') {
      state.step = 'idle';
      state.failedAnswers++;
      if (state.failedAnswers >= settings.handover.afterFailedAnswers) {
        await handover('answers did not help');
        return finish(c);
      }
      say({
        text: 'Sorry about that. Could you tell me a bit more, in other words?',
        quickReplies: ['Talk to a person'],
      });
      return finish(c);
    }
    state.step = 'idle';
  }

  const intent: Intent = c.intent;
  if (intent === 'greeting') {
    say({
      text: 'Hi! How can I help you today?',
      quickReplies: ['Where is my order?', 'Return an item', 'Shipping costs'],
    });
    return finish(c);
  }
  if (intent === 'thanks') {
    if (state.lastArticleIds.length && !state.resolved) {
      state.resolved = true;
      actions.push({ type: 'resolved', articleIds: state.lastArticleIds });
    }
    say({ text: "You're welcome! Anything else I can help with?" });
    return finish(c);
  }
  if (intent === 'affirm' || intent === 'deny') {
    say({ text: 'How can I help? You can ask a question or give me your order number.' });
    return finish(c);
  }
  if (intent === 'order_status' && settings.intents.orderStatus) {
    await startOrderFlow('order_status');
    return finish(c);
  }
  if (intent === 'return_request' && settings.intents.returns) {
    await startOrderFlow('return_request');
    return finish(c);
  }
  if (intent === 'cancel_request' && settings.intents.cancel) {
    await startOrderFlow('cancel_request');
    return finish(c);
  }

  // A question: answer from the help center, or say honestly that we don't know.
  const hits = settings.intents.answer ? await tools.answer(text) : [];
  const best = hits[0];
  if (best && best.confidence >= settings.handover.minAnswerConfidence) {
    state.lastArticleIds = hits.slice(0, 3).map((h) => h.articleId);
    state.lastQuery = text.slice(0, 300);
    state.step = 'await_feedback';
    state.resolved = false;
    actions.push({ type: 'suggested', articleIds: state.lastArticleIds, query: state.lastQuery });
    say({
      text: `${best.summary || best.title}\n\nMore in "${best.title}": ${best.url}\n\nDid that answer your question?`,
      article: { title: best.title, url: best.url, summary: best.summary },
      quickReplies: ['Yes', 'No'],
    });
    return finish(c);
  }
  state.failedAnswers++;
  if (state.failedAnswers >= settings.handover.afterFailedAnswers) {
    await handover('bot did not know the answer');
    return finish(c);
  }
  say({
    text: "I'm sorry, I don't know the answer to that. Could you rephrase it? Or I can pass you to a colleague.",
    quickReplies: ['Talk to a person'],
  });
  return finish(c);
}
