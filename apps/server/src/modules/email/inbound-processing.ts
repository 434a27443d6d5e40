import { createHash } from 'node:crypto';
import { baseAddress } from '../../channels/email/addresses.ts';
import { isAutoReply, isBulk } from '../../channels/email/classify.ts';
import { prepareEmailHtml } from '../../channels/email/email-html.ts';
import { type ForwardedMessage, type ParsedEmail, parseEmail } from '../../channels/email/parse-email.ts';
import { stripQuotedHtml, stripQuotedText } from '../../channels/email/quote-strip.ts';
import type { SQL } from '../../platform/db/db.ts';
import { htmlToText } from '../../platform/html/sanitize.ts';
import { jobInsert } from '../../platform/jobs/queue.ts';
import { findContactIdByEmail } from '../contacts/index.ts';
import * as repo from './email.repository.ts';
import { ACK_JOB, type EmailContext, type LoadedEvent, toBuffer } from './email-context.ts';
import type { SenderVerification } from './sender-verification.ts';
import type { Threading } from './threading.ts';

/** Attached messages as the ticket shows them: HTML sanitised like the message's own, sizes bounded. */
function forwardedForDisplay(list: ForwardedMessage[]): Record<string, unknown>[] {
  return list.map((f) => {
    const html = f.html ? prepareEmailHtml(f.html, new Map()) : null;
    return {
      from: f.from,
      to: f.to,
      cc: f.cc,
      date: f.date,
      subject: f.subject,
      text: f.text || (html ? htmlToText(html) : ''),
      html: html && html.length <= 500_000 ? html : null,
      attachments: f.attachments,
      forwarded: forwardedForDisplay(f.forwarded),
    };
  });
}

/**
 * Step 2 of the pipeline: stored emails parsed and classified in batches (receipts, bounces, loops,
 * auto-replies, floods, duplicates), threaded, landed on tickets, outcomes and acknowledgements recorded.
 */
export function createInboundProcessing(
  c: EmailContext,
  threading: Threading,
  verification: SenderVerification,
) {
  const { deps, tickets, db, config, isOwnAddress, inboxesOf } = c;
  const { threadFor } = threading;
  const { senderAuthOf } = verification;

  /**
   * What the batch read for its emails in two queries: flood counts (each sender's emails of the last
   * hour, raised by processOne as the batch's own emails take their places) and Message-IDs already stored.
   */
  type BatchFacts = { recent: Map<string, number>; stored: Map<string, { id: number; ticket_id: number }> };

  /**
   * Step 2 of the pipeline for one stored email. Returns the outcome to record (the batch records them
   * all in one statement) and, for a new ticket, the acknowledgement job to enqueue with it.
   */
  async function processOne(
    ev: LoadedEvent,
    p: ParsedEmail | Error,
    facts: BatchFacts,
  ): Promise<{ outcome: repo.OutcomeRow; ack?: SQL }> {
    const inboundEventId = ev.id;
    const workspaceId = ev.workspace_id;
    const meta = ev.headers as {
      inboxId?: number;
      rcptTo?: string[];
      mailFrom?: string | null;
      source?: string;
      remoteAddress?: string;
      helo?: string | null;
    };
    // The batch read each sender's count once and processes its emails in parallel: every email takes
    // its place among the sender's here, before the first await, so a burst in one batch is counted too.
    const flood = p instanceof Error ? null : senderOf(p, meta);
    const recent = flood ? (facts.recent.get(flood) ?? 0) : 0;
    if (flood) facts.recent.set(flood, recent + 1);
    const all = await inboxesOf(workspaceId);
    const inbox =
      (meta.inboxId ? all.find((i) => i.id === meta.inboxId) : undefined) ??
      all.find((i) => i.active) ??
      null;
    const finish = (
      outcome: repo.InboundOutcome,
      reason: string | null,
      p: ParsedEmail | null,
      ids: { ticketId?: number | null; messageId?: number | null } = {},
    ): { outcome: repo.OutcomeRow } => ({
      outcome: {
        inboundEventId,
        workspaceId,
        inboxId: inbox?.id ?? null,
        fromAddress: p?.from?.address ?? null,
        subject: p?.subject ?? '',
        messageIdHeader: p?.messageId ?? null,
        outcome,
        reason,
        ticketId: ids.ticketId ?? null,
        messageId: ids.messageId ?? null,
        autoSubmitted: !!p?.automatic,
      },
    });

    if (p instanceof Error) return finish('rejected', `unreadable message: ${p.message}`, null);

    if (p.receiptFor) {
      const ours = await tickets.findByExternalIds(workspaceId, p.receiptFor);
      return finish('receipt', ours[0] ? `read receipt for message #${ours[0].id}` : 'read receipt', p, {
        ticketId: ours[0]?.ticket_id,
        messageId: ours[0]?.id,
      });
    }
    if (p.bounce) {
      const b = p.bounce;
      const ours = (await tickets.findByExternalIds(workspaceId, b.originalMessageIds)).filter(
        (m) => m.kind === 'outbound',
      );
      const why = [b.status, b.diagnostic].filter(Boolean).join(' ') || 'the receiving server refused it';
      const reason = `Bounced${b.recipients.length ? ` for ${b.recipients.join(', ')}` : ''}: ${why}`.slice(
        0,
        1000,
      );
      for (const m of ours) await tickets.markDeliveryFailed(workspaceId, m.id, reason);
      return finish(
        'bounce',
        ours.length
          ? `${reason} (message #${ours.map((m) => m.id).join(', #')})`
          : `${reason} (no matching outbound message)`,
        p,
        {
          ticketId: ours[0]?.ticket_id,
          messageId: ours[0]?.id,
        },
      );
    }
    const sender = senderOf(p, meta);
    if (!sender) return finish('rejected', 'no sender address (From header missing or invalid)', p);
    if (await isOwnAddress(sender))
      return finish('rejected', `sent from our own address ${sender} (mail loop)`, p);
    const autoReply = isAutoReply(p);
    if (autoReply) return finish('auto-reply', autoReply, p);
    if (recent >= config.EMAIL_SENDER_LIMIT_PER_HOUR)
      return finish('rejected', `rate limited: ${recent} messages from ${sender} in the last hour`, p);
    const dup = facts.stored.get(p.messageId);
    if (dup)
      return finish('duplicate', `already stored as message #${dup.id}`, p, {
        ticketId: dup.ticket_id,
        messageId: dup.id,
      });

    const ownAddresses = new Set<string>();
    for (const i of all) {
      ownAddresses.add(i.address.toLowerCase());
      for (const a of i.aliases) ownAddresses.add(a);
    }
    const isOurs = (a: string) => ownAddresses.has(baseAddress(a) ?? a);
    const recipients = [...(meta.rcptTo ?? []), ...p.to.map((a) => a.address), ...p.cc.map((a) => a.address)];
    for (const v of p.rawHeaders.get('delivered-to') ?? []) recipients.push(v.trim());
    const followers = [...new Set([...p.to, ...p.cc].map((a) => a.address))].filter(
      (a) => a !== sender && !isOurs(a),
    );

    const [auth, knownContact] = await Promise.all([
      senderAuthOf(ev, p, meta),
      findContactIdByEmail(db, workspaceId, sender),
    ]);
    const authenticated = auth.verdict === 'pass';
    const thread = await threadFor(workspaceId, p, recipients.filter(isOurs), sender, authenticated);
    let ticketId: number | null = null;
    let followUpOf: number | null = null;
    if (thread) {
      const target = await tickets.threadTarget(workspaceId, thread.ticketId);
      if (target?.status === 'closed') followUpOf = target.id;
      else if (target) ticketId = target.id;
    }

    const isForward = /^\s*(fwd?|wg|tr|rv)\s*:/i.test(p.subject);
    const text = isForward ? { body: p.text.trim(), stripped: false } : stripQuotedText(p.text);
    const html = p.html ? (isForward ? { html: p.html, stripped: false } : stripQuotedHtml(p.html)) : null;
    const inlineUrls = new Map<string, string>();
    for (const a of p.attachments) {
      if (a.contentId) {
        const sha = createHash('sha256').update(a.data).digest('hex');
        inlineUrls.set(a.contentId.replace(/^<|>$/g, '').toLowerCase(), `/api/v1/email/inline/${sha}`);
      }
    }
    const bodyHtml = html ? prepareEmailHtml(html.html, inlineUrls) : null;
    const bodyText = text.body || (bodyHtml ? htmlToText(bodyHtml) : '');
    const bulk = isBulk(p);

    const result = await tickets.receive(workspaceId, {
      channel: 'email',
      contact: { email: sender, name: p.from?.name ?? null },
      subject: p.subject,
      bodyText,
      bodyHtml,
      bodyHtmlSafe: true,
      attachments: p.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        data: a.data,
        contentId: a.contentId,
        inline: a.inline,
      })),
      externalId: p.messageId,
      channelMeta: {
        inboxId: inbox?.id ?? null,
        messageIdHeader: p.messageId,
        subject: p.subject,
        from: sender,
        to: p.to.map((a) => a.address),
        cc: p.cc.map((a) => a.address),
        inboundEventId,
        quotedTextHidden: text.stripped || !!html?.stripped,
        ...(p.automatic ? { automatic: p.automatic } : {}),
        ...(thread ? { threadedBy: thread.how } : {}),
        ...(bulk ? { bulk } : {}),
        ...(p.forwarded.length ? { forwarded: forwardedForDisplay(p.forwarded) } : {}),
        ...(p.problems.length ? { mimeProblems: p.problems } : {}),
        senderAuth: {
          verdict: auth.verdict,
          reason: auth.reason,
          spf: auth.spf,
          dkim: auth.dkim,
          dmarc: auth.dmarc,
          arc: auth.arc,
          method: auth.method,
          // The agent is warned when unverified mail speaks as a customer we already know.
          claimsKnownCustomer: !authenticated && !!knownContact,
        },
        // Unverified mail adds no followers (they would get every later reply): the agent sees whom it
        // copied and can add them by hand.
        ...(!authenticated && followers.length ? { ccNotAdded: followers } : {}),
      },
      ...(bulk ? { tags: ['bulk'] } : {}),
      ticketId,
      followUpOf,
      cc: authenticated ? followers : [],
    });
    const done = finish(
      result.created ? 'ticket' : 'threaded',
      result.created
        ? followUpOf
          ? `follow-up of closed ticket #${followUpOf}`
          : p.automatic
            ? `no auto-acknowledgement: ${p.automatic}`
            : null
        : `threaded by ${thread?.how}`,
      p,
      { ticketId: result.ticketId, messageId: result.messageId },
    );
    done.outcome.senderAuth = auth.verdict;
    done.outcome.authResults = { ...auth };
    if (!result.created || !inbox || p.automatic) return done;
    // The acknowledgement is enqueued by the statement that records the outcome; it carries the
    // recipient so it need not read the ticket back.
    const ack = jobInsert(
      ACK_JOB,
      {
        workspaceId,
        ticketId: result.ticketId,
        inboxId: inbox.id,
        inReplyTo: p.messageId,
        subject: p.subject,
        to: sender,
        name: p.from?.name || null,
      },
      { workspaceId, uniqueKey: `email-ack:${result.ticketId}` },
    );
    return { ...done, ack };
  }

  const senderOf = (p: ParsedEmail, meta: { mailFrom?: string | null }) =>
    p.from?.address ?? meta.mailFrom?.toLowerCase() ?? null;

  /**
   * Emails claimed together are processed together, in rounds of at most EMAIL_PARSE_BUDGET_BYTES raw
   * bytes (parsed emails are held until their round is recorded: 32 workers on 25 MB emails would
   * otherwise hold gigabytes at once).
   */
  async function processBatch(ids: number[]): Promise<Map<number, repo.InboundOutcome | Error>> {
    const out = new Map<number, repo.InboundOutcome | Error>();
    let left = ids;
    while (left.length) {
      const rows = await repo.findInboundEvents(db, left, config.EMAIL_PARSE_BUDGET_BYTES);
      const events = rows.filter((e): e is LoadedEvent => e.payload !== null && !e.processed_at);
      for (const [id, r] of await processRound(events)) out.set(id, r);
      left = rows.filter((e) => e.payload === null).map((e) => e.id);
    }
    return out;
  }

  /**
   * One round: the emails parsed in parallel, one query each per workspace for flood counts and
   * already-stored Message-IDs, the emails landed in parallel, and one statement recording every outcome
   * with its acknowledgement job.
   */
  async function processRound(events: LoadedEvent[]): Promise<Map<number, repo.InboundOutcome | Error>> {
    const parsed = await Promise.all(
      events.map((e) =>
        parseEmail(toBuffer(e.payload)).catch((err: unknown) =>
          err instanceof Error ? err : new Error(String(err)),
        ),
      ),
    );
    const facts = new Map<number, BatchFacts>();
    for (const ws of new Set(events.map((e) => e.workspace_id))) {
      const mine = events.flatMap((e, i) => {
        const p = parsed[i]!;
        return e.workspace_id === ws && !(p instanceof Error) ? [{ e, p }] : [];
      });
      const senders = [...new Set(mine.map(({ e, p }) => senderOf(p, e.headers as { mailFrom?: string })))];
      const [recent, stored] = await Promise.all([
        repo.countRecentFromMany(
          db,
          ws,
          senders.filter((x): x is string => !!x),
          3600,
        ),
        tickets.firstByExternalIds(
          ws,
          mine.map(({ p }) => p.messageId),
        ),
      ]);
      facts.set(ws, { recent, stored });
    }
    const results = await Promise.all(
      events.map((e, i) =>
        processOne(
          e,
          parsed[i]!,
          facts.get(e.workspace_id) ?? { recent: new Map(), stored: new Map() },
        ).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
      ),
    );
    const done = results.filter((r): r is Exclude<typeof r, Error> => !(r instanceof Error));
    await repo.recordInboundOutcomes(
      db,
      done.map((r) => r.outcome),
      done.flatMap((r) => (r.ack ? [r.ack] : [])),
    );
    if (done.some((r) => r.ack)) deps.jobs.wake();
    const out = new Map<number, repo.InboundOutcome | Error>();
    events.forEach((e, i) => {
      const r = results[i]!;
      out.set(e.id, r instanceof Error ? r : r.outcome.outcome);
    });
    return out;
  }

  // Jobs that the worker starts in the same tick join one batch.
  let batch: {
    id: number;
    resolve: (o: repo.InboundOutcome | undefined) => void;
    reject: (e: unknown) => void;
  }[] = [];
  function processInbound(inboundEventId: number): Promise<repo.InboundOutcome | undefined> {
    return new Promise((resolve, reject) => {
      batch.push({ id: inboundEventId, resolve, reject });
      if (batch.length > 1) return;
      setImmediate(() => {
        const mine = batch;
        batch = [];
        processBatch(mine.map((b) => b.id)).then(
          (out) => {
            for (const b of mine) {
              const r = out.get(b.id);
              if (r instanceof Error) b.reject(r);
              else b.resolve(r);
            }
          },
          (err: unknown) => {
            for (const b of mine) b.reject(err);
          },
        );
      });
    });
  }

  return { processInbound };
}
