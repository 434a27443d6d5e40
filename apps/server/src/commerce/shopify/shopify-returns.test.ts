import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  foldShopifyReturn,
  parseShopifyReturn,
  SHOPDESK_STATUS,
  type ShopifyReturnEvent,
  type ShopifyReturnState,
} from './shopify-returns.ts';

/** Shopify's RETURNS_* webhooks: parsing, and one state whatever the order and however often they arrive. */
const request = {
  id: 9001,
  status: 'requested',
  order: { id: 4783296544821 },
  return_line_items: [
    {
      id: 11,
      fulfillment_line_item: { id: 21, line_item: { id: 5101 } },
      quantity: 1,
      return_reason: 'SIZE_TOO_SMALL',
      return_reason_note: '',
      customer_note: 'Half a size',
    },
  ],
};
const deliveries: [string, unknown, string][] = [
  ['returns/request', request, '2026-12-01T10:00:00Z'],
  ['returns/approve', { ...request, status: 'open' }, '2026-12-01T11:00:00Z'],
  ['returns/close', { id: 9001, order_id: 4783296544821, status: 'closed' }, '2026-12-03T09:00:00Z'],
  ['returns/reopen', { id: 9001, order_id: 4783296544821, status: 'open' }, '2026-12-04T09:00:00Z'],
  ['returns/close', { id: 9001, order_id: 4783296544821, status: 'closed' }, '2026-12-05T09:00:00Z'],
];
const events = deliveries.map(([topic, body, at]) => parseShopifyReturn(topic, body, at)!);
const fold = (es: ShopifyReturnEvent[]) =>
  es.reduce<ShopifyReturnState | null>((s, e) => foldShopifyReturn(s, e), null)!;

/** Every permutation of a small list (5! = 120). */
function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('Shopify returns webhooks', () => {
  it('parses a request with its lines, reasons and the order', () => {
    expect(events[0]).toMatchObject({
      externalId: '9001',
      orderExternalId: '4783296544821',
      status: 'requested',
      lines: [
        {
          externalId: '11',
          lineItemExternalId: '5101',
          quantity: 1,
          reason: 'size_too_small',
          note: 'Half a size',
        },
      ],
    });
    expect(events[2]!.lines).toBeNull();
    expect(parseShopifyReturn('orders/create', request, '2026-12-01T10:00:00Z')).toBeNull();
    expect(parseShopifyReturn('returns/request', { status: 'requested' }, '2026-12-01T10:00:00Z')).toBeNull();
  });

  it('replayed three times and in any order: one state, the latest step by Shopify’s clock', () => {
    const inOrder = fold(events);
    expect(inOrder).toMatchObject({
      status: 'closed',
      statusAt: '2026-12-05T09:00:00Z',
      declineReason: null,
    });
    expect(inOrder.lines).toHaveLength(1);
    for (const p of permutations(events)) expect(fold([...p, ...p, ...p])).toEqual(inOrder);
    expect(SHOPDESK_STATUS[inOrder.status]).toBe('received');
  });

  it('a decline keeps its reason only while it is the latest step', () => {
    const declined = parseShopifyReturn(
      'returns/decline',
      { id: 9001, status: 'declined', decline: { reason: 'return_period_ended', note: 'Window ended' } },
      '2026-12-02T10:00:00Z',
    )!;
    const s = fold([events[0]!, declined]);
    expect(s).toMatchObject({ status: 'declined', declineReason: 'return_period_ended: Window ended' });
    expect(fold([declined, events[0]!])).toEqual(s);
    // Reopened afterwards (Shopify lets a merchant reopen): the reason goes.
    const later = fold([events[0]!, declined, events[3]!]);
    expect(later).toMatchObject({ status: 'open', declineReason: null });
    expect(fold([events[3]!, declined, events[0]!])).toEqual(later);
  });

  const dir = join(process.cwd(), '..', 'shared', 'fixtures', 'webhooks', 'shopify');
  describe.runIf(existsSync(dir))('real payloads (../shared/fixtures)', () => {
    it('request, approve, decline and close as Shopify sends them', () => {
      const load = (f: string) => JSON.parse(readFileSync(join(dir, `${f}.2024-10.hookdeck.json`), 'utf8'));
      const parsed = ['request', 'approve', 'decline', 'close'].map((k) => {
        const d = load(`returns-${k}`);
        return parseShopifyReturn(d.headers['x-shopify-topic'], d.body, d.headers['x-shopify-triggered-at'])!;
      });
      expect(parsed.map((e) => e.status)).toEqual(['requested', 'open', 'declined', 'closed']);
      expect(parsed[0]!.lines).toHaveLength(2);
      expect(parsed[0]!.lines![0]).toMatchObject({ quantity: 1, reason: 'size_too_small' });
      expect(parsed[0]!.orderExternalId).toBeTruthy();
      expect(parsed[3]!.orderExternalId).toBeTruthy();
      expect(parsed[2]!.declineReason).toContain('return_period_ended');
      const once = fold(parsed);
      for (const p of permutations(parsed)) expect(fold([...p, ...p, ...p])).toEqual(once);
    });
  });
});
