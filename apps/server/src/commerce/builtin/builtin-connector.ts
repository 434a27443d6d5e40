import { randomUUID } from 'node:crypto';
import { fromMinor } from '../money.ts';
import type { ActionCommand, ActionOutcome, OrderSnapshot, StoreConnector } from '../store-connector.ts';
import { StoreError } from '../store-connector.ts';

/**
 * The built-in store API: the shop pushes its data to Shopdesk (no webhooks to verify, nothing to
 * backfill), and actions are recorded here and listed for the shop to pick up at
 * GET /api/v1/store/actions. The embedded demo store runs on it, so the demo works offline.
 */
export const builtinConnector: StoreConnector = {
  platform: 'builtin',
  verifyWebhook: () => false,
  describeWebhook: () => null,
  parseWebhook: () => [],
  async backfill() {
    return { changes: [], nextCursor: null };
  },
  async execute(_ctx, order: OrderSnapshot, cmd: ActionCommand): Promise<ActionOutcome> {
    const now = new Date().toISOString();
    switch (cmd.kind) {
      case 'refund': {
        const id = `sd-refund-${randomUUID()}`;
        return {
          summary: `Refunded ${fromMinor(cmd.amount, order.currency)} ${order.currency}${cmd.method === 'store_credit' ? ' as store credit' : ''}`,
          refunded: cmd.amount,
          externalId: id,
          changes: [
            {
              type: 'refund',
              orderExternalId: order.externalId,
              refund: {
                externalId: id,
                amount: cmd.amount,
                note: cmd.note,
                storeCredit: cmd.method === 'store_credit',
                restock: cmd.restock,
                lineItems: cmd.lines,
                createdAt: now,
              },
            },
          ],
        };
      }
      case 'cancel': {
        const changes: ActionOutcome['changes'] = [
          {
            type: 'order_patch',
            orderExternalId: order.externalId,
            patch: { status: 'cancelled', cancelledAt: now, cancelReason: cmd.reason },
          },
        ];
        const refundable = order.total - order.refunded;
        if (cmd.refund && refundable > 0)
          changes.push({
            type: 'refund',
            orderExternalId: order.externalId,
            refund: {
              externalId: `sd-refund-${randomUUID()}`,
              amount: refundable,
              note: 'Order cancelled',
              storeCredit: false,
              restock: cmd.restock,
              lineItems: order.lineItems
                .filter((l) => l.quantity > l.refundedQuantity)
                .map((l) => ({
                  lineItemExternalId: l.externalId,
                  quantity: l.quantity - l.refundedQuantity,
                })),
              createdAt: now,
            },
          });
        const refunded = cmd.refund ? Math.max(0, refundable) : 0;
        return {
          summary: `Cancelled order ${order.number}${refunded ? ` and refunded ${fromMinor(refunded, order.currency)} ${order.currency}` : ''}`,
          refunded,
          changes,
        };
      }
      case 'resend': {
        const lines = cmd.lines.map((sel) => {
          const l = order.lineItems.find((x) => x.externalId === sel.lineItemExternalId);
          if (!l) throw new StoreError(`Line ${sel.lineItemExternalId} is not on order ${order.number}`);
          return { l, quantity: sel.quantity };
        });
        const id = `sd-resend-${randomUUID()}`;
        const number = `${order.number}-R${Date.now().toString(36).slice(-4).toUpperCase()}`;
        const total = cmd.free ? 0 : lines.reduce((s, x) => s + x.l.price * x.quantity, 0);
        return {
          summary: `Created replacement order ${number}`,
          externalId: id,
          data: { orderNumber: number },
          changes: [
            {
              type: 'order',
              order: {
                externalId: id,
                number,
                customer: order.customerExternalId
                  ? { externalId: order.customerExternalId, email: order.email }
                  : null,
                email: order.email,
                currency: order.currency,
                subtotal: total,
                discount: 0,
                shipping: 0,
                tax: 0,
                total,
                status: 'open',
                financialStatus: 'paid',
                fulfillmentStatus: 'unfulfilled',
                shippingAddress: order.shippingAddress,
                discountCodes: [],
                tags: ['replacement'],
                note: cmd.note ?? `Replacement for ${order.number}`,
                placedAt: now,
                updatedAt: now,
                lineItems: lines.map(({ l, quantity }, i) => ({
                  externalId: `${id}-${i}`,
                  productExternalId: l.productExternalId,
                  variantExternalId: l.variantExternalId,
                  title: l.title,
                  quantity,
                  price: cmd.free ? 0 : l.price,
                  discount: 0,
                  tax: 0,
                  refundedQuantity: 0,
                  fulfilledQuantity: 0,
                  finalSale: false,
                })),
                transactions: [],
                refunds: [],
                fulfillments: [],
              },
            },
          ],
        };
      }
      case 'update_address':
        return {
          summary: `Shipping address changed for ${order.number}`,
          changes: [
            {
              type: 'order_patch',
              orderExternalId: order.externalId,
              patch: { shippingAddress: cmd.address },
            },
          ],
        };
      case 'discount_code':
        return {
          summary: `Created single-use code ${cmd.code}`,
          externalId: cmd.code,
          data: { code: cmd.code, percent: cmd.percent, amount: cmd.amount },
        };
    }
  },
};
