import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

/*
 * QA scorecards and conversation reviews (issue #21). A scorecard is versioned: editing its categories
 * makes a new version, and a review keeps the version it was scored with.
 */

export const ScorecardScale = z
  .enum(['binary', '3', '4', '5'])
  .describe('binary: 0 = fail, 1 = pass; 3/4/5: a 1..N point scale');
export type ScorecardScale = z.infer<typeof ScorecardScale>;

const CategoryKey = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes');

export const ScorecardCategory = z
  .object({
    key: CategoryKey,
    name: z.string().trim().min(1).max(100),
    section: z.string().trim().min(1).max(60).default('General'),
    weight: z.number().int().min(1).max(100).default(1),
    scale: ScorecardScale.default('binary'),
    critical: z.boolean().default(false).describe('A negative rating here sets the whole review to 0'),
    rootCauses: z
      .array(z.string().trim().min(1).max(80))
      .max(20)
      .default([])
      .describe('Reasons a reviewer may pick on a negative rating'),
    policyCheck: z
      .boolean()
      .default(false)
      .describe('Checks the money actions taken in the conversation against the written policy'),
  })
  .strict();
export type ScorecardCategory = z.infer<typeof ScorecardCategory>;

const Categories = z
  .array(ScorecardCategory)
  .min(1)
  .max(40)
  .refine((cs) => new Set(cs.map((c) => c.key)).size === cs.length, 'category keys must be unique');

export const Scorecard = z.object({
  id: Id,
  name: z.string(),
  active: z.boolean(),
  version: z.number().int(),
  channels: z.array(z.string()).describe('Used for tickets of these channels (empty: any)'),
  tags: z.array(z.string()).describe('Used for tickets with one of these tags (empty: any)'),
  categories: z.array(ScorecardCategory),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Scorecard = z.infer<typeof Scorecard>;

export const CreateScorecard = z
  .object({
    name: z.string().trim().min(1).max(100),
    active: z.boolean().default(true),
    channels: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
    tags: z.array(z.string().trim().min(1).max(64)).max(20).default([]),
    categories: Categories,
  })
  .strict();
export const UpdateScorecard = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    active: z.boolean().optional(),
    channels: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
    tags: z.array(z.string().trim().min(1).max(64)).max(20).optional(),
    categories: Categories.optional(),
  })
  .strict();

export const ScorecardVersion = z.object({
  version: z.number().int(),
  name: z.string(),
  categories: z.array(ScorecardCategory),
  createdBy: Id.nullable(),
  createdAt: Timestamp,
});

export const ReviewRatingInput = z
  .object({
    category: CategoryKey,
    score: z.number().int().min(0).max(5).nullable().describe('null = not applicable'),
    rootCause: z.string().trim().min(1).max(80).optional(),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict();

export const ReviewRating = z.object({
  category: z.string(),
  score: z.number().int().nullable(),
  rootCause: z.string().nullable(),
  comment: z.string().nullable(),
});

export const MessageComment = z.object({ messageId: Id, body: z.string().trim().min(1).max(2000) }).strict();

export const ReviewSource = z.enum(['manual', 'random', 'risk']);

export const CreateReview = z
  .object({
    ticketId: Id,
    scorecardId: Id.optional().describe(
      'Default: the active scorecard chosen by the ticket’s channel and tags',
    ),
    revieweeId: Id.nullable()
      .optional()
      .describe('Default: the agent who wrote most replies; null for a bot-only conversation'),
    source: ReviewSource.default('manual'),
    ratings: z.array(ReviewRatingInput).min(1).max(40),
    messageComments: z.array(MessageComment).max(50).default([]),
    comment: z.string().trim().max(5000).default(''),
  })
  .strict();

export const ReviewThreadEntry = z.object({
  id: Id,
  authorId: Id.nullable(),
  kind: z.enum(['comment', 'dispute']),
  category: z.string().nullable(),
  body: z.string(),
  createdAt: Timestamp,
});

export const Review = z.object({
  id: Id,
  ticketId: Id,
  ticketSubject: z.string(),
  scorecardId: Id,
  scorecardName: z.string(),
  scorecardVersion: z.number().int(),
  categories: z
    .array(ScorecardCategory)
    .describe('The categories of the version this review was scored with'),
  reviewerId: Id.nullable(),
  revieweeId: Id.nullable(),
  source: ReviewSource,
  ratings: z.array(ReviewRating),
  messageComments: z.array(z.object({ messageId: Id, body: z.string() })),
  comment: z.string(),
  score: z.number().nullable().describe('0–100; null when every category was N/A'),
  criticalFailed: z.boolean(),
  status: z.enum(['submitted', 'acknowledged', 'disputed']),
  acknowledgedAt: Timestamp.nullable(),
  thread: z.array(ReviewThreadEntry),
  createdAt: Timestamp,
});
export type Review = z.infer<typeof Review>;

export const ListReviewsQuery = z.object({
  revieweeId: z.coerce.number().int().positive().optional(),
  ticketId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ReviewComment = z
  .object({
    body: z.string().trim().min(1).max(2000),
    dispute: CategoryKey.optional().describe('Dispute the rating of this category'),
  })
  .strict();

export const SampleRequest = z
  .object({
    size: z.number().int().min(1).max(50).default(5),
    seed: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .describe('The same seed over the same tickets gives the same sample'),
    days: z.number().int().min(1).max(365).default(7),
    kind: z
      .enum(['random', 'risk'])
      .default('random')
      .describe('risk: only conversations where money moved or an approval was used'),
    revieweeId: Id.optional(),
    thresholdMinor: z
      .number()
      .int()
      .min(0)
      .max(100_000_000)
      .default(0)
      .describe('risk: refunds and discounts at or above this amount (minor units)'),
  })
  .strict();

export const SampledTicket = z.object({
  ticketId: Id,
  subject: z.string(),
  channel: z.string(),
  agentId: Id.nullable(),
  reasons: z.array(z.string()).describe('Why it was picked: random, refund, resend, discount_code, approval'),
});

export const TicketReviewContext = z.object({
  ticketId: Id,
  scorecard: Scorecard.nullable(),
  suggestedRevieweeId: Id.nullable(),
  moneyActions: z.array(z.string()).describe('Kinds of money actions that succeeded on the ticket'),
  reviews: z.array(Review),
});

export const QualityScores = z.object({
  days: z.number().int(),
  reviews: z.number().int(),
  iqs: z.number().nullable().describe('Internal quality score: the mean review score, 0–100'),
  byAgent: z.array(z.object({ agentId: Id, reviews: z.number().int(), iqs: z.number().nullable() })),
  byCategory: z.array(
    z.object({
      category: z.string(),
      name: z.string(),
      ratings: z.number().int(),
      score: z.number().nullable(),
    }),
  ),
  weekly: z.array(z.object({ week: z.string(), reviews: z.number().int(), iqs: z.number().nullable() })),
});
export type QualityScores = z.infer<typeof QualityScores>;
