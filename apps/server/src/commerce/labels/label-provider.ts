import type { Address } from '@shopdesk/contracts';
import type { OutboundPolicy } from '../../platform/http/outbound.ts';

/**
 * The port every return-label provider implements (the built-in printable slip, EasyPost, Shippo …),
 * found through `LabelRegistry` by name. A provider knows how to turn a return into something the
 * shopper prints; it holds no business rules (who pays, when a label is made: modules/labels).
 */
export interface ReturnLabelRequest {
  rma: string;
  orderNumber: string;
  /** The shopper's address: where the parcel is picked up or dropped off from. */
  shopper: Address & { email?: string | null };
  /** The shop's returns address (warehouse). */
  shop: Address & { email?: string | null };
  items: { title: string; sku: string | null; quantity: number }[];
  /** Parcel size for carrier rates; providers use a shoebox-sized default when absent. */
  parcel?: { weightGrams: number; lengthCm: number; widthCm: number; heightCm: number } | null;
  shopName: string;
}

export interface ReturnLabel {
  /** The PDF itself when the provider draws it here (the slip); carriers host theirs at `labelUrl`. */
  pdf: Buffer | null;
  labelUrl: string | null;
  trackingNumber: string | null;
  carrier: string | null;
  service: string | null;
  /** What the provider charged for the label, minor units (0 for the slip). */
  cost: number;
  currency: string | null;
  /** The provider's id of the shipment/transaction, for support and refunds of unused labels. */
  externalId: string | null;
}

/** Decrypted credentials and settings of one workspace's provider account. */
export interface LabelAccount {
  workspaceId: number;
  credentials: { apiKey?: string };
  settings: {
    /** API root; tests (and EasyPost/Shippo sandboxes behind a proxy) point it elsewhere. */
    baseUrl?: string | null;
    /** Only rates of this carrier (e.g. "USPS", "DHL Express"); the cheapest otherwise. */
    carrier?: string | null;
  };
  outbound: () => Promise<OutboundPolicy>;
}

export interface LabelProvider {
  readonly name: string;
  /** Whether the provider calls out (needs credentials) or draws the label here. */
  readonly needsCredentials: boolean;
  createReturnLabel(account: LabelAccount, req: ReturnLabelRequest): Promise<ReturnLabel>;
}

/** A refusal or failure reported by a provider: `message` is the provider's own words, shown to the agent. */
export class LabelError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** Adding a provider is a new folder plus one `register` line (modules/labels index.ts). */
export class LabelRegistry {
  private providers = new Map<string, LabelProvider>();
  register(p: LabelProvider) {
    this.providers.set(p.name, p);
    return this;
  }
  get(name: string): LabelProvider | undefined {
    return this.providers.get(name);
  }
  names(): string[] {
    return [...this.providers.keys()];
  }
}

/** The parcel carriers are asked to rate when the shop set none: a shoebox, 1 kg. */
export const DEFAULT_PARCEL = { weightGrams: 1000, lengthCm: 35, widthCm: 25, heightCm: 15 };
