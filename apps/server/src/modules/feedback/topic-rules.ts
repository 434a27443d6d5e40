/*
 * Topics without I/O: which topic a comment belongs to (keyword rules the team edits), and which
 * frequent words in negative comments no topic covers yet (the "clustering" that proposes new topics).
 * Words are cut by a character loop, not a regex, so hostile text cannot make matching slow.
 */

const STOP = new Set(
  (
    'the and for are but not you your yours our ours was were with this that have has had they them their ' +
    'there what when which from just very really would could should been being into onto than then too ' +
    'also only some more most much many any all can cant dont didnt doesnt isnt wasnt wont its it’s i’m ' +
    'about after again because before does doing here how its like make made need please thanks thank ' +
    'der die das und ist nicht mit ein eine les des une est pas pour que los las una por para het een niet van'
  ).split(' '),
);

const isWordChar = (ch: string) => {
  const c = ch.charCodeAt(0);
  if ((c >= 48 && c <= 57) || (c >= 97 && c <= 122)) return true;
  return c > 127 && ch.toLowerCase() !== ch.toUpperCase();
};

/** Lower-case words of a text, in order (letters and digits; everything else separates). */
export function wordsOf(text: string, max = 400): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of text.toLowerCase()) {
    if (isWordChar(ch) || ch === '’' || ch === "'") cur += ch;
    else if (cur) {
      out.push(cur);
      cur = '';
      if (out.length >= max) return out;
    }
  }
  if (cur) out.push(cur);
  return out;
}

export interface TopicRule {
  id: number;
  keywords: string[];
}

/** How many of a topic's keywords a text mentions. A one-word keyword of 4+ letters also matches longer
 * forms (size → sizes, sizing does not); a phrase must appear as a whole. */
export function keywordHits(words: string[], keywords: string[]): number {
  if (!words.length) return 0;
  const joined = ` ${words.join(' ')} `;
  let hits = 0;
  for (const k of keywords) {
    const kw = k.trim().toLowerCase();
    if (!kw) continue;
    if (kw.includes(' ')) {
      if (joined.includes(` ${kw} `)) hits++;
    } else if (words.some((w) => w === kw || (kw.length >= 4 && w.startsWith(kw)))) hits++;
  }
  return hits;
}

/** The topic with the most keyword hits (the older topic on a tie), or null. */
export function topicFor(text: string, topics: TopicRule[]): number | null {
  const words = wordsOf(text);
  let best: number | null = null;
  let bestHits = 0;
  for (const t of [...topics].sort((a, b) => a.id - b.id)) {
    const h = keywordHits(words, t.keywords);
    if (h > bestHits) {
      best = t.id;
      bestHits = h;
    }
  }
  return best;
}

/** Frequent words (4+ letters, not stop words) of texts no topic matched: candidates for a new topic. */
export function emergingWords(texts: string[], topics: TopicRule[], limit = 8) {
  const counts = new Map<string, number>();
  for (const text of texts) {
    if (topicFor(text, topics) !== null) continue;
    for (const w of new Set(wordsOf(text))) {
      if (w.length < 4 || STOP.has(w)) continue;
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  return [...counts]
    .filter(([, n]) => n >= 2)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([word, count]) => ({ word, count }));
}

/** A coarse device class from the browser's user agent (shown in the inbox; never used to decide). */
export function deviceOf(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null;
  const ua = userAgent.toLowerCase();
  if (ua.includes('ipad') || ua.includes('tablet')) return 'tablet';
  if (ua.includes('mobi') || ua.includes('iphone') || ua.includes('android')) return 'mobile';
  return 'desktop';
}
