import { z } from 'zod';
import { Timestamp } from './common.ts';

const address = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[^@\s+]+@[^@\s]+\.[^@\s]+$/, 'must be an email address without a +tag');

const host = z.string().trim().min(1).max(255);

export const EmailSmtpSettings = z.object({
  host,
  port: z.number().int().min(1).max(65535),
  secure: z
    .boolean()
    .default(false)
    .describe('TLS from the first byte (465); otherwise STARTTLS when offered'),
  user: z.string().max(255).nullable().default(null),
  password: z.string().max(1000).nullable().optional().describe('Write-only; omit to keep the stored one'),
});

export const EmailImapSettings = z.object({
  host,
  port: z.number().int().min(1).max(65535),
  secure: z.boolean().default(true),
  user: z.string().min(1).max(255),
  password: z.string().max(1000).optional().describe('Write-only; required when IMAP is first set'),
  folder: z.string().min(1).max(255).default('INBOX'),
  after: z.enum(['seen', 'move', 'keep']).default('seen').describe('What happens to a fetched message'),
  moveTo: z.string().min(1).max(255).nullable().default(null),
});

const inboxFields = {
  name: z.string().trim().min(1).max(120),
  address,
  aliases: z.array(address).max(20),
  fromName: z.string().trim().max(120).nullable(),
  signature: z.string().max(5000),
  active: z.boolean(),
  autoAck: z.object({
    enabled: z.boolean(),
    subject: z.string().min(1).max(300),
    body: z
      .string()
      .max(10000)
      .describe(
        'Empty uses the built-in text. Variables: {{contact.name}}, {{ticket.id}}, {{ticket.subject}}, {{inbox.name}}, {{expected_response}}',
      ),
    expectedResponseFallback: z.string().min(1).max(200),
  }),
  smtp: EmailSmtpSettings.nullable(),
  imap: EmailImapSettings.nullable(),
  acceptInvalidCertificates: z
    .boolean()
    .describe(
      "Unsafe: connect to this inbox's IMAP server and SMTP relay even when their TLS certificate does not verify (self-signed, expired, wrong name). Off by default.",
    ),
};

export const CreateEmailInbox = z.object({
  name: inboxFields.name,
  address: inboxFields.address,
  aliases: inboxFields.aliases.optional(),
  fromName: inboxFields.fromName.optional(),
  signature: inboxFields.signature.optional(),
  active: inboxFields.active.optional(),
  autoAck: inboxFields.autoAck.partial().optional(),
  smtp: inboxFields.smtp.optional(),
  imap: inboxFields.imap.optional(),
  acceptInvalidCertificates: inboxFields.acceptInvalidCertificates.optional(),
});
export type CreateEmailInbox = z.infer<typeof CreateEmailInbox>;

export const UpdateEmailInbox = CreateEmailInbox.partial();
export type UpdateEmailInbox = z.infer<typeof UpdateEmailInbox>;

export const EmailInbox = z.object({
  id: z.number(),
  name: z.string(),
  address: z.string(),
  aliases: z.array(z.string()),
  fromName: z.string().nullable(),
  signature: z.string(),
  active: z.boolean(),
  autoAck: z.object({
    enabled: z.boolean(),
    subject: z.string(),
    body: z.string(),
    expectedResponseFallback: z.string(),
  }),
  smtp: z
    .object({
      host: z.string(),
      port: z.number(),
      secure: z.boolean(),
      user: z.string().nullable(),
      hasPassword: z.boolean(),
    })
    .nullable(),
  imap: z
    .object({
      host: z.string(),
      port: z.number(),
      secure: z.boolean(),
      user: z.string(),
      folder: z.string(),
      after: z.enum(['seen', 'move', 'keep']),
      moveTo: z.string().nullable(),
      lastUid: z.number(),
      lastError: z.string().nullable(),
      lastPolledAt: Timestamp.nullable(),
    })
    .nullable(),
  acceptInvalidCertificates: z.boolean(),
  /** Why the last send through the relay failed (unreachable, certificate, login); null once one worked. */
  relayLastError: z.object({ message: z.string(), at: Timestamp }).nullable(),
  /** Where outbound mail of this inbox goes right now. */
  outbound: z.enum(['inbox-relay', 'server-relay', 'dev-mailbox']),
  webhookUrl: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type EmailInbox = z.infer<typeof EmailInbox>;

export const EmailInboxWithSecret = EmailInbox.extend({
  webhookSecret: z.string().describe('Shown once: the Bearer token for POST /api/v1/channels/email/inbound'),
});

export const EmailInboundAccepted = z.object({
  status: z.enum(['stored', 'duplicate']),
  inboundEventId: z.number().nullable(),
});

export const EmailInboundLogItem = z.object({
  inboundEventId: z.number(),
  inboxId: z.number().nullable(),
  from: z.string().nullable(),
  subject: z.string(),
  messageIdHeader: z.string().nullable(),
  outcome: z.enum(['ticket', 'threaded', 'duplicate', 'auto-reply', 'bounce', 'receipt', 'rejected']),
  reason: z.string().nullable(),
  ticketId: z.number().nullable(),
  messageId: z.number().nullable(),
  senderAuth: z
    .enum(['pass', 'fail', 'none'])
    .nullable()
    .describe('Sender verification (SPF/DKIM/DMARC): pass, fail, none (nothing to check); null: not checked'),
  createdAt: Timestamp,
});

export const EmailOutboundItem = z.object({
  id: z.number(),
  inboxId: z.number().nullable(),
  ticketId: z.number().nullable(),
  messageId: z.number().nullable(),
  kind: z.enum(['reply', 'auto-ack', 'notice', 'account']),
  messageIdHeader: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  transport: z.enum(['relay', 'dev']),
  relayResponse: z.string().nullable(),
  createdAt: Timestamp,
});
export type EmailOutboundItem = z.infer<typeof EmailOutboundItem>;

export const EmailOutboundDetail = EmailOutboundItem.extend({
  text: z.string(),
  html: z.string().nullable().describe('Sanitised'),
  headers: z.record(z.string(), z.string()),
  attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), sizeBytes: z.number() })),
  rawUrl: z.string(),
});

export const EmailListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  outcome: z
    .enum(['ticket', 'threaded', 'duplicate', 'auto-reply', 'bounce', 'receipt', 'rejected'])
    .optional(),
});
