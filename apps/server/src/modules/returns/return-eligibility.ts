import type { Order, ReturnOutcome, ReturnPolicy, ReturnReasonDef } from '@shopdesk/contracts';

/**
 * The return policy engine (pure, no I/O): per order line, whether it can be returned and why not, and
 * for a chosen set of lines what each outcome gives the shopper and costs the shop.
 */

export type Ineligibility =
  | 'order_cancelled'
  | 'not_fulfilled'
  | 'window_passed'
  | 'final_sale'
  | 'discounted'
  | 'excluded_tag'
  | 'excluded_sku'
  | 'already_returned';

export interface LineEligibility {
  lineItemId: number;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  imageUrl: string | null;
  quantity: number;
  returnableQuantity: number;
  unitValue: number;
  eligible: boolean;
  reason: Ineligibility | null;
  detail: string | null;
  deadline: string | null;
  offerCancel: boolean;
}

type Line = Order['lineItems'][number];

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
export function localDay(at: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(at);
  } catch {
    return at.toISOString().slice(0, 10); // an unknown zone name counts as UTC
  }
}

const addDays = (day: string, days: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/** When the window starts: delivery, first shipment or order date, falling back to the earlier ones. */
export function windowStart(order: Order, from: ReturnPolicy['windowFrom']): Date {
  const placed = new Date(order.placedAt);
  const times = (k: 'deliveredAt' | 'shippedAt') =>
    order.fulfillments
      .map((f) => f[k])
      .filter((t): t is string => !!t)
      .map((t) => new Date(t).getTime());
  if (from === 'delivery') {
    const delivered = times('deliveredAt');
    if (delivered.length) return new Date(Math.max(...delivered));
  }
  if (from !== 'order') {
    const shipped = times('shippedAt');
    if (shipped.length) return new Date(Math.min(...shipped));
  }
  return placed;
}

/** Days in the window for this order: the longest of the default and every matching tag window. */
export function windowDays(order: Order, policy: ReturnPolicy): number {
  const tags = new Set(order.tags.map((t) => t.toLowerCase()));
  return Math.max(
    policy.windowDays,
    ...policy.tagWindows.filter((w) => tags.has(w.tag.toLowerCase())).map((w) => w.days),
  );
}

/** The last local day a return may be started (inclusive, shop's time zone). */
export function returnDeadline(order: Order, policy: ReturnPolicy): string {
  return addDays(localDay(windowStart(order, policy.windowFrom), policy.timeZone), windowDays(order, policy));
}

/** Value of `quantity` units of a line after its discount plus its tax — as the refund computes it. */
export const lineValue = (l: Pick<Line, 'price' | 'quantity' | 'discount' | 'tax'>, quantity: number) =>
  Math.round(((l.price * l.quantity - l.discount + l.tax) * quantity) / Math.max(1, l.quantity));

const words: Record<Ineligibility, string> = {
  order_cancelled: 'The order was cancelled',
  not_fulfilled: 'Not shipped yet — it can be cancelled instead',
  window_passed: 'The return window has passed',
  final_sale: 'Final sale items cannot be returned',
  discounted: 'Discounted items cannot be returned',
  excluded_tag: 'This order cannot be returned online',
  excluded_sku: 'This item cannot be returned',
  already_returned: 'Already returned',
};

/**
 * Each line of the order: eligible or not, and the first reason why not. `inReturns` holds the units
 * of each line in other returns: still open, and refunded or credited.
 */
export function lineEligibility(
  order: Order,
  policy: ReturnPolicy,
  inReturns: Map<number, { open: number; resolved: number }>,
  now: Date,
): LineEligibility[] {
  const deadline = returnDeadline(order, policy);
  const today = localDay(now, policy.timeZone);
  const orderTags = new Set(order.tags.map((t) => t.toLowerCase()));
  const excludedTag = policy.excludedTags.some((t) => orderTags.has(t.toLowerCase()));
  return order.lineItems.map((l) => {
    // Stores without per-line shipments (WooCommerce, Shopify's order list) only say the order shipped.
    const shippedQty = l.fulfilledQuantity || (order.fulfillmentStatus === 'fulfilled' ? l.quantity : 0);
    const r = inReturns.get(l.id) ?? { open: 0, resolved: 0 };
    // Refunded returns show in the store's refunded quantities once it reports them: counted once.
    const returnable = Math.max(
      0,
      Math.min(shippedQty, l.quantity) - Math.max(l.refundedQuantity, r.resolved) - r.open,
    );
    const unfulfilled = l.quantity - l.refundedQuantity - shippedQty > 0;
    const sku = (l.sku ?? '').toLowerCase();
    let reason: Ineligibility | null = null;
    if (order.status === 'cancelled') reason = 'order_cancelled';
    else if (excludedTag) reason = 'excluded_tag';
    else if (sku && policy.excludedSkuPrefixes.some((p) => sku.startsWith(p.toLowerCase())))
      reason = 'excluded_sku';
    else if (policy.excludeFinalSale && l.finalSale) reason = 'final_sale';
    else if (policy.excludeDiscounted && l.discount > 0) reason = 'discounted';
    else if (shippedQty === 0 && unfulfilled) reason = 'not_fulfilled';
    else if (returnable === 0) reason = 'already_returned';
    else if (today > deadline) reason = 'window_passed';
    return {
      lineItemId: l.id,
      title: l.title,
      variantTitle: l.variantTitle,
      sku: l.sku,
      imageUrl: l.imageUrl,
      quantity: l.quantity,
      returnableQuantity: reason ? 0 : returnable,
      unitValue: lineValue(l, 1),
      eligible: reason === null,
      reason,
      detail: reason ? words[reason] : null,
      deadline,
      offerCancel: unfulfilled && order.status !== 'cancelled',
    };
  });
}

export interface PickedLine {
  value: number;
  reason: ReturnReasonDef;
}

export interface OutcomeQuote {
  outcome: ReturnOutcome;
  /** What the shopper gets. */
  amount: number;
  fee: number;
  bonus: number;
  costToShop: number;
  recommended: boolean;
}

/**
 * What each outcome the policy allows gives the shopper and costs the shop, for the picked lines.
 * Fees (restocking, return shipping for the shopper's own reasons) apply to refunds; store credit and
 * exchanges waive them, which — with the credit bonus — is how a shop steers to them. The cost model:
 * money out + labels − the goods expected back on the shelf, valued at cost (`goodsCostRatio` of the
 * price where the store gives no item cost).
 */
export function quoteOutcomes(
  policy: ReturnPolicy,
  lines: PickedLine[],
  allowStoreCredit = true,
): OutcomeQuote[] {
  const value = lines.reduce((s, l) => s + l.value, 0);
  const g = policy.goodsCostRatio;
  const backOnShelf = Math.round(lines.reduce((s, l) => s + l.value * l.reason.restockLikelihood, 0) * g);
  const shopperFault = lines.some((l) => l.reason.fault === 'shopper');
  const fee =
    Math.round((value * policy.restockingFeePercent) / 100) + (shopperFault ? policy.returnShippingFee : 0);
  const label = policy.labelCost;
  const bonus = Math.round((value * policy.storeCreditBonusPercent) / 100);
  const out: Omit<OutcomeQuote, 'recommended'>[] = [];
  if (policy.outcomes.refund) {
    const amount = Math.max(0, value - fee);
    out.push({ outcome: 'refund', amount, fee, bonus: 0, costToShop: amount + label - backOnShelf });
  }
  if (policy.outcomes.store_credit && allowStoreCredit)
    out.push({
      outcome: 'store_credit',
      amount: value + bonus,
      fee: 0,
      bonus,
      costToShop: Math.round((value + bonus) * g) + label - backOnShelf,
    });
  if (policy.outcomes.exchange)
    out.push({
      outcome: 'exchange',
      amount: value,
      fee: 0,
      bonus: 0,
      costToShop: Math.round(value * g) + 2 * label - backOnShelf,
    });
  if (policy.outcomes.keep && value <= policy.keepItemMax)
    out.push({ outcome: 'keep', amount: value, fee: 0, bonus: 0, costToShop: value });
  const cheapest = policy.steerToCheapest
    ? out.reduce<(typeof out)[number] | null>((a, b) => (!a || b.costToShop < a.costToShop ? b : a), null)
    : null;
  const quotes = out.map((o) => ({ ...o, recommended: o === cheapest }));
  return policy.steerToCheapest ? quotes.sort((a, b) => a.costToShop - b.costToShop) : quotes;
}

/** Money the return gives (what moneyPolicy counts): refund or credit incl. bonus, goods for an exchange. */
export const moneyValueOf = (q: Pick<OutcomeQuote, 'amount'>) => q.amount;

/** Reasons a shopper's return goes to review instead of being approved on its own. */
export function reviewReasons(
  policy: ReturnPolicy,
  r: {
    value: number;
    currency: string;
    email: string | null;
    returnsLastYear: number;
    ordersLastYear: number;
    orderNumber?: string;
    skus?: (string | null)[];
    /** Shipping and billing addresses differ (see `addressesDiffer`). */
    addressMismatch?: boolean;
  },
  format: (minor: number, currency: string) => string,
): string[] {
  const reasons: string[] = [];
  const norm = (s: string) => s.trim().toLowerCase();
  const email = r.email ? norm(r.email) : undefined;
  // A trusted shopper skips the abuse rules; the value cap still applies.
  const allowed = !!email && policy.allowedEmails.some((a) => norm(a) === email);
  if (!allowed && email && policy.blockedEmails.some((b) => norm(b) === email))
    reasons.push('The e-mail address is on the block list');
  const number = r.orderNumber ? norm(r.orderNumber).replace(/^#/, '') : null;
  if (!allowed && number && policy.blockedOrders.some((b) => norm(b).replace(/^#/, '') === number))
    reasons.push(`Order ${r.orderNumber} is on the block list`);
  const skus = new Set((r.skus ?? []).filter((s): s is string => !!s).map(norm));
  const blockedSku = policy.blockedSkus.find((s) => skus.has(norm(s)));
  if (!allowed && blockedSku) reasons.push(`Product ${blockedSku} is on the block list`);
  if (!allowed && policy.addressMismatch === 'review' && r.addressMismatch)
    reasons.push('Shipping and billing addresses differ');
  if (
    !allowed &&
    policy.serialReturnerRatio > 0 &&
    r.ordersLastYear >= policy.serialReturnerMinOrders &&
    r.returnsLastYear / Math.max(1, r.ordersLastYear) > policy.serialReturnerRatio
  )
    reasons.push(
      `Frequent returner: ${r.returnsLastYear} returns for ${r.ordersLastYear} orders in the last 365 days`,
    );
  if (policy.autoApproveMax === null) reasons.push('Every return is reviewed (no auto-approval)');
  else if (r.value > policy.autoApproveMax)
    reasons.push(
      `Worth ${format(r.value, r.currency)}, above the auto-approval cap of ${format(policy.autoApproveMax, r.currency)}`,
    );
  return reasons;
}

/** The policy for this order: the first market whose countries hold its shipping country, over the policy. */
export function policyForOrder(policy: ReturnPolicy, order: Pick<Order, 'shippingAddress'>): ReturnPolicy {
  const country = order.shippingAddress?.countryCode?.trim().toUpperCase();
  const market = country
    ? policy.markets.find((m) => m.countries.some((c) => c.toUpperCase() === country))
    : undefined;
  if (!market) return policy;
  const { name: _name, countries: _countries, ...over } = market;
  const set = Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined));
  return { ...policy, ...set };
}

/**
 * Shipping and billing address in different countries, or in the same country with different
 * postcodes (spaces and case ignored). Unknown on either side is no mismatch: nothing to compare.
 */
export function addressesDiffer(order: Pick<Order, 'shippingAddress' | 'billingAddress'>): boolean {
  const s = order.shippingAddress;
  const b = order.billingAddress;
  if (!s || !b) return false;
  const norm = (v: string | null | undefined) => (v ?? '').replace(/\s+/g, '').toUpperCase();
  const sc = norm(s.countryCode ?? s.country);
  const bc = norm(b.countryCode ?? b.country);
  if (sc && bc && sc !== bc) return true;
  const sz = norm(s.zip);
  const bz = norm(b.zip);
  return !!sz && !!bz && sz !== bz;
}
