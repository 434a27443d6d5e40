import { createHash } from 'node:crypto';
import { normalizeMessageId } from '../../channels/email/addresses.ts';
import { readRawHeaders } from '../../channels/email/parse-email.ts';
import type { SmtpEnvelope } from '../../channels/email/smtp-inbound.ts';
import type { Db } from '../../platform/db/db.ts';
import { AppError, badRequest } from '../../platform/errors.ts';
import { insertWithJob } from '../../platform/jobs/queue.ts';
import { safeEqual, sha256 } from '../../platform/security/crypto.ts';
import * as repo from './email.repository.ts';
import { type EmailContext, PROCESS_JOB } from './email-context.ts';

/**
 * Step 1 of the pipeline: raw mail from SMTP, the inbound webhook or IMAP stored with the job that
 * processes it, before the sender hears back.
 */
export function createEmailIntake(c: EmailContext) {
  const { deps, db, config, inboxFor } = c;

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

  return {
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
  };
}
