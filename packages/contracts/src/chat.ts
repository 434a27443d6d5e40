import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

/*
 * Live chat: admin settings, the public widget API and the widget WebSocket frames.
 * The widget imports only the *types* from here (zod stays out of its bundle).
 */

const HexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f6feb');
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM');

export const PrechatField = z.object({
  key: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,31}$/, 'lowercase letters, digits and _')
    .refine((k) => k !== 'email' && k !== 'name', 'name and email are built in'),
  label: z.string().trim().min(1).max(80),
  type: z.enum(['text', 'textarea', 'tel', 'select']),
  required: z.boolean().default(false),
  options: z.array(z.string().trim().min(1).max(80)).max(30).default([]),
});
export type PrechatField = z.infer<typeof PrechatField>;

export const ChatWeekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const Interval = z
  .object({ open: HHMM, close: HHMM })
  .refine((i) => i.open < i.close, 'open must be before close');

export const ChatBusinessHours = z.object({
  /** When false the team is treated as always available. */
  enabled: z.boolean().default(false),
  timezone: z
    .string()
    .default('UTC')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'unknown IANA time zone'),
  days: z.partialRecord(z.enum(ChatWeekdays), z.array(Interval).max(4)).default({}),
  /** Dates (YYYY-MM-DD, in the time zone) the team is closed all day. */
  holidays: z
    .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/))
    .max(100)
    .default([]),
});
export type ChatBusinessHours = z.infer<typeof ChatBusinessHours>;

/** An allowed page origin: `https://shop.example.com`, or `https://*.example.com` for subdomains. */
const AllowedOrigin = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/, 'must look like https://shop.example.com');

export const ChatSettings = z.object({
  enabled: z.boolean(),
  color: HexColor,
  title: z.string().trim().min(1).max(60),
  greeting: z.string().trim().max(500),
  awayMessage: z.string().trim().max(500),
  /** Whether the pre-chat form asks for an email, and whether it must be given. */
  emailField: z.enum(['off', 'optional', 'required']),
  nameField: z.enum(['off', 'optional', 'required']),
  prechatFields: z.array(PrechatField).max(10),
  businessHours: ChatBusinessHours,
  /** Empty: any site may embed the widget. Otherwise only these page origins (and this server). */
  allowedOrigins: z.array(AllowedOrigin).max(50),
  /** Seconds an unread agent reply waits before it is also sent by email (when the visitor gave one). */
  emailFallbackAfterSeconds: z.number().int().min(0).max(86_400),
  /** Refuse unverified visitors (only shoppers signed in via identify() can chat). */
  requireIdentity: z.boolean(),
});
export type ChatSettings = z.infer<typeof ChatSettings>;

export const ChatSettingsView = ChatSettings.extend({
  /**
   * HMAC key a shop's backend signs identities with. Shown once: only in the answer to the PATCH that
   * rotated it (null everywhere else), so a leaked admin session or screenshot cannot reveal it later.
   */
  identitySecret: z.string().nullable(),
  /** The last 4 characters of the current secret, to tell which one the shop's backend uses. */
  identitySecretHint: z.string(),
  identitySecretRotatedAt: Timestamp.nullable(),
  installSnippet: z.string(),
  updatedAt: Timestamp.nullable(),
});
export type ChatSettingsView = z.infer<typeof ChatSettingsView>;

export const UpdateChatSettings = ChatSettings.partial().extend({
  /** Issue a new identity secret (the old one stops verifying at once). */
  rotateIdentitySecret: z.boolean().optional(),
});
export type UpdateChatSettings = z.infer<typeof UpdateChatSettings>;

export const ChatUploadLimits = {
  maxBytes: 5 * 1024 * 1024,
  types: [
    'image/png',
    'image/jpeg',
    'image/gif',
    'image/webp',
    'application/pdf',
    'text/plain',
  ] as readonly string[],
};
export const MAX_CHAT_MESSAGE_CHARS = 5000;

export const WidgetConfig = z.object({
  workspace: z.object({ slug: z.string(), name: z.string() }),
  enabled: z.boolean(),
  color: z.string(),
  title: z.string(),
  greeting: z.string(),
  awayMessage: z.string(),
  emailField: z.enum(['off', 'optional', 'required']),
  nameField: z.enum(['off', 'optional', 'required']),
  prechatFields: z.array(PrechatField),
  requireIdentity: z.boolean(),
  /** Inside business hours (always true when hours are off). */
  open: z.boolean(),
  /** When the team is next available, if closed. */
  nextOpenAt: Timestamp.nullable(),
  /** Median first response of chats in the last 7 days; null when there were too few. */
  typicalReplySeconds: z.number().int().nullable(),
  emailChannel: z.boolean(),
  limits: z.object({
    maxMessageChars: z.number(),
    maxUploadBytes: z.number(),
    uploadTypes: z.array(z.string()),
  }),
});
export type WidgetConfig = z.infer<typeof WidgetConfig>;

export const WidgetIdentity = z.object({
  email: z.email().max(254),
  name: z.string().trim().max(120).optional(),
  userId: z.string().trim().min(1).max(200).optional(),
  /** hex HMAC-SHA256(identitySecret, userId ? `${userId}:${email}` : email), email lower-cased. */
  hash: z.string().regex(/^[0-9a-f]{64}$/i, 'must be a hex HMAC-SHA256'),
});
export type WidgetIdentity = z.infer<typeof WidgetIdentity>;

export const WidgetSessionRequest = z.object({
  token: z.string().max(1000).optional(),
  identity: WidgetIdentity.optional(),
  locale: z.string().max(20).optional(),
  /** The browser's IANA time zone and the page that sent the shopper to the shop (shown to agents). */
  timezone: z.string().max(64).optional(),
  referrer: z.string().max(2000).optional(),
});
export type WidgetSessionRequest = z.infer<typeof WidgetSessionRequest>;

export const WidgetAttachment = z.object({
  id: Id,
  filename: z.string(),
  contentType: z.string(),
  sizeBytes: z.number(),
  url: z.string(),
});
export type WidgetAttachment = z.infer<typeof WidgetAttachment>;

export const WidgetMessage = z.object({
  id: Id,
  clientId: z.string().nullable(),
  from: z.enum(['visitor', 'agent']),
  author: z.object({ name: z.string().nullable(), avatarUrl: z.string().nullable() }),
  text: z.string(),
  attachments: z.array(WidgetAttachment),
  createdAt: Timestamp,
});
export type WidgetMessage = z.infer<typeof WidgetMessage>;

export const WidgetConversation = z.object({
  id: Id,
  ticketId: Id,
  status: z.string(),
  /** Highest message id the agents have seen / the visitor has seen. */
  agentReadUpTo: z.number().int(),
  visitorReadUpTo: z.number().int(),
  ratingRequested: z.boolean(),
  rating: z.object({ score: z.number().int(), comment: z.string().nullable() }).nullable(),
});
export type WidgetConversation = z.infer<typeof WidgetConversation>;

export const WidgetSession = z.object({
  token: z.string(),
  visitorId: z.string(),
  verified: z.boolean(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  /** False until the pre-chat form was answered (or the visitor is identified). */
  prechatDone: z.boolean(),
  conversation: WidgetConversation.nullable(),
  messages: z.array(WidgetMessage),
});
export type WidgetSession = z.infer<typeof WidgetSession>;

const ClientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8-64 letters, digits, _ or -');

export const VisitorAttachmentInput = z.object({
  filename: z.string().trim().min(1).max(200),
  contentType: z.string().max(100),
  dataBase64: z.string().min(1),
});

export const VisitorMessageInput = z.object({
  token: z.string().max(1000),
  clientId: ClientId,
  text: z.string().max(MAX_CHAT_MESSAGE_CHARS).default(''),
  attachment: VisitorAttachmentInput.optional(),
  pageUrl: z.string().max(2000).optional(),
  pageTitle: z.string().max(300).optional(),
});
export type VisitorMessageInput = z.infer<typeof VisitorMessageInput>;

export const PrechatInput = z.object({
  token: z.string().max(1000),
  name: z.string().trim().max(120).optional(),
  email: z.email().max(254).optional(),
  fields: z.record(z.string(), z.string().max(2000)).default({}),
});
export type PrechatInput = z.infer<typeof PrechatInput>;

/** Outside business hours (or whenever the form asks for it): where replies should go by e-mail. */
export const VisitorEmailInput = z.object({
  token: z.string().max(1000),
  email: z.email().max(254),
});
export type VisitorEmailInput = z.infer<typeof VisitorEmailInput>;

export const RatingInput = z.object({
  token: z.string().max(1000),
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(2000).optional(),
});
export const TranscriptInput = z.object({
  token: z.string().max(1000),
  email: z.email().max(254).optional(),
  code: z
    .string()
    .regex(/^\d{6}$/)
    .optional()
    .describe('The one-time code mailed to `email` (visitors who are not identified shoppers)'),
});
export const TranscriptResult = z.object({
  queued: z.boolean().describe('The transcript is on its way'),
  email: z.string(),
  codeSent: z
    .boolean()
    .describe('A one-time code was mailed to the address: send it back as `code` to get the transcript'),
});

export const VisitorMessageAck = z.object({
  clientId: z.string(),
  duplicate: z.boolean(),
  message: WidgetMessage,
});
export type VisitorMessageAck = z.infer<typeof VisitorMessageAck>;

/** What an agent sees about the visitor of a chat ticket. */
export const ChatVisitorInfo = z.object({
  ticketId: Id,
  visitorId: z.string(),
  verified: z.boolean(),
  online: z.boolean(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  prechat: z.record(z.string(), z.string()),
  pageUrl: z.string().nullable(),
  pageTitle: z.string().nullable(),
  browser: z.string().nullable(),
  os: z.string().nullable(),
  userAgent: z.string().nullable(),
  locale: z.string().nullable(),
  timezone: z.string().nullable(),
  referrer: z.string().nullable(),
  /** Pages the visitor opened while the widget was loaded, newest first (at most 20). */
  pages: z.array(z.object({ url: z.string(), title: z.string().nullable(), at: Timestamp })),
  visitorReadUpTo: z.number().int(),
  rating: z.object({ score: z.number().int(), comment: z.string().nullable() }).nullable(),
  startedAt: Timestamp,
  lastSeenAt: Timestamp.nullable(),
});
export type ChatVisitorInfo = z.infer<typeof ChatVisitorInfo>;

export const ChatRating = z.object({
  ticketId: Id,
  conversationId: Id,
  score: z.number().int(),
  comment: z.string().nullable(),
  createdAt: Timestamp,
});

/** Widget → server frames on /api/v1/widget/:workspace/socket. */
export const VisitorClientFrame = z.discriminatedUnion('type', [
  /** First frame: tokens travel in the socket, not in URLs that end up in access logs. */
  z.object({ type: z.literal('hello'), token: z.string().max(1000) }),
  z.object({
    type: z.literal('message'),
    clientId: ClientId,
    text: z.string().max(MAX_CHAT_MESSAGE_CHARS),
    pageUrl: z.string().max(2000).optional(),
    pageTitle: z.string().max(300).optional(),
  }),
  z.object({ type: z.literal('typing'), typing: z.boolean() }),
  z.object({ type: z.literal('read'), upTo: z.number().int().nonnegative() }),
  z.object({ type: z.literal('page'), url: z.string().max(2000), title: z.string().max(300).optional() }),
  /** Shopdesk.setLocale() after the widget loaded. */
  z.object({ type: z.literal('locale'), locale: z.string().min(2).max(20) }),
  z.object({ type: z.literal('ping') }),
]);
export type VisitorClientFrame = z.infer<typeof VisitorClientFrame>;

/** Server → widget frames. */
export type VisitorServerFrame =
  | { type: 'ready'; visitorId: string; conversation: WidgetConversation | null }
  | { type: 'ack'; clientId: string; duplicate: boolean; message: WidgetMessage }
  | { type: 'message'; message: WidgetMessage; conversation: WidgetConversation | null }
  | { type: 'typing'; name: string | null; typing: boolean }
  | { type: 'read'; upTo: number }
  | { type: 'conversation'; conversation: WidgetConversation }
  | { type: 'rating_request'; conversationId: number }
  | {
      type: 'error';
      code: string;
      message: string;
      clientId?: string;
      retryAfterSeconds?: number;
      /** e.g. `prechat_required`: the message waits until the pre-chat form is answered. */
      reason?: string;
    }
  | { type: 'pong' };
