import { scoreUrgency } from '../automations/index.ts';

/**
 * Explainable sentiment for a public mention, the urgency scorer's way (automations/urgency.ts): every
 * point comes from a listed word, phrase or star rating, and the reasons are shown beside the mention.
 * The urgency scorer's escalation phrases (fraud, chargeback, legal threat…) count as negative too, so
 * the desk and Mentions agree on what is alarming. No model, no network.
 */
export type Sentiment = 'negative' | 'neutral' | 'positive';
export interface SentimentResult {
  sentiment: Sentiment;
  /** −100 (angry) … 100 (delighted). */
  score: number;
  reasons: { phrase: string; weight: number }[];
}

const NEGATIVE = [
  'terrible',
  'awful',
  'worst',
  'horrible',
  'useless',
  'broken',
  'never arrived',
  'never received',
  'not received',
  'missing',
  'damaged',
  'late',
  'delayed',
  'refund',
  'no response',
  'no reply',
  'ignored',
  'avoid',
  'disappointed',
  'disappointing',
  'frustrated',
  'angry',
  'unacceptable',
  'rude',
  'poor',
  'bad',
  'hate',
  'wrong',
  'cheap',
  'fake',
  'waste',
  'never again',
  'do not buy',
  "don't buy",
];
const POSITIVE = [
  'love',
  'loved',
  'great',
  'excellent',
  'amazing',
  'awesome',
  'perfect',
  'fast shipping',
  'quick delivery',
  'recommend',
  'happy',
  'thank you',
  'thanks',
  'helpful',
  'beautiful',
  'best',
  'fantastic',
  'impressed',
];

/** One alternation per lexicon (plain words: nothing to backtrack on). */
const lexicon = (words: string[]) =>
  new RegExp(`\\b(?:${words.map((w) => w.replace(/ /g, '\\s+')).join('|')})\\b`, 'g');
const NEGATIVE_RE = lexicon(NEGATIVE);
const POSITIVE_RE = lexicon(POSITIVE);
const NEGATED_POSITIVE_RE = /\b(?:not|never|isn't|wasn't|no)\s+(?:very\s+)?(?:good|great|happy|helpful)\b/g;

const found = (text: string, re: RegExp) => {
  const out = new Set<string>();
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) out.add(m[0].replace(/\s+/g, ' '));
  return [...out];
};

export function scoreSentiment(raw: string, rating: number | null = null): SentimentResult {
  const text = raw.toLowerCase().replace(/[’‘]/g, "'").slice(0, 20_000);
  const reasons: SentimentResult['reasons'] = [];
  const neg = found(text, NEGATIVE_RE);
  const pos = found(text, POSITIVE_RE);
  const negated = found(text, NEGATED_POSITIVE_RE);
  if (neg.length)
    reasons.push({ phrase: `negative words: ${neg.join(', ')}`, weight: -Math.min(50, neg.length * 15) });
  if (negated.length) reasons.push({ phrase: `negated praise: ${negated.join(', ')}`, weight: -15 });
  if (pos.length)
    reasons.push({ phrase: `praise: ${pos.join(', ')}`, weight: Math.min(50, pos.length * 15) });
  // Escalation phrases (fraud, chargeback, legal threat, "third time"): the urgency scorer's list.
  for (const r of scoreUrgency(raw).reasons)
    if (r.weight > 0 && !r.phrase.startsWith('negative sentiment'))
      reasons.push({ phrase: r.phrase, weight: -Math.min(40, r.weight) });
  if (rating !== null && rating >= 1 && rating <= 5) {
    const w = [0, -60, -40, 0, 30, 50][Math.round(rating)]!;
    if (w) reasons.push({ phrase: `${rating}-star rating`, weight: w });
  }
  const score = Math.max(
    -100,
    Math.min(
      100,
      reasons.reduce((s, r) => s + r.weight, 0),
    ),
  );
  const sentiment: Sentiment = score <= -15 ? 'negative' : score >= 15 ? 'positive' : 'neutral';
  return { sentiment, score, reasons: reasons.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)) };
}

/** The keywords (case-insensitive, whole words; `#tag` and `@handle` as written) a text mentions. */
export function matchKeywords(text: string, keywords: string[]): string[] {
  const hay = ` ${text.toLowerCase().replace(/[’‘]/g, "'")} `;
  const out: string[] = [];
  for (const k of keywords) {
    const needle = k.trim().toLowerCase();
    if (!needle) continue;
    // indexOf and a look at the neighbours: keywords are user input, never compiled into a regex.
    for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
      const before = hay[i - 1] ?? ' ';
      const after = hay[i + needle.length] ?? ' ';
      if (!isWordChar(before) && !isWordChar(after)) {
        out.push(k);
        break;
      }
    }
  }
  return out;
}
const isWordChar = (c: string) => /[\p{L}\p{N}_]/u.test(c);

/** Order numbers a text names: `#1001`, `order 1001`, `order no. 1001`, `order #A-1001`. */
export function orderNumbersIn(text: string): string[] {
  const out = new Set<string>();
  const re = /(?:\border {0,3}(?:no\.?|number|nr\.?)? {0,3}#?|#)([A-Za-z]{0,4}-?\d{3,12})\b/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) out.add(m[1]!);
  return [...out];
}
