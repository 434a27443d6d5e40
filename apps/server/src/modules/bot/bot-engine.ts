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
    'Hi! I\'m the shop assistant. Ask me anything, tell me your order number to see where your order is, or type "agent" to talk to a person.',
  intents: { answer: true, orderStatus: true, returns: true, cancel: true },
  handover: { onRequest: true, onAngry: true, afterFailedAnswers: 2, minAnswerConfidence: 0.5 },
};

export type Step =
  | 'idle'
  | 'await_order'
  | 'await_proof'
  | 'await_feedback'
  | 'await_contact'
  /** The bot did not know and offered a colleague: "yes" hands over. */
  | 'offer_handover'
  | 'handed_over';

export interface BotState {
  step: Step;
  pending: 'order_status' | 'return_request' | 'cancel_request' | null;
  orderNumber: string | null;
  /** Failed proofs in this conversation; never reset, so restarting the order flow does not clear it. */
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
    /** Files (photos) the shopper sent, with where the agent finds them. */
    photos?: string[];
  };
  /** What the bot is waiting for besides the dialogue step: a photo of a damaged, wrong or returned item. */
  collecting?: 'photo' | null;
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
  | { type: 'suggested'; articleIds: number[]; query: string }
  /** Something for the agent on the ticket (a photo added to a request) without handing over. */
  | { type: 'note'; text: string };

/** A file the shopper sent with a message; `ref` says where the agent finds it ("message 123"). */
export interface BotAttachment {
  filename: string;
  contentType: string;
  ref: string;
}

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
  /** Whether the shopper can send files here (chat yes, the help center's ask page no). */
  canReceiveFiles: boolean;
  /**
   * Durable limits on typed order proofs (per order number, proof, conversation, contact and IP) that
   * survive restarting the flow and new conversations. Look-ups with a channel-verified identity are
   * not limited: they cannot be used to guess.
   */
  lookups: {
    /** Seconds until this look-up may be tried; null when allowed. Same answer whether the order exists. */
    blockedFor(
      number: string,
      proof?: { email?: string | null; zip?: string | null },
    ): Promise<number | null>;
    failed(number: string, proof: { email?: string | null; zip?: string | null }): Promise<void>;
  };
}

export interface TurnResult {
  state: BotState;
  replies: BotReply[];
  actions: BotAction[];
  classified: Classified | null;
}

const MAX_TRANSCRIPT = 60;

const MAX_PHOTOS = 10;

/** The photo request, worded for channels where the shopper can attach files. */
const PHOTO_ASK = "If you can, send a photo of the item here (use the paperclip) — I'll pass it to our team.";

export async function botTurn(
  prev: BotState,
  text: string | null,
  settings: BotSettings,
  tools: BotTools,
  extra: { attachments?: BotAttachment[] } = {},
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

  const files = extra.attachments ?? [];
  if (text === null && !files.length) {
    if (!state.transcript.length)
      say({
        text: settings.greeting,
        quickReplies: ['Where is my order?', 'Return an item', 'Talk to a person'],
      });
    return finish(null);
  }
  const typed = (text ?? '').trim();
  const fileNote = files.map((f) => `[file: ${f.filename}]`).join(' ');
  state.transcript.push({
    from: 'shopper',
    text: [typed, fileNote].filter(Boolean).join(' ').slice(0, 2000),
    at: now,
  });
  // Every file the shopper sends is listed for the agent, whatever the bot was doing.
  if (files.length)
    state.collected.photos = [
      ...(state.collected.photos ?? []),
      ...files.map((f) => `${f.filename} (${f.contentType}, ${f.ref})`),
    ].slice(-MAX_PHOTOS);

  if (state.step === 'handed_over') {
    if (!tools.canReachShopper) {
      const email = typed.match(/(?<![^\s<>()])[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}/i)?.[0];
      if (email) {
        state.collected.email = email;
        actions.push({ type: 'handover', reason: 'details added' });
      }
    }
    return finish(null);
  }

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

  // A file without words: a photo for what the bot is collecting, or just kept for the agent.
  if (!typed) {
    if (!files.length) return finish(null);
    if (state.collecting === 'photo' && state.collected.request === 'return' && state.collected.orderNumber) {
      actions.push({
        type: 'note',
        text: `Photo for the return request of order ${state.collected.orderNumber}: ${files.map((f) => `${f.filename} (${f.ref})`).join(', ')}`,
      });
      say({ text: "Thanks, I've added the photo to your return request. Anything else?" });
    } else if (state.collecting === 'photo') {
      state.collecting = null;
      state.collected.request ??= 'damaged or wrong item';
      await handover('damaged or wrong item, photo received');
    } else say({ text: "Thanks, I've kept your file for our team. How can I help?" });
    return finish(null);
  }

  const c = classify(typed);

  // Handover first: asked for a human, or angry — whatever step we are in.
  if (c.intent === 'human' && settings.handover.onRequest) {
    await handover('asked for a human');
    return finish(c);
  }
  if (c.angry && settings.handover.onAngry) {
    if (c.orderNumber) state.collected.orderNumber = c.orderNumber;
    state.collected.details = [...(state.collected.details ?? []), typed.slice(0, 500)];
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

  if (state.step === 'offer_handover') {
    state.step = 'idle';
    if (c.intent === 'affirm') {
      await handover('bot did not know the answer');
      return finish(c);
    }
    if (c.intent === 'deny') {
      say({ text: 'All right. Ask me anything else, or give me your order number.' });
      return finish(c);
    }
  }

  function tooManyAttempts(seconds: number) {
    state.step = 'idle';
    state.pending = null;
    state.orderNumber = null;
    const minutes = Math.max(1, Math.ceil(seconds / 60));
    say({
      text: `There have been too many attempts to verify this order, so I can't look it up right now. Please try again in about ${minutes} minute${minutes === 1 ? '' : 's'}, or type "agent" to talk to a person.`,
      quickReplies: ['Talk to a person'],
    });
  }

  /** True: done (shown, or refused for too many attempts); false: the proof did not match. */
  async function lookUp(
    number: string,
    proof: { email?: string | null; zip?: string | null },
    channelVerified = false,
  ) {
    if (!channelVerified) {
      const wait = await tools.lookups.blockedFor(number, proof);
      if (wait !== null) {
        tooManyAttempts(wait);
        return true;
      }
    }
    const order = await tools.verifiedOrder(number, proof);
    if (!order) {
      if (!channelVerified) await tools.lookups.failed(number, proof);
      return false;
    }
    state.collected.verifiedOrderId = order.id;
    state.collected.orderNumber = order.number;
    if (proof.email) state.collected.email = proof.email;
    const pending = state.pending;
    state.step = 'idle';
    state.pending = null;
    if (pending === 'order_status') {
      const f = order.fulfillments.at(-1);
      say({
        text: `Order ${order.number}: ${tools.statusLine(order)}.${f?.carrier ? ` Carrier: ${f.carrier}${f.trackingNumber ? `, tracking number ${f.trackingNumber}` : ''}.` : ''}${f?.expectedDeliveryAt && !f.deliveredAt ? ` Expected: ${new Date(f.expectedDeliveryAt).toUTCString().slice(0, 16)}.` : ''}\n\nAnything else? Type "agent" if you would like to talk to a person.`,
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
      if (kind === 'return' && tools.canReceiveFiles) {
        state.collecting = 'photo';
        say({
          text: "If the item is damaged or not what you ordered, send a photo of it here (use the paperclip) and I'll add it to your request.",
        });
      }
    }
    return true;
  }

  async function askProofOrLookUp(number: string) {
    state.orderNumber = number;
    state.collected.orderNumber = number;
    if (tools.verifiedEmail && (await lookUp(number, { email: tools.verifiedEmail }, true))) return;
    if (c.email || c.zip) {
      if (await lookUp(number, { email: c.email, zip: c.email ? null : c.zip })) return;
      state.proofFailures++;
    } else {
      // Refused before asking for a proof that would be refused anyway (same for unknown numbers).
      const wait = await tools.lookups.blockedFor(number);
      if (wait !== null) return tooManyAttempts(wait);
    }
    if (state.proofFailures >= 2) {
      state.pending = null;
      return handover('could not verify the order');
    }
    state.step = 'await_proof';
    say({
      text: `To keep your order private, please tell me the e-mail address you ordered with (or the shipping postcode) for order ${number}.`,
    });
  }

  async function startOrderFlow(kind: 'order_status' | 'return_request' | 'cancel_request') {
    state.pending = kind;
    state.collecting = null;
    const number = c.orderNumber;
    if (number) return askProofOrLookUp(number);
    state.step = 'await_order';
    say({
      text: 'Sure — what is your order number? You find it in your order confirmation e-mail (for example #1042).',
    });
  }

  if (state.step === 'await_proof' && state.orderNumber) {
    const email = c.email;
    const zip = email ? null : extractZip(typed);
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
    const newNumber = extractOrderNumber(typed);
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
        text: 'Sorry about that. Could you tell me a bit more, in other words? Or type "agent" to talk to a person.',
        quickReplies: ['Talk to a person'],
      });
      return finish(c);
    }
    state.step = 'idle';
  }

  const intent: Intent = c.intent;
  if (intent === 'greeting') {
    say({
      text: 'Hi! How can I help you today? Ask me a question, give me your order number, or type "agent" to talk to a person.',
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
  const hits = settings.intents.answer ? await tools.answer(typed) : [];
  const best = hits[0];
  const askPhoto = c.damage && tools.canReceiveFiles;
  if (best && best.confidence >= settings.handover.minAnswerConfidence) {
    state.lastArticleIds = hits.slice(0, 3).map((h) => h.articleId);
    state.lastQuery = typed.slice(0, 300);
    state.step = 'await_feedback';
    state.resolved = false;
    actions.push({ type: 'suggested', articleIds: state.lastArticleIds, query: state.lastQuery });
    say({
      text: `${best.summary || best.title}\n\nMore in "${best.title}": ${best.url}\n\nDid that answer your question? Reply yes or no.`,
      article: { title: best.title, url: best.url, summary: best.summary },
      quickReplies: ['Yes', 'No'],
    });
    if (askPhoto) {
      state.collecting = 'photo';
      say({ text: PHOTO_ASK });
    }
    return finish(c);
  }
  if (askPhoto) {
    // Not a question the articles answer, but a case for the team: collect the evidence first.
    state.collecting = 'photo';
    if (c.orderNumber) state.collected.orderNumber = c.orderNumber;
    state.collected.details = [...(state.collected.details ?? []), typed.slice(0, 500)];
    say({ text: `I'm sorry about that. ${PHOTO_ASK}` });
    return finish(c);
  }
  // Not confident: say so, and hand over or offer a colleague as the admin's rules say.
  state.failedAnswers++;
  if (state.failedAnswers >= settings.handover.afterFailedAnswers) {
    await handover('bot did not know the answer');
    return finish(c);
  }
  state.step = 'offer_handover';
  say({
    text: "I'm sorry, I don't know the answer to that. Shall I pass you to a colleague? Reply yes or no — or ask me again in other words.",
    quickReplies: ['Yes', 'No'],
  });
  return finish(c);
}
