import type { z } from 'zod';

/*
 * The inbound side of a channel (docs/channels.md). The adapter knows its provider's protocol: how a
 * webhook is signed, which field is the provider's id, how a stored payload reads as a message. The
 * intake module (modules/intake) does everything else once for every channel: find the account, store
 * the raw request before answering, run the job, thread into a ticket, record consent and receipts.
 */

/** A provider's HTTP request, as the intake received it. */
export interface WebhookRequest {
  /** The path segment after the account key: `sms`, `status`, `voice` … (the adapter names its own). */
  kind: string;
  /**
   * The URL the provider called, as the provider saw it: the account's public URL (or PUBLIC_URL)
   * plus the path and query of the request. Providers sign this URL, not the proxy's internal one.
   */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A connected provider account (a Twilio number, a Messenger page): one per inbox. */
export interface ChannelAccount<S = Record<string, unknown>> {
  id: number;
  workspaceId: number;
  channel: string;
  name: string;
  /** What customers write to (an E.164 number for SMS). */
  address: string | null;
  settings: S;
  /** Decrypted secret fields (auth tokens); encrypted at rest with the KeyRing's `credentials` key. */
  secrets: Record<string, string>;
  /** The public URL of each webhook kind of this account (a status callback URL to hand the provider). */
  webhooks: Record<string, string>;
}

/** The request checks out: what the intake stores it under. */
export interface VerifiedDelivery {
  /** Unique per channel and workspace: a second delivery with the same id is acknowledged, not stored. */
  providerId: string;
}

/** Thrown by `verify` for a request that must be refused (bad signature → 401, bad input → 400). */
export class WebhookRejected extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

/** A customer's message, read from a stored payload. */
export interface InboundMessage {
  /** Who wrote: the contact is found or created by this. */
  from: { phone?: string; email?: string; name?: string | null; identity?: { kind: string; value: string } };
  /** Messages with the same key land in one ticket while it is open (the sender's number). */
  threadKey: string;
  subject: string;
  bodyText: string;
  /** The provider's message id: never stored twice. */
  externalId: string;
  receivedAt?: Date;
  attachments: { filename: string; contentType: string; data: Buffer }[];
  /** Kept on the message (channel_meta); `accountId` is added by the intake. */
  meta: Record<string, unknown>;
  /** The ticket's channel when it differs from the account's (a voicemail on an SMS account: `voice`). */
  channel?: string;
  tags?: string[];
  /** The message changes whether this address may be written to (SMS STOP / START). */
  consent?: { state: 'opted-out' | 'opted-in'; keyword: string };
}

/** What a stored payload turns out to be. */
export type InboundItem =
  | { type: 'message'; message: InboundMessage }
  /** A status callback for a message we sent. */
  | {
      type: 'receipt';
      externalId: string;
      status: 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
      /** The provider's error, in words an agent understands. */
      error?: string | null;
    }
  /** Something the provider adds later to a conversation (a voicemail's transcript): an internal note. */
  | {
      type: 'note';
      threadKey: string;
      text: string;
      author: string;
      /** Dropped when no conversation has this key (an echo of a Page message outside any ticket). */
      skipWithoutThread?: boolean;
    }
  /**
   * A report for another module (a click-to-call's status → modules/callbacks): handed to the handler
   * registered under `name` with `intake.handle`; a throw retries the job like any other item.
   */
  | { type: 'event'; name: string; data: Record<string, unknown> }
  | { type: 'ignored'; reason: string };

/** A stored raw delivery handed back to the adapter in the job. */
export interface StoredDelivery {
  id: number;
  kind: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  receivedAt: Date;
}

export interface InboundChannel<S = Record<string, unknown>> {
  /** The webhook kinds the provider calls (`sms`, `status` …): each gets a URL shown on the account. */
  readonly hooks: readonly string[];
  /** The account's settings (shown and edited in the dashboard) and its secret fields. */
  readonly settings: z.ZodType<S>;
  readonly secrets: z.ZodType<Record<string, string>>;
  /** The address customers write to, from the settings (shown on the account and used to match). */
  addressOf(settings: S): string | null;
  /**
   * A provider's GET subscription check (Meta's `hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`):
   * the text to answer with, or throw WebhookRejected. Absent: GET is 404.
   */
  handshake?(kind: string, query: URLSearchParams, account: ChannelAccount<S>): string;
  /** Checks the signature and names the delivery; null: nothing to store (a ping). Throws WebhookRejected. */
  verify(req: WebhookRequest, account: ChannelAccount<S>): VerifiedDelivery | null;
  /** The body of the 2xx, sent after the commit (Twilio wants TwiML); JSON `{accepted}` when absent. */
  respond?(
    req: WebhookRequest,
    account: ChannelAccount<S>,
  ): Promise<{ contentType: string; body: string }> | { contentType: string; body: string } | undefined;
  /** Job: reads a stored delivery (may fetch media; a throw retries the job). */
  read(delivery: StoredDelivery, account: ChannelAccount<S>): Promise<InboundItem[]>;
}
