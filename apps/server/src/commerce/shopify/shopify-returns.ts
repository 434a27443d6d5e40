/**
 * Shopify's returns objects as webhooks deliver them (`returns/request`, `returns/approve`,
 * `returns/decline`, `returns/process`, `returns/cancel`, `returns/close`, `returns/reopen`, REST
 * payloads of API 2024-10), normalised, and folded into one state whatever order and however often
 * they arrive. Pure: the returns module applies the folded state to its own return.
 */
export type ShopifyReturnStatus = 'requested' | 'open' | 'declined' | 'closed' | 'canceled';

export interface ShopifyReturnEvent {
  /** The Return's numeric id (string: ids exceed 2^53 in real payloads). */
  externalId: string;
  orderExternalId: string | null;
  status: ShopifyReturnStatus;
  /** When Shopify raised it (X-Shopify-Triggered-At), the order the state is decided by. */
  at: string;
  /** Present on payloads that carry the return's lines (request, approve, process). */
  lines:
    | {
        externalId: string;
        lineItemExternalId: string | null;
        quantity: number;
        reason: string;
        note: string | null;
      }[]
    | null;
  declineReason: string | null;
}

export const SHOPIFY_RETURN_TOPICS = [
  'returns/request',
  'returns/approve',
  'returns/decline',
  'returns/process',
  'returns/cancel',
  'returns/close',
  'returns/reopen',
] as const;

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const idOf = (v: unknown): string | null =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : null;

/** The status each topic means when the payload's own `status` is missing. */
const TOPIC_STATUS: Record<string, ShopifyReturnStatus> = {
  'returns/request': 'requested',
  'returns/approve': 'open',
  'returns/decline': 'declined',
  'returns/process': 'open',
  'returns/cancel': 'canceled',
  'returns/close': 'closed',
  'returns/reopen': 'open',
};
const STATUSES = new Set<string>(['requested', 'open', 'declined', 'closed', 'canceled']);

/** One delivery → its event; null for a topic that is not a return's or a body without a return id. */
export function parseShopifyReturn(
  topic: string,
  body: unknown,
  triggeredAt: string,
): ShopifyReturnEvent | null {
  const fallback = TOPIC_STATUS[topic];
  if (!fallback) return null;
  const b = obj(body);
  const externalId = idOf(b.id);
  if (!externalId) return null;
  const raw = String(b.status ?? '').toLowerCase();
  const items = Array.isArray(b.return_line_items) ? (b.return_line_items as unknown[]) : null;
  return {
    externalId,
    orderExternalId: idOf(obj(b.order).id) ?? idOf(b.order_id),
    status: STATUSES.has(raw) ? (raw as ShopifyReturnStatus) : fallback,
    at: triggeredAt,
    lines: items
      ? items.map((x) => {
          const l = obj(x);
          return {
            externalId: idOf(l.id) ?? '',
            lineItemExternalId: idOf(obj(obj(l.fulfillment_line_item).line_item).id),
            quantity: Number(l.quantity) || 0,
            reason: String(l.return_reason ?? 'other').toLowerCase(),
            note: (l.customer_note as string | null) || (l.return_reason_note as string | null) || null,
          };
        })
      : null,
    declineReason: (() => {
      const d = obj(b.decline);
      const text = [d.reason, d.note].filter((x) => typeof x === 'string' && x).join(': ');
      return text || null;
    })(),
  };
}

export interface ShopifyReturnState {
  externalId: string;
  orderExternalId: string | null;
  status: ShopifyReturnStatus;
  /** The trigger time of the event the status came from. */
  statusAt: string;
  lines: NonNullable<ShopifyReturnEvent['lines']>;
  linesAt: string | null;
  declineReason: string | null;
}

/**
 * Folds one event into the state: the status of the latest event by Shopify's trigger time wins
 * (so an approve arriving after the close it preceded changes nothing, and a reopen after a close
 * opens again); the lines come from the latest event that carried them; a replay is a no-op. Ties
 * (same instant) go to the later step of the life cycle, so the fold is the same in any order.
 */
export function foldShopifyReturn(
  state: ShopifyReturnState | null,
  e: ShopifyReturnEvent,
): ShopifyReturnState {
  const s: ShopifyReturnState = state ?? {
    externalId: e.externalId,
    orderExternalId: e.orderExternalId,
    status: e.status,
    statusAt: e.at,
    lines: e.lines ?? [],
    linesAt: e.lines ? e.at : null,
    declineReason: e.status === 'declined' ? e.declineReason : null,
  };
  const next = { ...s, orderExternalId: s.orderExternalId ?? e.orderExternalId };
  const newer = e.at > s.statusAt || (e.at === s.statusAt && RANK[e.status] > RANK[s.status]);
  if (newer) {
    next.status = e.status;
    next.statusAt = e.at;
    // Only the winning decline says why; any later step clears it, so the order of arrival cannot matter.
    next.declineReason = e.status === 'declined' ? e.declineReason : null;
  }
  if (e.lines && (!s.linesAt || e.at > s.linesAt)) {
    next.lines = e.lines;
    next.linesAt = e.at;
  }
  return next;
}

const RANK: Record<ShopifyReturnStatus, number> = {
  requested: 0,
  open: 1,
  declined: 2,
  canceled: 2,
  closed: 3,
};

/** Shopdesk's return status for Shopify's (`closed` is processed: the refund is Shopify's refunds webhook). */
export const SHOPDESK_STATUS: Record<
  ShopifyReturnStatus,
  'needs_review' | 'approved' | 'declined' | 'cancelled' | 'received'
> = {
  requested: 'needs_review',
  open: 'approved',
  declined: 'declined',
  canceled: 'cancelled',
  closed: 'received',
};
