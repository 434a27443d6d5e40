import type { Readable } from 'node:stream';
import { escapeHtml, textToHtml } from '../../platform/html/sanitize.ts';
import type { KeyRing } from '../../platform/security/keys.ts';
import {
  type ChannelAdapter,
  type DeliveryResult,
  type OutboundMessage,
  PermanentDeliveryError,
} from '../channel-adapter.ts';
import { normalizeMessageId, replyAddress, replySubject } from './addresses.ts';
import {
  type ComposeInput,
  composeEmail,
  type DkimConfig,
  newMessageId,
  type RelayConfig,
  type RelaySender,
} from './email-sender.ts';

/** The inbox a message is sent from, as the email module resolves it. */
export interface SenderProfile {
  inboxId: number;
  address: string;
  fromName: string | null;
  signature: string;
  /** null: no relay configured — the message goes to the local dev mailbox. */
  relay: RelayConfig | null;
  dkim: DkimConfig | null;
}

export interface OutboundRecord {
  workspaceId: number;
  inboxId: number;
  ticketId: number | null;
  messageId: number | null;
  /** 'account': an agent's invitation or reset; recorded without its bytes (the link is a credential). */
  kind: 'reply' | 'auto-ack' | 'notice' | 'account';
  messageIdHeader: string;
  from: string;
  to: string[];
  subject: string;
  raw: Buffer;
  transport: 'relay' | 'dev';
  relayResponse: string | null;
}

/** What the adapter needs from the server (implemented by the email module, passed in at wiring). */
export interface EmailOutboxPorts {
  senderFor(workspaceId: number, inboxId: number | null): Promise<SenderProfile | null>;
  /** The Message-ID this ticket message was already sent under (a retried job must not send twice). */
  alreadySent(workspaceId: number, messageId: number): Promise<string | null>;
  record(row: OutboundRecord): Promise<void>;
  /** The relay failed for a reason of its own (unreachable, certificate, login), or null: it worked. */
  reportRelay(workspaceId: number, inboxId: number, error: string | null): Promise<void>;
  openFile(sha256: string): Readable;
}

export const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1) || 'localhost';

/** Composes, sends (relay or dev mailbox) and records one message. */
export async function sendAndRecord(
  ports: EmailOutboxPorts,
  relay: RelaySender,
  profile: SenderProfile,
  input: ComposeInput,
  rec: Pick<OutboundRecord, 'workspaceId' | 'ticketId' | 'messageId' | 'kind'>,
): Promise<{ transport: 'relay' | 'dev'; raw: Buffer }> {
  const raw = await composeEmail({ ...input, dkim: profile.dkim });
  const recipients = [...input.to, ...(input.cc ?? [])];
  let response: string | null = null;
  if (profile.relay) {
    try {
      response = await relay.send(profile.relay, { from: profile.address, to: recipients }, raw);
    } catch (err) {
      // A refused message shows on the message itself; a relay that cannot be used shows on the inbox too.
      if (!(err instanceof PermanentDeliveryError))
        await ports
          .reportRelay(rec.workspaceId, profile.inboxId, err instanceof Error ? err.message : String(err))
          .catch(() => {});
      throw err;
    }
    await ports.reportRelay(rec.workspaceId, profile.inboxId, null).catch(() => {});
  }
  const transport = profile.relay ? 'relay' : 'dev';
  await ports.record({
    ...rec,
    inboxId: profile.inboxId,
    messageIdHeader: input.messageId,
    from: profile.address,
    to: recipients,
    subject: input.subject,
    raw: rec.kind === 'account' ? Buffer.alloc(0) : raw,
    transport,
    relayResponse: response,
  });
  return { transport, raw };
}

function fromName(agentName: string | null, inboxName: string | null) {
  if (agentName && inboxName) return `${agentName} (${inboxName})`;
  return agentName ?? inboxName;
}

/** A system notice (transcript, code): its own Message-ID, no threading, marked automatic. */
async function sendNotice(
  ports: EmailOutboxPorts,
  relay: RelaySender,
  profile: SenderProfile,
  msg: OutboundMessage,
  to: string,
): Promise<DeliveryResult> {
  const messageId = newMessageId(domainOf(profile.address), `${msg.workspaceId}.notice.${msg.ticketId}`);
  const { transport } = await sendAndRecord(
    ports,
    relay,
    profile,
    {
      from: { name: profile.fromName, address: profile.address },
      to: [to],
      subject: msg.subject,
      text: msg.bodyText,
      html: msg.bodyHtml ?? textToHtml(msg.bodyText),
      messageId,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    },
    {
      workspaceId: msg.workspaceId,
      ticketId: msg.ticketId,
      messageId: null,
      kind: msg.secret ? 'account' : 'notice',
    },
  );
  return { externalId: messageId, meta: { messageIdHeader: messageId, inboxId: profile.inboxId, transport } };
}

/** The `email` channel's side of the reply pipeline (deliver-message job → here). */
export function createEmailAdapter(opts: {
  ports: EmailOutboxPorts;
  relay: RelaySender;
  keys: KeyRing;
}): ChannelAdapter {
  const { ports, relay } = opts;
  return {
    channel: 'email',
    // Mail has no window or length limit; bounces arrive as mail, not as receipts.
    capabilities: {
      messagingWindowHours: null,
      media: true,
      deliveryReceipts: false,
      templates: false,
      maxLength: null,
    },
    async deliver(msg: OutboundMessage): Promise<DeliveryResult> {
      const to = msg.to.email;
      if (!to) throw new PermanentDeliveryError('The customer has no email address to reply to');
      const meta = msg.lastInboundMeta ?? {};
      const inboxId = typeof meta.inboxId === 'number' ? meta.inboxId : null;
      const profile = await ports.senderFor(msg.workspaceId, inboxId);
      if (!profile) throw new PermanentDeliveryError('No email inbox is set up to send from');
      const sent = msg.notice ? null : await ports.alreadySent(msg.workspaceId, msg.messageId);
      if (sent) return { externalId: sent, meta: { messageIdHeader: sent, inboxId: profile.inboxId } };
      if (msg.notice) return sendNotice(ports, relay, profile, msg, to);

      const references = msg.threadExternalIds
        .map((id) => normalizeMessageId(id))
        .filter((id): id is string => id !== null);
      const lastInboundId =
        typeof meta.messageIdHeader === 'string' ? normalizeMessageId(meta.messageIdHeader) : null;
      const inReplyTo = lastInboundId ?? references[references.length - 1] ?? null;
      const messageId = newMessageId(domainOf(profile.address), `${msg.workspaceId}.${msg.messageId}`);
      const subject = replySubject(
        typeof meta.subject === 'string' && meta.subject ? meta.subject : msg.subject,
        msg.ticketId,
      );
      const signature = profile.signature.trim();
      const text = signature ? `${msg.bodyText}\n\n-- \n${signature}` : msg.bodyText;
      const bodyHtml = msg.bodyHtml ?? textToHtml(msg.bodyText);
      const html = signature
        ? `${bodyHtml}<br><div class="signature">-- <br>${escapeHtml(signature).replace(/\n/g, '<br>')}</div>`
        : bodyHtml;
      const { transport } = await sendAndRecord(
        ports,
        relay,
        profile,
        {
          from: { name: fromName(msg.from.agentName, profile.fromName), address: profile.address },
          replyTo: replyAddress(profile.address, opts.keys, msg.workspaceId, msg.ticketId),
          to: [to],
          cc: msg.cc.filter((c) => c.toLowerCase() !== to.toLowerCase()),
          subject,
          text,
          html,
          messageId,
          inReplyTo,
          references: inReplyTo && !references.includes(inReplyTo) ? [...references, inReplyTo] : references,
          attachments: msg.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: ports.openFile(a.sha256),
          })),
          headers: { 'X-Shopdesk-Ticket': String(msg.ticketId) },
        },
        { workspaceId: msg.workspaceId, ticketId: msg.ticketId, messageId: msg.messageId, kind: 'reply' },
      );
      return {
        externalId: messageId,
        meta: { messageIdHeader: messageId, inboxId: profile.inboxId, transport },
      };
    },
  };
}
