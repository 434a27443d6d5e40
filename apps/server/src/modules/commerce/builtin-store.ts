import { StoreBatch } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import { randomToken, sha256 } from '../../platform/security/crypto.ts';
import { ingestChanges } from './commerce.ingest.ts';
import * as repo from './commerce.repository.ts';

/**
 * A built-in store connection for loaders that run without an HTTP server (the demo seed, imports):
 * `push` validates with the same schema and applies through the same ingest path as
 * POST /api/v1/store/batch. The token is not kept: an admin rotates it in settings to use the API.
 */
export async function createBuiltinStore(db: Db, workspaceId: number, name: string, currency: string) {
  const conn = await repo.insertConnection(db, {
    workspaceId,
    platform: 'builtin',
    name,
    baseUrl: null,
    credentials: null,
    tokenHash: sha256(`sdstore_${randomToken(24)}`),
    tokenPrefix: null,
    currency,
  });
  return {
    connectionId: conn.id,
    async push(batch: unknown) {
      const b = StoreBatch.parse(batch);
      return db.tx((tx) =>
        ingestChanges(tx, workspaceId, conn.id, [
          ...b.customers.map((customer) => ({ type: 'customer' as const, customer })),
          ...b.products.map((product) => ({ type: 'product' as const, product })),
          ...b.orders.map((order) => ({ type: 'order' as const, order })),
        ]),
      );
    },
  };
}
