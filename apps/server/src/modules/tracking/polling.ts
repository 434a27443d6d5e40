import { randomBytes } from 'node:crypto';
import type { CarrierRegistry, PollResult, RateLimitState } from '../../carriers/carrier-adapter.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError } from '../../platform/errors.ts';
import { OutboundRefusedError } from '../../platform/http/outbound.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import type { NormalUpdate } from './normalize.ts';
import * as repo from './polling.repository.ts';

/** Parcels polled per job run; a full batch enqueues the next run at once. */
const BATCH = 50;
/** Longest wait between two polls of a parcel the provider keeps failing on. */
const MAX_BACKOFF_MS = 24 * 3_600_000;
/** A refused API key: try again after this (an admin may have fixed it meanwhile). */
const KEY_REFUSED_PAUSE_MS = 3_600_000;

export interface PollingOptions {
  carriers: CarrierRegistry;
  /** The provider's API root (config: AFTERSHIP_API_URL, EASYPOST_API_URL, SHIPPO_API_URL). */
  baseUrl: (provider: string) => string;
  normalize: (provider: string, body: Record<string, unknown>) => NormalUpdate | null;
  apply: (workspaceId: number, u: NormalUpdate, source: string) => Promise<unknown>;
  now?: () => Date;
}

/**
 * Polling fallback for parcels no webhook keeps current (docs/tracking.md "Polling"): each source
 * with an API key is polled by a durable `tracking-poll` job. A parcel's next poll comes an interval
 * after its last answer (a webhook pushes it out too); a provider that fails on a parcel backs off
 * exponentially for that parcel; a 429 or an exhausted `X-RateLimit-Remaining` pauses the whole
 * source until the provider's reset time, and the job is enqueued again for that moment.
 */
export function createPolling(deps: Deps, o: PollingOptions) {
  const { db, config, log } = deps;
  const keys = keyRing(config);
  const now = o.now ?? (() => new Date());

  const resume = (s: repo.PollSourceRow, at: Date, why: string) =>
    enqueue(
      db,
      'tracking-poll',
      { sourceId: s.id },
      {
        workspaceId: s.workspace_id,
        runAt: at,
        uniqueKey: `tracking-poll:${s.id}:${why}:${at.getTime()}`,
      },
    );

  /** Polls one source's due parcels; returns what it did (also the admin route's answer). */
  async function run(sourceId: number) {
    const s = await repo.pollSource(db, sourceId);
    const out = { polled: 0, updated: 0, failed: 0, pausedUntil: null as string | null };
    if (!s?.api_key_enc || !s.poll_minutes) return out;
    const adapter = o.carriers.get(s.provider);
    if (!adapter) return out;
    const t0 = now();
    if (s.paused_until && s.paused_until > t0) {
      out.pausedUntil = s.paused_until.toISOString();
      return out;
    }
    const ctx = {
      workspaceId: s.workspace_id,
      apiKey: keys.decrypt(s.api_key_enc),
      baseUrl: o.baseUrl(s.provider),
      outbound: () => outboundPolicyOf(db, config, s.workspace_id),
    };
    const due = await repo.duePolls(db, s.workspace_id, t0, BATCH);
    let pause: { until: Date; error: string | null } | null = null;
    let lastError: string | null = null;
    for (const p of due) {
      let r: PollResult;
      try {
        r = await adapter.poll(ctx, {
          trackingNumber: p.tracking_number,
          carrier: p.carrier,
          ref: p.poll_ref,
        });
      } catch (err) {
        const permanent = err instanceof OutboundRefusedError;
        r = {
          kind: 'failed',
          permanent,
          message: permanent ? 'the API address is not allowed' : 'network error',
          limit: { remaining: null, resetAt: null },
        };
      }
      out.polled++;
      const at = now();
      if (r.kind === 'rate_limited') {
        pause = { until: r.retryAt, error: 'rate limited by the provider' };
        break;
      }
      if (r.kind === 'failed' && r.permanent) {
        pause = { until: new Date(at.getTime() + KEY_REFUSED_PAUSE_MS), error: r.message };
        break;
      }
      if (r.kind === 'ok') {
        const u = o.normalize(s.provider, r.body);
        if (u) {
          await o.apply(s.workspace_id, { ...u, trackingNumber: p.tracking_number }, s.provider);
          out.updated++;
        }
        await repo.setPolled(db, p.id, {
          next: new Date(at.getTime() + s.poll_minutes * 60_000),
          failures: 0,
          ref: r.ref ?? p.poll_ref,
        });
      } else {
        // Unknown to the provider yet, or a transient failure: this parcel alone backs off.
        const failures = p.poll_failures + 1;
        const wait = Math.min(MAX_BACKOFF_MS, s.poll_minutes * 60_000 * 2 ** Math.min(failures, 10));
        await repo.setPolled(db, p.id, {
          next: new Date(at.getTime() + wait),
          failures,
          // An EasyPost tracker id it no longer knows is forgotten: the next poll creates one again.
          ref: r.kind === 'unknown' ? null : p.poll_ref,
        });
        if (r.kind === 'failed') {
          out.failed++;
          lastError = r.message;
        }
      }
      const exhausted = spent(r.limit, at);
      if (exhausted) {
        pause = { until: exhausted, error: null };
        break;
      }
    }
    if (pause) {
      await repo.pauseSource(db, s.id, pause.until, pause.error);
      await resume(s, pause.until, 'resume');
      out.pausedUntil = pause.until.toISOString();
    } else {
      await repo.pauseSource(db, s.id, null, lastError);
      // A full batch: more parcels may be due; the next run starts at once (a later slot would wait).
      if (due.length === BATCH) await resume(s, now(), 'more');
    }
    if (out.polled) log.debug({ sourceId, ...out }, 'tracking: polled');
    return out;
  }

  return {
    run,

    /** Every polling source's run for this slot (the sweep calls it; unique keys keep one per slot). */
    async schedule(slot: number) {
      for (const s of await repo.pollingSources(db)) {
        const at = s.paused_until && s.paused_until > now() ? s.paused_until : now();
        await enqueue(
          db,
          'tracking-poll',
          { sourceId: s.id },
          {
            workspaceId: s.workspace_id,
            runAt: at,
            uniqueKey: `tracking-poll:${s.id}:${slot}`,
          },
        );
      }
    },

    /** Turns polling on (an API key and an interval) or off (`pollMinutes: null`) for a provider. */
    async configure(
      workspaceId: number,
      provider: string,
      p: { apiKey?: string; pollMinutes: number | null },
    ) {
      if (!o.carriers.get(provider)) throw new AppError('validation_failed', `No polling for ${provider}`);
      if (p.apiKey !== undefined && !p.apiKey.trim())
        throw new AppError('validation_failed', 'The API key is empty');
      const existing = await repo.pollSourceOf(db, workspaceId, provider);
      if (p.pollMinutes !== null && !p.apiKey && !existing?.api_key_enc)
        throw new AppError('validation_failed', 'Polling needs the provider’s API key');
      await repo.upsertPolling(db, workspaceId, provider, {
        hookKey: randomBytes(16).toString('hex'),
        secretEnc: keys.encrypt(randomBytes(24).toString('hex')),
        apiKeyEnc: p.apiKey ? keys.encrypt(p.apiKey.trim()) : null,
        pollMinutes: p.pollMinutes,
      });
      return { provider, polling: p.pollMinutes !== null, pollMinutes: p.pollMinutes };
    },

    /** A webhook brought news of this parcel: its poll can wait. */
    deferPoll: (workspaceId: number, trackingNumber: string) =>
      repo.deferPoll(db, workspaceId, trackingNumber),
  };
}
export type Polling = ReturnType<typeof createPolling>;

/** When the provider said no calls are left, the moment they are again. */
function spent(limit: RateLimitState, at: Date): Date | null {
  if (limit.remaining === null || limit.remaining > 0) return null;
  return limit.resetAt && limit.resetAt > at ? limit.resetAt : new Date(at.getTime() + 60_000);
}
