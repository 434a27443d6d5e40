import { parseJsonKeepingBigInts } from '../../commerce/json.ts';
import type { Headers } from '../../commerce/store-connector.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { ingestChanges } from './commerce.ingest.ts';
import * as repo from './commerce.repository.ts';
import type { CommerceContext } from './commerce-context.ts';

/** Webhooks from Shopify and WooCommerce: verified and stored raw, then applied by a job. */
export function storeWebhookUseCases(ctx: CommerceContext) {
  const { db, deps, credsOf, connectorOf } = ctx;
  return {
    /** Verify, store raw, queue: the 2xx goes out only after the payload is durable. */
    async receiveWebhook(platform: string, connectionId: number, headers: Headers, raw: Buffer) {
      const c = await repo.findConnectionById(db, connectionId);
      if (!c || c.platform !== platform || !c.active) throw notFound('Store connection');
      const connector = connectorOf(platform);
      const delivery = connector.describeWebhook(headers, raw);
      if (!delivery) return { accepted: false, duplicate: false, reason: 'no event (ping)' };
      if (!connector.verifyWebhook(headers, raw, credsOf(c)))
        throw new AppError('unauthorized', 'Webhook signature does not match');
      const id = await db.tx(async (tx) => {
        const id = await repo.insertInboundEvent(tx, {
          workspaceId: c.workspace_id,
          channel: `store:${c.id}`,
          providerId: delivery.id,
          headers: { topic: delivery.topic, platform },
          payload: raw,
        });
        if (id) {
          await enqueue(
            tx,
            'process-store-webhook',
            { eventId: id },
            { workspaceId: c.workspace_id, uniqueKey: `store-webhook:${id}` },
          );
          await repo.updateConnection(tx, c.workspace_id, c.id, { last_webhook_at: new Date() });
        }
        return id;
      });
      if (id) deps.jobs.wake();
      return { accepted: true, duplicate: id === null };
    },
    /** Job: apply a stored delivery. Safe to repeat: the upserts are keyed and guarded by updated_at. */
    async processWebhook(eventId: number, final: boolean) {
      const e = await repo.findInboundEvent(db, eventId);
      if (!e || e.processed_at) return;
      const c = await repo.findConnectionById(db, Number(e.channel.split(':')[1]));
      if (!c) {
        await repo.markInboundEvent(db, eventId, null);
        return;
      }
      try {
        const body = parseJsonKeepingBigInts(Buffer.from(e.payload).toString('utf8'));
        const changes = connectorOf(c.platform).parseWebhook(String(e.headers.topic), body, {
          currency: c.currency,
        });
        await db.tx(async (tx) => {
          await ingestChanges(tx, c.workspace_id, c.id, changes);
          await repo.markInboundEvent(tx, eventId, null);
        });
      } catch (err) {
        const message = (err as Error).message;
        await repo.markInboundEvent(db, eventId, message);
        if (final)
          await repo.updateConnection(db, c.workspace_id, c.id, {
            last_error: `Webhook ${eventId}: ${message}`.slice(0, 1000),
            last_error_at: new Date(),
          });
        throw err;
      }
    },
  };
}
