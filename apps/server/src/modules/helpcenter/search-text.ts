/**
 * Query preparation for help-center search (pure): shoppers type questions, not keywords, so filler
 * words are dropped, common variants are folded together and the rest is OR-ed and ranked — an AND
 * of "how long does shipping take" would find nothing.
 */

const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does doing for from had has have having how i if in into ' +
    'is it its me my myself of on or our please so than that the their them then there these they this to too ' +
    'was we were what when where which who why will with would you your yours hi hello hey thanks thank ok okay ' +
    "get got just any some much many there’s im i’m i'm id ive also still yet want need know tell about " +
    'hasnt doesnt dont cant isnt didnt wont havent arent long take takes possible work works able ' +
    'der die das und ist ich mein meine wie was wo wann ein eine einen zu mit für bei von den dem nicht es'
  ).split(/\s+/),
);

/** Folds words shoppers use onto the words articles use (both directions are searched). */
const SYNONYMS: Record<string, string[]> = {
  parcel: ['package', 'shipping'],
  package: ['parcel', 'shipping'],
  delivery: ['shipping', 'delivered'],
  deliver: ['shipping', 'delivery'],
  delivered: ['delivery'],
  arrive: ['delivery', 'shipping'],
  arrived: ['delivery'],
  ship: ['shipping'],
  shipped: ['shipping'],
  ships: ['shipping'],
  postage: ['shipping'],
  courier: ['carrier', 'shipping'],
  send: ['return', 'shipping'],
  refund: ['refunds', 'return', 'money'],
  refunds: ['refund', 'return'],
  money: ['refund'],
  exchange: ['return', 'size'],
  swap: ['exchange', 'return'],
  size: ['sizing', 'fit'],
  sizes: ['sizing', 'size'],
  fit: ['sizing', 'size'],
  fits: ['sizing', 'size'],
  small: ['sizing', 'size'],
  big: ['sizing', 'size'],
  large: ['sizing', 'size'],
  measure: ['sizing', 'measurements'],
  pay: ['payment', 'payments'],
  paid: ['payment'],
  paying: ['payment'],
  card: ['payment', 'credit'],
  paypal: ['payment'],
  klarna: ['payment', 'instalments'],
  installments: ['instalments', 'payment'],
  track: ['tracking'],
  tracking: ['track'],
  where: [],
  cancel: ['cancellation', 'cancel'],
  cancellation: ['cancel'],
  broken: ['damaged', 'defective'],
  damaged: ['defective', 'broken'],
  faulty: ['defective', 'damaged'],
  wrong: ['incorrect', 'damaged'],
  voucher: ['discount', 'code'],
  coupon: ['discount', 'code'],
  promo: ['discount', 'code'],
  international: ['countries', 'international', 'abroad'],
  abroad: ['international'],
  overseas: ['international'],
  wash: ['care', 'washing'],
  washing: ['care'],
  password: ['account', 'login'],
  login: ['account', 'password'],
  account: ['login'],
};

export function normalizeQuery(q: string): string {
  return q.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The words of a query worth searching for: lower-case, no punctuation, no filler words. */
export function queryWords(q: string): string[] {
  const words = normalizeQuery(q)
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !STOPWORDS.has(w) && !/^\d{1,2}$/.test(w));
  return [...new Set(words)].slice(0, 12);
}

export function expandSynonyms(words: string[]): string[] {
  const out = new Set(words);
  for (const w of words) for (const s of SYNONYMS[w] ?? []) out.add(s);
  return [...out];
}

/** to_tsquery text: each word as a prefix-free literal, OR-ed. Words are [\p{L}\p{N}] only. */
export function orTsQuery(words: string[]): string {
  return words.map((w) => `'${w}'`).join(' | ');
}

/** Marks used inside ts_headline output; they cannot appear in article text (escaped to entities). */
export const MARK_START = '\u0002';
export const MARK_END = '\u0003';
