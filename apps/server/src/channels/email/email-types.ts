/** The normalised shape of one parsed email, shared by the parser and the classification rules. */
export interface EmailAddress {
  address: string;
  name: string | null;
}

export interface ParsedAttachment {
  filename: string;
  contentType: string;
  data: Buffer;
  contentId: string | null;
  inline: boolean;
}

export interface BounceInfo {
  /** Message-IDs of the message that could not be delivered (ours, if it was a reply). */
  originalMessageIds: string[];
  recipients: string[];
  status: string | null;
  diagnostic: string | null;
}

/** A message attached to (forwarded with) another, read so the agent sees it without downloading it. */
export interface ForwardedMessage {
  from: EmailAddress | null;
  to: string[];
  cc: string[];
  date: string | null;
  subject: string;
  text: string;
  /** Unsanitised: the inbox sanitises it before storing. */
  html: string | null;
  attachments: { filename: string; contentType: string; sizeBytes: number }[];
  /** Messages attached to this one, in turn (up to a few levels). */
  forwarded: ForwardedMessage[];
}

export interface ParsedEmail {
  /** `<id@host>`; synthesised from the bytes when the message has none, so dedupe still works. */
  messageId: string;
  hasMessageId: boolean;
  inReplyTo: string[];
  references: string[];
  subject: string;
  from: EmailAddress | null;
  replyTo: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  date: Date | null;
  text: string;
  html: string | null;
  attachments: ParsedAttachment[];
  /** Why this message is machine-generated (auto-reply, list mail …); null for a person's mail. */
  automatic: string | null;
  bounce: BounceInfo | null;
  /** A read receipt (MDN) for one of our messages. */
  receiptFor: string[] | null;
  /** Attached message/rfc822 parts, read (the .eml stays an attachment too). */
  forwarded: ForwardedMessage[];
  /** What could not be read as sent (a broken MIME boundary …), for the agent to see. */
  problems: string[];
  /** Lower-cased header name → raw (unfolded) values, for rules that need the original text. */
  rawHeaders: Map<string, string[]>;
}
