import { randomUUID } from 'node:crypto';
import type { CreateStoreConnection } from '@shopdesk/contracts';
import { shopifyBaseUrl } from '../../commerce/shopify/shopify-connector.ts';
import type { StoreCredentials } from '../../commerce/store-connector.ts';
import { AppError, badRequest, notFound } from '../../platform/errors.ts';
import { assertOutboundUrl, OutboundRefusedError } from '../../platform/http/outbound.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { randomToken, sha256 } from '../../platform/security/crypto.ts';
import { recordAudit } from '../audit/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import { ingestChanges } from './commerce.ingest.ts';
import * as repo from './commerce.repository.ts';
import type { CommerceContext } from './commerce-context.ts';

/** Store connections: connect, edit, rotate the built-in token, delete, and the paged initial import. */
export function connectionUseCases(ctx: CommerceContext) {
  const { db, deps, config, keys, credsOf, contextOf, connectorOf, toConnection, loadConnection } = ctx;
  return {
    async listConnections(auth: Auth) {
      return Promise.all((await repo.listConnections(db, auth.workspaceId)).map(toConnection));
    },
    async getConnection(auth: Auth, id: number) {
      return toConnection(await loadConnection(auth.workspaceId, id));
    },
    async createConnection(auth: Auth, input: CreateStoreConnection) {
      let token: string | undefined;
      let creds: StoreCredentials | null = null;
      let baseUrl: string | null = null;
      if (input.platform === 'builtin') token = `sdstore_${randomToken(24)}`;
      if (input.platform === 'shopify') {
        baseUrl = shopifyBaseUrl(input.shopDomain);
        if (!/^https:\/\/|^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(baseUrl))
          throw new AppError(
            'validation_failed',
            'The shop domain must be my-shop.myshopify.com or an https:// URL',
          );
        creds = { accessToken: input.accessToken, webhookSecret: input.webhookSecret };
      }
      if (input.platform === 'woocommerce') {
        baseUrl = input.url.replace(/(?<!\/)\/+$/, '');
        creds = {
          consumerKey: input.consumerKey,
          consumerSecret: input.consumerSecret,
          webhookSecret: input.webhookSecret,
        };
      }
      if (baseUrl) {
        // The server will call this address: it must be public or in the workspace's allow-list (SSRF).
        try {
          await assertOutboundUrl(baseUrl, await outboundPolicyOf(db, config, auth.workspaceId), {
            allowUnresolved: true,
          });
        } catch (err) {
          if (!(err instanceof OutboundRefusedError)) throw err;
          const field = input.platform === 'shopify' ? 'body.shopDomain' : 'body.url';
          throw new AppError('validation_failed', `Store address refused: ${err.message}`, [
            { path: field, message: err.message },
          ]);
        }
      }
      const row = await db.tx(async (tx) => {
        const row = await repo.insertConnection(tx, {
          workspaceId: auth.workspaceId,
          platform: input.platform,
          name: input.name,
          baseUrl,
          credentials: creds ? keys().encrypt(JSON.stringify(creds)) : null,
          tokenHash: token ? sha256(token) : null,
          tokenPrefix: token ? token.slice(0, 14) : null,
          currency: input.currency,
        });
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'store_connection.created',
          targetType: 'store_connection',
          targetId: row.id,
          data: { platform: input.platform, name: input.name, baseUrl },
        });
        return row;
      });
      return { ...(await toConnection(row)), ...(token ? { token } : {}) };
    },
    async updateConnection(
      auth: Auth,
      id: number,
      input: Partial<StoreCredentials & { name: string; active: boolean; currency: string }>,
    ) {
      const c = await loadConnection(auth.workspaceId, id);
      const secretFields = ['accessToken', 'consumerKey', 'consumerSecret', 'webhookSecret'] as const;
      const changedSecrets = secretFields.filter((k) => input[k] !== undefined);
      if (c.platform === 'builtin' && changedSecrets.length)
        throw badRequest('The built-in store API uses a token; rotate it instead');
      const creds = changedSecrets.length
        ? { ...credsOf(c), ...Object.fromEntries(changedSecrets.map((k) => [k, input[k]])) }
        : null;
      await db.tx(async (tx) => {
        await repo.updateConnection(tx, auth.workspaceId, id, {
          name: input.name,
          active: input.active,
          currency: input.currency,
          credentials: creds ? keys().encrypt(JSON.stringify(creds)) : undefined,
        });
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'store_connection.updated',
          targetType: 'store_connection',
          targetId: id,
          // Which secrets changed, never their values.
          data: { fields: Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined) },
        });
      });
      return toConnection(await loadConnection(auth.workspaceId, id));
    },
    async rotateToken(auth: Auth, id: number) {
      const c = await loadConnection(auth.workspaceId, id);
      if (c.platform !== 'builtin') throw badRequest('Only the built-in store API uses a token');
      const token = `sdstore_${randomToken(24)}`;
      await db.tx(async (tx) => {
        await repo.updateConnection(tx, auth.workspaceId, id, {
          token_hash: sha256(token),
          token_prefix: token.slice(0, 14),
        });
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'store_connection.token_rotated',
          targetType: 'store_connection',
          targetId: id,
        });
      });
      return { ...(await toConnection(await loadConnection(auth.workspaceId, id))), token };
    },
    async deleteConnection(auth: Auth, id: number) {
      await db.tx(async (tx) => {
        if (!(await repo.deleteConnection(tx, auth.workspaceId, id)).length)
          throw notFound('Store connection');
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'store_connection.deleted',
          targetType: 'store_connection',
          targetId: id,
        });
      });
    },
    async startBackfill(auth: Auth, id: number) {
      const c = await loadConnection(auth.workspaceId, id);
      if (c.platform === 'builtin')
        throw badRequest('The built-in store API is pushed to; there is nothing to import');
      await db.tx(async (tx) => {
        await repo.updateConnection(tx, auth.workspaceId, id, {
          sync_status: 'backfilling',
          backfill_cursor: null,
          backfilled_orders: 0,
          last_error: null,
        });
        await enqueue(
          tx,
          'commerce-backfill',
          { workspaceId: auth.workspaceId, connectionId: id, cursor: null, run: randomUUID() },
          { workspaceId: auth.workspaceId },
        );
      });
      deps.jobs.wake();
      return toConnection(await loadConnection(auth.workspaceId, id));
    },
    /** Job: one page of the initial import, then the next page as its own job (resumable, never one huge run). */
    async backfillPage(workspaceId: number, connectionId: number, cursor: string | null, run: string) {
      const c = await repo.findConnection(db, workspaceId, connectionId);
      if (c?.sync_status !== 'backfilling' || (c.backfill_cursor ?? null) !== cursor) return;
      try {
        const page = await connectorOf(c.platform).backfill(contextOf(c), cursor);
        await db.tx(async (tx) => {
          await ingestChanges(tx, workspaceId, connectionId, page.changes);
          await repo.updateConnection(tx, workspaceId, connectionId, {
            backfill_cursor: page.nextCursor,
            backfilled_orders: c.backfilled_orders + page.changes.filter((x) => x.type === 'order').length,
            sync_status: page.nextCursor ? 'backfilling' : 'idle',
            last_sync_at: page.nextCursor ? undefined : new Date(),
          });
          if (page.nextCursor)
            await enqueue(
              tx,
              'commerce-backfill',
              { workspaceId, connectionId, cursor: page.nextCursor, run },
              {
                workspaceId,
                uniqueKey: `backfill:${run}:${sha256(page.nextCursor).slice(0, 24)}`,
              },
            );
        });
        deps.jobs.wake();
      } catch (err) {
        await repo.updateConnection(db, workspaceId, connectionId, {
          last_error: (err as Error).message.slice(0, 1000),
          last_error_at: new Date(),
        });
        throw err;
      }
    },
    async failBackfill(workspaceId: number, connectionId: number, message: string) {
      await repo.updateConnection(db, workspaceId, connectionId, {
        sync_status: 'error',
        last_error: message.slice(0, 1000),
        last_error_at: new Date(),
      });
    },
  };
}
