import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { htmlToText } from '../../../platform/html/sanitize.ts';
import { matchKeywords } from '../sentiment.ts';
import { fetchSource } from './http-json.ts';
import { type ListeningAdapter, type ListeningItem, SourceConfigError } from './source-port.ts';

/**
 * RSS 2.0 and Atom feeds (forums, blogs, review sites that publish one). Parsed by fast-xml-parser (pure
 * JS, entity expansion off) rather than by hand. Feeds have no "since": the cursor is the newest entry
 * time seen, and the intake's unique provider id catches entries seen twice. Every entry of a feed the
 * admin chose to watch is kept when there are no keywords; with keywords only matching entries are.
 */
const Settings = z.object({ feedUrl: z.string().url() });

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  processEntities: true,
  htmlEntities: true,
  // Entities declared inside the document (billion laughs) are not expanded.
  allowBooleanAttributes: true,
});

const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const str = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && '#text' in v) return str((v as Record<string, unknown>)['#text']);
  return '';
};

export function parseFeed(xml: string): { items: ListeningItem[]; skipped: number } {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (err) {
    throw new SourceConfigError(`Not a readable feed: ${(err as Error).message.slice(0, 120)}`);
  }
  const rss = doc.rss as { channel?: { item?: unknown } } | undefined;
  const atom = doc.feed as { entry?: unknown } | undefined;
  if (!rss?.channel && !atom) throw new SourceConfigError('Not an RSS or Atom feed');
  const raw = rss?.channel ? arr(rss.channel.item as object[]) : arr(atom?.entry as object[]);
  const items: ListeningItem[] = [];
  let skipped = 0;
  for (const e of raw as Record<string, unknown>[]) {
    const link = rss
      ? str(e.link)
      : str(
          arr(e.link as Record<string, unknown>[]).find((l) => !l['@rel'] || l['@rel'] === 'alternate')?.[
            '@href'
          ],
        );
    const id = str(rss ? (e.guid ?? e.link) : e.id) || link;
    const title = str(e.title);
    const body = str(rss ? (e['content:encoded'] ?? e.description) : (e.content ?? e.summary));
    const when = Date.parse(str(rss ? (e.pubDate ?? e['dc:date']) : (e.published ?? e.updated)));
    if (!id || (!title && !body)) {
      skipped++;
      continue;
    }
    const author = rss ? str(e.author ?? e['dc:creator']) : str((e.author as Record<string, unknown>)?.name);
    const text = [title, htmlToText(body).trim()].filter(Boolean).join('\n\n').slice(0, 10_000);
    items.push({
      id,
      author: author || 'unknown',
      authorHandle: null,
      text,
      link: link || null,
      postedAt: (Number.isFinite(when) ? new Date(when) : new Date()).toISOString(),
      language: null,
      rating: null,
      replyRef: null,
    });
  }
  return { items, skipped };
}

export const feed: ListeningAdapter = {
  kind: 'rss',
  label: 'RSS / Atom feed',
  settings: Settings,
  canReply: false,
  async poll(ctx) {
    const s = Settings.parse(ctx.settings);
    const res = await fetchSource('The feed', s.feedUrl, ctx.policy, {
      headers: { accept: 'application/rss+xml, application/atom+xml, application/xml, text/xml' },
    });
    const { items, skipped } = parseFeed(res.text);
    if (skipped)
      ctx.log.warn({ source: 'rss', skipped }, 'listening: feed entries without id or text were skipped');
    const since = ctx.cursor ? Date.parse(ctx.cursor) : Number.NEGATIVE_INFINITY;
    const fresh = items.filter(
      (i) =>
        Date.parse(i.postedAt) >= since &&
        (!ctx.keywords.length || matchKeywords(i.text, ctx.keywords).length),
    );
    const newest = items.reduce((m, i) => Math.max(m, Date.parse(i.postedAt)), since);
    return {
      items: fresh,
      cursor: Number.isFinite(newest) ? new Date(newest).toISOString() : ctx.cursor,
      skipped,
    };
  },
};
