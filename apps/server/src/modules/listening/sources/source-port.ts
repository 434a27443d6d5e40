import type { Logger } from 'pino';
import type { z } from 'zod';
import type { OutboundPolicy } from '../../../platform/http/outbound.ts';

/**
 * One public place a shop is talked about (Bluesky, Mastodon, Reddit, a feed). An adapter knows the
 * provider's wire format and limits and nothing about workspaces, mentions or tickets: the listening
 * service stores what `poll` returns through the intake and decides what it means. Adding a source is
 * a new file here plus one line in registry.ts.
 */
export interface ListeningAdapter {
  readonly kind: string;
  readonly label: string;
  /** Settings an admin enters (URLs, instance, subreddit); validated before they are saved. */
  readonly settings: z.ZodType<Record<string, unknown>>;
  /** Credentials (app password, token), encrypted at rest; absent: the source needs none to listen. */
  readonly secrets?: z.ZodType<Record<string, string>>;
  /** Replies can be posted back (and need the secrets above). */
  readonly canReply: boolean;
  /** One pass: new items since the cursor, and the cursor to resume from next time. */
  poll(ctx: PollContext): Promise<PollResult>;
  reply?(ctx: ReplyContext): Promise<{ externalId: string; link: string | null }>;
}

export interface PollContext {
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  keywords: string[];
  cursor: string | null;
  policy: OutboundPolicy;
  log: Logger;
  /** Longest a stream stays connected in one pass (the job runs again right after). */
  windowMs: number;
}

export interface PollResult {
  items: ListeningItem[];
  cursor: string | null;
  /** Items that could not be read (logged by the adapter, not retried). */
  skipped: number;
  /** The source said no calls are left (X-Ratelimit-Remaining: 0): no poll before this. */
  pauseUntil?: Date;
}

export interface ReplyContext {
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  policy: OutboundPolicy;
  /** What the adapter stored on the item to reply to it. */
  ref: Record<string, unknown>;
  text: string;
}

/** A post, toot, comment, feed entry or review as the source gave it, before any matching. */
export interface ListeningItem {
  /** The provider's id, unique within the source kind: the de-duplication key. */
  id: string;
  author: string;
  authorHandle: string | null;
  text: string;
  link: string | null;
  postedAt: string;
  language: string | null;
  /** Stars (1–5) for reviews. */
  rating: number | null;
  replyRef: Record<string, unknown> | null;
}

/** The source answered 429 (or said it has no calls left): no call before `until`. */
export class SourceRateLimited extends Error {
  constructor(
    readonly until: Date,
    message: string,
  ) {
    super(message);
  }
}

/** A problem an admin must fix (a refused credential, a feed URL that is not a feed); shown in Settings. */
export class SourceConfigError extends Error {}

/** Reads a rate-limit reset header as a date: seconds to wait (Reddit, RateLimit-Reset) or an epoch. */
export function resetAt(headers: Headers, now = Date.now()): Date {
  const ra = Number(headers.get('retry-after'));
  if (Number.isFinite(ra) && ra > 0) return new Date(now + ra * 1000);
  const raw = headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset');
  const n = Number(raw);
  if (raw && Number.isFinite(n) && n > 0) return new Date(n > 1e9 ? n * 1000 : now + n * 1000);
  // Mastodon sends an ISO date.
  const at = raw ? Date.parse(raw) : Number.NaN;
  if (Number.isFinite(at)) return new Date(at);
  return new Date(now + 60_000);
}
