import { bluesky } from './bluesky.ts';
import { feed } from './feed.ts';
import { mastodon } from './mastodon.ts';
import { reddit } from './reddit.ts';
import type { ListeningAdapter } from './source-port.ts';
import { trustpilot } from './trustpilot.ts';

/** Every listening source, by kind: adding one is a file in this folder plus one line here. */
export const LISTENING_ADAPTERS: Record<string, ListeningAdapter> = Object.fromEntries(
  [bluesky, mastodon, reddit, feed, trustpilot].map((a) => [a.kind, a]),
);
export const SOURCE_KINDS = Object.keys(LISTENING_ADAPTERS);
