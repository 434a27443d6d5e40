import { scoreSentiment } from '../modules/listening/index.ts';
import { type Db, sql } from '../platform/db/db.ts';

const POSTS: {
  kind: string;
  author: string;
  handle: string;
  text: string;
  hoursAgo: number;
  link: string;
}[] = [
  {
    kind: 'bluesky',
    author: 'did:plc:demohiker01',
    handle: 'did:plc:demohiker01',
    text: 'Demo Outfitters rain jacket held up all weekend in the Alps. Love it!',
    hoursAgo: 5,
    link: 'https://bsky.app/profile/did:plc:demohiker01/post/demo1',
  },
  {
    kind: 'bluesky',
    author: 'did:plc:demorunner02',
    handle: 'did:plc:demorunner02',
    text: 'Still waiting for my Demo Outfitters parcel after two weeks. Disappointed, no reply to my emails.',
    hoursAgo: 20,
    link: 'https://bsky.app/profile/did:plc:demorunner02/post/demo2',
  },
  {
    kind: 'rss',
    author: 'Trail Forum',
    handle: 'Trail Forum',
    text: 'Anyone tried the Demo Outfitters trail shoes?\n\nLooking for something for wet ground.',
    hoursAgo: 30,
    link: 'https://forum.example/t/demo-outfitters-shoes',
  },
];

/**
 * A Bluesky source that is switched off (the demo never calls out of the machine) and a few mentions
 * as its pass would have stored them, scored by the module's own scorer, so Mentions and Settings →
 * Listening sources are not empty for a newcomer. Written directly, the rows the listening module writes.
 */
export async function seedDemoListening(db: Db, workspaceId: number) {
  const src = await db.one<{ id: number }>(sql`
    INSERT INTO listening_sources (workspace_id, kind, name, enabled, settings, keywords)
    VALUES (${workspaceId}, 'bluesky', 'Bluesky (demo, off)', false,
      ${JSON.stringify({ jetstreamUrl: 'wss://jetstream2.us-east.bsky.network', pdsUrl: 'https://bsky.social', handle: 'demo-outfitters.example' })}::jsonb,
      ${['Demo Outfitters']}::text[])
    RETURNING id`);
  for (const p of POSTS) {
    const s = scoreSentiment(p.text);
    await db.query(sql`
      INSERT INTO listening_mentions (workspace_id, source_id, kind, external_id, author, author_handle, text, link,
        posted_at, language, sentiment, sentiment_score, sentiment_reasons, matched_keywords)
      VALUES (${workspaceId}, ${p.kind === 'bluesky' ? src!.id : null}, ${p.kind}, ${`demo:${p.link}`}, ${p.author},
        ${p.handle}, ${p.text}, ${p.link}, now() - make_interval(hours => ${p.hoursAgo}), 'en', ${s.sentiment},
        ${s.score}, ${JSON.stringify(s.reasons)}::jsonb, ${['Demo Outfitters']}::text[])
      ON CONFLICT DO NOTHING`);
  }
}
