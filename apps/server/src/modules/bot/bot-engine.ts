import type { Order } from '@shopdesk/contracts';
import { languageName, minutesText, type TextKey, tr } from './bot-texts.ts';
import type {
  BotAction,
  BotArticle,
  BotAttachment,
  BotReply,
  BotSettings,
  BotState,
  BotTools,
  TurnResult,
} from './bot-types.ts';
import {
  BOT_LANGS,
  type BotLang,
  type Classified,
  classify,
  detectLanguage,
  extractOrderNumber,
  extractZip,
  type Intent,
  orderNumbersEqual,
} from './intents.ts';

export * from './bot-types.ts';

/**
 * The bot's dialogue (channel-independent): one shopper message in, replies and actions out. All I/O
 * goes through `BotTools`, so the same logic serves the chat widget, the help-center "ask" page and
 * messaging channels, and the evaluation bench runs it without a server. It answers in the language
 * the shopper writes (bot-texts.ts), or the channel's locale until they have written enough to tell.
 */

const MAX_TRANSCRIPT = 60;

const MAX_PHOTOS = 10;

const asLang = (l: string | null | undefined): BotLang | null => {
  const base = (l ?? '').toLowerCase().slice(0, 2);
  return (BOT_LANGS as readonly string[]).includes(base) ? (base as BotLang) : null;
};

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

  const typedRaw = (text ?? '').trim();
  const detected = typedRaw
    ? detectLanguage(typedRaw, state.lang ?? asLang(tools.locale) ?? 'en')
    : { lang: state.lang ?? asLang(tools.locale) ?? 'en', sure: false };
  if (detected.sure || !state.lang) state.lang = detected.lang;
  const lang: BotLang = state.lang ?? 'en';
  const t = (key: TextKey, vars?: Record<string, string | number>) => tr(lang, key, vars);
  const yesNo = () => [t('yes'), t('no')];

  const files = extra.attachments ?? [];
  if (text === null && !files.length) {
    if (!state.transcript.length)
      say({
        text: settings.greeting === DEFAULT_GREETING || lang !== 'en' ? t('greeting') : settings.greeting,
        quickReplies: [t('whereOrder'), t('returnItem'), t('talkPerson')],
      });
    return finish(null);
  }
  const typed = typedRaw;
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
      say({ text: t('askContact') });
      return;
    }
    state.step = 'handed_over';
    actions.push({ type: 'handover', reason });
    say({ text: `${t('handover')} ${await tools.humanEta()}` });
  }

  // A file without words: a photo for what the bot is collecting, or just kept for the agent.
  if (!typed) {
    if (!files.length) return finish(null);
    if (state.collecting === 'photo' && state.collected.request === 'return' && state.collected.orderNumber) {
      actions.push({
        type: 'note',
        text: `Photo for the return request of order ${state.collected.orderNumber}: ${files.map((f) => `${f.filename} (${f.ref})`).join(', ')}`,
      });
      say({ text: t('photoAdded') });
    } else if (state.collecting === 'photo') {
      state.collecting = null;
      state.collected.request ??= 'damaged or wrong item';
      await handover('damaged or wrong item, photo received');
    } else say({ text: t('fileKept') });
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
    state.collected.intent ??= c.intent;
    await handover('shopper is upset');
    return finish(c);
  }

  if (state.step === 'await_contact') {
    const email = c.email;
    if (email) {
      state.collected.email = email;
      state.step = 'handed_over';
      actions.push({ type: 'handover', reason: state.collected.request ?? 'asked for a human' });
      say({ text: `${t('contactThanks', { email })} ${await tools.humanEta()}` });
    } else say({ text: t('typeEmail') });
    return finish(c);
  }

  if (state.step === 'offer_handover') {
    state.step = 'idle';
    if (c.intent === 'affirm') {
      await handover('bot did not know the answer');
      return finish(c);
    }
    if (c.intent === 'deny') {
      say({ text: t('okElse') });
      return finish(c);
    }
  }

  function tooManyAttempts(seconds: number) {
    state.step = 'idle';
    state.pending = null;
    state.orderNumber = null;
    const minutes = Math.max(1, Math.ceil(seconds / 60));
    say({ text: t('tooMany', { duration: minutesText(lang, minutes) }), quickReplies: [t('talkPerson')] });
  }

  const shipped = (order: Order) =>
    order.fulfillments.some((f) => !!f.shippedAt || !!f.deliveredAt || !!f.trackingNumber) ||
    order.fulfillmentStatus === 'fulfilled';

  async function verified(order: Order) {
    const pending = state.pending;
    state.step = 'idle';
    state.pending = null;
    if (pending === 'order_status') {
      const f = order.fulfillments.at(-1);
      say({
        text: `Order ${order.number}: ${tools.statusLine(order)}.${f?.carrier ? ` Carrier: ${f.carrier}${f.trackingNumber ? `, tracking number ${f.trackingNumber}` : ''}.` : ''}${f?.expectedDeliveryAt && !f.deliveredAt ? ` Expected: ${new Date(f.expectedDeliveryAt).toUTCString().slice(0, 16)}.` : ''}\n\n${t('orderStatusFooter')}`,
        order: { number: order.number, status: tools.statusLine(order), trackingUrl: f?.trackingUrl ?? null },
        quickReplies: [t('thanksQr'), t('talkPerson')],
      });
    } else if (pending === 'change_order') {
      const isShipped = shipped(order);
      state.collected.request = 'order change';
      actions.push({
        type: 'request',
        kind: 'change',
        orderId: order.id,
        orderNumber: order.number,
        detail: state.collected.change,
        shipped: isShipped,
      });
      if (isShipped) {
        say({ text: t('changeShipped', { number: order.number }) });
        await handover('order change after shipping');
      } else say({ text: t('changePassed', { number: order.number }) });
    } else if (pending === 'return_request' || pending === 'cancel_request') {
      const kind = pending === 'return_request' ? 'return' : 'cancel';
      actions.push({ type: 'request', kind, orderId: order.id, orderNumber: order.number });
      state.collected.request = kind === 'return' ? 'return' : 'cancellation';
      // One reply: the request, and for a return the order's returns page (modules/returns).
      const url = kind === 'return' ? await tools.returnsPortalUrl?.(order.id, lang) : null;
      say({
        text: `${t(kind === 'return' ? 'returnPassed' : 'cancelAsked', { number: order.number })}${url ? `\n\n${t('returnPortal', { url })}` : ''}`,
      });
      if (kind === 'return' && tools.canReceiveFiles) {
        state.collecting = 'photo';
        say({ text: t('photoForReturn') });
      }
    }
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
    await verified(order);
    return true;
  }

  async function askProofOrLookUp(number: string) {
    state.orderNumber = number;
    state.collected.orderNumber = number;
    if (tools.verifiedEmail && (await lookUp(number, { email: tools.verifiedEmail }, true))) return;
    if (c.email || (c.zip && !orderNumbersEqual(c.zip, number))) {
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
    say({ text: t('askProof', { number }) });
  }

  async function startOrderFlow(kind: NonNullable<BotState['pending']>) {
    state.pending = kind;
    state.collecting = null;
    state.collected.intent = kind;
    if (kind === 'change_order') state.collected.change = typed.slice(0, 500);
    // A return, exchange, change or cancel is also a policy question: the article that says how it works
    // (the return window, what an exchange costs) comes with the request, before the order look-up.
    // Only an article about that very request: not the sizing guide for an exchange, nor refund timing
    // for a damaged item the shopper wants their money back for.
    const fits = POLICY_TOPICS[kind];
    if (fits && settings.intents.answer) {
      const [policy] = await tools.answer(typed, lang);
      if (
        policy?.topic &&
        fits.includes(policy.topic) &&
        policy.confidence >= settings.handover.minAnswerConfidence
      )
        say({
          text: t('policyFirst', { title: policy.title, url: policy.url }),
          article: { title: policy.title, url: policy.url, summary: policy.summary },
        });
    }
    const number = c.orderNumber;
    if (number) return askProofOrLookUp(number);
    state.step = 'await_order';
    say({ text: t('askOrder') });
  }

  if (state.step === 'await_proof' && state.orderNumber) {
    const email = c.email;
    const hashed = /#\s?\d/.test(typed) || /\b(order|bestellung|commande|pedido|bestelling)\b/i.test(typed);
    const typedNumber = extractOrderNumber(typed);
    // The shopper typed the order number again (or "#…"): not a postcode, and not a failed proof.
    if (!email && typedNumber && (orderNumbersEqual(typedNumber, state.orderNumber) || hashed)) {
      if (orderNumbersEqual(typedNumber, state.orderNumber)) {
        say({ text: t('thatIsOrderNumber', { number: state.orderNumber }) });
        return finish(c);
      }
      await askProofOrLookUp(typedNumber);
      return finish(c);
    }
    const zip = email ? null : extractZip(typed);
    if (email || zip) {
      if (await lookUp(state.orderNumber, { email, zip })) return finish(c);
      state.proofFailures++;
      if (state.proofFailures >= 2) {
        state.pending = null;
        await handover('could not verify the order');
        return finish(c);
      }
      say({ text: t('proofMismatch') });
      return finish(c);
    }
    if (c.intent === 'question' || c.intent === 'greeting' || c.intent === 'product_question')
      state.step = 'idle';
    else if (c.intent !== state.pending && isOrderIntent(c.intent)) state.step = 'idle';
    else {
      say({ text: t('typeProof') });
      return finish(c);
    }
  }

  if (state.step === 'await_order') {
    const number = c.orderNumber;
    if (number) {
      await askProofOrLookUp(number);
      return finish(c);
    }
    if (c.intent === 'deny' || c.intent === 'question' || c.intent === 'product_question')
      state.step = 'idle';
    else if (c.intent !== state.pending && isOrderIntent(c.intent)) state.step = 'idle';
    else {
      say({ text: t('needOrder') });
      return finish(c);
    }
  }

  if (state.step === 'await_feedback') {
    if (c.intent === 'affirm' || c.intent === 'thanks') {
      state.step = 'idle';
      state.resolved = true;
      state.failedAnswers = 0;
      actions.push({ type: 'resolved', articleIds: state.lastArticleIds });
      say({ text: t('glad') });
      return finish(c);
    }
    if (c.intent === 'deny') {
      state.step = 'idle';
      state.failedAnswers++;
      if (state.failedAnswers >= settings.handover.afterFailedAnswers) {
        await handover('answers did not help');
        return finish(c);
      }
      say({ text: t('sorryMore'), quickReplies: [t('talkPerson')] });
      return finish(c);
    }
    state.step = 'idle';
  }

  const intent: Intent = c.intent;
  if (intent === 'greeting') {
    say({ text: t('hi'), quickReplies: [t('whereOrder'), t('returnItem'), t('shippingCosts')] });
    return finish(c);
  }
  if (intent === 'thanks') {
    if (state.lastArticleIds.length && !state.resolved) {
      state.resolved = true;
      actions.push({ type: 'resolved', articleIds: state.lastArticleIds });
    }
    say({ text: t('welcome') });
    return finish(c);
  }
  if (intent === 'affirm' || intent === 'deny') {
    say({ text: t('howHelp') });
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
  if (intent === 'change_order' && settings.intents.change) {
    await startOrderFlow('change_order');
    return finish(c);
  }

  // A question (or a complaint, or a product question): answer from the help center when an article
  // really answers it, or say honestly that we don't know.
  // A complaint is looked up as what it is (a damaged, defective or wrong item) as well as in its words.
  const query = c.intent === 'complaint' ? `${typed} — damaged defective wrong item` : typed;
  const hits = settings.intents.answer ? await tools.answer(query, lang) : [];
  const best: BotArticle | undefined = hits[0];
  const askPhoto = c.damage && tools.canReceiveFiles;
  if (best && best.confidence >= settings.handover.minAnswerConfidence) {
    state.lastArticleIds = hits.slice(0, 3).map((h) => h.articleId);
    state.lastQuery = typed.slice(0, 300);
    state.step = 'await_feedback';
    state.resolved = false;
    actions.push({ type: 'suggested', articleIds: state.lastArticleIds, query: state.lastQuery });
    const original =
      best.locale && asLang(best.locale) !== lang
        ? `${tr(lang, 'onlyOriginal', { language: languageName(best.locale, lang) })}\n\n`
        : '';
    say({
      text: `${original}${best.summary || best.title}\n\n${t('moreIn', { title: best.title, url: best.url })}\n\n${t('didAnswer')}`,
      article: { title: best.title, url: best.url, summary: best.summary },
      quickReplies: yesNo(),
    });
    if (askPhoto) {
      state.collecting = 'photo';
      say({ text: t('photoAsk') });
    }
    return finish(c);
  }
  if (askPhoto) {
    // Not a question the articles answer, but a case for the team: collect the evidence first.
    state.collecting = 'photo';
    if (c.orderNumber) state.collected.orderNumber = c.orderNumber;
    state.collected.details = [...(state.collected.details ?? []), typed.slice(0, 500)];
    say({ text: `${t('sorry')} ${t('photoAsk')}` });
    return finish(c);
  }
  // Not confident: say so, and hand over or offer a colleague as the admin's rules say.
  state.failedAnswers++;
  state.collected.intent = c.intent;
  if (state.failedAnswers >= settings.handover.afterFailedAnswers) {
    await handover('bot did not know the answer');
    return finish(c);
  }
  state.step = 'offer_handover';
  say({ text: t('dontKnow'), quickReplies: yesNo() });
  return finish(c);
}

/** The article topics (eval/topics.ts) that explain each order request before the look-up. */
const POLICY_TOPICS: Partial<Record<NonNullable<BotState['pending']>, string[]>> = {
  return_request: ['returns_policy', 'return_how', 'exchange'],
  cancel_request: ['change_cancel'],
  change_order: ['change_cancel'],
};

const isOrderIntent = (i: Intent) =>
  i === 'order_status' || i === 'return_request' || i === 'cancel_request' || i === 'change_order';

const DEFAULT_GREETING = tr('en', 'greeting');
