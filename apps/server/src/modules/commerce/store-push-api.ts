import type { StoreBatch, StoreFulfillmentInput } from '@shopdesk/contracts';
import type { StoreChange } from '../../commerce/store-connector.ts';
import { AppError } from '../../platform/errors.ts';
import { sha256 } from '../../platform/security/crypto.ts';
import { ingestChanges } from './commerce.ingest.ts';
import * as repo from './commerce.repository.ts';
import type { CommerceContext } from './commerce-context.ts';
import { toAction } from './order-views.ts';

/** The built-in store API: a shop pushes customers, products, orders and shipments with its token. */
export function storePushUseCases(ctx: CommerceContext) {
  const { db } = ctx;
  return {
    async authenticateStoreToken(authorization: string | undefined) {
      const token = authorization?.match(/^Bearer\s+(sdstore_\S+)$/i)?.[1];
      if (!token) return null;
      return (await repo.findConnectionByTokenHash(db, sha256(token))) ?? null;
    },
    async pushBatch(conn: repo.ConnectionRow, batch: StoreBatch) {
      const changes: StoreChange[] = [
        ...batch.customers.map((customer) => ({ type: 'customer' as const, customer })),
        ...batch.products.map((product) => ({ type: 'product' as const, product })),
        ...batch.orders.map((order) => ({ type: 'order' as const, order })),
      ];
      const r = await db.tx(async (tx) => {
        const r = await ingestChanges(tx, conn.workspace_id, conn.id, changes);
        await repo.updateConnection(tx, conn.workspace_id, conn.id, { last_sync_at: new Date() });
        return r;
      });
      return { customers: r.customers, products: r.products, orders: r.orders };
    },
    async pushShipments(
      conn: repo.ConnectionRow,
      shipments: { orderExternalId: string; fulfillment: StoreFulfillmentInput }[],
    ) {
      const known = await repo.orderIdsByExternal(db, conn.id, [
        ...new Set(shipments.map((s) => s.orderExternalId)),
      ]);
      const unknown = shipments.filter((s) => !known.has(s.orderExternalId)).map((s) => s.orderExternalId);
      if (unknown.length)
        throw new AppError(
          'validation_failed',
          `Unknown order externalId: ${unknown.slice(0, 5).join(', ')}`,
          { unknown },
        );
      await db.tx((tx) =>
        ingestChanges(
          tx,
          conn.workspace_id,
          conn.id,
          shipments.map((s) => ({ type: 'fulfillment' as const, ...s })),
        ),
      );
      return { applied: shipments.length };
    },
    async storeOutbox(conn: repo.ConnectionRow, afterId: number, limit: number) {
      const rows = await repo.listActions(db, conn.workspace_id, { status: 'succeeded', limit: 500 });
      return rows
        .filter((a) => a.connection_id === conn.id && a.id > afterId)
        .sort((x, y) => x.id - y.id)
        .slice(0, limit)
        .map(toAction);
    },
  };
}
