import { z } from 'zod';

/*
 * Meta's messaging apps connected to an inbox (docs/messaging-apps.md): WhatsApp Cloud API, Messenger
 * (a Facebook Page) and Instagram (a professional account). Access token, app secret and verify token are
 * secret fields: encrypted at rest, never returned.
 */

const GraphId = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{5,25}$/, `must be the numeric ${what} from Meta's dashboard`);
const GraphVersion = z
  .string()
  .regex(/^v\d{1,2}\.\d$/, 'must be a Graph API version such as v21.0')
  .default('v21.0');

export const WhatsAppSettings = z.object({
  phoneNumberId: GraphId('phone number id').describe('WhatsApp Manager → phone number id (not the number)'),
  businessAccountId: GraphId('WhatsApp Business Account id').describe(
    'The WABA id: its approved message templates are offered outside the 24-hour window',
  ),
  displayPhoneNumber: z
    .string()
    .trim()
    .max(30)
    .default('')
    .describe('The number shoppers write to, as shown to agents'),
  graphVersion: GraphVersion,
});
export type WhatsAppSettings = z.infer<typeof WhatsAppSettings>;

/** Messenger and Instagram: a Page (its id) or an Instagram professional account (its id). */
export const MetaPageSettings = z.object({
  pageId: GraphId('Page or Instagram account id').describe(
    'Messenger: the Facebook Page id. Instagram: the Instagram professional account id',
  ),
  pageName: z.string().trim().max(100).default('').describe('Shown to agents'),
  humanAgentTag: z
    .boolean()
    .default(false)
    .describe(
      'Reply up to 7 days after the customer with the HUMAN_AGENT tag (needs Meta’s Human Agent permission)',
    ),
  graphVersion: GraphVersion,
});
export type MetaPageSettings = z.infer<typeof MetaPageSettings>;

export const MetaSecrets = z.object({
  accessToken: z.string().trim().min(20, 'the access token is long (a system-user or Page token)').max(1000),
  appSecret: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{32}$/, 'the app secret is 32 hex characters (App settings → Basic)'),
  verifyToken: z
    .string()
    .trim()
    .min(8, 'choose a verify token of at least 8 characters')
    .max(200)
    .describe('Any string you choose; type the same into the webhook settings in Meta’s dashboard'),
});

/** A WhatsApp message template as synced from the account (only approved ones can be sent). */
export const WhatsAppTemplate = z.object({
  name: z.string(),
  language: z.string(),
  category: z.string(),
  status: z.string(),
  /** The body text with {{1}} … placeholders. */
  body: z.string(),
  /** How many {{n}} variables the body needs. */
  variables: z.number().int(),
  header: z.object({ format: z.string(), text: z.string().nullable() }).nullable(),
});
export type WhatsAppTemplate = z.infer<typeof WhatsAppTemplate>;

/** An agent's reply as a template (outside the window): the body text is the rendered preview. */
export const TemplateReply = z.object({
  name: z.string().min(1).max(512),
  language: z.string().regex(/^[a-z]{2,3}(?:_[A-Z]{2})?$/, 'a language code such as en or en_US'),
  variables: z.array(z.string().min(1).max(1024)).max(20).default([]),
  /** A media header by link (image, video, document), when the template has one. */
  headerMediaUrl: z.url().optional(),
});
export type TemplateReply = z.infer<typeof TemplateReply>;

/** Whether a free-form reply may be sent now on this ticket's channel, and why (the composer shows it). */
export const ReplyPolicy = z.object({
  channel: z.string(),
  freeText: z.boolean(),
  /** When free text stops being allowed (null: no window, or already closed). */
  closesAt: z.string().nullable(),
  /** What the agent can do when free text is closed. */
  templates: z.boolean(),
  /** The rule in words ("WhatsApp's 24-hour customer service window …"). */
  rule: z.string().nullable(),
});
export type ReplyPolicy = z.infer<typeof ReplyPolicy>;
