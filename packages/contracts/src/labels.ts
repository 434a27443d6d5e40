import { z } from 'zod';
import { Address } from './commerce.ts';

/** Return-label providers (apps/server/src/commerce/labels): the built-in slip and carrier aggregators. */
export const LabelProviderName = z.enum(['slip', 'easypost', 'shippo']);
export type LabelProviderName = z.infer<typeof LabelProviderName>;

/** Settings → Returns → Labels: which provider makes labels and where parcels go. */
export const LabelSettings = z.object({
  /** The default is the printable slip (no carrier account needed). */
  provider: LabelProviderName.default('slip'),
  /** Make the label as soon as a return is approved (else an agent makes it from the return). */
  autoCreate: z.boolean().default(true),
  /** The shop's returns address (warehouse); without it the slip prints the shop's name only. */
  returnAddress: Address.nullish(),
  parcel: z
    .object({
      weightGrams: z.number().int().min(1).max(70_000),
      lengthCm: z.number().min(1).max(300),
      widthCm: z.number().min(1).max(300),
      heightCm: z.number().min(1).max(300),
    })
    .nullish(),
});
export type LabelSettings = z.infer<typeof LabelSettings>;

/** A carrier account: the API key is write-only (encrypted at rest, never returned). */
export const LabelAccountInput = z.object({
  apiKey: z.string().trim().min(8).max(200),
  /** Only rates of this carrier (e.g. "USPS"); the cheapest rate otherwise. */
  carrier: z.string().trim().max(60).nullish(),
  /** API root for a proxy or a test server; the provider's public API otherwise. */
  baseUrl: z.url().max(300).nullish(),
});
export type LabelAccountInput = z.infer<typeof LabelAccountInput>;

export const LabelAccount = z.object({
  provider: LabelProviderName,
  carrier: z.string().nullable(),
  baseUrl: z.string().nullable(),
  keyHint: z.string(),
  updatedAt: z.string(),
});
export type LabelAccount = z.infer<typeof LabelAccount>;

export const CreateReturnLabel = z.object({
  /** Another provider than the workspace's default for this one label. */
  provider: LabelProviderName.optional(),
  /** Void the live label and make a new one (a lost label, another carrier). */
  replace: z.boolean().default(false),
});
export type CreateReturnLabel = z.infer<typeof CreateReturnLabel>;

export const ReturnLabel = z.object({
  id: z.number().int(),
  returnId: z.number().int(),
  rma: z.string(),
  provider: LabelProviderName,
  status: z.enum(['ready', 'failed', 'void']),
  trackingNumber: z.string().nullable(),
  carrier: z.string().nullable(),
  service: z.string().nullable(),
  /** What the label cost the shop (minor units of costCurrency; 0 for the slip). */
  cost: z.number().int(),
  costCurrency: z.string().nullable(),
  /** Who pays return shipping: the shop, or the shopper (deducted from the refund). */
  paidBy: z.enum(['shop', 'shopper']),
  shopperFee: z.number().int(),
  error: z.string().nullable(),
  /** The shopper's signed download link (PDF, or the carrier's label). */
  downloadUrl: z.string().nullable(),
  createdAt: z.string(),
});
export type ReturnLabel = z.infer<typeof ReturnLabel>;
