/**
 * Intent detection for shopper messages (pure, local, no model download): weighted patterns tuned on
 * the labelled set in eval/messages.ts (eval/held-out.ts is never used for tuning: it measures them).
 * Anything that is not a clear request becomes a `question`, answered by retrieval over the help center.
 */

export type Intent =
  | 'greeting'
  | 'thanks'
  | 'affirm'
  | 'deny'
  | 'human'
  | 'order_status'
  | 'return_request'
  | 'cancel_request'
  | 'question';

export interface Classified {
  intent: Intent;
  /** 0..1: how sure the rules are (questions get their confidence from retrieval instead). */
  confidence: number;
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

export function extractZip(text: string): string | null {
  const t = text.replace(EMAIL, ' ').trim();
  const m = t.match(/^(?:zip|postcode|postal code|plz)?(?:\s*:)?\s*([a-z0-9]{2,5}[\s-]?[a-z0-9]{0,4})$/i);
  return m && /\d/.test(m[1]!) ? m[1]! : null;
}

const has = (t: string, re: RegExp) => re.test(t);

const HUMAN =
  /\b(human|humans|agent|agents|person|people|someone real|real person|representative|rep|operator|staff|employee|customer service|support team|somebody|anyone there|mitarbeiter|mensch)\b|\b(talk|speak|chat|connect|put me through)\b.{0,25}\b(someone|somebody|a person|a human|an agent|staff|team|support|you guys|manager)\b|\bcall me\b|\bphone (me|call)\b|\bmanager\b/i;
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

const WHERE_ORDER =
  /\b(where('s| is| are)?|wheres|status|track|tracking|trace|locate|update on|any news|eta|has .{0,20}shipped|been shipped|shipped yet|dispatched yet|sent yet|on (its|the) way|not (yet )?(arrived|received|here|come)|has ?n[o']t (arrived|come|shown up|been delivered)|did ?n[o']t (arrive|get|receive)|never (arrived|came|got)|still (not|no|waiting)|waiting (for|on)|wo ist|noch nicht (angekommen|da)|when (will|do|does|is) (i|my|it|the (order|parcel|package)).{0,30}(get|arrive|receive|come|deliver|ship|be (here|delivered|shipped)))\b/i;
const ORDER_NOUN =
  /\b(order|orders|parcel|package|packet|delivery|shipment|bestellung|paket|stuff|item|items|purchase)\b/i;
const POLICY_Q =
  /^(how|what|which|do you|does|can (i|you) (pay|use|ship|get)|is (it|there)|are (there|you)|when (do|does|are|is) (you|refunds?|returns?)|who|why|wie|was|welche|gibt es)\b/i;
const WANT =
  /\b(i('d| would)? (like|want|wanna|need|wish) to|i want|i need|want to|please|pls|plz|could you|can you|can i|i'm|im|help me|would like|start|initiate|open|request|ich möchte|bitte|process)\b/i;
const RETURN_VERB =
  /\b(return|returning|send (it |them |this |these |my \w+ )?back|exchange|swap|refund( me)?|rücksendung|zurücksenden|umtauschen)\b/i;
const CANCEL_VERB =
  /\b(cancel+(ed|ing|ation)?|stop (my|the) order|storn\w*|don'?t want (it|the order) anymore)\b/i;
const GENERIC_CANCEL_Q =
  /\b(can (i|you|orders?) (still )?(be )?cancel+|how (do|can) i cancel|is it possible to cancel|cancellation policy)\b/i;
const DAMAGE =
  /\b(damaged|broken|broke|torn|ripped|scratched|crushed|dented|stained|defect\w*|faulty|wrong (item|size|colou?r|product|shoes?|jacket)|(is|was|were|are) missing|missing from|not what i ordered|instead of)\b/i;
const ACTION_OBJ =
  /\b(my|this|the|these|that|an?) (order|item|items|jacket|shoes?|boots?|purchase|parcel|package|socks|shirt|pants|trousers|hoodie|top|size)\b|#\s?\d|\border\s*#?\d/i;

export function classify(raw: string): Classified {
  const text = raw.trim().slice(0, 1000);
  const t = text.toLowerCase().replace(/[’`]/g, "'");
  const orderNumber = extractOrderNumber(text);
  const email = text.match(EMAIL)?.[0] ?? null;
  const zip = extractZip(text);
  const angry = isAngry(text);
  const damage = has(t, DAMAGE);
  const base = { orderNumber, email, zip, angry, damage };

  if (has(t, HUMAN) && !/\bhuman(e|ity)\b/.test(t)) return { ...base, intent: 'human', confidence: 0.95 };
  if (GREETING.test(t)) return { ...base, intent: 'greeting', confidence: 0.95 };
  if (THANKS.test(t)) return { ...base, intent: 'thanks', confidence: 0.9 };
  if (AFFIRM.test(t)) return { ...base, intent: 'affirm', confidence: 0.9 };
  if (DENY.test(t)) return { ...base, intent: 'deny', confidence: 0.9 };

  const policyQuestion =
    POLICY_Q.test(t) && !orderNumber && !/\bmy (order|parcel|package|return|refund)\b/.test(t);
  if (has(t, CANCEL_VERB)) {
    if (!GENERIC_CANCEL_Q.test(t) || orderNumber || /\bmy order\b/.test(t))
      if (!policyQuestion || orderNumber) return { ...base, intent: 'cancel_request', confidence: 0.85 };
    return { ...base, intent: 'question', confidence: 0.6 };
  }
  if (has(t, RETURN_VERB)) {
    const wants = has(t, WANT) && (has(t, ACTION_OBJ) || !!orderNumber);
    const howTo =
      /^(how|what|when|which|where|do|does|is|are|can (i|you) (return|exchange|get)|wie|was)\b/.test(t);
    const refundStatus =
      /\b(where('s| is)|when (will|do) i get|still (no|not|waiting)|not (yet )?(received|got)|have ?n[o']t (received|got))\b.{0,30}\brefund/.test(
        t,
      );
    if (refundStatus) return { ...base, intent: 'question', confidence: 0.6 };
    if ((wants && !howTo) || (orderNumber && !howTo))
      return { ...base, intent: 'return_request', confidence: 0.8 };
    return { ...base, intent: 'question', confidence: 0.6 };
  }
  const aboutOrder = has(t, ORDER_NOUN) || !!orderNumber;
  if (aboutOrder && has(t, WHERE_ORDER) && !policyQuestion)
    return { ...base, intent: 'order_status', confidence: 0.85 };
  if (orderNumber && t.replace(/[^a-z]/g, '').length < 25)
    return { ...base, intent: 'order_status', confidence: 0.7 };
  if (/^(track|tracking)( my)?( order| parcel| package)?[\s?!.]*$/.test(t))
    return { ...base, intent: 'order_status', confidence: 0.8 };
  return { ...base, intent: 'question', confidence: 0.5 };
}
