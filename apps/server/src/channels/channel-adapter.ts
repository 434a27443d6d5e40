import type { WhatsAppTemplate } from '@shopdesk/contracts';
import type { InboundChannel } from './inbound.ts';

/** What the reply pipeline hands a channel to deliver. Adapters import only platform/ and contracts. */
export interface OutboundMessage {
  workspaceId: number;
  ticketId: number;
  messageId: number;
  channel: string;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  from: { agentName: string | null };
  to: {
    name: string | null;
    email: string | null;
    phone: string | null;
    identities: { kind: string; value: string }[];
  };
  cc: string[];
  attachments: { filename: string; contentType: string; sha256: string; sizeBytes: number }[];
  /** Provider ids of earlier messages in the thread, oldest first (email References). */
  threadExternalIds: string[];
  lastInboundMeta: Record<string, unknown> | null;
  /** When the customer last wrote on this ticket (the provider's time): messaging windows count from it. */
  lastInboundAt?: Date | null;
  /** This message's own channel metadata (a WhatsApp template the agent chose: `template`). */
  meta?: Record<string, unknown> | null;
  /**
   * A system notice about the ticket (a chat transcript, a verification code), not a reply: sent each
   * time it is asked for (never skipped as already sent for this message) and not threaded.
   */
  notice?: boolean;
  /** A notice holding a credential (an agent's sign-in link): no copy of its body is kept anywhere. */
  secret?: boolean;
}

export interface DeliveryResult {
  externalId?: string;
  meta?: Record<string, unknown>;
}

/**
 * Thrown by an adapter when retrying cannot help (the receiving server rejected the address): the
 * reply is marked failed with this reason at once instead of after every retry.
 */
export class PermanentDeliveryError extends Error {
  readonly permanent = true;
}

/**
 * What a channel can do, declared by its adapter: the composer, customer notices and automations read
 * these instead of hard-coding channel names.
 */
export interface ChannelCapabilities {
  /** Hours after the customer's last message in which a free-form reply may be sent; null: no window. */
  messagingWindowHours: number | null;
  /** Images and files travel with a message. */
  media: boolean;
  /** The provider reports delivered/failed after the send (status callbacks, read receipts). */
  deliveryReceipts: boolean;
  /** Outside the window only pre-approved templates may be sent. */
  templates: boolean;
  /** Longest message body in characters the provider accepts; null: no practical limit. */
  maxLength: number | null;
}

/** What a channel needs to know to say whether a reply may go out now (messaging windows). */
export interface ReplyContext {
  workspaceId: number;
  /** The customer's last message on the ticket (provider time), null when they never wrote. */
  lastInboundAt: Date | null;
  lastInboundMeta: Record<string, unknown> | null;
  now: Date;
}

/** Whether free text may be sent now, until when, and the rule in words (the composer shows it). */
export interface ReplyRule {
  freeText: boolean;
  closesAt: Date | null;
  templates: boolean;
  rule: string | null;
}

export interface ChannelAdapter {
  readonly channel: string;
  readonly capabilities: ChannelCapabilities;
  deliver(msg: OutboundMessage): Promise<DeliveryResult>;
  /** Channels with a messaging window: may a reply be sent now (absent: always). */
  replyRule?(ctx: ReplyContext): Promise<ReplyRule> | ReplyRule;
  /** The account's message templates (WhatsApp), synced from the provider when asked. */
  templates?(ctx: ReplyContext): Promise<WhatsAppTemplate[]>;
  /**
   * Checks a reply before it is queued (a template's name, language and variables against the account's
   * approved templates): a sentence saying what is wrong, or null. The reply is refused with it (409).
   */
  checkReply?(
    ctx: ReplyContext,
    reply: { body: string; template: Record<string, unknown> | null },
  ): Promise<string | null>;
  /** Channels customers write in through a provider webhook: how to verify and read it (channels/inbound.ts). */
  readonly inbound?: InboundChannel;
}

/** Channels are found by name; adding a provider is a new folder plus one `register` line in app.ts. */
export class ChannelRegistry {
  private adapters = new Map<string, ChannelAdapter>();
  register(a: ChannelAdapter) {
    this.adapters.set(a.channel, a);
  }
  get(channel: string): ChannelAdapter | undefined {
    return this.adapters.get(channel);
  }
  /** The channels with an adapter: what a workspace can send through. */
  names(): string[] {
    return [...this.adapters.keys()];
  }
  /** Every registered adapter (the intake builds a webhook source for each with an `inbound` side). */
  all(): ChannelAdapter[] {
    return [...this.adapters.values()];
  }
}
