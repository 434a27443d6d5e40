/**
 * A local, explainable urgency scorer: every point of the score comes from a listed phrase or signal, and
 * the reasons are shown to the agent. No model, no network: predictable and cheap enough for every message.
 */

export type UrgencyLevel = 'none' | 'elevated' | 'high' | 'urgent';

export interface UrgencyResult {
  score: number;
  level: UrgencyLevel;
  reasons: { phrase: string; weight: number }[];
}

/** Escalation phrases: money disputes, legal threats, accusations, repeated contact, public complaints. */
const PHRASES: [RegExp, string, number][] = [
  [/\bcharge\s?backs?\b/, 'chargeback', 40],
  [/\b(dispute|reverse)\s+(the\s+|this\s+)?(charge|payment|transaction)\b/, 'payment dispute', 35],
  [/\b(call(ing)?|contact(ing)?)\s+my\s+bank\b/, 'contacting the bank', 30],
  [/\b(lawyers?|attorneys?|solicitors?|legal action|sue|suing|small claims|court)\b/, 'legal threat', 40],
  [
    /\b(scam|scammers?|scammed|fraud|fraudulent|rip(ped)?[- ]off|stole|stealing|theft)\b/,
    'accusation of fraud',
    35,
  ],
  [/\b(third|3rd|fourth|4th|fifth|5th)\s+time\b/, 'repeated contact', 25],
  [
    /\b(again and again|keep (asking|writing|emailing|calling)|still (waiting|haven'?t|not|no))\b/,
    'still waiting',
    20,
  ],
  [
    /\b(consumer protection|trading standards|better business bureau|bbb|ombudsman)\b/,
    'regulator complaint',
    30,
  ],
  [/\b(bad|negative|1[- ]star|one[- ]star) reviews?\b|\btrustpilot\b/, 'public review threat', 20],
  [/\b(urgent(ly)?|asap|immediately|right now|emergency)\b/, 'urgency words', 15],
  [/\b(money back|refund me|cancel (my|the) order)\b/, 'demands refund or cancellation', 10],
];

/** Sentiment lexicon: negative words add, thanks and praise subtract. */
const NEGATIVE = [
  'terrible',
  'awful',
  'worst',
  'horrible',
  'useless',
  'ridiculous',
  'unacceptable',
  'disgusting',
  'furious',
  'angry',
  'outraged',
  'annoyed',
  'disappointed',
  'frustrated',
  'frustrating',
  'hate',
  'pathetic',
  'incompetent',
  'rude',
  'joke',
  'liars',
  'lying',
  'never again',
  'fed up',
  'sick of',
];
const POSITIVE = ['thank you', 'thanks', 'great', 'love', 'appreciate', 'awesome', 'perfect', 'happy'];

/** One pass over the text per lexicon (a regex per word re-scanned a 10 KB email 33 times). */
const lexicon = (words: string[]) =>
  new RegExp(`\\b(?:${words.map((w) => w.replace(/ /g, '\\s+')).join('|')})\\b`, 'g');
const NEGATIVE_RE = lexicon(NEGATIVE);
const POSITIVE_RE = lexicon(POSITIVE);
const WORD_RE = /\b[A-Za-z]{3,}\b/g;
const SHOUTED_RE = /\b[A-Z]{3,}\b/g;
const count = (text: string, re: RegExp) => {
  let n = 0;
  re.lastIndex = 0;
  while (re.exec(text)) n++;
  return n;
};

export function levelOf(score: number): UrgencyLevel {
  if (score >= 80) return 'urgent';
  if (score >= 50) return 'high';
  if (score >= 30) return 'elevated';
  return 'none';
}

export function scoreUrgency(raw: string): UrgencyResult {
  const text = raw.toLowerCase().replace(/[’‘]/g, "'").slice(0, 20_000);
  const reasons: UrgencyResult['reasons'] = [];
  for (const [re, phrase, weight] of PHRASES) if (re.test(text)) reasons.push({ phrase, weight });

  const negative = count(text, NEGATIVE_RE);
  const positive = count(text, POSITIVE_RE);
  if (negative)
    reasons.push({
      phrase: `negative sentiment (${negative} word${negative > 1 ? 's' : ''})`,
      weight: Math.min(30, negative * 8),
    });
  if (positive) reasons.push({ phrase: 'thanks or praise', weight: -Math.min(20, positive * 5) });

  const bangs = (raw.match(/!/g) ?? []).length;
  if (bangs >= 3) reasons.push({ phrase: 'many exclamation marks', weight: 10 });
  const shouted = count(raw, SHOUTED_RE);
  if (shouted >= 3 && shouted / count(raw, WORD_RE) > 0.3)
    reasons.push({ phrase: 'shouting (capital letters)', weight: 10 });

  const score = Math.max(
    0,
    Math.min(
      100,
      reasons.reduce((s, r) => s + r.weight, 0),
    ),
  );
  return { score, level: levelOf(score), reasons: reasons.sort((a, b) => b.weight - a.weight) };
}
