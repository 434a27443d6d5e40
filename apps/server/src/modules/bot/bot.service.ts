import type { Order } from '@shopdesk/contracts';
import type { Deps } from '../../platform/deps.ts';
import type { Auth } from '../../platform/http/router.ts';
import {
  expandSynonyms,
  findVerifiedOrder,
  type HelpCenterService,
  orderStatusLine,
  queryWords,
  type ShopperOrderSource,
} from '../helpcenter/index.ts';
import { type Calendar, isOpen, nextOpen } from '../sla/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import * as repo from './bot.repository.ts';
import {
  type BotAction,
  type BotArticle,
  type BotReply,
  type BotSettings,
  type BotState,
  botTurn,
  DEFAULT_BOT_SETTINGS,
  initialState,
} from './bot-engine.ts';

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
 * Share of the question's words found in the article: the bot's confidence. A word found only after
 * typo correction counts half, so a far-fetched correction cannot make the bot sure of itself.
 */
export function coverage(question: string, corrected: string | null, article: string): number {
  const words = queryWords(question);
  if (!words.length) return 0;
  const fixed = corrected ? corrected.split(' ') : words;
  const text = ` ${article.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  const found = (w: string) => {
    const stem = w.length > 5 ? w.slice(0, -2) : w;
    return expandSynonyms([w]).some((f) => text.includes(` ${f}`)) || text.includes(` ${stem}`);
  };
  let hit = 0;
  words.forEach((w, i) => {
    if (found(w)) hit += 1;
    else if (fixed[i] && fixed[i] !== w && found(fixed[i]!)) hit += 0.5;
  });
  return hit / words.length;
}

export function createBotService(o: {
  deps: Deps;
  hc: HelpCenterService;
  tickets: TicketsService;
  orders: ShopperOrderSource | null;
  calendar?: (workspaceId: number) => Promise<Calendar | null>;
}) {
  const { deps, hc, tickets } = o;
  const { db } = deps;
  const via = { kind: 'bot' as const, name: 'Shopdesk bot' };

  async function settingsOf(workspaceId: number) {
    return mergeSettings((await hc.settingsOf(workspaceId)).bot);
  }

  async function answer(
    workspaceId: number,
    locale: string | undefined,
    question: string,
  ): Promise<BotArticle[]> {
    const r = await hc.search(workspaceId, question, { locale, limit: 3, source: 'bot' });
    if (!r.hits.length) return [];
    const full = await hc.publishedArticles(
      workspaceId,
      locale ?? 'en',
      (await hc.settingsOf(workspaceId)).default_locale,
      false,
      {
        articleIds: r.hits.map((h) => h.articleId),
      },
    );
    return r.hits.map((h) => {
      const a = full.find((f) => f.article_id === h.articleId);
      const text = a ? `${a.title} ${a.keywords} ${a.summary} ${a.body_text}` : `${h.title} ${h.summary}`;
      return {
        articleId: h.articleId,
        title: h.title,
        summary: h.summary,
        url: h.url,
        confidence: coverage(question, r.correctedQuery, text),
      };
    });
  }

  async function humanEta(workspaceId: number) {
    const cal = (await o.calendar?.(workspaceId)) ?? null;
    const now = new Date();
    if (!cal || isOpen(cal, now)) return 'We usually reply within a few hours.';
    const next = nextOpen(cal, now);
    if (!next) return 'We will reply as soon as we can.';
    const when = new Intl.DateTimeFormat('en-GB', {
      weekday: 'long',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: cal.timezone,
      timeZoneName: 'short',
    }).format(next);
    return `Our team is offline right now; we're back ${when}, and will reply then.`;
  }

  function summary(state: BotState, reason: string, verified: boolean) {
    const c = state.collected;
    const lines = [
      `Bot handover — ${reason}.`,
      c.orderNumber ? `Order: ${c.orderNumber}${verified ? ' (shopper verified)' : ' (not verified)'}` : null,
      c.email ? `E-mail: ${c.email}` : null,
      c.request ? `Request: ${c.request}` : null,
      ...(c.details ?? []).map((d) => `Detail: ${d}`),
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
        const kind = a.kind === 'return' ? 'Return' : 'Cancellation';
        tid = await toTicket(
          input,
          state,
          tid,
          `${kind} requested by the shopper through the bot for order ${a.orderNumber} (shopper verified). Please process it.`,
          [a.kind === 'return' ? 'return-request' : 'cancel-request'],
          `${kind} request for order ${a.orderNumber}`,
        );
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
        /** Conversations that never reached a human. */
        containmentRate: total ? (total - of('handed_over')) / total : null,
        byChannel: rows,
      };
    },

    /** One shopper message (or null to open the conversation) through the bot. */
    async converse(input: ConverseInput): Promise<ConverseResult> {
      const settings = await settingsOf(input.workspaceId);
      const channelOn =
        input.channel === 'chat'
          ? settings.enabled.chat
          : input.channel === 'portal'
            ? settings.enabled.portal
            : settings.enabled.messaging;
      const row = await repo.lockConversation(
        db,
        input.workspaceId,
        input.channel,
        input.conversationKey,
        input.ticketId ?? null,
      );
      const state: BotState = { ...initialState(), ...(row.state as Partial<BotState>) };
      if (!channelOn)
        return {
          replies: [],
          outcome: row.outcome,
          ticketId: row.ticket_id,
          active: false,
          transcript: state.transcript,
        };
      const wasHandedOver = state.step === 'handed_over';
      const turn = await botTurn(state, input.text, settings, {
        answer: (q) => answer(input.workspaceId, input.locale, q),
        verifiedOrder: (number, proof): Promise<Order | null> =>
          o.orders ? findVerifiedOrder(o.orders, input.workspaceId, number, proof) : Promise.resolve(null),
        verifiedEmail: input.verifiedEmail ?? null,
        canReachShopper: !!(input.ticketId ?? row.ticket_id),
        statusLine: orderStatusLine,
        humanEta: () => humanEta(input.workspaceId),
      });
      const ticketId = input.ticketId ?? row.ticket_id;
      const done = await runActions(input, turn.state, turn.actions, ticketId);
      const outcome = done.outcome ?? (row.outcome === 'handed_over' ? 'handed_over' : row.outcome);
      await repo.saveConversation(db, row.id, {
        state: turn.state,
        outcome,
        handoverReason: done.reason,
        ticketId: done.ticketId,
      });
      return {
        replies: turn.replies,
        outcome,
        ticketId: done.ticketId,
        active: !(wasHandedOver && turn.state.step === 'handed_over'),
        transcript: turn.state.transcript,
      };
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
