import { randomBytes } from 'node:crypto';
import type { Order } from '@shopdesk/contracts';
import type { Deps } from '../../platform/deps.ts';
import type { Auth } from '../../platform/http/router.ts';
import {
  findVerifiedOrder,
  type HelpCenterService,
  normalizeOrderNumber,
  orderStatusLine,
  type ShopperOrderSource,
} from '../helpcenter/index.ts';
import type { ReturnsService } from '../returns/index.ts';
import { type Calendar, isOpen, nextOpen } from '../sla/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import * as repo from './bot.repository.ts';
import {
  type BotAction,
  type BotAttachment,
  type BotReply,
  type BotSettings,
  type BotState,
  botTurn,
  DEFAULT_BOT_SETTINGS,
  initialState,
} from './bot-engine.ts';
import { answerFromHelpCenter } from './retrieval.ts';

export type BotChannel = 'chat' | 'portal' | 'messenger' | 'instagram' | 'whatsapp' | 'sms';

export interface ConverseInput {
  workspaceId: number;
  channel: BotChannel;
  /** Stable per conversation: the chat ticket id, the portal visitor, the messaging thread. */
  conversationKey: string;
  text: string | null;
  locale?: string;
  /** The ticket the conversation already lives on (chat, messaging); null: the bot creates one on handover. */
  ticketId?: number | null;
  /** An e-mail address the channel verified (signed widget identity). */
  verifiedEmail?: string | null;
  /** Files sent with this message (chat); recorded for the agent. */
  attachments?: BotAttachment[];
  /** The shopper's contact and client address, when the channel knows them: keys of the look-up limits. */
  contactId?: number | null;
  clientIp?: string | null;
}

export interface ConverseResult {
  replies: BotReply[];
  outcome: 'open' | 'resolved' | 'handed_over';
  ticketId: number | null;
  /** False when the bot is off for this channel or a human has taken over: the caller stays silent. */
  active: boolean;
  transcript: BotState['transcript'];
}

const mergeSettings = (raw: unknown): BotSettings => {
  const r = (raw ?? {}) as Partial<BotSettings>;
  return {
    enabled: { ...DEFAULT_BOT_SETTINGS.enabled, ...r.enabled },
    greeting: r.greeting || DEFAULT_BOT_SETTINGS.greeting,
    intents: { ...DEFAULT_BOT_SETTINGS.intents, ...r.intents },
    handover: { ...DEFAULT_BOT_SETTINGS.handover, ...r.handover },
  };
};

/**
 * When a human will answer: always said on handover, with the time the team is back when closed. An agent
 * online right now answers in minutes, so "a few hours" would be untrue then.
 */
export function humanEtaText(cal: Calendar | null, now = new Date(), agentsOnline = 0) {
  if (agentsOnline > 0) return 'Someone from our team is online and will be with you shortly.';
  if (!cal || isOpen(cal, now)) return 'We usually reply within a few hours.';
  const next = nextOpen(cal, now);
  if (!next) return 'We will reply as soon as we can.';
  const when = new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: cal.timezone,
    timeZoneName: 'short',
  }).format(next);
  return `Our team is offline right now; we're back on ${when}, and will reply then.`;
}

/**
 * Failed typed proofs allowed per key and window. The order number's limit matches the tracking page;
 * the proof value's stops trying one known e-mail against many numbers; conversation, contact and
 * client address stop one shopper from cycling numbers (a new conversation still meets the others).
 */
export const LOOKUP_LIMITS = {
  number: { max: 5, seconds: 15 * 60 },
  proof: { max: 5, seconds: 15 * 60 },
  conversation: { max: 3, seconds: 60 * 60 },
  contact: { max: 5, seconds: 60 * 60 },
  ip: { max: 10, seconds: 15 * 60 },
} as const;
type LimitKind = keyof typeof LOOKUP_LIMITS;
const LONGEST_WINDOW = Math.max(...Object.values(LOOKUP_LIMITS).map((l) => l.seconds));

/** Each conversation's turns run one at a time: a lease on its row, after an in-process queue. */
const LEASE_SECONDS = 30;
const CLAIM_GIVE_UP_MS = (LEASE_SECONDS + 30) * 1000;

export function createBotService(o: {
  deps: Deps;
  hc: HelpCenterService;
  tickets: TicketsService;
  orders: ShopperOrderSource | null;
  calendar?: (workspaceId: number) => Promise<Calendar | null>;
  /** How many agents are online to take a handed-over conversation (routing presence). */
  agentsOnline?: (workspaceId: number) => Promise<number>;
  /** Returns (modules/returns, through its index.ts): the order's returns page, offered with a return. */
  returns?: Pick<ReturnsService, 'portalUrl'> | null;
}) {
  const { deps, hc, tickets } = o;
  const { db } = deps;
  const via = { kind: 'bot' as const, name: 'Shopdesk bot' };

  async function settingsOf(workspaceId: number) {
    return mergeSettings((await hc.settingsOf(workspaceId)).bot);
  }

  async function humanEta(workspaceId: number) {
    const [cal, online] = await Promise.all([o.calendar?.(workspaceId), o.agentsOnline?.(workspaceId)]);
    return humanEtaText(cal ?? null, new Date(), online ?? 0);
  }

  function limitKeys(
    input: ConverseInput,
    number: string,
    proof?: { email?: string | null; zip?: string | null },
  ) {
    const keys: [LimitKind, string][] = [
      ['number', `num:${normalizeOrderNumber(number)}`],
      ['conversation', `conv:${input.channel}:${input.conversationKey}`],
    ];
    const value = proof?.email?.trim().toLowerCase() || proof?.zip?.replace(/[\s-]/g, '').toLowerCase();
    if (value) keys.push(['proof', `proof:${value}`]);
    if (input.contactId) keys.push(['contact', `contact:${input.contactId}`]);
    if (input.clientIp) keys.push(['ip', `ip:${input.clientIp}`]);
    return keys;
  }

  const lookupsFor = (input: ConverseInput) => ({
    async blockedFor(number: string, proof?: { email?: string | null; zip?: string | null }) {
      const keys = limitKeys(input, number, proof);
      const rows = await repo.recentLookupFailures(
        db,
        input.workspaceId,
        keys.map(([, k]) => k),
        LONGEST_WINDOW,
      );
      let wait: number | null = null;
      for (const [kind, key] of keys) {
        const l = LOOKUP_LIMITS[kind];
        const ages = rows.filter((r) => r.limit_key === key && r.age < l.seconds).map((r) => r.age);
        // Blocked until the oldest failure that keeps the count at the maximum leaves the window.
        if (ages.length >= l.max) wait = Math.max(wait ?? 0, Math.ceil(l.seconds - ages[l.max - 1]!));
      }
      return wait;
    },
    async failed(number: string, proof: { email?: string | null; zip?: string | null }) {
      await repo.recordLookupFailure(
        db,
        input.workspaceId,
        limitKeys(input, number, proof).map(([, k]) => k),
      );
    },
  });

  function summary(state: BotState, reason: string, verified: boolean) {
    const c = state.collected;
    const lines = [
      `Bot handover — ${reason}.`,
      c.orderNumber ? `Order: ${c.orderNumber}${verified ? ' (shopper verified)' : ' (not verified)'}` : null,
      c.email ? `E-mail: ${c.email}` : null,
      c.request ? `Request: ${c.request}` : null,
      c.intent ? `Detected intent: ${c.intent}${state.lang ? ` (language: ${state.lang})` : ''}` : null,
      c.change ? `Change asked for: ${c.change}` : null,
      ...(c.details ?? []).map((d) => `Detail: ${d}`),
      ...(c.photos ?? []).map((p) => `Photo from the shopper: ${p}`),
      '',
      'Conversation:',
      ...state.transcript.map((t) => `${t.from === 'bot' ? 'Bot' : 'Shopper'}: ${t.text}`),
    ];
    return lines.filter((l) => l !== null).join('\n');
  }

  /** Lands the bot's work on a ticket an agent sees: a note with everything collected, tags, reopened. */
  async function toTicket(
    input: ConverseInput,
    state: BotState,
    ticketId: number | null,
    note: string,
    tags: string[],
    subject: string,
  ): Promise<number | null> {
    let id = ticketId;
    if (!id) {
      const email = state.collected.email ?? input.verifiedEmail;
      if (!email) return null;
      const r = await tickets.receive(input.workspaceId, {
        channel: 'web',
        contact: { email },
        subject,
        bodyText: state.transcript
          .filter((t) => t.from === 'shopper')
          .map((t) => t.text)
          .join('\n\n'),
        externalId: `bot:${input.conversationKey}:${state.transcript.length}`,
        dedupe: true,
        tags: ['bot'],
        channelMeta: { source: 'help-center-bot' },
      });
      id = r.ticketId;
    }
    const ticketIdFinal = id;
    const events = await db.tx(async (tx) => {
      const ev = await tickets.addSystemNote(tx, input.workspaceId, ticketIdFinal, note, via);
      const changed = await tickets.applySystemChanges(
        tx,
        input.workspaceId,
        ticketIdFinal,
        { addTags: tags, status: 'open' },
        via,
      );
      return [...ev, ...(changed?.events ?? [])];
    });
    await tickets.publishSystemEvents(events);
    return ticketIdFinal;
  }

  async function runActions(
    input: ConverseInput,
    state: BotState,
    actions: BotAction[],
    ticketId: number | null,
  ) {
    let outcome: ConverseResult['outcome'] | null = null;
    let reason: string | null = null;
    let tid = ticketId;
    for (const a of actions) {
      if (a.type === 'suggested')
        await hc.recordDeflection(input.workspaceId, {
          source: 'bot',
          visitorKey: input.conversationKey,
          query: a.query,
          articleIds: a.articleIds,
          outcome: 'suggested',
          ticketId: tid,
        });
      else if (a.type === 'resolved') {
        outcome = 'resolved';
        await hc.recordDeflection(input.workspaceId, {
          source: 'bot',
          visitorKey: input.conversationKey,
          query: state.lastQuery ?? '',
          articleIds: a.articleIds,
          outcome: 'resolved',
          ticketId: tid,
        });
      } else if (a.type === 'request') {
        const kind = a.kind === 'return' ? 'Return' : a.kind === 'cancel' ? 'Cancellation' : 'Order change';
        const detail =
          a.kind === 'change'
            ? ` The shopper wrote: "${a.detail ?? ''}". ${a.shipped ? 'The order has already shipped: ask the carrier to redirect it, or tell the shopper.' : 'The order has not shipped yet.'}`
            : '';
        tid = await toTicket(
          input,
          state,
          tid,
          `${kind} requested by the shopper through the bot for order ${a.orderNumber} (shopper verified). Detected intent: ${state.collected.intent ?? a.kind}${state.lang ? `, language ${state.lang}` : ''}.${detail} Please process it.`,
          [
            a.kind === 'return'
              ? 'return-request'
              : a.kind === 'cancel'
                ? 'cancel-request'
                : 'change-request',
          ],
          `${kind} request for order ${a.orderNumber}`,
        );
      } else if (a.type === 'note') {
        if (tid) tid = await toTicket(input, state, tid, a.text, [], 'Photo from the shopper');
      } else if (a.type === 'handover') {
        outcome = 'handed_over';
        reason = a.reason;
        tid = await toTicket(
          input,
          state,
          tid,
          summary(state, a.reason, state.collected.verifiedOrderId !== undefined),
          ['bot-handover'],
          `Chat with the bot: ${state.transcript.find((t) => t.from === 'shopper')?.text.slice(0, 80) ?? 'handover'}`,
        );
      }
    }
    return { outcome, reason, ticketId: tid };
  }

  /** In-process queue per conversation: turns on this node wait here instead of polling the lease. */
  const queues = new Map<string, Promise<unknown>>();
  function serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return run;
  }

  /** Waits for the conversation's lease: another node may be running a turn of it right now. */
  async function claim(input: ConverseInput, token: string) {
    const c = {
      workspaceId: input.workspaceId,
      channel: input.channel,
      key: input.conversationKey,
      ticketId: input.ticketId ?? null,
    };
    const giveUp = Date.now() + CLAIM_GIVE_UP_MS;
    for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
      const row = await repo.claimConversation(db, c, token, LEASE_SECONDS);
      if (row) return row;
      if (Date.now() > giveUp) throw new Error(`bot conversation ${c.key} stayed busy`);
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  async function turn(input: ConverseInput): Promise<ConverseResult> {
    const settings = await settingsOf(input.workspaceId);
    const channelOn =
      input.channel === 'chat'
        ? settings.enabled.chat
        : input.channel === 'portal'
          ? settings.enabled.portal
          : settings.enabled.messaging;
    if (!channelOn) {
      const row = await repo.findConversation(db, input.workspaceId, input.channel, input.conversationKey);
      return {
        replies: [],
        outcome: row?.outcome ?? 'open',
        ticketId: row?.ticket_id ?? input.ticketId ?? null,
        active: false,
        transcript: ((row?.state as Partial<BotState> | undefined)?.transcript ??
          []) as BotState['transcript'],
      };
    }
    const token = randomBytes(12).toString('base64url');
    const row = await claim(input, token);
    let saved = false;
    try {
      const state: BotState = { ...initialState(), ...(row.state as Partial<BotState>) };
      const wasHandedOver = state.step === 'handed_over';
      const ticketId = input.ticketId ?? row.ticket_id;
      const result = await botTurn(
        state,
        input.text,
        settings,
        {
          answer: (q, lang) => answerFromHelpCenter(hc, input.workspaceId, lang ?? input.locale, q),
          locale: input.locale ?? null,
          returnsPortalUrl: o.returns
            ? (orderId, lang) => o.returns!.portalUrl(input.workspaceId, orderId, lang)
            : undefined,
          verifiedOrder: (number, proof): Promise<Order | null> =>
            o.orders ? findVerifiedOrder(o.orders, input.workspaceId, number, proof) : Promise.resolve(null),
          verifiedEmail: input.verifiedEmail ?? null,
          canReachShopper: !!ticketId,
          canReceiveFiles: input.channel === 'chat',
          statusLine: orderStatusLine,
          humanEta: () => humanEta(input.workspaceId),
          lookups: lookupsFor(input),
        },
        { attachments: input.attachments },
      );
      const done = await runActions(input, result.state, result.actions, ticketId);
      const outcome = done.outcome ?? row.outcome;
      saved = await repo.saveConversation(db, row.id, token, {
        state: result.state,
        outcome,
        handoverReason: done.reason,
        ticketId: done.ticketId,
      });
      if (!saved) throw new Error(`bot conversation ${input.conversationKey}: lease lost during the turn`);
      return {
        replies: result.replies,
        outcome,
        ticketId: done.ticketId,
        active: !(wasHandedOver && result.state.step === 'handed_over'),
        transcript: result.state.transcript,
      };
    } finally {
      if (!saved) await repo.releaseConversation(db, row.id, token).catch(() => {});
    }
  }

  const svc = {
    settingsOf,
    async getSettings(auth: Pick<Auth, 'workspaceId'>) {
      return settingsOf(auth.workspaceId);
    },
    async updateSettings(
      auth: Auth,
      patch: {
        [K in keyof BotSettings]?: BotSettings[K] extends object ? Partial<BotSettings[K]> : BotSettings[K];
      },
    ) {
      const cur = await settingsOf(auth.workspaceId);
      const next: BotSettings = {
        enabled: { ...cur.enabled, ...patch.enabled },
        greeting: patch.greeting ?? cur.greeting,
        intents: { ...cur.intents, ...patch.intents },
        handover: { ...cur.handover, ...patch.handover },
      };
      await hc.updateBotSettings(auth.workspaceId, next);
      return next;
    },
    async containment(auth: Pick<Auth, 'workspaceId'>, days: number) {
      const rows = await repo.containment(db, auth.workspaceId, days);
      const total = rows.reduce((n, r) => n + r.n, 0);
      const of = (k: string) => rows.filter((r) => r.outcome === k).reduce((n, r) => n + r.n, 0);
      return {
        conversations: total,
        resolved: of('resolved'),
        handedOver: of('handed_over'),
        open: of('open'),
        /**
         * Of the finished conversations, the share the bot resolved without a human. Conversations still
         * open have no outcome yet: counting them as contained showed "40 %" next to "0 resolved".
         */
        containmentRate:
          of('resolved') + of('handed_over') ? of('resolved') / (of('resolved') + of('handed_over')) : null,
        byChannel: rows,
      };
    },

    /**
     * One shopper message (or null to open the conversation) through the bot. Turns of one conversation
     * run one after the other on every node, so none is lost or applied on a stale state.
     */
    converse(input: ConverseInput): Promise<ConverseResult> {
      return serial(`${input.workspaceId}:${input.channel}:${input.conversationKey}`, () => turn(input));
    },

    /** The conversation as the shopper sees it (portal page reloads). */
    async transcript(workspaceId: number, channel: BotChannel, key: string) {
      const row = await repo.findConversation(db, workspaceId, channel, key);
      return ((row?.state as Partial<BotState> | undefined)?.transcript ?? []) as BotState['transcript'];
    },
  };
  return svc;
}

export type BotService = ReturnType<typeof createBotService>;
