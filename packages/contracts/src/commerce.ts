import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

/** Money is always integer minor units (cents) plus an ISO 4217 currency. */
export const Minor = z.number().int().describe('Amount in minor units (e.g. cents)');
export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code')
  .describe('ISO 4217 currency code');
const ExternalId = z.coerce.string().trim().min(1).max(200).describe("The store's own id");
const Iso = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp');

export const Address = z.object({
  name: z.string().max(200).nullish(),
  company: z.string().max(200).nullish(),
  address1: z.string().max(300).nullish(),
  address2: z.string().max(300).nullish(),
  city: z.string().max(200).nullish(),
  province: z.string().max(200).nullish(),
  zip: z.string().max(50).nullish(),
  country: z.string().max(100).nullish(),
  countryCode: z.string().max(3).nullish(),
  phone: z.string().max(50).nullish(),
});
export type Address = z.infer<typeof Address>;

// ---- Built-in store API input (also what every connector normalises to) ----

export const StoreCustomerInput = z.object({
  externalId: ExternalId,
  email: z.email().nullish(),
  phone: z.string().max(50).nullish(),
  firstName: z.string().max(200).nullish(),
  lastName: z.string().max(200).nullish(),
  ordersCount: z.number().int().nonnegative().nullish(),
  totalSpent: Minor.nullish(),
  updatedAt: Iso.nullish(),
});
export type StoreCustomerInput = z.infer<typeof StoreCustomerInput>;

/** A picture: an absolute URL, or a path on this server (the demo's own pictures, served offline). */
const ImageUrl = z.union([
  z.url(),
  z.string().regex(/^\/(?!\/)[\w\-./]+$/, 'an absolute URL or a path starting with /'),
]);

export const StoreProductInput = z.object({
  externalId: ExternalId,
  title: z.string().min(1).max(500),
  status: z.string().max(50).default('active'),
  imageUrl: ImageUrl.nullish(),
  url: z.url().nullish(),
  updatedAt: Iso.nullish(),
  variants: z
    .array(
      z.object({
        externalId: ExternalId,
        title: z.string().max(500).default(''),
        sku: z.string().max(200).nullish(),
        price: Minor,
        currency: Currency,
        inventoryQuantity: z.number().int().nullish(),
        imageUrl: ImageUrl.nullish(),
      }),
    )
    .max(250)
    .default([]),
});
export type StoreProductInput = z.infer<typeof StoreProductInput>;

export const StoreLineItemInput = z.object({
  externalId: ExternalId,
  productExternalId: z.coerce.string().nullish(),
  variantExternalId: z.coerce.string().nullish(),
  sku: z.string().max(200).nullish(),
  title: z.string().min(1).max(500),
  variantTitle: z.string().max(500).nullish(),
  quantity: z.number().int().nonnegative(),
  price: Minor.describe('Unit price in minor units'),
  discount: Minor.nonnegative().default(0).describe('Discount on the whole line'),
  tax: Minor.nonnegative().default(0),
  refundedQuantity: z.number().int().nonnegative().default(0),
  fulfilledQuantity: z.number().int().nonnegative().default(0),
  imageUrl: ImageUrl.nullish(),
  finalSale: z.boolean().default(false),
});
export type StoreLineItemInput = z.infer<typeof StoreLineItemInput>;

export const StoreTransactionInput = z.object({
  externalId: ExternalId,
  kind: z.enum(['sale', 'authorization', 'capture', 'refund', 'void']),
  gateway: z.string().max(100).nullish(),
  status: z.enum(['success', 'pending', 'failure', 'error']).default('success'),
  amount: Minor.nonnegative(),
  currency: Currency.optional(),
  processedAt: Iso,
});
export type StoreTransactionInput = z.infer<typeof StoreTransactionInput>;

export const StoreRefundInput = z.object({
  externalId: ExternalId,
  amount: Minor.nonnegative(),
  note: z.string().max(2000).nullish(),
  storeCredit: z.boolean().default(false),
  restock: z.boolean().default(false),
  lineItems: z
    .array(z.object({ lineItemExternalId: z.coerce.string(), quantity: z.number().int().positive() }))
    .default([]),
  createdAt: Iso,
});
export type StoreRefundInput = z.infer<typeof StoreRefundInput>;

export const StoreFulfillmentInput = z.object({
  externalId: ExternalId,
  status: z.enum(['pending', 'open', 'success', 'cancelled', 'error', 'failure']).default('success'),
  shipmentStatus: z
    .enum([
      'label_printed',
      'label_purchased',
      'confirmed',
      'in_transit',
      'out_for_delivery',
      'attempted_delivery',
      'ready_for_pickup',
      'delivered',
      'failure',
    ])
    .nullish(),
  carrier: z.string().max(100).nullish(),
  trackingNumber: z.string().max(200).nullish(),
  trackingUrl: z.url().nullish(),
  expectedDeliveryAt: Iso.nullish(),
  shippedAt: Iso.nullish(),
  deliveredAt: Iso.nullish(),
  lineItems: z
    .array(z.object({ lineItemExternalId: z.coerce.string(), quantity: z.number().int().positive() }))
    .default([]),
  updatedAt: Iso.nullish(),
});
export type StoreFulfillmentInput = z.infer<typeof StoreFulfillmentInput>;

export const OrderStatus = z.enum(['open', 'closed', 'cancelled']);
export const FinancialStatus = z.enum([
  'pending',
  'authorized',
  'partially_paid',
  'paid',
  'partially_refunded',
  'refunded',
  'voided',
]);
export const FulfillmentStatus = z.enum(['unfulfilled', 'partial', 'fulfilled', 'restocked']);

export const StoreOrderInput = z.object({
  externalId: ExternalId,
  number: z.coerce.string().trim().min(1).max(100).describe('What the shopper sees, e.g. "#1042"'),
  customer: StoreCustomerInput.nullish(),
  email: z.email().nullish(),
  phone: z.string().max(50).nullish(),
  currency: Currency,
  subtotal: Minor.nonnegative().default(0),
  discount: Minor.nonnegative().default(0),
  shipping: Minor.nonnegative().default(0),
  tax: Minor.nonnegative().default(0),
  total: Minor.nonnegative(),
  status: OrderStatus.default('open'),
  financialStatus: FinancialStatus.default('paid'),
  fulfillmentStatus: FulfillmentStatus.default('unfulfilled'),
  cancelledAt: Iso.nullish(),
  cancelReason: z.string().max(500).nullish(),
  shippingAddress: Address.nullish(),
  billingAddress: Address.nullish(),
  discountCodes: z.array(z.string().max(100)).max(50).default([]),
  tags: z.array(z.string().max(100)).max(100).default([]),
  note: z.string().max(5000).nullish(),
  url: z.url().nullish().describe("Link to the order in the store's admin"),
  placedAt: Iso,
  updatedAt: Iso.describe('Last change in the store; an older update never overwrites a newer one'),
  lineItems: z.array(StoreLineItemInput).max(500).default([]),
  transactions: z.array(StoreTransactionInput).max(200).default([]),
  refunds: z.array(StoreRefundInput).max(200).default([]),
  fulfillments: z.array(StoreFulfillmentInput).max(200).default([]),
});
export type StoreOrderInput = z.infer<typeof StoreOrderInput>;

export const StoreBatch = z
  .object({
    customers: z.array(StoreCustomerInput).max(1000).default([]),
    products: z.array(StoreProductInput).max(500).default([]),
    orders: z.array(StoreOrderInput).max(500).default([]),
  })
  .refine((b) => b.customers.length + b.products.length + b.orders.length > 0, 'the batch is empty')
  .meta({
    examples: [
      {
        customers: [{ externalId: 'c-1', email: 'emma@example.com', firstName: 'Emma', lastName: 'Schmidt' }],
        products: [
          {
            externalId: 'p-1',
            title: 'Trail Runner 2',
            imageUrl: 'https://shop.example/img/trail-runner.jpg',
            variants: [
              { externalId: 'v-1', title: '42 / Blue', sku: 'TR2-42-BL', price: 12900, currency: 'EUR' },
            ],
          },
        ],
        orders: [
          {
            externalId: 'o-1042',
            number: '#1042',
            customer: { externalId: 'c-1', email: 'emma@example.com' },
            currency: 'EUR',
            subtotal: 12900,
            shipping: 490,
            tax: 2060,
            total: 13390,
            financialStatus: 'paid',
            fulfillmentStatus: 'fulfilled',
            placedAt: '2024-05-01T10:00:00Z',
            updatedAt: '2024-05-02T08:00:00Z',
            lineItems: [
              {
                externalId: 'li-1',
                productExternalId: 'p-1',
                variantExternalId: 'v-1',
                title: 'Trail Runner 2',
                variantTitle: '42 / Blue',
                quantity: 1,
                price: 12900,
              },
            ],
            transactions: [
              {
                externalId: 't-1',
                kind: 'sale',
                gateway: 'stripe',
                amount: 13390,
                processedAt: '2024-05-01T10:00:00Z',
              },
            ],
            fulfillments: [
              {
                externalId: 'f-1',
                carrier: 'DHL',
                trackingNumber: '00340434161094042557',
                trackingUrl: 'https://www.dhl.com/track?id=00340434161094042557',
                expectedDeliveryAt: '2024-05-04T18:00:00Z',
                shippedAt: '2024-05-02T08:00:00Z',
              },
            ],
          },
        ],
      },
    ],
  });
export type StoreBatch = z.infer<typeof StoreBatch>;

export const StoreBatchResult = z.object({
  customers: z.number().int(),
  products: z.number().int(),
  orders: z.object({ applied: z.number().int(), skippedStale: z.number().int() }),
});

export const ShipmentUpdate = z.object({
  orderExternalId: ExternalId,
  fulfillment: StoreFulfillmentInput,
});
export const ShipmentBatch = z.object({ shipments: z.array(ShipmentUpdate).min(1).max(1000) });

// ---- Read model ----

export const OrderLineItem = z.object({
  id: Id,
  externalId: z.string(),
  title: z.string(),
  variantTitle: z.string().nullable(),
  sku: z.string().nullable(),
  quantity: z.number().int(),
  price: Minor,
  discount: Minor,
  tax: Minor,
  total: Minor,
  refundedQuantity: z.number().int(),
  fulfilledQuantity: z.number().int(),
  imageUrl: z.string().nullable(),
  finalSale: z.boolean(),
});
export const OrderTransaction = z.object({
  externalId: z.string(),
  kind: z.string(),
  gateway: z.string().nullable(),
  status: z.string(),
  amount: Minor,
  currency: z.string(),
  processedAt: Timestamp,
});
export const OrderRefund = z.object({
  externalId: z.string(),
  amount: Minor,
  currency: z.string(),
  note: z.string().nullable(),
  storeCredit: z.boolean(),
  restock: z.boolean(),
  lineItems: z.array(z.object({ lineItemExternalId: z.string(), quantity: z.number().int() })),
  refundedAt: Timestamp,
});
export const OrderFulfillment = z.object({
  externalId: z.string(),
  status: z.string(),
  shipmentStatus: z.string().nullable(),
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  trackingUrl: z.string().nullable(),
  expectedDeliveryAt: Timestamp.nullable(),
  shippedAt: Timestamp.nullable(),
  deliveredAt: Timestamp.nullable(),
});
export const Order = z.object({
  id: Id,
  connectionId: Id,
  platform: z.string(),
  externalId: z.string(),
  number: z.string(),
  contactId: z.number().int().nullable(),
  email: z.string().nullable(),
  currency: z.string(),
  subtotal: Minor,
  discount: Minor,
  shipping: Minor,
  tax: Minor,
  total: Minor,
  refunded: Minor,
  refundable: Minor,
  status: OrderStatus,
  financialStatus: z.string(),
  fulfillmentStatus: z.string(),
  cancelledAt: Timestamp.nullable(),
  cancelReason: z.string().nullable(),
  shippingAddress: Address.nullable(),
  /** Read by the returns policy's address-mismatch rule. */
  billingAddress: Address.nullish(),
  discountCodes: z.array(z.string()),
  tags: z.array(z.string()),
  url: z.string().nullable(),
  placedAt: Timestamp,
  updatedAt: Timestamp,
  /** Set in a ticket's order list when the conversation mentions this order's number. */
  mentioned: z.boolean().optional(),
  lineItems: z.array(OrderLineItem),
  transactions: z.array(OrderTransaction),
  refunds: z.array(OrderRefund),
  fulfillments: z.array(OrderFulfillment),
});
export type Order = z.infer<typeof Order>;

export const OrderList = z.object({
  items: z.array(Order),
  nextCursor: z.string().nullable(),
  /** Order numbers found in the ticket's messages (ticket view only). */
  mentionedNumbers: z.array(z.string()).optional(),
  /**
   * Order numbers named in the ticket that belong to another customer (ticket view only): shown as
   * "mentioned, belongs to another customer" — no personal data, no actions, never in macros.
   */
  mentionedOtherCustomers: z.array(z.string()).optional(),
  lifetimeValue: z.array(z.object({ currency: z.string(), total: Minor })).optional(),
});
export const ListOrdersQuery = z.object({
  contactId: Id.optional(),
  number: z.string().max(100).optional(),
  email: z.string().max(320).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

// ---- Connections ----

export const StorePlatform = z.enum(['builtin', 'shopify', 'woocommerce']);
export type StorePlatform = z.infer<typeof StorePlatform>;

export const StoreConnection = z.object({
  id: Id,
  platform: StorePlatform,
  name: z.string(),
  baseUrl: z.string().nullable(),
  currency: z.string(),
  active: z.boolean(),
  hasCredentials: z.boolean(),
  tokenPrefix: z.string().nullable(),
  webhookUrl: z.string().nullable(),
  syncStatus: z.enum(['idle', 'backfilling', 'error']),
  backfilledOrders: z.number().int(),
  lastSyncAt: Timestamp.nullable(),
  lastWebhookAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: Timestamp.nullable(),
  orderCount: z.number().int(),
  pendingEvents: z.number().int(),
  failedEvents: z.array(
    z.object({ id: z.number().int(), error: z.string().nullable(), receivedAt: Timestamp }),
  ),
  createdAt: Timestamp,
});
export type StoreConnection = z.infer<typeof StoreConnection>;

const httpsOrLocal = z
  .url()
  .refine((u) => /^https:\/\//.test(u) || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(u), {
    message: 'must be an https:// URL',
  });

export const CreateStoreConnection = z.discriminatedUnion('platform', [
  z.object({
    platform: z.literal('builtin'),
    name: z.string().trim().min(1).max(100).default('Built-in store'),
    currency: Currency.default('USD'),
  }),
  z.object({
    platform: z.literal('shopify'),
    name: z.string().trim().min(1).max(100).default('Shopify'),
    shopDomain: z
      .string()
      .trim()
      .min(1)
      .max(300)
      .describe('my-shop.myshopify.com (or a full https:// admin base URL)'),
    accessToken: z.string().min(10).max(500).describe('Admin API access token (shpat_…)'),
    webhookSecret: z.string().min(8).max(500).describe("The app's API secret key, used to verify webhooks"),
    currency: Currency.default('USD'),
  }),
  z.object({
    platform: z.literal('woocommerce'),
    name: z.string().trim().min(1).max(100).default('WooCommerce'),
    url: httpsOrLocal.describe('The WordPress site URL'),
    consumerKey: z.string().min(5).max(200),
    consumerSecret: z.string().min(5).max(200),
    webhookSecret: z.string().min(8).max(500),
    currency: Currency.default('USD'),
  }),
]);
export type CreateStoreConnection = z.infer<typeof CreateStoreConnection>;

export const UpdateStoreConnection = z
  .object({
    name: z.string().trim().min(1).max(100),
    active: z.boolean(),
    accessToken: z.string().min(10).max(500),
    consumerKey: z.string().min(5).max(200),
    consumerSecret: z.string().min(5).max(200),
    webhookSecret: z.string().min(8).max(500),
    currency: Currency,
  })
  .partial()
  .strict();

export const CreatedStoreConnection = StoreConnection.extend({
  /** Built-in store API only: the bearer token, shown this once. */
  token: z.string().optional(),
});

// ---- Policy ----

export const CommercePolicy = z.object({
  currency: Currency.default('USD').describe('Currency the limits are expressed in'),
  refundWindowDays: z.number().int().min(0).max(3650).default(30),
  /** Highest refund (or store credit) a role may issue without approval; null = no limit. */
  refundLimits: z
    .object({
      agent: Minor.nonnegative().nullable(),
      lead: Minor.nonnegative().nullable(),
      admin: Minor.nonnegative().nullable(),
    })
    .default({ agent: 5000, lead: 50000, admin: null }),
  /** Cancelling a paid order refunds it: orders above this total need a lead/admin when an agent cancels. */
  cancelNeedsApprovalAbove: Minor.nonnegative().nullable().default(20000),
  /** Largest discount code an agent may create without approval: percent or fixed amount. */
  discountMaxPercent: z.number().int().min(0).max(100).default(20),
  discountMaxAmount: Minor.nonnegative().default(2000),
  /** Resending (duplicating) an order: the value of the goods counts against the refund limit. */
  resendCountsAgainstLimit: z.boolean().default(true),
  allowStoreCredit: z.boolean().default(true),
  /**
   * Money limits count everything given or awaiting approval for the same order or the same customer
   * within this many hours (refunds, store credit, discount codes, reships, return outcomes), so a
   * refund split into small requests adds up to the amount it really is.
   */
  moneyWindowHours: z.number().int().min(1).max(8760).default(24),
});
export type CommercePolicy = z.infer<typeof CommercePolicy>;

// ---- Actions ----

const ActionBase = z.object({
  ticketId: Id.optional().describe('The ticket this action is taken from; recorded on its timeline'),
  idempotencyKey: z
    .string()
    .min(8)
    .max(200)
    .optional()
    .describe(
      'Same key = same action (a double click or retry acts once); or send the Idempotency-Key header',
    ),
  note: z.string().max(1000).optional(),
});
const LineSel = z.object({ lineItemId: Id, quantity: z.number().int().positive() });

export const OrderActionInput = z.discriminatedUnion('kind', [
  ActionBase.extend({
    kind: z.literal('refund'),
    mode: z.enum(['full', 'lines', 'amount']),
    lines: z.array(LineSel).max(200).optional(),
    amount: Minor.positive().optional(),
    includeShipping: z.boolean().default(false),
    method: z.enum(['original', 'store_credit']).default('original'),
    restock: z.boolean().default(true),
    notifyCustomer: z.boolean().default(true),
  }),
  ActionBase.extend({
    kind: z.literal('cancel'),
    reason: z.enum(['customer', 'fraud', 'inventory', 'declined', 'other']).default('customer'),
    restock: z.boolean().default(true),
    refund: z.boolean().default(true),
    notifyCustomer: z.boolean().default(true),
  }),
  ActionBase.extend({
    kind: z.literal('resend'),
    lines: z.array(LineSel).max(200).optional().describe('Default: every line of the order'),
    free: z.boolean().default(true).describe('A free replacement (no charge)'),
  }),
  ActionBase.extend({ kind: z.literal('update_address'), address: Address }),
  ActionBase.extend({
    kind: z.literal('discount_code'),
    code: z
      .string()
      .regex(/^[A-Za-z0-9_-]{4,40}$/)
      .optional()
      .describe('Generated when omitted'),
    percent: z.number().int().min(1).max(100).optional(),
    amount: Minor.positive().optional(),
  }),
]);
export type OrderActionInput = z.infer<typeof OrderActionInput>;

export const OrderActionStatus = z.enum([
  'pending_approval',
  'queued',
  'running',
  'succeeded',
  'failed',
  'rejected',
]);
export const OrderAction = z.object({
  id: Id,
  orderId: Id,
  orderNumber: z.string(),
  ticketId: z.number().int().nullable(),
  kind: z.string(),
  params: z.record(z.string(), z.unknown()),
  amount: Minor,
  currency: z.string(),
  status: OrderActionStatus,
  approvalReasons: z.array(z.string()),
  requestedBy: z.object({ id: z.number().int().nullable(), name: z.string().nullable() }),
  decidedBy: z.object({ id: z.number().int().nullable(), name: z.string().nullable() }).nullable(),
  decidedAt: Timestamp.nullable(),
  decisionNote: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type OrderAction = z.infer<typeof OrderAction>;

export const ListActionsQuery = z.object({
  status: OrderActionStatus.optional(),
  orderId: Id.optional(),
  ticketId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const DecideAction = z.object({ note: z.string().max(1000).optional() });

/** Order fields macros may use: {{order.number}}, {{order.trackingUrl}} … */
export const OrderVariables = z.object({
  order: z
    .object({
      number: z.string(),
      status: z.string(),
      financialStatus: z.string(),
      fulfillmentStatus: z.string(),
      total: z.string(),
      placedAt: z.string(),
      items: z.string(),
      carrier: z.string(),
      trackingNumber: z.string(),
      trackingUrl: z.string(),
      expectedDelivery: z.string(),
      shippingAddress: z.string(),
    })
    .nullable(),
});
