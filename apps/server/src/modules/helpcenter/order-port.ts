import type { Order } from '@shopdesk/contracts';
import { normalizeOrderNumber, shopperMatchesOrder } from './order-verification.ts';

/**
 * How self-service reads orders: implemented over the commerce module's index in app.ts, so the help
 * center and the bot never touch commerce tables.
 */
export interface ShopperOrderSource {
  /** Orders of the workspace with this number (from any customer; the caller verifies). */
  byNumber(workspaceId: number, number: string): Promise<Order[]>;
  byId(workspaceId: number, id: number): Promise<Order | null>;
}

/** The order with this number that the proof matches; null for every other combination. */
export async function findVerifiedOrder(
  source: ShopperOrderSource,
  workspaceId: number,
  number: string,
  proof: { email?: string | null; zip?: string | null },
): Promise<Order | null> {
  const key = normalizeOrderNumber(number);
  if (!key || key.length > 40) return null;
  const candidates = await source.byNumber(workspaceId, key);
  return (
    candidates.find((o) => normalizeOrderNumber(o.number) === key && shopperMatchesOrder(o, proof)) ?? null
  );
}
