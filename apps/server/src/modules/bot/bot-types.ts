import type { Order } from '@shopdesk/contracts';
import { tr } from './bot-texts.ts';
import type { BotLang, Classified } from './intents.ts';

/** The bot's settings, state, replies, actions and tools (the dialogue itself is bot-engine.ts). */

/**
 * Relevance threshold: the bot shows an article only when it covers at least this share of the
 * question's distinctive words (IDF-weighted, see bot.service.ts `coverage`). Chosen by `npm run bench --
 * bot-relevance` on the tuning set and the training questions without an article; measured on the
 * held-out sets by bot-eval (docs/chat.md).
 */
export const MIN_RELEVANCE = 0.55;

export interface BotSettings {
  enabled: { chat: boolean; portal: boolean; messaging: boolean };
  greeting: string;
  intents: { answer: boolean; orderStatus: boolean; returns: boolean; cancel: boolean; change: boolean };
  handover: { onRequest: boolean; onAngry: boolean; afterFailedAnswers: number; minAnswerConfidence: number };
}
export const DEFAULT_BOT_SETTINGS: BotSettings = {
  enabled: { chat: true, portal: true, messaging: false },
  greeting: tr('en', 'greeting'),
  intents: { answer: true, orderStatus: true, returns: true, cancel: true, change: true },
  handover: { onRequest: true, onAngry: true, afterFailedAnswers: 2, minAnswerConfidence: MIN_RELEVANCE },
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
  pending: 'order_status' | 'return_request' | 'cancel_request' | 'change_order' | null;
  /** The conversation's language: detected from the shopper's messages, else the channel's locale. */
  lang?: BotLang | null;
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
    /** The change the shopper asked for (address, size, item), in their words. */
    change?: string;
    /** The detected intent the bot handed over or recorded a request with. */
    intent?: string;
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
  lang: null,
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
  /** 0..1: IDF-weighted share of the question's words the article covers (the relevance). */
  confidence: number;
  /** The language of the article text shown (the default locale when it has no translation). */
  locale?: string;
  /** What the article is about (the topic model, eval/topics.ts). */
  topic?: string;
}

export interface BotReply {
  text: string;
  article?: { title: string; url: string; summary: string };
  order?: { number: string; status: string; trackingUrl: string | null };
  quickReplies?: string[];
}

export type BotAction =
  | { type: 'handover'; reason: string }
  | {
      type: 'request';
      kind: 'return' | 'cancel' | 'change';
      orderId: number;
      orderNumber: string;
      /** For a change: what to change, in the shopper's words, and whether the order has shipped. */
      detail?: string;
      shipped?: boolean;
    }
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
  /** Help-center articles for the question, in `lang` where translated (the default locale otherwise). */
  answer(query: string, lang?: BotLang): Promise<BotArticle[]>;
  /** The channel's language (widget or portal locale): the answer language until the shopper writes. */
  locale?: string | null;
  /** The order's returns page, where the shopper picks items and exchange or refund (modules/returns). */
  returnsPortalUrl?: (orderId: number, lang: string) => Promise<string | null>;
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
