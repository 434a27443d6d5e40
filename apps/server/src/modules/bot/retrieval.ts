import { expandSynonyms, type HelpCenterService, queryWords } from '../helpcenter/index.ts';
import type { BotArticle } from './bot-engine.ts';
import { MIN_RELEVANCE } from './bot-types.ts';
import type { Topic } from './eval/topics.ts';
import { predictTopic } from './model/topic-model.ts';
import { isFiller, toEnglishTerms } from './query-terms.ts';

/**
 * How the bot finds the article that answers a question (docs/self-service.md, "The bot"): the help
 * center's search and the whole published corpus, weighed by shared distinctive words and by topic.
 */

/** A word of the question found in an article's text (directly, through a synonym, or by its stem). */
function foundIn(text: string, w: string) {
  const stem = w.length > 5 ? w.slice(0, -2) : w;
  return expandSynonyms([w]).some((f) => text.includes(` ${f}`)) || text.includes(` ${stem}`);
}

const flat = (x: string) => ` ${x.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
/** An article as the relevance sees it: its head (title, keywords, summary) and its whole text. */
export interface ArticleText {
  head: string;
  all: string;
}
const textOf = (a: { title: string; keywords: string; summary: string; body_text: string }): ArticleText => ({
  head: flat(`${a.title} ${a.keywords} ${a.summary}`),
  all: flat(`${a.title} ${a.keywords} ${a.summary} ${a.body_text}`),
});

/**
 * The bot's relevance: the share of the question's words found in the article, each word weighted by
 * how distinctive it is in the help center (inverse document frequency over `corpus`, the published
 * articles' texts). A word no article mentions ("gift" in "do you sell gift vouchers", "physical" in
 * "a physical store") weighs most, so an article that shares only the common words of the question
 * does not pass for an answer. A word found only after typo correction counts half.
 */
export function coverage(
  question: string,
  corrected: string | null,
  article: string | ArticleText,
  corpus: readonly string[] = [],
): number {
  const words = queryWords(question).filter((w) => !isFiller(w));
  if (!words.length) return 0;
  const all = queryWords(question);
  const fixed = corrected ? words.map((w) => corrected.split(' ')[all.indexOf(w)] ?? w) : words;
  const a = typeof article === 'string' ? { head: flat(article), all: flat(article) } : article;
  // A word only the body mentions in passing ("48 hours", "contact us") counts less than one the
  // article is about (its title, keywords and summary).
  const found = (w: string) => (foundIn(a.head, w) ? 1 : foundIn(a.all, w) ? BODY_ONLY : 0);
  const n = corpus.length;
  const idf = (w: string) => {
    if (!n) return 1;
    const df = corpus.filter((c) => foundIn(c, w)).length;
    return Math.log((n + 1) / (df + 1)) + 1;
  };
  let hit = 0;
  let total = 0;
  words.forEach((w, i) => {
    const f = fixed[i] && fixed[i] !== w ? fixed[i]! : null;
    const direct = found(w);
    const weight = idf(f && !direct ? f : w);
    total += weight;
    if (direct) hit += weight * direct;
    else if (f) hit += (weight * found(f)) / 2;
  });
  return total ? hit / total : 0;
}

const BODY_ONLY = 0.6;

/** A published article as retrieval keeps it: its texts, its link and what it is about. */
interface CorpusArticle {
  articleId: number;
  title: string;
  summary: string;
  locale: string;
  url: string;
  text: ArticleText;
  /** Topics the article covers: its most likely one, and any other the model gives ≥ 0.3. */
  topics: Topic[];
}
interface Corpus {
  at: number;
  articles: Map<number, CorpusArticle>;
  /** Every topic some published article covers: a question about another one has no answer here. */
  covered: Set<Topic>;
}

/** Published articles per workspace and language, kept briefly (the relevance weights and topics). */
const corpusCache = new Map<string, Corpus>();
const CORPUS_TTL_MS = 30_000;
const ARTICLE_TOPIC_MIN = 0.3;

async function corpusOf(hc: HelpCenterService, workspaceId: number, locale: string, fallback: string) {
  const key = `${workspaceId}:${locale}`;
  const hit = corpusCache.get(key);
  if (hit && Date.now() - hit.at < CORPUS_TTL_MS) return hit;
  const [all, base] = await Promise.all([
    hc.publishedArticles(workspaceId, locale, fallback, false),
    hc.baseFor(workspaceId),
  ]);
  const articles = new Map<number, CorpusArticle>();
  const covered = new Set<Topic>();
  for (const a of all) {
    const text = textOf(a);
    const p = predictTopic(text.head);
    const topics = [p.label];
    for (const [t, v] of Object.entries(p.probabilities))
      if (t !== p.label && v >= ARTICLE_TOPIC_MIN) topics.push(t as Topic);
    for (const t of topics) covered.add(t);
    articles.set(a.article_id, {
      articleId: a.article_id,
      title: a.title,
      summary: a.summary,
      locale: a.locale,
      url: `${base.root}${hc.articlePath(a.locale, a.article_id, a.slug)}`,
      text,
      topics,
    });
  }
  covered.delete('other');
  const c: Corpus = { at: Date.now(), articles, covered };
  if (corpusCache.size > 500) corpusCache.clear();
  corpusCache.set(key, c);
  return c;
}

/**
 * Search, plus the articles about the question's topic, ranked by relevance. Two kinds of evidence
 * combine as a noisy-OR: the words the article shares with the question (`coverage`) and how likely
 * the question is about the article's topic (the topic model, eval/topics.ts). A question most likely
 * about a subject no article covers (gift cards, a physical store, small talk) scales every score
 * down by that likelihood, so it gets an honest "I don't know" instead of the nearest article.
 */
async function ranked(
  hc: HelpCenterService,
  workspaceId: number,
  locale: string,
  fallback: string,
  question: string,
  record: boolean | undefined,
): Promise<BotArticle[]> {
  const r = await hc.search(workspaceId, question, { locale, limit: 6, source: 'bot', record });
  let corpus = await corpusOf(hc, workspaceId, locale, fallback);
  if (r.hits.some((h) => !corpus.articles.has(h.articleId))) {
    corpusCache.delete(`${workspaceId}:${locale}`);
    corpus = await corpusOf(hc, workspaceId, locale, fallback);
  }
  const topic = predictTopic(question);
  let uncovered = 0;
  for (const [t, p] of Object.entries(topic.probabilities))
    if (!corpus.covered.has(t as Topic)) uncovered += p;
  const candidates = new Map<number, { rank: number; a: CorpusArticle }>();
  r.hits.forEach((h, rank) => {
    const a = corpus.articles.get(h.articleId);
    if (a) candidates.set(h.articleId, { rank, a });
  });
  if (corpus.covered.has(topic.label))
    for (const a of corpus.articles.values())
      if (a.topics.includes(topic.label) && !candidates.has(a.articleId))
        candidates.set(a.articleId, { rank: r.hits.length + candidates.size, a });
  if (!candidates.size) return [];
  const texts = [...corpus.articles.values()].map((a) => a.text.all);
  const scored = [...candidates.values()].map(({ rank, a }) => {
    // The article that covers the question's distinctive words comes first, not the one that repeats
    // its common words most.
    const words = coverage(question, r.correctedQuery, a.text, texts);
    const about = Math.max(...a.topics.map((t) => topic.probabilities[t] ?? 0));
    return {
      articleId: a.articleId,
      title: a.title,
      summary: a.summary,
      url: a.url,
      locale: a.locale,
      topic: a.topics[0],
      rank,
      about,
      confidence: (1 - (1 - words) * (1 - about)) * (1 - uncovered),
    };
  });
  // Two articles that both reach certainty: the one about the question's topic first.
  scored.sort((x, y) => y.confidence - x.confidence || y.about - x.about || x.rank - y.rank);
  return scored.slice(0, 3).map(({ rank: _rank, about: _about, ...x }) => x);
}

/**
 * Retrieval with the bot's relevance, as the bot uses it (also run by the evaluation bench). A question
 * in another language than the help center's default is also tried as its shop words in English
 * (query-terms.ts), so an untranslated article is found in the original; the more relevant wins.
 */
export async function answerFromHelpCenter(
  hc: HelpCenterService,
  workspaceId: number,
  locale: string | undefined,
  question: string,
  o: { record?: boolean } = {},
): Promise<BotArticle[]> {
  const settings = await hc.settingsOf(workspaceId);
  const fallback = settings.default_locale;
  const lang = locale && settings.locales.includes(locale) ? locale : fallback;
  const own = await ranked(hc, workspaceId, lang, fallback, question, o.record);
  if ((locale ?? fallback).slice(0, 2) === 'en' || fallback.slice(0, 2) !== 'en') return own;
  const english = toEnglishTerms(question);
  if (!english) return own;
  const viaEnglish = await ranked(hc, workspaceId, fallback, fallback, english, false);
  // The shopper's own language wins when it found the same article (its translation) or a good one.
  if (own[0] && (own[0].articleId === viaEnglish[0]?.articleId || own[0].confidence >= MIN_RELEVANCE))
    return own;
  return (viaEnglish[0]?.confidence ?? 0) > (own[0]?.confidence ?? 0) ? viaEnglish : own;
}
