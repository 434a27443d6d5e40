import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchKeywords, orderNumbersIn, scoreSentiment } from './sentiment.ts';
import { parseFeed } from './sources/feed.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers read field by field in assertions
type Json = Record<string, any>;

describe('sentiment, explained', () => {
  it('scores words, escalation phrases and star ratings with their reasons', () => {
    const angry = scoreSentiment('Worst shop ever, my parcel never arrived. This is a scam');
    expect(angry.sentiment).toBe('negative');
    expect(angry.reasons.map((r) => r.phrase)).toEqual(
      expect.arrayContaining(['accusation of fraud', expect.stringContaining('never arrived')]),
    );
    expect(scoreSentiment('Love it, fast shipping and great quality').sentiment).toBe('positive');
    expect(scoreSentiment('Ordered a jacket on Monday').sentiment).toBe('neutral');
    const review = scoreSentiment('It was ok', 1);
    expect(review).toMatchObject({
      sentiment: 'negative',
      reasons: [{ phrase: '1-star rating', weight: -60 }],
    });
    expect(scoreSentiment('not good at all').sentiment).toBe('negative');
  });

  it('matches keywords as whole words, case-insensitive, without compiling user input', () => {
    expect(matchKeywords('Bought from ACME SHOP today', ['acme shop', 'acme'])).toEqual([
      'acme shop',
      'acme',
    ]);
    expect(matchKeywords('acmeshopper is not us', ['acme shop', 'acme'])).toEqual([]);
    expect(matchKeywords('love #acmeshop!', ['#acmeshop'])).toEqual(['#acmeshop']);
    expect(matchKeywords('anything', ['(.*)+$'])).toEqual([]);
  });

  it('finds order numbers only where the text says it is an order', () => {
    expect(orderNumbersIn('order #1001 and Order no. 2002, also #A-3003')).toEqual([
      '1001',
      '2002',
      'A-3003',
    ]);
    expect(orderNumbersIn('in 2024 I paid 1500 dollars')).toEqual([]);
  });
});

describe('feeds', () => {
  it('reads RSS 2.0 and Atom, skips entries without id or text', () => {
    const rss = parseFeed(`<rss version="2.0"><channel><item><guid>a</guid><title>T &amp; C</title>
      <description>&lt;b&gt;bold&lt;/b&gt; text</description><pubDate>Tue, 02 Dec 2026 08:00:00 GMT</pubDate></item>
      <item><description></description></item></channel></rss>`);
    expect(rss.skipped).toBe(1);
    expect(rss.items[0]).toMatchObject({
      id: 'a',
      text: 'T & C\n\nbold text',
      postedAt: '2026-12-02T08:00:00.000Z',
    });
    const atom = parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><title>Hi</title>
      <link rel="alternate" href="https://e.example/x"/><link rel="edit" href="https://e.example/edit"/></entry></feed>`);
    expect(atom.items[0]).toMatchObject({ id: 'x', link: 'https://e.example/x' });
    expect(() => parseFeed('<html/>')).toThrow(/Not an RSS or Atom feed/);
  });

  it('does not expand entities declared in the document (billion laughs)', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
      <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
      <rss><channel><item><guid>g</guid><title>&d;&d;&d;&d;</title></item></channel></rss>`;
    let text = '';
    try {
      text = parseFeed(bomb).items[0]?.text ?? '';
    } catch (err) {
      text = (err as Error).message;
    }
    expect(text.length).toBeLessThan(50_000);
  });
});

// Real Jetstream events (../shared/fixtures, present in CI, absent in a fresh clone).
const fixtures = join(import.meta.dirname, '../../../../../../shared/fixtures/apis/bluesky');
describe.runIf(existsSync(fixtures))('recorded Jetstream events', () => {
  it('every post create in the capture has the fields the adapter reads', () => {
    const lines = readFileSync(join(fixtures, 'jetstream-v1.contiguous-152-events.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const posts = lines
      .map((l) => JSON.parse(l) as { kind: string; time_us: number; commit?: Json })
      .filter(
        (e) =>
          e.kind === 'commit' &&
          e.commit?.collection === 'app.bsky.feed.post' &&
          e.commit.operation === 'create',
      );
    expect(posts.length).toBe(17);
    for (const p of posts) {
      expect(typeof p.time_us).toBe('number');
      expect(typeof p.commit!.record.text).toBe('string');
      expect(typeof p.commit!.cid).toBe('string');
    }
  });
});
