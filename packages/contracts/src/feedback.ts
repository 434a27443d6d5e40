import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

/*
 * Follow-ups, satisfaction surveys (CSAT, NPS), the site feedback widget, topics and improvements
 * (apps/server/src/modules/feedback). Settings are one document per workspace with defaults for
 * everything, so a partial PATCH never leaves a rule undefined.
 */

export const SurveyScale = z.enum(['five', 'three', 'thumbs']);
export type SurveyScale = z.infer<typeof SurveyScale>;
export const SurveyStyle = z.enum(['stars', 'emoji', 'numbers']);

const Locale = z.string().regex(/^[a-z]{2}(-[a-z]{2,4})?$/, 'a language code such as en or pt-br');

/** The words of a survey in one language; empty fields fall back to the built-in text. */
export const SurveyTexts = z.object({
  question: z.string().trim().max(300).default(''),
  /** One label per point of the scale, lowest first (5, 3 or 2 labels). */
  labels: z.array(z.string().trim().max(60)).max(5).default([]),
  commentPrompt: z.string().trim().max(200).default(''),
});

const Reaction = z.object({
  /** Scores at or below this count as low (5-point: 1–5; 3-point: 1–3; thumbs: 1 down, 2 up). */
  threshold: z.number().int().min(1).max(4).default(2),
  reopen: z.boolean().default(true),
  notifyLead: z.boolean().default(true),
  /** A note on the ticket assigned to the team lead, raised to high priority (the recovery task). */
  recoveryTask: z.boolean().default(false),
});

export const CsatSettings = z.object({
  enabled: z.boolean().default(true),
  /** Minutes after a ticket is solved (default 24 h). */
  delayMinutes: z
    .number()
    .int()
    .min(0)
    .max(60 * 24 * 30)
    .default(24 * 60),
  /** Answers are taken and may be changed for this long after sending. */
  answerWindowDays: z.number().int().min(1).max(90).default(14),
  /** A contact is asked at most once in this many days. */
  cooldownDays: z.number().int().min(0).max(365).default(7),
  samplePercent: z.number().int().min(0).max(100).default(100),
  /** Empty: every channel. */
  channels: z.array(z.string().max(40)).max(20).default([]),
  /** Empty: every team. */
  teams: z.array(Id).max(100).default([]),
  includeTags: z.array(z.string().max(60)).max(50).default([]),
  excludeTags: z.array(z.string().max(60)).max(50).default([]),
  /** Tickets the bot resolved alone: surveyed and reported separately, or not surveyed. */
  botResolutions: z.enum(['survey', 'skip']).default('survey'),
  scale: SurveyScale.default('five'),
  style: SurveyStyle.default('emoji'),
  texts: z.record(Locale, SurveyTexts).default({}),
  /** Offered on a low score ("What went wrong?"). */
  reasons: z
    .array(z.string().trim().min(1).max(80))
    .max(12)
    .default(['Slow answer', 'Problem not solved', 'Unfriendly', 'Product problem', 'Delivery problem']),
  lowScore: Reaction.default({ threshold: 2, reopen: true, notifyLead: true, recoveryTask: false }),
});

export const NpsSettings = z.object({
  enabled: z.boolean().default(false),
  /** Days after an order is delivered. */
  delayDays: z.number().int().min(0).max(90).default(7),
  /** A person is asked at most once in this many days. */
  throttleDays: z.number().int().min(1).max(730).default(90),
  texts: z.record(Locale, SurveyTexts).default({}),
});

export const FollowUpSettings = z.object({
  enabled: z.boolean().default(false),
  /** Hours after a ticket is solved. */
  delayHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 30)
    .default(48),
  /** No answer: the ticket is closed this many hours after the follow-up went out. */
  closeAfterHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(72),
  /** Empty: every team. */
  teams: z.array(Id).max(100).default([]),
});

export const WidgetFeedbackSettings = z.object({
  enabled: z.boolean().default(true),
  /** Negative feedback from someone we can answer (an e-mail or a known shopper) becomes a ticket. */
  negativeCreatesTicket: z.boolean().default(true),
});

export const FeedbackSettings = z.object({
  followUp: FollowUpSettings.default(FollowUpSettings.parse({})),
  csat: CsatSettings.default(CsatSettings.parse({})),
  nps: NpsSettings.default(NpsSettings.parse({})),
  widget: WidgetFeedbackSettings.default(WidgetFeedbackSettings.parse({})),
});
export type FeedbackSettings = z.infer<typeof FeedbackSettings>;

export const UpdateFeedbackSettings = z.object({
  followUp: FollowUpSettings.partial().optional(),
  csat: CsatSettings.partial().optional(),
  nps: NpsSettings.partial().optional(),
  widget: WidgetFeedbackSettings.partial().optional(),
});

/** What a rating is about, as it was when the survey went out. */
export const SurveySnapshot = z.object({
  assigneeId: Id.nullable().optional(),
  assigneeName: z.string().nullable().optional(),
  teamId: Id.nullable().optional(),
  channel: z.string().optional(),
  /** An agent (not only the bot or automations) replied in this cycle. */
  human: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
  /** Order actions taken on the ticket (refund, resend, discount_code …). */
  orderActions: z.array(z.string()).optional(),
  subject: z.string().optional(),
  orderNumber: z.string().optional(),
});

export const SurveyResponse = z.object({
  id: Id,
  kind: z.enum(['csat', 'nps']),
  ticketId: Id.nullable(),
  cycle: z.number().int(),
  contact: z.object({ id: Id, name: z.string().nullable(), email: z.string().nullable() }).nullable(),
  channel: z.string(),
  status: z.enum(['scheduled', 'sent', 'answered', 'skipped', 'cancelled']),
  skipReason: z.string().nullable(),
  scale: z.enum(['five', 'three', 'thumbs', 'nps']),
  score: z.number().int().nullable(),
  /** good / neutral / bad (CSAT) or promoter / passive / detractor (NPS). */
  verdict: z.string().nullable(),
  comment: z.string().nullable(),
  reason: z.string().nullable(),
  snapshot: SurveySnapshot,
  sendAt: Timestamp,
  sentAt: Timestamp.nullable(),
  expiresAt: Timestamp.nullable(),
  answeredAt: Timestamp.nullable(),
});
export type SurveyResponse = z.infer<typeof SurveyResponse>;

export const ListSurveysQuery = z.object({
  kind: z.enum(['csat', 'nps']).optional(),
  status: z.enum(['scheduled', 'sent', 'answered', 'skipped', 'cancelled']).optional(),
  verdict: z.enum(['good', 'neutral', 'bad', 'promoter', 'passive', 'detractor']).optional(),
  ticketId: z.coerce.number().int().positive().optional(),
  days: z.coerce.number().int().min(1).max(730).default(90),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Submitting a rating through the API (an integration, or an agent recording a phone answer). */
export const SubmitRating = z.object({
  score: z.number().int().min(0).max(10),
  comment: z.string().max(5000).optional(),
  reason: z.string().max(80).optional(),
});

export const CsatSummary = z.object({
  /** Share of good answers among answers, 0–100; null without answers. */
  csat: z.number().nullable(),
  answered: z.number().int(),
  sent: z.number().int(),
  /** answered / sent, 0–100. */
  responseRate: z.number().nullable(),
  good: z.number().int(),
  neutral: z.number().int(),
  bad: z.number().int(),
});
export const NpsSummary = z.object({
  nps: z.number().nullable(),
  answered: z.number().int(),
  promoters: z.number().int(),
  passives: z.number().int(),
  detractors: z.number().int(),
});

export const FeedbackOverview = z.object({
  days: z.number().int(),
  csat: CsatSummary,
  /** Split by who resolved the cycle: bot-only resolutions are reported on their own. */
  csatHuman: CsatSummary,
  csatBot: CsatSummary,
  nps: NpsSummary,
  /** One point per ISO week, oldest first. */
  trend: z.array(
    z.object({
      week: z.string(),
      csat: z.number().nullable(),
      answered: z.number().int(),
      nps: z.number().nullable(),
    }),
  ),
  byChannel: z.array(z.object({ key: z.string(), csat: z.number().nullable(), answered: z.number().int() })),
  byAgent: z.array(
    z.object({ key: z.string(), id: Id.nullable(), csat: z.number().nullable(), answered: z.number().int() }),
  ),
  reasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
  followUps: z.object({
    sent: z.number().int(),
    fixed: z.number().int(),
    notFixed: z.number().int(),
    closed: z.number().int(),
  }),
});
export type FeedbackOverview = z.infer<typeof FeedbackOverview>;

export const FollowUp = z.object({
  id: Id,
  ticketId: Id,
  channel: z.string(),
  status: z.enum(['scheduled', 'sent', 'fixed', 'not-fixed', 'closed', 'cancelled', 'skipped']),
  skipReason: z.string().nullable(),
  sendAt: Timestamp,
  sentAt: Timestamp.nullable(),
  closeAt: Timestamp.nullable(),
  answeredAt: Timestamp.nullable(),
});

// The site widget's Feedback tab.

export const WidgetFeedbackInput = z.object({
  /** -1 negative, 0 neutral, 1 positive (thumbs or emoji). */
  rating: z.number().int().min(-1).max(1),
  comment: z.string().max(2000).default(''),
  pageUrl: z.string().max(2000).optional(),
  /** The shopper's address, to be answered (optional). */
  email: z.string().email().max(320).optional(),
  /** The chat visitor token, when the shopper has one (links a verified shopper). */
  visitorToken: z.string().max(400).optional(),
});

export const FeedbackItem = z.object({
  id: Id,
  rating: z.number().int(),
  comment: z.string(),
  pageUrl: z.string().nullable(),
  device: z.string().nullable(),
  email: z.string().nullable(),
  contactId: Id.nullable(),
  ticketId: Id.nullable(),
  topic: z.object({ id: Id, name: z.string() }).nullable(),
  createdAt: Timestamp,
});
export type FeedbackItem = z.infer<typeof FeedbackItem>;

export const ListFeedbackQuery = z.object({
  rating: z.coerce.number().int().min(-1).max(1).optional(),
  page: z.string().max(300).optional(),
  topicId: z.coerce.number().int().positive().optional(),
  days: z.coerce.number().int().min(1).max(730).default(30),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

// Topics and improvements.

export const Topic = z.object({
  id: Id,
  name: z.string(),
  keywords: z.array(z.string()),
  volume: z.number().int(),
  negative: z.number().int(),
  /** Mentions per ISO week, oldest first. */
  weekly: z.array(z.object({ week: z.string(), count: z.number().int() })),
  examples: z.array(
    z.object({ source: z.enum(['feedback', 'survey']), id: Id, text: z.string(), at: Timestamp }),
  ),
});
export type Topic = z.infer<typeof Topic>;
export const TopicsAnswer = z.object({
  topics: z.array(Topic),
  /** Frequent words in negative comments no topic covers yet (candidates for a new topic). */
  emerging: z.array(z.object({ word: z.string(), count: z.number().int() })),
});

export const CreateTopic = z.object({
  name: z.string().trim().min(1).max(80),
  keywords: z.array(z.string().trim().toLowerCase().min(2).max(40)).max(30).default([]),
});
export const UpdateTopic = z.object({
  name: z.string().trim().min(1).max(80).optional(),
  keywords: z.array(z.string().trim().toLowerCase().min(2).max(40)).max(30).optional(),
  /** Merge this topic into another: its keywords and feedback move there, and it is deleted. */
  mergeInto: Id.optional(),
});

export const ImprovementStatus = z.enum(['planned', 'in-progress', 'done']);
export const Improvement = z.object({
  id: Id,
  title: z.string(),
  changeText: z.string(),
  status: ImprovementStatus,
  topicId: Id.nullable(),
  links: z.array(
    z.object({
      source: z.enum(['feedback', 'survey', 'ticket']),
      id: Id,
      contactId: Id.nullable(),
      said: z.string(),
    }),
  ),
  notices: z.object({ queued: z.number().int(), sent: z.number().int(), skipped: z.number().int() }),
  doneAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type Improvement = z.infer<typeof Improvement>;
export const CreateImprovement = z.object({
  title: z.string().trim().min(1).max(200),
  changeText: z.string().trim().max(2000).default(''),
  topicId: Id.optional(),
});
export const UpdateImprovement = z.object({
  title: z.string().trim().min(1).max(200).optional(),
  changeText: z.string().trim().max(2000).optional(),
  status: ImprovementStatus.optional(),
});
export const LinkFeedback = z.object({
  links: z
    .array(z.object({ source: z.enum(['feedback', 'survey', 'ticket']), id: Id }))
    .min(1)
    .max(500),
});
