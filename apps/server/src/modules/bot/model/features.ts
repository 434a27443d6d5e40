/**
 * Text features shared by the intent model's trainer and its run-time scorer: word unigrams and bigrams
 * plus character 3–5-grams of each word (robust to typos, inflections and the five languages), hashed
 * into a fixed number of buckets (FNV-1a), with weights normalised to unit length.
 */
export const BUCKETS = 1 << 14;

export function normalize(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[’`´]/g, "'")
    .split(/(\s+)/)
    .map((token) => (looksLikeEmail(token) ? ' zemail ' : token))
    .join('')
    .replace(/\d+/g, '0');
}

/**
 * What `/\S+@\S+\.\S+/` matched in a whitespace-free token (a character before an `@`, and a `.` with a
 * character on each side after it), without the regex: it backtracks cubically on long shopper text.
 */
function looksLikeEmail(token: string): boolean {
  const at = token.indexOf('@', 1);
  if (at < 1) return false;
  const dot = token.indexOf('.', at + 2);
  return dot !== -1 && dot < token.length - 1;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % BUCKETS;
}

/** Sparse feature vector: bucket → value (unit length). */
export function features(text: string): Map<number, number> {
  const words = normalize(text.slice(0, 1000)).match(/[\p{L}\p{N}#']+/gu) ?? [];
  const out = new Map<number, number>();
  const add = (f: string) => {
    const b = fnv1a(f);
    out.set(b, (out.get(b) ?? 0) + 1);
  };
  add('__bias__');
  if (words.length <= 2) add(`__short${words.length}__`);
  words.forEach((w, i) => {
    add(`w:${w}`);
    if (i > 0) add(`b:${words[i - 1]}_${w}`);
    const padded = ` ${w} `;
    for (let n = 3; n <= 5; n++)
      for (let j = 0; j + n <= padded.length; j++) add(`c:${padded.slice(j, j + n)}`);
  });
  let norm = 0;
  for (const v of out.values()) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (const [k, v] of out) out.set(k, v / norm);
  return out;
}
