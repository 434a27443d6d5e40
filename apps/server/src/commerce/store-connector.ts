import type {
  Address,
  StoreCustomerInput,
  StoreFulfillmentInput,
  StoreOrderInput,
  StorePlatform,
  StoreProductInput,
  StoreRefundInput,
} from '@shopdesk/contracts';
import type { OutboundPolicy } from '../platform/http/outbound.ts';

/** Decrypted credentials of one connection; which fields are set depends on the platform. */
export interface StoreCredentials {
  accessToken?: string;
  webhookSecret?: string;
  consumerKey?: string;
  consumerSecret?: string;
}

export interface ConnectionContext {
  id: number;
  workspaceId: number;
  platform: StorePlatform;
  baseUrl: string | null;
  currency: string;
  credentials: StoreCredentials;
  /** What the store's API address may be: public, or in the workspace's allow-list (read when called). */
  outbound: () => Promise<OutboundPolicy>;
}

/** What a webhook, a backfill page or a push turns into: upserts of the order read model. */
export type StoreChange =
  | { type: 'order'; order: StoreOrderInput }
  | { type: 'customer'; customer: StoreCustomerInput }
  | { type: 'product'; product: StoreProductInput }
  | { type: 'refund'; orderExternalId: string; refund: StoreRefundInput }
  | { type: 'fulfillment'; orderExternalId: string; fulfillment: StoreFulfillmentInput }
  | { type: 'order_deleted'; orderExternalId: string }
  /** A store's answer to an action, applied before its webhook arrives (which then wins by updated_at). */
  | {
      type: 'order_patch';
      orderExternalId: string;
      patch: {
        status?: 'open' | 'closed' | 'cancelled';
        cancelledAt?: string;
        cancelReason?: string;
        shippingAddress?: Address;
        financialStatus?: string;
      };
    };

/** One verified webhook delivery: id for de-duplication, topic for parsing. */
export interface WebhookDelivery {
  id: string;
  topic: string;
}

/** The order as Shopdesk knows it, handed to a connector that acts on it. */
export interface OrderSnapshot {
  externalId: string;
  number: string;
  currency: string;
  total: number;
  refunded: number;
  shipping: number;
  email: string | null;
  customerExternalId: string | null;
  shippingAddress: Address | null;
  lineItems: {
    externalId: string;
    productExternalId: string | null;
    variantExternalId: string | null;
    title: string;
    quantity: number;
    price: number;
    refundedQuantity: number;
  }[];
  transactions: {
    externalId: string;
    kind: string;
    gateway: string | null;
    status: string;
    amount: number;
  }[];
}

export type ActionCommand =
  | {
      kind: 'refund';
      amount: number;
      shipping: number;
      lines: { lineItemExternalId: string; quantity: number }[];
      method: 'original' | 'store_credit';
      restock: boolean;
      notifyCustomer: boolean;
      note: string | null;
    }
  | {
      kind: 'cancel';
      reason: 'customer' | 'fraud' | 'inventory' | 'declined' | 'other';
      restock: boolean;
      refund: boolean;
      notifyCustomer: boolean;
      note: string | null;
    }
  | {
      kind: 'resend';
      lines: { lineItemExternalId: string; quantity: number }[];
      free: boolean;
      note: string | null;
    }
  | { kind: 'update_address'; address: Address }
  | {
      kind: 'discount_code';
      code: string;
      percent: number | null;
      amount: number | null;
      email: string | null;
    };

/** What the store answered; the module applies `changes` to its read model right away. */
export interface ActionOutcome {
  summary: string;
  /**
   * Money (minor units) the store reports this action refunded or credited — for a cancellation, what
   * was not refunded yet in the store, which can be less than the order total. Timeline, audit log
   * and approvals show this figure, not the one estimated when the action was requested.
   */
  refunded?: number;
  externalId?: string;
  data?: Record<string, unknown>;
  changes?: StoreChange[];
}

/** A refusal or failure reported by the store: `message` is the store's own words, shown to the agent. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export type Headers = Record<string, string | string[] | undefined>;
export const header = (h: Headers, name: string): string | undefined => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** The port every store platform implements; found through `StoreRegistry` by platform name. */
export interface StoreConnector {
  readonly platform: StorePlatform;
  /** Checks the signature over the exact bytes received; false when absent or wrong. */
  verifyWebhook(headers: Headers, raw: Buffer, credentials: StoreCredentials): boolean;
  /** Id and topic of a delivery; null for deliveries that carry no event (e.g. WooCommerce's ping). */
  describeWebhook(headers: Headers, raw: Buffer): WebhookDelivery | null;
  parseWebhook(topic: string, body: unknown, ctx: Pick<ConnectionContext, 'currency'>): StoreChange[];
  /** One page of the initial import; nextCursor null when done. */
  backfill(
    ctx: ConnectionContext,
    cursor: string | null,
  ): Promise<{ changes: StoreChange[]; nextCursor: string | null }>;
  execute(ctx: ConnectionContext, order: OrderSnapshot, cmd: ActionCommand): Promise<ActionOutcome>;
}

/** Adding a platform is a new folder plus one `register` line in app.ts. */
export class StoreRegistry {
  private connectors = new Map<string, StoreConnector>();
  register(c: StoreConnector) {
    this.connectors.set(c.platform, c);
  }
  get(platform: string): StoreConnector | undefined {
    return this.connectors.get(platform);
  }
}
