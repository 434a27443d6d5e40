import { z } from 'zod';
import { Minor } from './commerce.ts';
import { Id, Timestamp } from './common.ts';

/* Returns and exchanges (server: modules/returns; docs/returns.md). */

/** Shopify's ReturnReason values: each shop reason maps to one so returns synced to Shopify read right. */
export const ShopifyReturnReason = z.enum([
  'COLOR',
  'DEFECTIVE',
  'NOT_AS_DESCRIBED',
  'OTHER',
  'SIZE_TOO_LARGE',
  'SIZE_TOO_SMALL',
  'STYLE',
  'UNWANTED',
  'WRONG_ITEM',
]);

export const ReturnReasonDef = z.object({
  code: z
    .string()
    .regex(/^[a-z0-9_]{1,40}$/)
    .describe('Stable code, e.g. size_too_small'),
  label: z.string().min(1).max(80),
  /** Sub-reasons shown after the reason is picked (e.g. "too narrow", "too short"). */
  subReasons: z.array(z.string().min(1).max(80)).max(20).default([]),
  /** Who is at fault: the shop pays return shipping for its own faults. */
  fault: z.enum(['shopper', 'shop']).default('shopper'),
  photos: z.enum(['off', 'optional', 'required']).default('off'),
  minPhotos: z.number().int().min(0).max(5).default(0),
  shopifyReason: ShopifyReturnReason.default('OTHER'),
  /** Share of items returned for this reason that go back on the shelf (for the cost of each outcome). */
  restockLikelihood: z.number().min(0).max(1).default(0.8),
});
export type ReturnReasonDef = z.infer<typeof ReturnReasonDef>;

export const ReturnOutcome = z.enum(['refund', 'store_credit', 'exchange', 'keep']);
export type ReturnOutcome = z.infer<typeof ReturnOutcome>;

export const defaultReturnReasons: ReturnReasonDef[] = [
  {
    code: 'size_too_small',
    label: 'Too small',
    subReasons: [],
    fault: 'shopper',
    photos: 'off',
    minPhotos: 0,
    shopifyReason: 'SIZE_TOO_SMALL',
    restockLikelihood: 0.95,
  },
  {
    code: 'size_too_large',
    label: 'Too large',
    subReasons: [],
    fault: 'shopper',
    photos: 'off',
    minPhotos: 0,
    shopifyReason: 'SIZE_TOO_LARGE',
    restockLikelihood: 0.95,
  },
  {
    code: 'unwanted',
    label: 'Changed my mind',
    subReasons: [],
    fault: 'shopper',
    photos: 'off',
    minPhotos: 0,
    shopifyReason: 'UNWANTED',
    restockLikelihood: 0.9,
  },
  {
    code: 'not_as_described',
    label: 'Not as described',
    subReasons: [],
    fault: 'shop',
    photos: 'optional',
    minPhotos: 0,
    shopifyReason: 'NOT_AS_DESCRIBED',
    restockLikelihood: 0.8,
  },
  {
    code: 'defective',
    label: 'Damaged or defective',
    subReasons: [],
    fault: 'shop',
    photos: 'required',
    minPhotos: 1,
    shopifyReason: 'DEFECTIVE',
    restockLikelihood: 0.1,
  },
  {
    code: 'wrong_item',
    label: 'Wrong item sent',
    subReasons: [],
    fault: 'shop',
    photos: 'optional',
    minPhotos: 0,
    shopifyReason: 'WRONG_ITEM',
    restockLikelihood: 0.9,
  },
];

/** Rules for orders shipped to some countries: each field set here replaces the policy's own. */
export const ReturnMarketRule = z.object({
  name: z.string().min(1).max(80),
  /** ISO 3166-1 alpha-2 codes of the shipping address, e.g. ["CH", "NO"]. */
  countries: z
    .array(z.string().regex(/^[A-Za-z]{2}$/))
    .min(1)
    .max(250),
  enabled: z.boolean().optional(),
  windowDays: z.number().int().min(0).max(3650).optional(),
  outcomes: z
    .object({ refund: z.boolean(), store_credit: z.boolean(), exchange: z.boolean(), keep: z.boolean() })
    .optional(),
  returnShippingFee: Minor.nonnegative().optional(),
  restockingFeePercent: z.number().int().min(0).max(50).optional(),
});
export type ReturnMarketRule = z.infer<typeof ReturnMarketRule>;

export const ReturnPolicy = z.object({
  enabled: z.boolean().default(true),
  windowDays: z.number().int().min(0).max(3650).default(30),
  /** What the window counts from; falls back to the order date when the later date is unknown. */
  windowFrom: z.enum(['order', 'fulfillment', 'delivery']).default('delivery'),
  /** The shop's time zone: the window ends at the end of its last day there. */
  timeZone: z.string().min(1).max(64).default('UTC'),
  /** Longer (or shorter) windows for orders with a tag; the longest matching window wins. */
  tagWindows: z
    .array(z.object({ tag: z.string().min(1).max(80), days: z.number().int().min(0).max(3650) }))
    .max(50)
    .default([]),
  excludeFinalSale: z.boolean().default(true),
  excludeDiscounted: z.boolean().default(false),
  /** Orders carrying one of these tags cannot be returned. */
  excludedTags: z.array(z.string().min(1).max(80)).max(100).default([]),
  /** Lines whose SKU starts with one of these cannot be returned (gift cards, hygiene items …). */
  excludedSkuPrefixes: z.array(z.string().min(1).max(80)).max(100).default([]),
  outcomes: z
    .object({
      refund: z.boolean().default(true),
      store_credit: z.boolean().default(true),
      exchange: z.boolean().default(true),
      keep: z.boolean().default(false),
    })
    .default({ refund: true, store_credit: true, exchange: true, keep: false }),
  /** Extra store credit on top of the value, in percent (steers shoppers to credit). */
  storeCreditBonusPercent: z.number().int().min(0).max(100).default(0),
  /** "Keep the item" is offered only for returns worth at most this (return shipping would cost more). */
  keepItemMax: Minor.nonnegative().default(1500),
  /** Approved without review when within policy and worth at most this; null = every return is reviewed. */
  autoApproveMax: Minor.nonnegative().nullable().default(10000),
  restockingFeePercent: z.number().int().min(0).max(50).default(0),
  /** Return shipping charged to the shopper when the reason is the shopper's fault (0 = free returns). */
  returnShippingFee: Minor.nonnegative().default(0),
  /** What one return label costs the shop (for the cost of each outcome). */
  labelCost: Minor.nonnegative().default(600),
  /** Item cost as a share of its price, used where the store does not report item costs. */
  goodsCostRatio: z.number().min(0).max(1).default(0.5),
  /** Steer shoppers to the outcome that costs the shop least (listed first, marked recommended). */
  steerToCheapest: z.boolean().default(true),
  maxReturnsPerOrder: z.number().int().min(1).max(50).default(3),
  blockedEmails: z.array(z.string().min(3).max(320)).max(1000).default([]),
  /** Order numbers whose returns always go to review. */
  blockedOrders: z.array(z.string().min(1).max(80)).max(1000).default([]),
  /** Products (by SKU) whose returns always go to review. */
  blockedSkus: z.array(z.string().min(1).max(80)).max(1000).default([]),
  /** Trusted shoppers: the abuse rules (block lists, frequent returner, address mismatch) skip them. */
  allowedEmails: z.array(z.string().min(3).max(320)).max(1000).default([]),
  /** Shipping and billing address in different countries or postcodes → review. */
  addressMismatch: z.enum(['off', 'review']).default('off'),
  /** Per-market rules by the shipping country; the first matching market applies. */
  markets: z.array(ReturnMarketRule).max(50).default([]),
  /** A customer whose returns/orders ratio over 365 days exceeds this goes to review (0 = off). */
  serialReturnerRatio: z.number().min(0).max(1).default(0.6),
  serialReturnerMinOrders: z.number().int().min(1).max(1000).default(3),
  reasons: z.array(ReturnReasonDef).min(1).max(40).default(defaultReturnReasons),
});
export type ReturnPolicy = z.infer<typeof ReturnPolicy>;

export const LineIneligibility = z.enum([
  'order_cancelled',
  'not_fulfilled',
  'window_passed',
  'final_sale',
  'discounted',
  'excluded_tag',
  'excluded_sku',
  'already_returned',
]);

export const OutcomeOption = z.object({
  outcome: ReturnOutcome,
  /** What the shopper gets, after fees (store credit includes its bonus). */
  amount: Minor,
  /** Estimated cost to the shop: money out + labels − goods back on the shelf at cost. */
  costToShop: Minor,
  recommended: z.boolean(),
});

export const EligibleLine = z.object({
  lineItemId: Id,
  title: z.string(),
  variantTitle: z.string().nullable(),
  sku: z.string().nullable(),
  imageUrl: z.string().nullable(),
  quantity: z.number().int(),
  /** Still returnable: bought − refunded − in other open or finished returns. */
  returnableQuantity: z.number().int(),
  unitValue: Minor,
  eligible: z.boolean(),
  reason: LineIneligibility.nullable(),
  /** Why, in words (English; the portal translates `reason`). */
  detail: z.string().nullable(),
  /** Last day to start a return (in the shop's time zone), when the line has a window. */
  deadline: z.string().nullable(),
  /** Not yet shipped: the shopper can cancel it instead. */
  offerCancel: z.boolean(),
});

/** Per picked line: what each outcome the policy allows gives for that line alone (before shared fees). */
export const LineQuote = z.object({
  lineItemId: Id,
  options: z.array(OutcomeOption.extend({ fee: Minor, bonus: Minor })),
});

/** A quote for a return whose lines may each have their own outcome: per line, and the totals. */
export const MixedQuote = z.object({
  lines: z.array(
    z.object({ lineItemId: Id, outcome: ReturnOutcome, amount: Minor, fee: Minor, bonus: Minor }),
  ),
  amount: Minor,
  fee: Minor,
  bonus: Minor,
  costToShop: Minor,
});
export type MixedQuote = z.infer<typeof MixedQuote>;

export const ReturnOptions = z.object({
  orderId: Id,
  orderNumber: z.string(),
  currency: z.string(),
  lines: z.array(EligibleLine),
  reasons: z.array(ReturnReasonDef),
  outcomes: z.array(ReturnOutcome),
  storeCreditBonusPercent: z.number(),
  /** Returns already started for this order (status and RMA). */
  existing: z.array(z.object({ id: Id, rma: z.string(), status: z.string() })),
  /** Set when the whole order cannot be returned (blocked, too many returns …). */
  blocked: z.string().nullable(),
});
export type ReturnOptions = z.infer<typeof ReturnOptions>;

export const CreateReturnLine = z.object({
  lineItemId: Id,
  quantity: z.number().int().min(1).max(10_000),
  reason: z.string().min(1).max(40),
  subReason: z.string().max(80).optional(),
  note: z.string().max(300).optional(),
  /** This line's own outcome; lines without one take the return's `outcome`. */
  outcome: ReturnOutcome.optional(),
});

export const CreateReturn = z.object({
  orderId: Id,
  ticketId: Id.optional(),
  lines: z.array(CreateReturnLine).min(1).max(100),
  /** The outcome of every line that names none of its own (required unless every line has one). */
  outcome: ReturnOutcome.optional(),
  /** Exchange: the variant wanted instead (same product or another); defaults to the same item. */
  exchangeVariantId: z.string().max(200).optional(),
  idempotencyKey: z.string().min(8).max(200).optional(),
});
export type CreateReturn = z.infer<typeof CreateReturn>;

export const ReturnStatus = z.enum([
  'needs_review',
  'approved',
  'declined',
  'received',
  'refunded',
  'credited',
  'exchanged',
  'cancelled',
]);
export type ReturnStatus = z.infer<typeof ReturnStatus>;

export const ReturnLine = z.object({
  id: Id,
  lineItemId: Id,
  title: z.string(),
  sku: z.string().nullable(),
  quantity: z.number().int(),
  unitValue: Minor,
  reason: z.string(),
  reasonLabel: z.string(),
  subReason: z.string().nullable(),
  note: z.string().nullable(),
  photos: z.array(z.object({ id: z.string(), contentType: z.string() })),
  condition: z.string().nullable(),
  restock: z.boolean().nullable(),
  /** This line's outcome and what it gives (its share of the return's fee and bonus included). */
  outcome: ReturnOutcome,
  amount: Minor,
  fee: Minor,
  bonus: Minor,
});

/** A return's outcome: one for all lines, or 'mixed' when its lines differ (see each line). */
export const ReturnOutcomeOrMixed = z.enum(['refund', 'store_credit', 'exchange', 'keep', 'mixed']);

export const ReturnEvent = z.object({
  type: z.string(),
  at: Timestamp,
  by: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export const Return = z.object({
  id: Id,
  rma: z.string(),
  orderId: Id,
  orderNumber: z.string(),
  ticketId: z.number().int().nullable(),
  contactId: z.number().int().nullable(),
  email: z.string().nullable(),
  status: ReturnStatus,
  outcome: ReturnOutcomeOrMixed,
  currency: z.string(),
  /** What the shopper gets (refund or credit incl. bonus; 0 for an even exchange). */
  value: Minor,
  fee: Minor,
  bonus: Minor,
  /** Which rules decided (auto-approved, review, money limit …). */
  decisionReasons: z.array(z.string()),
  declineReason: z.string().nullable(),
  createdBy: z.enum(['shopper', 'agent', 'store']),
  locale: z.string(),
  orderActionId: z.number().int().nullable(),
  error: z.string().nullable(),
  lines: z.array(ReturnLine),
  events: z.array(ReturnEvent),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Return = z.infer<typeof Return>;

export const ReturnList = z.object({ items: z.array(Return), nextCursor: z.string().nullable() });

export const ListReturnsQuery = z.object({
  status: ReturnStatus.optional(),
  reason: z.string().max(40).optional(),
  orderId: Id.optional(),
  ticketId: Id.optional(),
  contactId: Id.optional(),
  overdue: z.coerce.boolean().optional().describe('Approved more than 14 days ago and not received'),
  cursor: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const DecideReturn = z.object({ reason: z.string().max(500).optional() });

export const ReceiveReturn = z.object({
  lines: z
    .array(
      z.object({
        id: Id,
        condition: z.enum(['as_new', 'opened', 'damaged', 'missing']),
        restock: z.boolean(),
      }),
    )
    .max(100)
    .default([]),
  /** Run the outcome (refund, credit, exchange) in the store right away (default). */
  resolve: z.boolean().default(true),
});

export const ReturnErrorCluster = z.object({
  reason: z.string(),
  sku: z.string().nullable(),
  title: z.string(),
  count: z.number().int(),
  units: z.number().int(),
});
