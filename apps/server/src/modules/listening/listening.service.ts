import { randomUUID } from 'node:crypto';
import { detect as detectLanguage } from 'tinyld';
import { z } from 'zod';
import { WebhookRejected } from '../../channels/inbound.ts';
import type { Deps } from '../../platform/deps.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { numberKey, orderSummary, ordersByNumberKeys } from '../commerce/index.ts';
import { findContactIdByIdentity } from '../contacts/index.ts';
import type { IntakeEvent, IntakeService, IntakeSource } from '../intake/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import * as repo from './listening.repository.ts';
import { matchKeywords, orderNumbersIn, scoreSentiment } from './sentiment.ts';
import { LISTENING_ADAPTERS } from './sources/registry.ts';
import {
  type ListeningAdapter,
  type ListeningItem,
  SourceConfigError,
  SourceRateLimited,
} from './sources/source-port.ts';

export const INTAKE_SOURCE = 'listening';
export const POLL_JOB = 'listening-poll';
/** The ticket channel of mentions: replies on such a ticket go back through the mention's source. */
export const SOCIAL_CHANNEL = 'social';

/** Seconds between passes: streams reconnect right after their window, polled APIs every few minutes. */
const INTERVAL_S: Record<string, number> = {
  bluesky: 30,
  mastodon: 300,
  reddit: 300,
  rss: 900,
  trustpilot: 900,
};
/** After a configuration error (bad credential, not a feed) the source is tried again this much later. */
const CONFIG_RETRY_S = 3600;

const StoredItem = z.object({
  sourceId: z.number().int(),
  kind: z.string(),
  item: z.object({
    id: z.string(),
    author: z.string(),
    authorHandle: z.string().nullable(),
    text: z.string(),
    link: z.string().nullable(),
    postedAt: z.string(),
    language: z.string().nullable(),
    rating: z.number().nullable(),
    replyRef: z.record(z.string(), z.unknown()).nullable(),
  }),
});

export type ListeningService = ReturnType<typeof createListeningService>;

export function createListeningService(
  deps: Deps,
  o: { tickets: TicketsService; intake: Pick<IntakeService, 'store' | 'register'> },
) {
  const { db, config, log } = deps;
  const keys = keyRing(config);
  const policyOf = (w: number) => outboundPolicyOf(db, config, w);
  const adapterOf = (kind: string): ListeningAdapter => {
    const a = LISTENING_ADAPTERS[kind];
    if (!a) throw badRequest(`Unknown source kind ${kind}`);
    return a;
  };
  const secretsOf = (s: repo.SourceRow): Record<string, string> =>
    s.secrets_enc ? (JSON.parse(keys.decrypt(s.secrets_enc)) as Record<string, string>) : {};

  /**
   * The next pass of one source. Passes of a source are numbered by time slot and the slot is the job's
   * unique key, so two chains (an admin's edit while a pass is pending, a restart) meet in the same slot
   * and become one. `after` is the running pass's slot: its successor always takes a later one (the same
   * key would be refused as already used and the chain would end). Without `after` (a source switched on,
   * the server starting) the pass is extra and its successor joins the slot sequence.
   */
  async function schedule(
    s: Pick<repo.SourceRow, 'id' | 'workspace_id' | 'kind'>,
    at?: Date,
    after?: number,
  ) {
    const every = (INTERVAL_S[s.kind] ?? 300) * 1000;
    const when = at ?? new Date(Date.now() + every);
    const slot =
      after === undefined
        ? Math.floor(when.getTime() / every)
        : Math.max(Math.floor(when.getTime() / every), after + 1);
    await enqueue(
      db,
      POLL_JOB,
      { sourceId: s.id, workspaceId: s.workspace_id, slot },
      {
        workspaceId: s.workspace_id,
        runAt: when,
        uniqueKey:
          after === undefined ? `${POLL_JOB}:${s.id}:start:${randomUUID()}` : `${POLL_JOB}:${s.id}:${slot}`,
      },
    );
  }

  /** Job: one pass over a source. Items are stored raw through the intake before the cursor moves. */
  async function poll(
    sourceId: number,
    workspaceId: number,
    slot: number,
    ctx: { attempt: number; maxAttempts: number },
  ) {
    const next = (s: repo.SourceRow, at?: Date) => schedule(s, at, slot);
    const s = await repo.sourceById(db, sourceId);
    if (!s || s.workspace_id !== workspaceId || !s.enabled) return;
    if (s.paused_until && s.paused_until.getTime() > Date.now()) return next(s, s.paused_until);
    const adapter = adapterOf(s.kind);
    try {
      const windowS = Number(s.settings.windowSeconds ?? 20);
      const r = await adapter.poll({
        settings: s.settings,
        secrets: secretsOf(s),
        keywords: s.keywords,
        cursor: s.cursor,
        policy: await policyOf(s.workspace_id),
        log,
        windowMs: Math.max(1, Math.min(120, windowS)) * 1000,
      });
      for (const item of r.items)
        await o.intake.store(
          INTAKE_SOURCE,
          {
            workspaceId: s.workspace_id,
            providerId: `${s.kind}:${item.id}`.slice(0, 500),
            headers: { sourceId: s.id },
          },
          Buffer.from(JSON.stringify({ sourceId: s.id, kind: s.kind, item })),
        );
      await repo.recordPoll(db, s.id, r.cursor, r.pauseUntil ?? null);
      await next(s, r.pauseUntil);
    } catch (err) {
      if (err instanceof SourceRateLimited) {
        await repo.recordError(
          db,
          s.id,
          `${err.message}; paused until ${err.until.toISOString()}`,
          err.until,
        );
        return next(s, err.until);
      }
      const msg = err instanceof Error ? err.message : String(err);
      if (err instanceof SourceConfigError) {
        await repo.recordError(db, s.id, msg, null);
        return next(s, new Date(Date.now() + CONFIG_RETRY_S * 1000));
      }
      await repo.recordError(db, s.id, msg, null);
      // Network trouble: the job's own backoff retries; after the last attempt the chain goes on later.
      if (ctx.attempt < ctx.maxAttempts) throw err;
      await next(s, new Date(Date.now() + CONFIG_RETRY_S * 1000));
    }
  }

  /** Job (through the intake): one stored item becomes a mention, matched, scored, maybe a ticket. */
  async function processItem(e: IntakeEvent) {
    const parsed = StoredItem.safeParse(JSON.parse(e.payload.toString('utf8')));
    if (!parsed.success) {
      log.warn({ event: e.id }, 'listening: a stored item that is not readable was skipped');
      return;
    }
    const { sourceId, kind, item } = parsed.data;
    const src = await repo.findSource(db, e.workspaceId, sourceId);
    const m = await mentionFromItem(e.workspaceId, src ?? null, kind, item);
    if (!m) return;
    // Automatic ticket: a negative mention that names one of the shop's orders or comes from a known customer.
    if (m.sentiment === 'negative' && !m.ticket_id && (m.order_id || m.contact_id))
      await openTicket(e.workspaceId, m);
  }

  async function mentionFromItem(
    workspaceId: number,
    src: repo.SourceRow | null,
    kind: string,
    item: ListeningItem,
  ): Promise<repo.MentionRow | null> {
    const known = await repo.findMentionByExternal(db, workspaceId, kind, item.id);
    if (known) return known;
    const s = scoreSentiment(item.text, item.rating);
    const orders = await ordersByNumberKeys(db, workspaceId, orderNumbersIn(item.text).map(numberKey));
    const order = orders[0] ?? null;
    const handle = item.authorHandle ?? item.author;
    const contactId =
      (await findContactIdByIdentity(db, workspaceId, 'external', `${kind}:${handle}`)) ??
      order?.contact_id ??
      null;
    let language = item.language;
    if (!language && item.text.length >= 20) language = detectLanguage(item.text) || null;
    const inserted = await repo.insertMention(db, {
      workspace_id: workspaceId,
      source_id: src?.id ?? null,
      kind,
      external_id: item.id,
      author: item.author.slice(0, 200),
      author_handle: item.authorHandle,
      text: item.text.slice(0, 10_000),
      link: item.link,
      posted_at: item.postedAt,
      language,
      rating: item.rating,
      sentiment: s.sentiment,
      sentiment_score: s.score,
      sentiment_reasons: s.reasons,
      matched_keywords: matchKeywords(item.text, src?.keywords ?? []),
      reply_ref: item.replyRef,
      contact_id: contactId,
      order_id: order?.id ?? null,
      order_number: order?.number ?? null,
    });
    return inserted ?? (await repo.findMentionByExternal(db, workspaceId, kind, item.id)) ?? null;
  }

  /** A ticket for a mention, once: the mention's id is the message's external id, so a retry finds it. */
  async function openTicket(workspaceId: number, m: repo.MentionRow) {
    if (m.ticket_id) return m.ticket_id;
    const label = LISTENING_ADAPTERS[m.kind]?.label ?? m.kind;
    const handle = m.author_handle ?? m.author;
    const order = m.order_id ? await orderSummary(db, workspaceId, m.order_id) : null;
    const lines = [m.text, '', `${label}: ${m.link ?? '(no link)'}`];
    if (order) lines.push(`Order named: ${order.number}`);
    const r = await o.tickets.receive(workspaceId, {
      channel: SOCIAL_CHANNEL,
      // Naming an order puts the ticket on that order's customer (the issue's "linked to that customer
      // and order"); the handle joins the contact unverified, so the agent sees the link and can undo it.
      contact: {
        name: m.author,
        ...(order?.email ? { email: order.email } : {}),
        identities: [{ kind: 'external', value: `${m.kind}:${handle}` }],
      },
      subject: `${label} ${m.sentiment} mention by ${m.author}: ${m.text.slice(0, 60)}`,
      bodyText: lines.join('\n'),
      externalId: `listening:${m.id}`,
      dedupe: true,
      receivedAt: m.posted_at,
      tags: ['social', m.kind, ...(m.sentiment === 'negative' ? ['negative-mention'] : [])],
      channelMeta: { mentionId: m.id, source: m.kind, link: m.link, orderId: m.order_id },
    });
    await repo.setTicket(db, workspaceId, m.id, r.ticketId, m.contact_id ?? (r.contactId || null));
    return r.ticketId;
  }

  const intakeSource: IntakeSource = {
    name: INTAKE_SOURCE,
    // Items arrive from the poll job (intake.store); nothing is pushed to a listening webhook.
    async accept() {
      throw new WebhookRejected(404, 'Listening sources are polled, not pushed');
    },
    process: (e) => processItem(e),
  };

  return {
    intakeSource: () => intakeSource,
    schedule,
    poll,
    openTicket,
    adapterOf,
    secretsOf,
    policyOf,
    /** Every enabled source gets a pass scheduled (at start: a chain lost with a pruned job resumes). */
    async scheduleAll() {
      for (const s of await repo.enabledSources(db)) await schedule(s, new Date());
    },
    async mention(auth: Pick<Auth, 'workspaceId'>, id: number) {
      const m = await repo.findMention(db, auth.workspaceId, id);
      if (!m) throw notFound('Mention');
      return m;
    },
  };
}
