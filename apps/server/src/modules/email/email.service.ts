import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { CreateEmailInbox, EmailInbox, EmailOutboundItem, UpdateEmailInbox } from '@shopdesk/contracts';
import {
  baseAddress,
  normalizeMessageId,
  replyAddress,
  splitAddress,
  ticketFromSubject,
  ticketFromTag,
} from '../../channels/email/addresses.ts';
import { isAutoReply, isBulk } from '../../channels/email/classify.ts';
import {
  createEmailAdapter,
  domainOf,
  type EmailOutboxPorts,
  type SenderProfile,
  sendAndRecord,
} from '../../channels/email/email-adapter.ts';
import { prepareEmailHtml } from '../../channels/email/email-html.ts';
import {
  createRelaySender,
  type DkimConfig,
  newMessageId,
  type RelayConfig,
} from '../../channels/email/email-sender.ts';
import {
  type ForwardedMessage,
  type ParsedEmail,
  parseEmail,
  readRawHeaders,
} from '../../channels/email/parse-email.ts';
import { stripQuotedHtml, stripQuotedText } from '../../channels/email/quote-strip.ts';
import {
  cachingResolver,
  type DnsResolver,
  type SenderAuth,
  trustedHeaderAuth,
  verifySender,
} from '../../channels/email/sender-auth.ts';
import type { SmtpEnvelope } from '../../channels/email/smtp-inbound.ts';
import { batcher } from '../../platform/batch.ts';
import type { Db, SQL } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.ts';
import { htmlToText, sanitizeMessageHtml, textToHtml } from '../../platform/html/sanitize.ts';
import type { Auth } from '../../platform/http/router.ts';
import { insertWithJob, jobInsert } from '../../platform/jobs/queue.ts';
import {
  OutboundRefusedError,
  resolveTarget,
  UnresolvedHostError,
} from '../../platform/net/outbound-guard.ts';
import { randomToken, safeEqual, sha256 } from '../../platform/security/crypto.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { recordAudit } from '../audit/index.ts';
import { findContactIdByEmail } from '../contacts/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import * as repo from './email.repository.ts';

export const PROCESS_JOB = 'process-inbound-email';
export const ACK_JOB = 'send-email-ack';
type LoadedEvent = repo.InboundEventRow & { payload: Buffer | Uint8Array };

const toBuffer = (b: Buffer | Uint8Array) =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

const DEFAULT_ACK_BODY = `Hi {{contact.name}},

Thank you for writing to {{inbox.name}}. We have received your message and opened ticket #{{ticket.id}} for it.

{{expected_response}}

If you have anything to add, simply reply to this email.`;

function humanizeDuration(seconds: number): string {
  if (seconds < 3600) return `within about ${Math.max(5, Math.ceil(seconds / 60 / 5) * 5)} minutes`;
  if (seconds < 48 * 3600) {
    const h = Math.ceil(seconds / 3600);
    return `within about ${h} hour${h === 1 ? '' : 's'}`;
  }
  return `within about ${Math.ceil(seconds / 86400)} days`;
}

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

export const renderTemplate = (tpl: string, vars: Record<string, string>) =>
  tpl.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, k: string) => vars[k] ?? '');

export function createEmailService(deps: Deps, tickets: TicketsService) {
  const { db, config, files } = deps;
  const keys = () => keyRing(config);
  const relay = createRelaySender();
  const cache = new Map<string, { inbox: repo.InboxRow | null; at: number }>();
  const CACHE_MS = 15_000;

  const serverRelay: RelayConfig | null = config.EMAIL_RELAY_URL ? { url: config.EMAIL_RELAY_URL } : null;
  let dkim: DkimConfig | null = null;
  if (config.EMAIL_DKIM_DOMAIN && config.EMAIL_DKIM_SELECTOR && config.EMAIL_DKIM_KEY_PATH) {
    dkim = {
      domainName: config.EMAIL_DKIM_DOMAIN,
      keySelector: config.EMAIL_DKIM_SELECTOR,
      privateKey: readFileSync(config.EMAIL_DKIM_KEY_PATH, 'utf8'),
    };
  }

  /**
   * The checked address of an inbox's SMTP relay or IMAP server (resolve-and-pin): public, or in the
   * workspace's allow-list; the connection goes to that address with the name kept for TLS.
   */
  const pinnedAddressOf = (workspaceId: number, host: string) => async () =>
    (await resolveTarget(host, await outboundPolicyOf(db, config, workspaceId))).address;

  /** Refuses a relay or IMAP host the server may not connect to, naming the field for the form. */
  async function checkMailHosts(workspaceId: number, input: UpdateEmailInbox) {
    for (const [field, host] of [
      ['smtp', input.smtp?.host],
      ['imap', input.imap?.host],
    ] as const) {
      if (!host) continue;
      try {
        await resolveTarget(host, await outboundPolicyOf(db, config, workspaceId));
      } catch (err) {
        // Not in DNS (yet) may be saved; the connection is checked again when it is made.
        if (err instanceof UnresolvedHostError || !(err instanceof OutboundRefusedError)) {
          if (err instanceof UnresolvedHostError) continue;
          throw err;
        }
        throw new AppError('validation_failed', `${field.toUpperCase()} host refused: ${err.message}`, [
          { path: `body.${field}.host`, message: err.message },
        ]);
      }
    }
  }

  function relayOf(inbox: repo.InboxRow): RelayConfig | null {
    if (inbox.smtp) {
      const s = inbox.smtp;
      return {
        resolveAddress: pinnedAddressOf(inbox.workspace_id, s.host),
        host: s.host,
        port: s.port,
        secure: s.secure,
        user: s.user,
        pass: s.passEnc ? keys().decrypt(s.passEnc) : null,
        acceptInvalidCerts: inbox.accept_invalid_certs,
      };
    }
    return serverRelay;
  }

  function toInbox(r: repo.InboxRow): EmailInbox {
    return {
      id: r.id,
      name: r.name,
      address: r.address,
      aliases: r.aliases,
      fromName: r.from_name,
      signature: r.signature,
      active: r.active,
      autoAck: {
        enabled: r.auto_ack_enabled,
        subject: r.auto_ack_subject,
        body: r.auto_ack_body,
        expectedResponseFallback: r.expected_response_fallback,
      },
      smtp: r.smtp
        ? {
            host: r.smtp.host,
            port: r.smtp.port,
            secure: r.smtp.secure,
            user: r.smtp.user,
            hasPassword: !!r.smtp.passEnc,
          }
        : null,
      imap: r.imap
        ? {
            host: r.imap.host,
            port: r.imap.port,
            secure: r.imap.secure,
            user: r.imap.user,
            folder: r.imap.folder,
            after: r.imap.after,
            moveTo: r.imap.moveTo,
            lastUid: r.imap_last_uid,
            lastError: r.imap_last_error,
            lastPolledAt: r.imap_last_polled_at?.toISOString() ?? null,
          }
        : null,
      acceptInvalidCertificates: r.accept_invalid_certs,
      relayLastError: r.relay_last_error
        ? { message: r.relay_last_error, at: (r.relay_last_error_at ?? r.updated_at).toISOString() }
        : null,
      outbound: r.smtp ? 'inbox-relay' : serverRelay ? 'server-relay' : 'dev-mailbox',
      webhookUrl: `${config.publicUrl}/api/v1/channels/email/inbound`,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
  }

  /** Which inbox owns an address (sub-addresses included); cached briefly, the SMTP hot path asks per recipient. */
  async function inboxFor(address: string): Promise<repo.InboxRow | null> {
    const base = baseAddress(address);
    if (!base) return null;
    const hit = cache.get(base);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.inbox;
    const inbox = (await repo.findInboxByAddress(db, base)) ?? null;
    if (cache.size > 10_000) cache.clear();
    cache.set(base, { inbox, at: Date.now() });
    return inbox;
  }

  /** Whether an address is one of ours (any active inbox of the install): the mail-loop check. */
  let ownSet: { set: Set<string>; at: number } | null = null;
  async function isOwnAddress(address: string): Promise<boolean> {
    const base = baseAddress(address);
    if (!base) return false;
    if (!ownSet || Date.now() - ownSet.at >= CACHE_MS)
      ownSet = { set: new Set(await repo.activeAddresses(db)), at: Date.now() };
    return ownSet.set.has(base);
  }

  /** A workspace's inboxes; cached like inboxFor, since every processed email reads them. */
  const wsInboxes = new Map<number, { rows: repo.InboxRow[]; at: number }>();
  async function inboxesOf(workspaceId: number): Promise<repo.InboxRow[]> {
    const hit = wsInboxes.get(workspaceId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.rows;
    const rows = await repo.listInboxes(db, workspaceId);
    if (wsInboxes.size > 10_000) wsInboxes.clear();
    wsInboxes.set(workspaceId, { rows, at: Date.now() });
    return rows;
  }
  const cachedInbox = async (workspaceId: number, id: number) =>
    (await inboxesOf(workspaceId)).find((i) => i.id === id);

  /** Step 1 of the pipeline: the raw bytes and the job that processes them, in one statement. */
  async function storeIn(
    tx: Db,
    workspaceId: number,
    inboxId: number,
    raw: Buffer,
    source: Record<string, unknown>,
  ): Promise<number | null> {
    const headerId = normalizeMessageId(readRawHeaders(raw).get('message-id')?.[0] ?? '');
    const providerId = headerId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    return insertWithJob(
      tx,
      repo.inboundEventInsert({ workspaceId, providerId, headers: { inboxId, ...source }, payload: raw }),
      { name: PROCESS_JOB, payloadKey: 'inboundEventId', uniqueKeyPrefix: 'email-in:', workspaceId },
    );
  }

  function checkRaw(raw: unknown): Buffer {
    if (!Buffer.isBuffer(raw) || raw.length === 0)
      throw badRequest(
        'Send the raw message (RFC 5322) as the request body with Content-Type message/rfc822',
      );
    const head = raw.subarray(0, 2000).toString('latin1');
    if (!/^[!-9;-~]+:/m.test(head)) throw badRequest('The body does not start with email headers');
    if (raw.length > config.EMAIL_MAX_BYTES)
      throw new AppError('payload_too_large', `Message larger than ${config.EMAIL_MAX_BYTES} bytes`);
    return raw;
  }

  // ---- inbound processing (step 2) ----

  async function threadFor(
    workspaceId: number,
    p: ParsedEmail,
    recipients: string[],
    sender: string,
    authenticated: boolean,
  ): Promise<{ ticketId: number; how: string } | null> {
    for (const r of recipients) {
      const parts = splitAddress(r);
      const id = ticketFromTag(parts?.tag ?? null, keys(), workspaceId);
      if (id) return { ticketId: id, how: 'reply address' };
    }
    const ids = [...new Set([...p.inReplyTo, ...[...p.references].reverse()])].slice(0, 50);
    if (ids.length) {
      const found = await tickets.findByExternalIds(workspaceId, ids);
      if (found[0]) return { ticketId: found[0].ticket_id, how: 'message id' };
      const acked = await repo.ticketOfOutboundHeaders(db, workspaceId, ids);
      if (acked) return { ticketId: acked, how: 'message id' };
    }
    // A bare [#1234] threads only mail whose sender is verified: a forged From must not join a customer's
    // conversation (the reply address and Message-ID references above are unguessable).
    const ref = authenticated ? ticketFromSubject(p.subject) : null;
    if (ref) {
      // A bare [#1234] is easy to guess: it threads only mail from the ticket's own people.
      const t = await tickets.threadTarget(workspaceId, ref);
      if (t && (t.contactEmail?.toLowerCase() === sender || t.followers.includes(sender)))
        return { ticketId: t.id, how: 'subject reference' };
    }
    return null;
  }

  let dnsResolver: DnsResolver = cachingResolver();
  const trustedServIds = config.EMAIL_TRUSTED_AUTHSERV_IDS.split(',')
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
  const mta = config.EMAIL_SMTP_HOSTNAME ?? hostname();

  /**
   * Who sent it, as far as SPF/DKIM/DMARC/ARC tell (mailauth). SMTP: SPF with the client's address and
   * HELO from the session. IMAP and webhook mail reached us through the mailbox provider, whose address
   * says nothing about the sender: the provider's Authentication-Results header when the operator
   * trusts it (EMAIL_TRUSTED_AUTHSERV_IDS), otherwise DKIM and DKIM-aligned DMARC without SPF.
   */
  async function senderAuthOf(
    ev: LoadedEvent,
    p: ParsedEmail,
    meta: { source?: string; remoteAddress?: string; helo?: string | null; mailFrom?: string | null },
  ): Promise<SenderAuth> {
    const from = p.from?.address ?? null;
    const fromDomain = from?.split('@').pop() ?? null;
    const off = (reason: string): SenderAuth => ({
      verdict: 'none',
      fromDomain,
      spf: 'none',
      dkim: 'none',
      dmarc: 'none',
      arc: 'none',
      reason,
      method: 'off',
    });
    if (!config.EMAIL_VERIFY_SENDERS) return off('sender verification is off (EMAIL_VERIFY_SENDERS=false)');
    const smtp = meta.source === 'smtp' && !!meta.remoteAddress;
    if (!smtp) {
      const header = trustedHeaderAuth(p.rawHeaders, trustedServIds, fromDomain);
      if (header) return header;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        verifySender(toBuffer(ev.payload), {
          from,
          ...(smtp
            ? { ip: meta.remoteAddress, helo: meta.helo ?? null, mailFrom: meta.mailFrom ?? null }
            : {}),
          resolver: dnsResolver,
          mta,
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), 20_000);
        }),
      ]);
    } catch (err) {
      return off(`the sender could not be checked: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }

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

  // ---- outbound ----

  async function profileOf(inbox: repo.InboxRow): Promise<SenderProfile> {
    return {
      inboxId: inbox.id,
      address: inbox.address,
      fromName: inbox.from_name ?? inbox.name,
      signature: inbox.signature,
      relay: relayOf(inbox),
      dkim,
    };
  }

  const relayErrors = new Map<number, { error: string | null; at: number }>();
  // Acknowledgements (and replies) sent in one job tick are recorded, and checked, in one statement each.
  // The mail is already sent when it is recorded: if the batch's statement fails, each row is tried on its
  // own, so one bad row cannot leave the others unrecorded (their jobs would retry and send them twice).
  const recordSent = batcher(async (rows: repo.OutboundInsert[]): Promise<unknown[]> => {
    try {
      await repo.insertOutbounds(db, rows);
      return rows.map(() => null);
    } catch (err) {
      if (rows.length === 1) return [err];
      return Promise.all(
        rows.map((r) =>
          repo.insertOutbounds(db, [r]).then(
            () => null,
            (e: unknown) => e,
          ),
        ),
      );
    }
  });
  const ackState = batcher((keys: { workspaceId: number; ticketId: number; to: string }[]) =>
    repo.ackStates(db, keys, 3600),
  );
  const ports: EmailOutboxPorts = {
    async senderFor(workspaceId, inboxId) {
      const all = await inboxesOf(workspaceId);
      const inbox = (inboxId ? all.find((i) => i.id === inboxId) : undefined) ?? all.find((i) => i.active);
      return inbox ? profileOf(inbox) : null;
    },
    alreadySent: (workspaceId, messageId) => repo.sentHeaderOf(db, workspaceId, messageId),
    async record(r) {
      const err = await recordSent(r);
      if (err) throw err;
    },
    async reportRelay(workspaceId, inboxId, error) {
      // Written only when it changes: a healthy relay costs no statement per message. What this node
      // wrote is trusted for a minute (another node may have changed it since).
      const mine = relayErrors.get(inboxId);
      const known =
        mine && Date.now() - mine.at < 60_000
          ? mine.error
          : ((await cachedInbox(workspaceId, inboxId))?.relay_last_error ?? null);
      if (known === error) return;
      await repo.reportRelay(db, workspaceId, inboxId, error);
      relayErrors.set(inboxId, { error, at: Date.now() });
    },
    openFile: (sha) => files.open(sha),
  };
  const adapter = createEmailAdapter({ ports, relay, keys: keyRing(config) });

  // The median over a month of tickets barely moves within minutes; one query per workspace per 5 min
  // instead of one per acknowledgement keeps a burst of new tickets from re-reading the month each time.
  const statsCache = new Map<number, { s: { medianSeconds: number | null; samples: number }; at: number }>();
  async function expectedResponse(workspaceId: number, fallback: string) {
    let hit = statsCache.get(workspaceId);
    if (!hit || Date.now() - hit.at > 5 * 60_000) {
      hit = { s: await tickets.firstResponseStats(workspaceId, 'email', 30), at: Date.now() };
      if (statsCache.size > 10_000) statsCache.clear();
      statsCache.set(workspaceId, hit);
    }
    const s = hit.s;
    // Promise only what the last month's replies show; with too few to judge, the shop's own words.
    if (s.samples >= 5 && s.medianSeconds !== null)
      return `Our team usually replies ${humanizeDuration(s.medianSeconds)}.`;
    return `We aim to reply ${fallback}.`;
  }

  async function sendAck(p: {
    workspaceId: number;
    ticketId: number;
    inboxId: number;
    inReplyTo: string;
    subject: string;
    /** The sender it answers (jobs enqueued since ingest carries it); else read from the ticket. */
    to?: string;
    name?: string | null;
  }) {
    const { workspaceId, ticketId } = p;
    const inbox = await cachedInbox(workspaceId, p.inboxId);
    if (!inbox?.auto_ack_enabled || !inbox.active) return 'disabled';
    // The summary (one query) has all an acknowledgement needs; the full ticket would read every message.
    const ticket = p.to
      ? {
          id: ticketId,
          subject: p.subject.slice(0, 500) || '(no subject)',
          contact: { email: p.to, name: p.name },
        }
      : await tickets.findSummary(workspaceId, ticketId);
    const contact = ticket?.contact;
    const to = contact?.email?.toLowerCase();
    if (!ticket || !to) return 'no recipient';
    const sent = await ackState({ workspaceId, ticketId, to });
    if (sent.forTicket) return 'already sent';
    // RFC 3834: one automatic answer per sender per period, whatever the sender does.
    if (sent.recent) return 'recently acknowledged';
    const vars = {
      'contact.name': contact?.name ?? 'there',
      'ticket.id': String(ticket.id),
      'ticket.subject': ticket.subject,
      'inbox.name': inbox.from_name ?? inbox.name,
      expected_response: await expectedResponse(workspaceId, inbox.expected_response_fallback),
    };
    const text = renderTemplate(inbox.auto_ack_body.trim() || DEFAULT_ACK_BODY, vars);
    const profile = await profileOf(inbox);
    await sendAndRecord(
      ports,
      relay,
      profile,
      {
        from: { name: profile.fromName, address: inbox.address },
        replyTo: replyAddress(inbox.address, keys(), workspaceId, ticket.id),
        to: [to],
        subject: renderTemplate(inbox.auto_ack_subject, vars).replace(/\s+/g, ' ').trim(),
        text,
        html: textToHtml(text),
        messageId: newMessageId(domainOf(inbox.address), `${workspaceId}.ack.${ticket.id}`),
        inReplyTo: p.inReplyTo,
        references: [p.inReplyTo],
        headers: {
          'Auto-Submitted': 'auto-replied',
          'X-Auto-Response-Suppress': 'All',
          'X-Shopdesk-Ticket': String(ticket.id),
        },
      },
      { workspaceId, ticketId: ticket.id, messageId: null, kind: 'auto-ack' },
    );
    return 'sent';
  }

  // ---- inbox settings ----

  async function inboxOr404(auth: Pick<Auth, 'workspaceId'>, id: number) {
    const r = await repo.findInbox(db, auth.workspaceId, id);
    if (!r) throw notFound('Inbox');
    return r;
  }

  function settingsFields(input: UpdateEmailInbox, existing: repo.InboxRow | null): Record<string, unknown> {
    const f: Record<string, unknown> = {
      name: input.name,
      address: input.address,
      aliases: input.aliases,
      from_name: input.fromName,
      signature: input.signature,
      active: input.active,
      auto_ack_enabled: input.autoAck?.enabled,
      auto_ack_subject: input.autoAck?.subject,
      auto_ack_body: input.autoAck?.body,
      expected_response_fallback: input.autoAck?.expectedResponseFallback,
      accept_invalid_certs: input.acceptInvalidCertificates,
    };
    if (input.smtp !== undefined) {
      if (input.smtp === null) f.smtp = null;
      else {
        const keep = existing?.smtp?.passEnc ?? null;
        f.smtp = {
          host: input.smtp.host,
          port: input.smtp.port,
          secure: input.smtp.secure,
          user: input.smtp.user,
          passEnc:
            input.smtp.password === undefined
              ? keep
              : input.smtp.password
                ? keys().encrypt(input.smtp.password)
                : null,
        } satisfies repo.StoredSmtp;
      }
    }
    if (input.imap !== undefined) {
      if (input.imap === null) f.imap = null;
      else {
        const passEnc = input.imap.password
          ? keys().encrypt(input.imap.password)
          : (existing?.imap?.passEnc ?? null);
        if (!passEnc)
          throw new AppError('validation_failed', 'IMAP needs a password', [
            { path: 'body.imap.password', message: 'required when IMAP is first set up' },
          ]);
        if (input.imap.after === 'move' && !input.imap.moveTo)
          throw new AppError('validation_failed', 'Say which folder to move fetched mail to', [
            { path: 'body.imap.moveTo', message: 'required when after is "move"' },
          ]);
        f.imap = {
          host: input.imap.host,
          port: input.imap.port,
          secure: input.imap.secure,
          user: input.imap.user,
          passEnc,
          folder: input.imap.folder,
          after: input.imap.after,
          moveTo: input.imap.moveTo,
        } satisfies repo.StoredImap;
        // A different mailbox starts from its beginning.
        if (
          existing?.imap &&
          (existing.imap.host !== input.imap.host ||
            existing.imap.user !== input.imap.user ||
            existing.imap.folder !== input.imap.folder)
        ) {
          f.imap_last_uid = 0;
          f.imap_uid_validity = null;
        }
      }
    }
    return f;
  }

  async function checkAddresses(
    address: string | undefined,
    aliases: string[] | undefined,
    id: number | null,
  ) {
    for (const a of [...(address ? [address] : []), ...(aliases ?? [])])
      if (await repo.addressTaken(db, a, id)) throw conflict(`${a} is already used by an inbox`);
  }

  const newSecret = (inboxId: number) => `sdi_${inboxId}_${randomToken(24)}`;
  const changed = () => {
    cache.clear();
    wsInboxes.clear();
    ownSet = null;
  };
  const inboxListeners = new Set<() => void>();
  const notifyInboxes = () => {
    changed();
    for (const fn of inboxListeners) fn();
  };

  return {
    adapter,
    relay,
    processInbound,
    /** The DNS lookups of sender verification go through this (tests answer from a local stub). */
    useDnsResolver(resolver: DnsResolver) {
      dnsResolver = resolver;
    },
    sendAck,
    onInboxesChanged(fn: () => void) {
      inboxListeners.add(fn);
    },

    /** SMTP RCPT TO: does some active inbox take this address? */
    async acceptsRecipient(address: string) {
      return !!(await inboxFor(address));
    },

    /** SMTP DATA: commits one inbound event per workspace addressed, before the 250. */
    async storeSmtp(raw: Buffer, env: SmtpEnvelope) {
      const byWorkspace = new Map<number, number>();
      for (const r of env.rcptTo) {
        const inbox = await inboxFor(r);
        if (inbox && !byWorkspace.has(inbox.workspace_id)) byWorkspace.set(inbox.workspace_id, inbox.id);
      }
      if (!byWorkspace.size) throw new Error('no inbox for any recipient');
      const source = {
        source: 'smtp',
        mailFrom: env.mailFrom,
        rcptTo: env.rcptTo.map((r) => r.toLowerCase()),
        remoteAddress: env.remoteAddress,
        helo: env.helo,
      };
      // One workspace (the usual case) is one atomic statement; several commit together or not at all.
      const store = async (tx: Db) => {
        for (const [ws, inboxId] of byWorkspace) await storeIn(tx, ws, inboxId, raw, source);
      };
      await (byWorkspace.size === 1 ? store(db) : db.tx(store));
      deps.jobs.wake();
    },

    /** Raw MIME by webhook; the per-inbox secret names and authenticates the inbox. */
    async storeWebhook(token: string | null, body: unknown) {
      const m = token ? /^sdi_(\d+)_[A-Za-z0-9_-]+$/.exec(token) : null;
      // An id beyond bigint would fail the query: such a token names no inbox (401, not 500).
      const inboxId = m ? Number(m[1]) : Number.NaN;
      const inbox = Number.isSafeInteger(inboxId) ? await repo.findInboxById(db, inboxId) : undefined;
      if (!inbox || !token || !safeEqual(sha256(token), inbox.webhook_secret_hash) || !inbox.active)
        throw new AppError('unauthorized', 'Send the inbox webhook secret as Authorization: Bearer <secret>');
      const raw = checkRaw(body);
      const id = await db.tx((tx) => storeIn(tx, inbox.workspace_id, inbox.id, raw, { source: 'webhook' }));
      deps.jobs.wake();
      return { status: id ? ('stored' as const) : ('duplicate' as const), inboundEventId: id };
    },

    /** IMAP: the message and the UID cursor move together. */
    async storeImap(inboxId: number, workspaceId: number, raw: Buffer, uid: number, uidValidity: number) {
      await db.tx(async (tx) => {
        await storeIn(tx, workspaceId, inboxId, raw, { source: 'imap', uid });
        await repo.setImapCursor(tx, inboxId, uidValidity, uid);
      });
      deps.jobs.wake();
    },

    imapSourceOf(inbox: repo.InboxRow) {
      const i = inbox.imap!;
      return {
        resolveAddress: pinnedAddressOf(inbox.workspace_id, i.host),
        host: i.host,
        port: i.port,
        secure: i.secure,
        user: i.user,
        pass: keys().decrypt(i.passEnc),
        folder: i.folder,
        after: i.after,
        moveTo: i.moveTo,
        acceptInvalidCerts: inbox.accept_invalid_certs,
      };
    },

    async listInboxes(auth: Auth) {
      return (await repo.listInboxes(db, auth.workspaceId)).map(toInbox);
    },
    async getInbox(auth: Auth, id: number) {
      return toInbox(await inboxOr404(auth, id));
    },
    async createInbox(auth: Auth, input: CreateEmailInbox) {
      await checkAddresses(input.address, input.aliases, null);
      await checkMailHosts(auth.workspaceId, input);
      const fields = settingsFields(input, null);
      const id = await db.tx(async (tx) => {
        const placeholder = sha256(randomToken());
        const id = await repo.insertInbox(tx, auth.workspaceId, {
          ...fields,
          name: input.name,
          address: input.address,
          webhook_secret_hash: placeholder,
        });
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'email_inbox.created',
          targetType: 'email_inbox',
          targetId: id,
          data: { address: input.address },
        });
        return id;
      });
      const secret = newSecret(id);
      await repo.updateInbox(db, auth.workspaceId, id, { webhook_secret_hash: sha256(secret) });
      notifyInboxes();
      return { ...toInbox((await repo.findInbox(db, auth.workspaceId, id))!), webhookSecret: secret };
    },
    async updateInbox(auth: Auth, id: number, input: UpdateEmailInbox) {
      const existing = await inboxOr404(auth, id);
      await checkAddresses(input.address, input.aliases, id);
      await checkMailHosts(auth.workspaceId, input);
      await db.tx(async (tx) => {
        await repo.updateInbox(tx, auth.workspaceId, id, settingsFields(input, existing));
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'email_inbox.updated',
          targetType: 'email_inbox',
          targetId: id,
          data: { fields: Object.keys(input) },
        });
      });
      notifyInboxes();
      return toInbox((await repo.findInbox(db, auth.workspaceId, id))!);
    },
    async rotateSecret(auth: Auth, id: number) {
      await inboxOr404(auth, id);
      const secret = newSecret(id);
      await repo.updateInbox(db, auth.workspaceId, id, { webhook_secret_hash: sha256(secret) });
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'email_inbox.secret_rotated',
        targetType: 'email_inbox',
        targetId: id,
      });
      return { ...toInbox((await repo.findInbox(db, auth.workspaceId, id))!), webhookSecret: secret };
    },
    async deleteInbox(auth: Auth, id: number) {
      const rows = await repo.deleteInbox(db, auth.workspaceId, id);
      if (!rows.length) throw notFound('Inbox');
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'email_inbox.deleted',
        targetType: 'email_inbox',
        targetId: id,
      });
      notifyInboxes();
    },

    // ---- reading what came in and went out ----

    pendingInbound: (auth: Auth) => repo.countPending(db, auth.workspaceId),
    async inboundLog(auth: Auth, limit: number, outcome?: string) {
      return (await repo.listInbound(db, auth.workspaceId, limit, outcome)).map((r) => ({
        inboundEventId: r.inbound_event_id,
        inboxId: r.inbox_id,
        from: r.from_address,
        subject: r.subject,
        messageIdHeader: r.message_id_header,
        outcome: r.outcome as repo.InboundOutcome,
        reason: r.reason,
        ticketId: r.ticket_id,
        messageId: r.message_id,
        senderAuth: (r.sender_auth ?? null) as 'pass' | 'fail' | 'none' | null,
        createdAt: r.created_at.toISOString(),
      }));
    },
    async listOutbound(auth: Auth, transport: 'dev' | null, limit: number): Promise<EmailOutboundItem[]> {
      return (await repo.listOutbound(db, auth.workspaceId, transport, limit)).map(toOutbound);
    },
    async outboundDetail(auth: Auth, id: number) {
      const r = await repo.findOutbound(db, auth.workspaceId, id);
      // An empty raw: housekeeping dropped the bytes after RETAIN_SENT_MAIL_DAYS.
      if (!r?.raw.length) throw notFound('Email');
      const p = await parseEmail(toBuffer(r.raw));
      const headers: Record<string, string> = {};
      for (const k of [
        'from',
        'to',
        'cc',
        'reply-to',
        'subject',
        'date',
        'message-id',
        'in-reply-to',
        'references',
        'auto-submitted',
        'dkim-signature',
      ])
        if (p.rawHeaders.has(k)) headers[k] = p.rawHeaders.get(k)!.join(', ');
      return {
        ...toOutbound(r),
        text: p.text,
        html: p.html ? sanitizeMessageHtml(p.html) : null,
        headers,
        attachments: p.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          sizeBytes: a.data.length,
        })),
        rawUrl: `/api/v1/email/outbound/${r.id}/raw`,
      };
    },
    async outboundRaw(auth: Auth, id: number) {
      const r = await repo.findOutbound(db, auth.workspaceId, id);
      // An empty raw: housekeeping dropped the bytes after RETAIN_SENT_MAIL_DAYS.
      if (!r?.raw.length) throw notFound('Email');
      return { raw: toBuffer(r.raw), filename: `email-${r.id}.eml` };
    },
    /** The original of a ticket message as an .eml file (what the customer sent, or what we sent). */
    async messageRaw(auth: Auth, messageId: number) {
      const raw = await repo.rawOfMessage(db, auth.workspaceId, messageId);
      if (!raw?.length) throw notFound('Original email');
      return { raw: toBuffer(raw), filename: `message-${messageId}.eml` };
    },
    async inboundRaw(auth: Auth, eventId: number) {
      const r = await repo.rawOfInboundEvent(db, auth.workspaceId, eventId);
      if (!r) throw notFound('Inbound email');
      return { raw: toBuffer(r.payload), filename: `inbound-${eventId}.eml` };
    },
    inline: (auth: Auth, sha: string) => tickets.attachmentBySha(auth, sha),
  };
}

function toOutbound(r: repo.OutboundRow): EmailOutboundItem {
  return {
    id: r.id,
    inboxId: r.inbox_id,
    ticketId: r.ticket_id,
    messageId: r.message_id,
    kind: r.kind as EmailOutboundItem['kind'],
    messageIdHeader: r.message_id_header,
    from: r.from_address,
    to: r.to_addresses,
    subject: r.subject,
    transport: r.transport as EmailOutboundItem['transport'],
    relayResponse: r.relay_response,
    createdAt: r.created_at.toISOString(),
  };
}

export type EmailService = ReturnType<typeof createEmailService>;
