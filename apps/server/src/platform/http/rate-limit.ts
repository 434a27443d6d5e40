import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterStoreAbstract,
} from 'rate-limiter-flexible';
import type { Config } from '../../config.ts';
import { type Db, type SQL, sql } from '../db/db.ts';
import { AppError } from '../errors.ts';

/**
 * Every rate limit of the server in one table: name → points per window, and what the key is.
 * Counted by rate-limiter-flexible: in PostgreSQL (table `rate_limits`, migration 0861) when the app
 * runs on PostgreSQL, so several nodes share one budget; in memory on the embedded database (one
 * process by design). Client addresses are grouped by IPv6 /64 (see clientKey).
 */
export function ratePolicies(
  config: Pick<
    Config,
    'RATE_LIMIT_PER_MINUTE' | 'RATE_LIMIT_PUBLIC_PER_MINUTE' | 'LOGIN_ATTEMPTS_PER_15_MIN'
  >,
) {
  return {
    // Signed-in callers (API tokens, dashboard sessions).
    api: { points: config.RATE_LIMIT_PER_MINUTE, seconds: 60, key: 'token or agent', what: 'requests' },
    // Every anonymous route of the Router (widget, avatars, webhooks have their own below too).
    public: {
      points: config.RATE_LIMIT_PUBLIC_PER_MINUTE,
      seconds: 60,
      key: 'ip',
      what: 'requests from your network',
    },
    // Store and email-provider webhooks: signed, bursty (a bulk import), so generous.
    webhook: { points: 3000, seconds: 60, key: 'ip', what: 'webhook calls from your network' },
    'login.ip': { points: 100, seconds: 900, key: 'ip', what: 'sign-in attempts from your network' },
    // Reset mails per address, whoever asks: the shop's mail cannot be used to flood an agent's inbox.
    'password-reset.email': { points: 3, seconds: 3600, key: 'e-mail address', what: 'reset e-mails' },
    'login.failures': {
      points: config.LOGIN_ATTEMPTS_PER_15_MIN,
      seconds: 900,
      key: 'ip+account (failed attempts only)',
      what: 'failed sign-in attempts',
    },
    '2fa.failures': {
      points: config.LOGIN_ATTEMPTS_PER_15_MIN,
      seconds: 900,
      key: 'agent (failed codes only)',
      what: 'wrong codes',
    },
    'widget.sessions': { points: 60, seconds: 60, key: 'ip', what: 'chat sessions from your network' },
    'widget.socket': { points: 300, seconds: 60, key: 'ip', what: 'chat connections from your network' },
    'widget.messages': { points: 30, seconds: 60, key: 'workspace+visitor', what: 'messages' },
    'widget.messages.ip': { points: 120, seconds: 60, key: 'ip', what: 'messages from your network' },
    'widget.uploads': { points: 10, seconds: 60, key: 'workspace+visitor', what: 'file uploads' },
    'widget.transcripts': { points: 3, seconds: 60, key: 'workspace+visitor', what: 'transcript requests' },
    // One-time codes mailed before a transcript: per address (whoever asks) and per shop, so a visitor
    // cannot use the shop's mail to flood an address or send mail in bulk.
    'widget.transcript-codes': {
      points: 3,
      seconds: 3600,
      key: 'workspace+e-mail address',
      what: 'codes sent to this address',
    },
    'widget.transcript-codes.workspace': {
      points: 200,
      seconds: 3600,
      key: 'workspace',
      what: 'transcript codes for this shop',
    },
    'widget.transcript-codes.check': {
      points: 10,
      seconds: 900,
      key: 'workspace+visitor',
      what: 'code attempts',
    },
    'widget.requests': { points: 30, seconds: 60, key: 'workspace+visitor', what: 'requests' },
    // The site's Feedback tab (modules/feedback): a few a shopper, spam and floods stop here.
    'widget.feedback': { points: 5, seconds: 600, key: 'ip', what: 'feedback messages from your network' },
    'widget.feedback.workspace': {
      points: 500,
      seconds: 3600,
      key: 'workspace',
      what: 'feedback for this shop',
    },
    // Answers on survey and follow-up pages (each link is already a signed capability).
    'portal.answers': { points: 30, seconds: 600, key: 'ip', what: 'answers' },
    'portal.pages': { points: 300, seconds: 60, key: 'ip', what: 'pages from your network' },
    'portal.search': { points: 60, seconds: 60, key: 'ip', what: 'searches' },
    'portal.vote': { points: 30, seconds: 3600, key: 'ip', what: 'votes' },
    'portal.contact': { points: 5, seconds: 600, key: 'ip', what: 'messages' },
    'portal.ask': { points: 40, seconds: 600, key: 'ip', what: 'questions' },
    'portal.tracking': { points: 10, seconds: 600, key: 'ip', what: 'order look-ups' },
    'portal.tracking.number': {
      points: 5,
      seconds: 900,
      key: 'workspace+order number (failed look-ups only)',
      what: 'look-ups of this order',
    },
  } satisfies Record<string, { points: number; seconds: number; key: string; what: string }>;
}

export type RatePolicies = ReturnType<typeof ratePolicies>;
export type RatePolicyName = keyof RatePolicies;

export interface RateLimits {
  /** Counts a hit (or `points`); throws `rate_limited` (429 with Retry-After) when over the limit. */
  consume(policy: RatePolicyName, key: string, points?: number): Promise<void>;
  /** Counts a hit; seconds to wait when over the limit, else null (for pages that answer in HTML). */
  hit(policy: RatePolicyName, key: string, points?: number): Promise<number | null>;
  /** Seconds to wait when the key is already at its limit (counts nothing), else null. */
  blocked(policy: RatePolicyName, key: string): Promise<number | null>;
  /** Forget a key (a successful sign-in clears its failures). */
  reset(policy: RatePolicyName, key: string): Promise<void>;
  readonly policies: RatePolicies;
}

/**
 * The key of a client address: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 by its /64 — one
 * subscriber usually holds a whole /64, so counting single IPv6 addresses gave each client 2^64 budgets.
 */
export function clientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

/** The key column is varchar(255): long keys (an e-mail plus an address) are hashed. */
const shortKey = (k: string) => (k.length <= 200 ? k : createHash('sha256').update(k).digest('hex'));

/** rate-limiter-flexible speaks node-postgres' `query({text, values})`; run it through the app's Db. */
function pgClient(db: Db) {
  return {
    async query(q: { text: string; values?: unknown[] }) {
      const pieces: SQL[] = [];
      let last = 0;
      for (const m of q.text.matchAll(/\$(\d+)/g)) {
        pieces.push(sql.raw(q.text.slice(last, m.index)), sql`${q.values?.[Number(m[1]) - 1]}`);
        last = m.index + m[0].length;
      }
      pieces.push(sql.raw(q.text.slice(last)));
      return { rows: await db.query(sql.join(pieces)) };
    },
  };
}

export function createRateLimits(db: Db, config: Parameters<typeof ratePolicies>[0]): RateLimits {
  const policies = ratePolicies(config);
  const limiters = new Map<string, RateLimiterStoreAbstract | RateLimiterMemory>();
  let first = true;
  for (const [name, p] of Object.entries(policies)) {
    const memory = new RateLimiterMemory({ keyPrefix: name, points: p.points, duration: p.seconds });
    limiters.set(
      name,
      db.kind === 'postgres'
        ? new RateLimiterPostgres({
            storeClient: pgClient(db),
            storeType: 'pool',
            tableName: 'rate_limits',
            tableCreated: true,
            // One sweep of expired rows per node is enough for the shared table.
            clearExpiredByTimeout: first,
            keyPrefix: name,
            points: p.points,
            duration: p.seconds,
            // A flood is answered from memory once over the limit, without a statement per request.
            inMemoryBlockOnConsumed: p.points + 1,
            // If the database is unreachable the limit still holds per node.
            insuranceLimiter: memory,
          })
        : memory,
    );
    first = false;
  }
  const limiter = (name: RatePolicyName) => limiters.get(name)!;
  const retryOf = (r: RateLimiterRes) => Math.max(1, Math.ceil(r.msBeforeNext / 1000));

  async function hit(name: RatePolicyName, key: string, points = 1) {
    try {
      await limiter(name).consume(shortKey(key), points);
      return null;
    } catch (e) {
      if (e instanceof RateLimiterRes) return retryOf(e);
      throw e;
    }
  }
  return {
    policies,
    hit,
    async consume(name, key, points = 1) {
      const retry = await hit(name, key, points);
      if (retry !== null)
        throw new AppError('rate_limited', `Too many ${policies[name].what}; try again in ${retry} s`, {
          retryAfterSeconds: retry,
          policy: name,
        });
    },
    async blocked(name, key) {
      const r = await limiter(name).get(shortKey(key));
      return r && r.consumedPoints >= policies[name].points ? retryOf(r) : null;
    },
    async reset(name, key) {
      await limiter(name).delete(shortKey(key));
    },
  };
}
