import { randomBytes, randomUUID } from 'node:crypto';
import type {
  CreateWebhookSubscription,
  UpdateWebhookSubscription,
  WebhookEventType,
  WebhookSubscription,
} from '@shopdesk/contracts';
import { Webhook } from 'standardwebhooks';
import type { z } from 'zod';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import { createConfigCache } from '../../platform/events/config-cache.ts';
import {
  assertOutboundUrl,
  OutboundRefusedError,
  type OutboundResponse,
  outboundFetch,
} from '../../platform/http/outbound.ts';
import type { Auth } from '../../platform/http/router.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { recordAudit } from '../audit/index.ts';
import { messageTexts, type TicketsService } from '../tickets/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import { buildPayload, PUBLIC_TYPE, type TicketSnapshot } from './webhook-events.ts';
import * as repo from './webhooks.repository.ts';

/** Attempts of one automatic delivery: with the job queue's backoff (2 s doubling, jittered) ≈ 3 hours. */
export const DELIVERY_ATTEMPTS = 12;
/** How long a rotated-out secret keeps signing alongside the new one. */
const SECRET_GRACE_HOURS = 24;
const MAX_SUBSCRIPTIONS = 25;
const RESPONSE_KEPT_BYTES = 4096;

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const iso = (d: Date | null) => d?.toISOString() ?? null;

export const toSubscription = (r: repo.SubscriptionRow): WebhookSubscription => ({
  id: r.id,
  url: r.url,
  description: r.description,
  events: r.events as WebhookEventType[],
  active: r.active,
  disabledReason: r.disabled_reason,
  failingSince: iso(r.failing_since),
  failedDeliveries: r.failed_deliveries,
  lastSuccessAt: iso(r.last_success_at),
  rotatedAt: iso(r.rotated_at),
  previousValidUntil: iso(r.previous_valid_until),
  createdAt: r.created_at.toISOString(),
});

export const toDelivery = (d: repo.DeliveryRow) => ({
  id: d.id,
  subscriptionId: d.subscription_id,
  messageId: d.message_id,
  eventType: d.event_type,
  status: d.status,
  attempts: d.attempts,
  lastStatus: d.last_status,
  lastError: d.last_error,
  createdAt: d.created_at.toISOString(),
  finishedAt: iso(d.finished_at),
});

/**
 * Outgoing webhooks: subscriptions with their own Standard Webhooks secrets, the fan-out of domain
 * events into durable deliveries, and the delivery job (signing, one attempt per run, the log, the
 * automatic switch-off after sustained failure). Calls go through platform/http/outbound.ts, so the
 * private-address guard and the workspace's allow-list apply exactly as for automation webhooks.
 */
export function createWebhooksService(deps: Deps, tickets: Pick<TicketsService, 'findSummary'>) {
  const { db, config, bus, log } = deps;
  const keys = () => keyRing(config);
  const policyOf = (workspaceId: number) => outboundPolicyOf(db, config, workspaceId);
  // Read on every domain event of a workspace, edited rarely.
  const subscriptions = createConfigCache({
    bus,
    kind: 'integrations.webhooks-changed',
    load: (workspaceId) => repo.listSubscriptions(db, workspaceId),
  });

  async function checkUrl(workspaceId: number, url: string) {
    try {
      await assertOutboundUrl(url, await policyOf(workspaceId));
    } catch (err) {
      if (!(err instanceof OutboundRefusedError)) throw err;
      throw new AppError('validation_failed', `Webhook URL refused: ${err.message}`, [
        { path: 'body.url', message: err.message },
      ]);
    }
  }

  async function ticketSnapshot(workspaceId: number, id: number): Promise<TicketSnapshot | undefined> {
    const t = await tickets.findSummary(workspaceId, id);
    if (!t) return undefined;
    return {
      id: t.id,
      subject: t.subject,
      status: t.status,
      priority: t.priority,
      channel: t.channel,
      contact: t.contact,
      assigneeId: t.assigneeId,
      tags: t.tags,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    };
  }

  /** Queues a delivery of `payload` to each subscription; idempotent per source key. */
  async function fanOut(
    workspaceId: number,
    subs: repo.SubscriptionRow[],
    type: string,
    sourceKey: string,
    payload: unknown,
    maxAttempts = DELIVERY_ATTEMPTS,
  ) {
    const ids = await repo.insertDeliveries(
      db,
      workspaceId,
      subs.map((s) => ({ subscriptionId: s.id, messageId: `msg_${randomUUID().replaceAll('-', '')}` })),
      type,
      sourceKey,
      payload,
      maxAttempts,
    );
    if (ids.length) deps.jobs.wake();
    return ids;
  }

  async function changed(workspaceId: number) {
    await subscriptions.changed(workspaceId);
  }

  return {
    /** Listener for every domain event with a public type. */
    async onEvent(e: DomainEvent) {
      const type = PUBLIC_TYPE[e.name];
      if (!type) return;
      const subs = (await subscriptions.get(e.workspaceId)).filter(
        (s) => s.active && s.events.includes(type),
      );
      if (!subs.length) return;
      const ticket = e.ticketId ? await ticketSnapshot(e.workspaceId, e.ticketId) : undefined;
      const [m] = e.messageId
        ? await messageTexts(db, [{ workspaceId: e.workspaceId, messageId: e.messageId }])
        : [];
      const payload = buildPayload(e, type, {
        ...(ticket ? { ticket } : {}),
        ...(m ? { message: { id: m.id, kind: m.kind, bodyText: m.body_text } } : {}),
      });
      // An outbox row replayed after a crash carries the same id: the fan-out happens once.
      const sourceKey = e.outboxId ? `outbox:${e.outboxId}` : `event:${randomUUID()}`;
      await fanOut(e.workspaceId, subs, type, sourceKey, payload);
    },

    list: async (auth: Pick<Auth, 'workspaceId'>) =>
      (await repo.listSubscriptions(db, auth.workspaceId)).map(toSubscription),

    async get(auth: Pick<Auth, 'workspaceId'>, id: number) {
      const row = await repo.getSubscription(db, auth.workspaceId, id);
      if (!row) throw notFound('Webhook subscription');
      return toSubscription(row);
    },

    /** The secret is in the answer, and only there. */
    async create(auth: Auth, input: z.output<typeof CreateWebhookSubscription>) {
      await checkUrl(auth.workspaceId, input.url);
      if ((await repo.countSubscriptions(db, auth.workspaceId)) >= MAX_SUBSCRIPTIONS)
        throw new AppError('conflict', `A workspace can have ${MAX_SUBSCRIPTIONS} webhook subscriptions`);
      const secret = newSecret();
      const row = (await repo.insertSubscription(
        db,
        { workspaceId: auth.workspaceId, ...input, events: [...new Set(input.events)] },
        keys().encrypt(secret),
      ))!;
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'webhook.created',
        targetType: 'webhook_subscription',
        targetId: row.id,
        data: { url: row.url, events: row.events },
      });
      await changed(auth.workspaceId);
      return { ...toSubscription(row), secret };
    },

    async update(auth: Auth, id: number, input: z.output<typeof UpdateWebhookSubscription>) {
      if (input.url) await checkUrl(auth.workspaceId, input.url);
      const row = await repo.updateSubscription(db, auth.workspaceId, id, {
        ...input,
        ...(input.events ? { events: [...new Set(input.events)] } : {}),
      });
      if (!row) throw notFound('Webhook subscription');
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'webhook.updated',
        targetType: 'webhook_subscription',
        targetId: id,
        data: input,
      });
      await changed(auth.workspaceId);
      return toSubscription(row);
    },

    /**
     * A new secret, shown once. The previous one keeps signing too (a second signature in
     * webhook-signature) for 24 hours, so the receiver can switch without dropping events.
     */
    async rotateSecret(auth: Auth, id: number) {
      const secret = newSecret();
      const graceUntil = new Date(Date.now() + SECRET_GRACE_HOURS * 3600_000);
      const row = await repo.rotateSecret(db, auth.workspaceId, id, keys().encrypt(secret), graceUntil);
      if (!row) throw notFound('Webhook subscription');
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'webhook.secret_rotated',
        targetType: 'webhook_subscription',
        targetId: id,
      });
      await changed(auth.workspaceId);
      return { ...toSubscription(row), secret };
    },

    async remove(auth: Auth, id: number) {
      if (!(await repo.deleteSubscription(db, auth.workspaceId, id)).length)
        throw notFound('Webhook subscription');
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'webhook.deleted',
        targetType: 'webhook_subscription',
        targetId: id,
      });
      await changed(auth.workspaceId);
    },

    /** Sends a `webhook.test` event now (one attempt), whatever the subscription's events. */
    async sendTest(auth: Auth, id: number) {
      const row = await repo.getSubscription(db, auth.workspaceId, id);
      if (!row) throw notFound('Webhook subscription');
      const payload = buildPayload(
        { name: 'webhook.test', workspaceId: auth.workspaceId, actorAgentId: auth.agentId },
        'webhook.test',
        {},
      );
      const [d] = await fanOut(auth.workspaceId, [row], 'webhook.test', `test:${randomUUID()}`, payload, 1);
      return toDelivery((await repo.getDelivery(db, auth.workspaceId, d!))!);
    },

    async deliveries(
      auth: Pick<Auth, 'workspaceId'>,
      subscriptionId: number,
      q: { status?: string; before?: number; limit: number },
    ) {
      if (!(await repo.getSubscription(db, auth.workspaceId, subscriptionId)))
        throw notFound('Webhook subscription');
      const rows = await repo.listDeliveries(db, auth.workspaceId, subscriptionId, q);
      return {
        items: rows.map(toDelivery),
        nextBefore: rows.length === q.limit ? rows[rows.length - 1]!.id : null,
      };
    },

    async delivery(auth: Pick<Auth, 'workspaceId'>, id: number) {
      const d = await repo.getDelivery(db, auth.workspaceId, id);
      if (!d) throw notFound('Webhook delivery');
      const attempts = await repo.listAttempts(db, auth.workspaceId, id);
      return {
        ...toDelivery(d),
        payload: d.payload as never,
        attempts_log: attempts.map((a) => ({
          id: a.id,
          manual: a.manual,
          requestHeaders: a.request_headers,
          responseStatus: a.response_status,
          responseHeaders: a.response_headers,
          responseBody: a.response_body,
          error: a.error,
          durationMs: a.duration_ms,
          createdAt: a.created_at.toISOString(),
        })),
      };
    },

    /** Sends a delivery again, same body and webhook-id (the receiver's idempotency key), one attempt. */
    async redeliver(auth: Auth, id: number) {
      const d = await repo.getDelivery(db, auth.workspaceId, id);
      if (!d) throw notFound('Webhook delivery');
      if (d.status === 'pending') throw new AppError('conflict', 'This delivery is still being attempted');
      if (!(await repo.requeueDelivery(db, auth.workspaceId, id)))
        throw new AppError('conflict', 'This delivery is still being attempted');
      deps.jobs.wake();
      return toDelivery((await repo.getDelivery(db, auth.workspaceId, id))!);
    },

    /**
     * Job: one signed POST. A failure is logged and retried by the job queue (jittered backoff) until the
     * attempts run out; then the delivery is `failed`, and a subscription that has failed for long
     * enough (WEBHOOK_DISABLE_AFTER_*) is switched off with an audit entry.
     */
    async deliver(
      p: { deliveryId: number; manual?: boolean },
      ctx: { attempt: number; maxAttempts: number },
    ) {
      const d = await repo.deliveryForSending(db, p.deliveryId);
      if (d?.status !== 'pending') return;
      const manual = p.manual ?? false;
      if (!d.active && !manual) {
        await repo.markSkipped(db, d.id, 'the subscription is switched off');
        return;
      }
      const body = JSON.stringify(d.payload);
      const at = new Date();
      const secrets = [keys().decrypt(d.secret_enc)];
      if (d.previous_secret_enc && d.previous_valid_until && d.previous_valid_until > at)
        secrets.push(keys().decrypt(d.previous_secret_enc));
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Shopdesk-Webhooks/1',
        'webhook-id': d.message_id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': secrets.map((s) => new Webhook(s).sign(d.message_id, at, body)).join(' '),
      };
      const started = Date.now();
      let res: OutboundResponse | null = null;
      let error: string | null = null;
      let permanent = false;
      try {
        // One attempt per job run (the queue retries with backoff); a 3xx is not followed.
        res = await outboundFetch(d.url, await policyOf(d.workspace_id), {
          method: 'POST',
          headers,
          body,
          timeoutMs: 10_000,
          maxRedirects: 0,
          maxBytes: 64 * 1024,
        });
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        // The host now resolves to a refused address: retrying would be refused again.
        permanent = err instanceof OutboundRefusedError;
      }
      const responseHeaders: Record<string, string> = {};
      res?.headers.forEach((v, k) => {
        responseHeaders[k] = v;
      });
      await repo.insertAttempt(db, {
        workspaceId: d.workspace_id,
        deliveryId: d.id,
        manual,
        requestHeaders: headers,
        responseStatus: res?.status ?? null,
        responseHeaders: res ? responseHeaders : null,
        responseBody: res ? res.text.slice(0, RESPONSE_KEPT_BYTES) : null,
        error,
        durationMs: Date.now() - started,
      });
      if (res && res.status >= 200 && res.status < 300) {
        await repo.markSucceeded(db, d.id, d.subscription_id, res.status);
        return;
      }
      const message = error ?? `answered ${res!.status}`;
      const final = manual || permanent || ctx.attempt >= ctx.maxAttempts;
      const sub = await repo.markFailed(db, d.id, d.subscription_id, {
        status: res?.status ?? null,
        error: message,
        final,
        manual,
      });
      if (final && sub) await maybeDisable(sub);
      // Not final: the job queue runs it again after its backoff.
      if (!final) throw new Error(`webhook ${message}`);
    },
    changed,
  };

  async function maybeDisable(sub: repo.SubscriptionRow) {
    const hours = config.WEBHOOK_DISABLE_AFTER_HOURS;
    const failingLongEnough =
      sub.failing_since !== null && Date.now() - sub.failing_since.getTime() >= hours * 3600_000;
    if (sub.failed_deliveries < config.WEBHOOK_DISABLE_AFTER_FAILURES || !failingLongEnough) return;
    const reason = `Switched off after ${sub.failed_deliveries} failed deliveries in a row since ${sub.failing_since!.toISOString()}`;
    const off = await repo.disableSubscription(db, sub.id, reason);
    if (!off) return;
    log.warn({ subscription: sub.id, workspaceId: sub.workspace_id }, 'webhook subscription switched off');
    await recordAudit(db, {
      workspaceId: sub.workspace_id,
      actorAgentId: null,
      action: 'webhook.disabled',
      targetType: 'webhook_subscription',
      targetId: sub.id,
      data: { url: sub.url, reason },
    });
    await changed(sub.workspace_id);
  }
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
