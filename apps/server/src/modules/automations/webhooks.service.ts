import { randomBytes } from 'node:crypto';
import type { AutomationInput, WebhookEndpoint } from '@shopdesk/contracts';
import { Webhook } from 'standardwebhooks';
import { AppError, notFound } from '../../platform/errors.ts';
import {
  assertOutboundUrl,
  type OutboundPolicy,
  OutboundRefusedError,
  outboundFetch,
} from '../../platform/http/outbound.ts';
import type { Auth } from '../../platform/http/router.ts';
import { PermanentJobError } from '../../platform/jobs/queue.ts';
import { randomToken } from '../../platform/security/crypto.ts';
import type { AutomationContext } from './automation-context.ts';
import * as repo from './automations.repository.ts';

/** Signed outgoing webhooks: endpoints with their secrets (rotation with a grace period), delivery. */
export function createWebhooksService(c: AutomationContext) {
  const { db, keys, policyOf } = c;

  /** Creates the endpoints of new webhook URLs; returns their secrets (shown once, in the save's answer). */
  async function ensureEndpoints(workspaceId: number, input: Pick<AutomationInput, 'actions'>) {
    const urls = [...new Set(input.actions.flatMap((a) => (a.type === 'webhook' ? [a.url] : [])))];
    const created: { url: string; secret: string }[] = [];
    for (const url of urls) {
      if (await repo.findWebhookEndpoint(db, workspaceId, url)) continue;
      const secret = newWebhookSecret();
      if (await repo.insertWebhookEndpoint(db, workspaceId, url, keys().encrypt(secret)))
        created.push({ url, secret });
    }
    return created;
  }

  return {
    ensureEndpoints,
    listWebhookEndpoints: async (auth: Pick<Auth, 'workspaceId'>) =>
      (await repo.listWebhookEndpoints(db, auth.workspaceId)).map(toEndpoint),
    /** Registers a webhook URL ahead of using it; the secret is in the answer, and only there. */
    async createWebhookEndpoint(auth: Auth, url: string) {
      await checkWebhooks(
        { actions: [{ type: 'webhook', url }] } as AutomationInput,
        await policyOf(auth.workspaceId),
      );
      const secret = newWebhookSecret();
      const row = await repo.insertWebhookEndpoint(db, auth.workspaceId, url, keys().encrypt(secret));
      if (!row) throw new AppError('conflict', 'This URL has a webhook endpoint already; rotate its secret');
      return { ...toEndpoint(row), secret };
    },
    /**
     * A new secret, shown once. The previous one keeps signing too (a second signature in
     * webhook-signature) for WEBHOOK_SECRET_GRACE_HOURS, so the receiver can switch without dropping events.
     */
    async rotateWebhookSecret(auth: Auth, id: number) {
      const secret = newWebhookSecret();
      const graceUntil = new Date(Date.now() + WEBHOOK_SECRET_GRACE_HOURS * 3600_000);
      const row = await repo.rotateWebhookEndpoint(
        db,
        auth.workspaceId,
        id,
        keys().encrypt(secret),
        graceUntil,
      );
      if (!row) throw notFound('Webhook endpoint');
      return { ...toEndpoint(row), secret };
    },
    async deleteWebhookEndpoint(auth: Auth, id: number) {
      if (!(await repo.deleteWebhookEndpoint(db, auth.workspaceId, id)).length)
        throw notFound('Webhook endpoint');
    },

    /**
     * Job: POSTs the payload signed the Standard Webhooks way (webhook-id, webhook-timestamp,
     * webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">) with the endpoint's own secret.
     */
    async deliverWebhook(p: { workspaceId: number; url: string; body: unknown; messageId?: string }) {
      const text = JSON.stringify(p.body);
      // An automation saved before endpoints had secrets gets its endpoint now; the admin rotates the
      // secret to see it (listed under the automations' webhook endpoints).
      await ensureEndpoints(p.workspaceId, { actions: [{ type: 'webhook', url: p.url }] } as AutomationInput);
      const ep = await repo.findWebhookEndpoint(db, p.workspaceId, p.url);
      if (!ep) throw new PermanentJobError('the webhook endpoint was deleted');
      const id = p.messageId ?? `msg_${randomToken(18)}`;
      const at = new Date();
      const secrets = [keys().decrypt(ep.secret_enc)];
      if (ep.previous_secret_enc && ep.previous_valid_until && ep.previous_valid_until > at)
        secrets.push(keys().decrypt(ep.previous_secret_enc));
      const signature = secrets.map((s) => new Webhook(s).sign(id, at, text)).join(' ');
      // One attempt per job run (the job queue retries with backoff); a 3xx is not followed.
      const res = await outboundFetch(p.url, await policyOf(p.workspaceId), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: text,
        timeoutMs: 10_000,
        maxRedirects: 0,
        maxBytes: 64 * 1024,
      }).catch((err: unknown) => {
        // The host now resolves to a refused address: retrying would be refused again.
        throw err instanceof OutboundRefusedError
          ? new PermanentJobError(`webhook refused: ${err.message}`)
          : err;
      });
      if (res.status >= 200 && res.status < 300) return;
      // Redirects are not followed and a 4xx will not change on retry; 408, 429 and 5xx may.
      const retry = res.status >= 500 || res.status === 408 || res.status === 429;
      const message = `webhook answered ${res.status}`;
      throw retry ? new Error(message) : new PermanentJobError(message);
    },
  };
}

/** How long a rotated-out webhook secret keeps signing alongside the new one. */
const WEBHOOK_SECRET_GRACE_HOURS = 24;
/** Standard Webhooks secrets: `whsec_` + base64 of 32 random bytes. */
const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const toEndpoint = (r: repo.WebhookEndpointRow): WebhookEndpoint => ({
  id: r.id,
  url: r.url,
  createdAt: r.created_at.toISOString(),
  rotatedAt: r.rotated_at?.toISOString() ?? null,
  previousValidUntil: r.previous_valid_until?.toISOString() ?? null,
});
/** Refuses webhook URLs that point at private addresses (SSRF), naming the field for the form. */
export async function checkWebhooks(input: AutomationInput, policy: OutboundPolicy) {
  for (const [i, a] of input.actions.entries()) {
    if (a.type !== 'webhook') continue;
    try {
      await assertOutboundUrl(a.url, policy);
    } catch (err) {
      if (!(err instanceof OutboundRefusedError)) throw err;
      throw new AppError('validation_failed', `Webhook URL refused: ${err.message}`, [
        { path: `body.actions.${i}.url`, message: err.message },
      ]);
    }
  }
}
