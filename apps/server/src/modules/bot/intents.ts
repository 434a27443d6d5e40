import { detectAll } from 'tinyld';
import { predictIntent, predictLanguage } from './model/intent-model.ts';
import { predictTopic } from './model/topic-model.ts';

/**
 * Intent detection for shopper messages (local, nothing downloaded at run time): a few high-precision
 * rules (a request for a person, bare small talk, a bare order number) and, for everything else, the
 * intent model (model/: logistic regression over hashed word and character n-grams, trained at build
 * time by `npm run bot:train` from eval/training.ts and eval/messages.ts, calibrated confidence). The
 * held-out sets (eval/held-out.ts, eval/held-out-2.ts) are never trained on: they measure it.
 */

export const INTENTS = [
  'greeting',
  'thanks',
  'affirm',
  'deny',
  'human',
  'order_status',
  'return_request',
  'cancel_request',
  'change_order',
  'product_question',
  'complaint',
  'question',
] as const;
export type Intent = (typeof INTENTS)[number];

/** Languages the bot detects and answers in (the intent model is trained on all five). */
export const BOT_LANGS = ['en', 'de', 'fr', 'es', 'nl'] as const;
export type BotLang = (typeof BOT_LANGS)[number];

/**
 * The message's language: the n-gram detector (tinyld) when it is sure, else the intent model's own
 * language head when it is, else `fallback` (the conversation's language so far, or the page's locale).
 * Short replies ("ok", "ja") keep the conversation's language.
 */
export function detectLanguage(text: string, fallback: BotLang = 'en'): { lang: BotLang; sure: boolean } {
  const letters = text.replace(/[^\p{L}]+/gu, '');
  if (letters.length < 4) return { lang: fallback, sure: false };
  const top = detectAll(text, { only: [...BOT_LANGS] })[0];
  if (top && top.accuracy >= 0.5 && letters.length >= 10) return { lang: top.lang as BotLang, sure: true };
  const own = predictLanguage(text);
  if (own.confidence >= 0.8) return { lang: own.label as BotLang, sure: true };
  if (top && top.accuracy >= 0.3) return { lang: top.lang as BotLang, sure: true };
  return { lang: fallback, sure: false };
}

export interface Classified {
  intent: Intent;
  /** 0..1: calibrated probability of the intent (the model's) or the rule's fixed confidence. */
  confidence: number;
  /** Which decided: a high-precision rule or the intent model. */
  source: 'rule' | 'model';
  orderNumber: string | null;
  email: string | null;
  /** A postcode-looking token (only meaningful while the bot is asking for one). */
  zip: string | null;
  angry: boolean;
  /** About a damaged, defective, wrong or missing item: the bot asks for a photo. */
  damage: boolean;
}

const EMAIL = /(?<![^\s<>()])[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}/i;

/** Order numbers: "#1042", "order 1042", "order no. 1042", "bestellung 1042", or a bare 4–10 digit number. */
export function extractOrderNumber(text: string): string | null {
  const t = text.replace(EMAIL, ' ');
  const m =
    t.match(/#\s?([a-z]{0,4}-?\d{3,10})\b/i) ??
    t.match(
      /\b(?:order|ordr|odrer|bestellung|bestellnummer|auftrag|commande)(?:\s*(?:number|no\.?|nr\.?|num|#|id))?(?:\s*:)?\s*#?([a-z]{0,4}-?\d{3,10})\b/i,
    ) ??
    t.match(/\b(\d{4,10})\b/);
  return m ? m[1]!.toUpperCase() : null;
}

/** Whether two typed order numbers are the same ("#1042", "1042", "# 1042"). */
export function orderNumbersEqual(a: string, b: string): boolean {
  const n = (x: string) => x.replace(/[^a-z0-9]/gi, '').toUpperCase();
  return n(a) === n(b);
}

export function extractZip(text: string): string | null {
  const t = text.replace(EMAIL, ' ').trim();
  const m = t.match(/^(?:zip|postcode|postal code|plz)?(?:\s*:)?\s*([a-z0-9]{2,5}[\s-]?[a-z0-9]{0,4})$/i);
  return m && /\d/.test(m[1]!) ? m[1]! : null;
}

const has = (t: string, re: RegExp) => re.test(t);

const HUMAN =
  /\b(human|humans|agent|agents|person|people|someone real|real person|representative|rep|operator|staff|employee|customer service|support team|somebody|mitarbeiter|mensch)\b|\b(talk|speak|chat|connect|put me through)\b.{0,25}\b(someone|somebody|a person|a human|an agent|staff|team|support|you guys|manager)\b|\bcall me\b|\bphone (me|call)\b|\bmanager\b/i;
// Real anger, not emphasis: abuse, threats (chargeback, lawyer, reviews), having to ask again and
// again. Punctuation alone ("Thanks!!!", "where is my order???") is enthusiasm or impatience, not anger.
const ABUSE =
  /\b(ridiculous|unacceptable|worst|scam+(er|ers)?|fraud\w*|thie(f|ves)|liars?|incompetent|furious|angry|disgust(ed|ing)|terrible|horrible|awful|useless|pathetic|wtf|f+u+c+k+\w*|shit\w*|crap+y?|rip ?off|never again|shame on you|fed up|sick (of|and tired)|pissed( off)?|are you (kidding|joking|serious)|kidding me|(is|what) a joke)\b/i;
const THREAT =
  /\b(sue|suing|lawyer|attorney|solicitor|court|legal action|chargeback|charge back|dispute (the|this) (payment|charge)|report(ing)? you|consumer (protection|rights)|trading standards|police|(bad|negative|1.star|one.star) review|tell (everyone|all my friends))\b/i;
const AGAIN =
  /\b((second|third|fourth|fifth|2nd|3rd|4th|5th|\d+(st|nd|rd|th)) time|how many (more )?times|again and again|over and over|(nobody|no one|noone) (answers|replies|responds|gets back|is answering|helps)|still no (answer|reply|response))\b/i;
const HAPPY =
  /\b(thanks?|thank you|thx|love|great|awesome|amazing|perfect|brilliant|happy|excellent|wonderful)\b/i;

/** An all-caps rant: several shouted words that are not a happy "THANK YOU SO MUCH". */
function shouting(text: string) {
  const words = text.match(/[a-zA-Z]{2,}/g) ?? [];
  const letters = words.join('');
  return words.length >= 4 && letters.length >= 15 && letters === letters.toUpperCase() && !HAPPY.test(text);
}
export const isAngry = (t: string) => ABUSE.test(t) || THREAT.test(t) || AGAIN.test(t) || shouting(t);

const GREETING =
  /^(hi+|hello+|hey+|hiya|yo|good (morning|afternoon|evening)|hallo|moin|servus|guten tag|bonjour|hola)[\s!.,]*(?:(there|team|guys)[\s!.,]*)?$/i;
const THANKS =
  /^(thanks?( you)?( so much| a lot| very much)?|thx|ty|cheers|great,? thanks?|perfect,? thanks?|danke( schön)?|merci|that('s| is) (all|it|great|perfect)|awesome|perfect|great|got it|that helped|that answers it|super)[\s!.,]*(?:(thanks?( you)?)[\s!.,]*)?$/i;
const AFFIRM =
  /^(y(es|ea|eah|ep|up)?|yes,? (it did|thanks?|that helps?|that answered it|perfect)|it did|sure|ok(ay)?|correct|right|ja|jep|absolutely|indeed|that('s| is) right)[\s!.,]*$/i;
const DENY =
  /^(no+|nope|nah|not really|no,? (it did ?n[o']t|that did ?n[o']t help|not really|thanks?)|it did ?n[o']t|did ?n[o']t help|nein|that('s| is) not (it|what i (asked|meant|need)))[\s!.,]*$/i;

const DAMAGE =
  /\b(damaged|broken|broke|torn|ripped|scratched|crushed|dented|stained|defect\w*|faulty|wrong (item|size|colou?r|product|shoes?|jacket)|(is|was|were|are) missing|missing from|not what i ordered|instead of)\b/i;
/** Below this the model's intent is not trusted for an action: the message is treated as a question. */
export const MIN_ACTION_CONFIDENCE = 0.35;

const UNSURE_COMPLAINT = 0.6;
const ACTIONS: ReadonlySet<Intent> = new Set([
  'order_status',
  'return_request',
  'cancel_request',
  'change_order',
]);

export function classify(raw: string): Classified {
  const text = raw.trim().slice(0, 1000);
  const t = text.toLowerCase().replace(/[’`]/g, "'");
  const orderNumber = extractOrderNumber(text);
  const email = text.match(EMAIL)?.[0] ?? null;
  const zip = extractZip(text);
  const angry = isAngry(text);
  const base = { orderNumber, email, zip, angry };
  const rule = (intent: Intent, confidence: number): Classified => ({
    ...base,
    intent,
    confidence,
    source: 'rule',
    damage: has(t, DAMAGE),
  });

  if (has(t, HUMAN) && !/\bhuman(e|ity)\b/.test(t)) return rule('human', 0.95);
  if (GREETING.test(t)) return rule('greeting', 0.95);
  if (THANKS.test(t)) return rule('thanks', 0.9);
  if (AFFIRM.test(t)) return rule('affirm', 0.9);
  if (DENY.test(t)) return rule('deny', 0.9);
  // Only an order number ("1042", "#1042", "order 1042"): the shopper wants that order looked up.
  if (
    orderNumber &&
    t.replace(/\b(order|no|nr|number|bestellung|commande|pedido|bestelling)\b|[^a-z]/g, '').length === 0
  )
    return rule('order_status', 0.9);

  const p = predictIntent(text);
  let intent = p.label as Intent;
  if (ACTIONS.has(intent) && p.confidence < MIN_ACTION_CONFIDENCE) intent = 'question';
  // An unsure "complaint" with no damage words is checked against the topic model: "what is the meaning
  // of life" is not a damaged item, and would otherwise be asked for a photo.
  if (intent === 'complaint' && p.confidence < UNSURE_COMPLAINT && !has(t, DAMAGE)) {
    const topic = predictTopic(text);
    if (topic.label !== 'damaged') intent = 'question';
  }
  return {
    ...base,
    intent,
    confidence: p.confidence,
    source: 'model',
    damage: intent === 'complaint' || has(t, DAMAGE),
  };
}
