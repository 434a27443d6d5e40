import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import type { Deps } from '../../platform/deps.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { getSubscription } from './webhooks.repository.ts';

/**
 * A local receiver for the demo's webhook subscription (served with SEED_DEMO, like /demo/shop), so the
 * demo shows signed deliveries without calling out of the machine. It verifies the Standard Webhooks
 * signature over the raw body with the subscription's secret and answers what it found; it stores
 * nothing, so it is not an inbound path for the intake.
 */
export async function registerDemoSink(app: FastifyInstance, deps: Deps) {
  await app.register(async (sink) => {
    // The signature covers the bytes as sent: keep the body as text in this plugin only.
    sink.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) =>
      done(null, body),
    );
    sink.post<{ Params: { workspace: string; id: string } }>(
      '/demo/webhook-sink/:workspace/:id',
      async (req, reply) => {
        const workspaceId = Number(req.params.workspace);
        const id = Number(req.params.id);
        const sub =
          Number.isSafeInteger(workspaceId) && Number.isSafeInteger(id) && id > 0 && workspaceId > 0
            ? await getSubscription(deps.db, workspaceId, id)
            : undefined;
        if (!sub) return reply.code(404).send({ verified: false, error: 'no such subscription' });
        const keys = keyRing(deps.config);
        const secrets = [sub.secret_enc, sub.previous_secret_enc].flatMap((s) =>
          s ? [keys.decrypt(s)] : [],
        );
        const headers = req.headers as Record<string, string>;
        const body = typeof req.body === 'string' ? req.body : '';
        for (const secret of secrets) {
          try {
            const event = new Webhook(secret).verify(body, headers) as { type?: string };
            return reply.send({ verified: true, type: event.type ?? null, webhookId: headers['webhook-id'] });
          } catch {
            // try the previous secret
          }
        }
        return reply.code(401).send({ verified: false, error: 'signature does not verify' });
      },
    );
  });
}
