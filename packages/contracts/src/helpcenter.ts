import { z } from 'zod';
import { Id, Int4, Timestamp } from './common.ts';

/** BCP 47-ish language tag as used in URLs: en, de, pt-br. */
export const Locale = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z]{2}(-[a-z0-9]{2,8})?$/, 'a language tag such as en, de or pt-br');
export const HcSlug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,99}$/, 'lowercase letters, digits and dashes');

const LocalizedName = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(1000).default(''),
});
/** Names per language: {"en": {"name": "Shipping"}, "de": {"name": "Versand"}}. */
export const LocalizedNames = z
  .record(Locale, LocalizedName)
  .refine((v) => Object.keys(v).length > 0, 'at least one language');

export const HcCategory = z.object({
  id: Id,
  slug: z.string(),
  position: z.number().int(),
  names: z.record(z.string(), z.object({ name: z.string(), description: z.string() })),
  createdAt: Timestamp,
});
export type HcCategory = z.infer<typeof HcCategory>;
export const CreateHcCategory = z.object({
  slug: HcSlug,
  position: z.number().int().min(0).max(100_000).default(0),
  names: LocalizedNames,
});
export const UpdateHcCategory = CreateHcCategory.partial().strict();

export const HcSection = HcCategory.extend({ categoryId: Id });
export type HcSection = z.infer<typeof HcSection>;
export const CreateHcSection = CreateHcCategory.extend({ categoryId: Id });
export const UpdateHcSection = CreateHcSection.partial().strict();

export const ArticleVisibility = z.enum(['public', 'internal']);

export const HcTranslation = z.object({
  locale: z.string(),
  title: z.string(),
  bodyMd: z.string(),
  summary: z.string(),
  keywords: z.string(),
  draftVersion: z.number().int(),
  draftUpdatedAt: Timestamp,
  published: z.boolean(),
  /** The draft differs from what shoppers see. */
  hasUnpublishedChanges: z.boolean(),
  publishedVersion: z.number().int().nullable(),
  publishedAt: Timestamp.nullable(),
});
export type HcTranslation = z.infer<typeof HcTranslation>;

export const HcArticle = z.object({
  id: Id,
  slug: z.string(),
  sectionId: Id.nullable(),
  visibility: ArticleVisibility,
  faq: z.boolean(),
  position: z.number().int(),
  translations: z.array(HcTranslation),
  url: z.string().describe('Public URL in the default language (internal articles: the agent URL)'),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type HcArticle = z.infer<typeof HcArticle>;

const TranslationInput = z.object({
  title: z.string().trim().min(1).max(300),
  bodyMd: z.string().max(200_000).default(''),
  summary: z.string().trim().max(400).default('').describe('Meta description and search snippet fallback'),
  keywords: z.string().trim().max(1000).default(''),
});
export const CreateHcArticle = z.object({
  slug: HcSlug,
  sectionId: Id.nullable().default(null),
  visibility: ArticleVisibility.default('public'),
  faq: z.boolean().default(false),
  position: z.number().int().min(0).max(100_000).default(0),
  locale: Locale.optional().describe('Language of this first version (default: the help center default)'),
  ...TranslationInput.shape,
  publish: z.boolean().default(false),
});
export const UpdateHcArticle = z
  .object({
    slug: HcSlug,
    sectionId: Id.nullable(),
    visibility: ArticleVisibility,
    faq: z.boolean(),
    position: z.number().int().min(0).max(100_000),
  })
  .partial()
  .strict();
/** Saves the draft of one language version (creates the translation when new). */
export const SaveHcTranslation = TranslationInput.extend({
  /** The draftVersion the editor loaded: a stale save is refused instead of overwriting a colleague. */
  baseVersion: Int4.positive().optional(),
}).strict();
export const PublishHcTranslation = z.object({ publish: z.boolean() }).strict();

export const HcArticleVersion = z.object({
  id: Id,
  locale: z.string(),
  version: z.number().int(),
  action: z.string(),
  title: z.string(),
  bodyMd: z.string(),
  summary: z.string(),
  agentId: z.number().int().nullable(),
  createdAt: Timestamp,
});
export const HcLocaleParams = z.object({ id: Id, locale: Locale });
export const HcVersionParams = z.object({ id: Id, versionId: Id });

export const HcSearchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  locale: Locale.optional(),
  limit: z.coerce.number().int().min(1).max(25).default(10),
  internal: z.coerce.boolean().default(false).describe('Include internal articles (agents only)'),
});
export const HcSearchHit = z.object({
  articleId: Id,
  slug: z.string(),
  locale: z.string(),
  title: z.string(),
  /** HTML-escaped text with <mark> around the matched words. */
  snippet: z.string(),
  url: z.string(),
  score: z.number(),
  visibility: ArticleVisibility,
});
export type HcSearchHit = z.infer<typeof HcSearchHit>;
export const HcSearchResult = z.object({
  query: z.string(),
  /** The query after typo correction, when it differs. */
  correctedQuery: z.string().nullable(),
  hits: z.array(HcSearchHit),
});

export const HcArticleStats = z.object({
  articleId: Id,
  views: z.number().int(),
  helpful: z.number().int(),
  notHelpful: z.number().int(),
  comments: z.array(z.object({ helpful: z.boolean(), comment: z.string(), createdAt: Timestamp })),
  searchClicks: z.number().int().describe('Searches whose shopper opened this article'),
  topQueries: z.array(z.object({ query: z.string(), count: z.number().int() })),
  suggested: z.number().int().describe('Times suggested on the contact form or by the bot'),
  ticketsAfterView: z
    .number()
    .int()
    .describe(
      'Tickets from visitors who had read it in the 24 hours before: contact form, and chat or e-mail from an address the visitor gave the portal',
    ),
});
export const HcStatsQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30),
});
export const HcNoResultQueries = z.object({
  items: z.array(z.object({ query: z.string(), count: z.number().int(), lastAt: Timestamp })),
});

export const HcSettings = z.object({
  enabled: z.boolean(),
  title: z.string(),
  defaultLocale: z.string(),
  locales: z.array(z.string()),
  logoUrl: z.string().nullable(),
  primaryColor: z.string(),
  customDomain: z.string().nullable(),
  contactTopics: z.array(z.string()),
  url: z.string().describe('Where shoppers find the help center'),
});
export type HcSettings = z.infer<typeof HcSettings>;
export const UpdateHcSettings = z
  .object({
    enabled: z.boolean(),
    title: z.string().trim().min(1).max(120),
    defaultLocale: Locale,
    locales: z.array(Locale).min(1).max(30),
    logoUrl: z
      .string()
      .trim()
      .max(2000)
      .regex(/^(https:\/\/|\/)/, 'an https:// or site-relative URL')
      .nullable(),
    primaryColor: z
      .string()
      .trim()
      .regex(/^#[0-9a-fA-F]{6}$/, 'a #rrggbb colour'),
    customDomain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(
        /^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        'a host name such as help.example.com',
      )
      .nullable(),
    contactTopics: z.array(z.string().trim().min(1).max(80)).min(1).max(30),
  })
  .partial()
  .strict();

/** Public: suggestions while the shopper types on the contact form. */
export const HcSuggestQuery = z.object({
  q: z.string().trim().min(1).max(300),
  locale: Locale.optional(),
});
export const HcVoteInput = z.object({
  helpful: z.boolean(),
  comment: z.string().trim().max(2000).optional(),
  locale: Locale.optional(),
});

// ---- Bot ----

export const BotSettings = z.object({
  enabled: z.object({ chat: z.boolean(), portal: z.boolean(), messaging: z.boolean() }),
  greeting: z.string(),
  intents: z.object({
    answer: z.boolean(),
    orderStatus: z.boolean(),
    returns: z.boolean(),
    cancel: z.boolean(),
    change: z.boolean().describe('Take order changes (address, size, item) and pass them to the team'),
  }),
  handover: z.object({
    onRequest: z.boolean().describe('Hand over when the shopper asks for a human'),
    onAngry: z.boolean().describe('Hand over when the shopper is upset'),
    afterFailedAnswers: z.number().int().describe('Hand over after this many answers that did not help'),
    minAnswerConfidence: z.number().describe('Below this (0..1) the bot says it does not know'),
  }),
});
export type BotSettings = z.infer<typeof BotSettings>;
export const UpdateBotSettings = z
  .object({
    enabled: BotSettings.shape.enabled.partial().strict(),
    greeting: z.string().trim().min(1).max(500),
    intents: BotSettings.shape.intents.partial().strict(),
    handover: z
      .object({
        onRequest: z.boolean(),
        onAngry: z.boolean(),
        afterFailedAnswers: z.number().int().min(1).max(10),
        minAnswerConfidence: z.number().min(0).max(1),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();
export const BotContainment = z.object({
  conversations: z.number().int(),
  resolved: z.number().int(),
  handedOver: z.number().int(),
  open: z.number().int(),
  containmentRate: z.number().nullable(),
  byChannel: z.array(z.object({ channel: z.string(), outcome: z.string(), n: z.number().int() })),
});
