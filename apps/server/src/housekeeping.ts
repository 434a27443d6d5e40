// Housekeeping: an hourly job (on any one worker node) that deletes what is only kept for a while —
// finished jobs, delivered automation webhooks, processed inbound payloads, the raw MIME of sent mail —
// each after its own RETAIN_*_DAYS (0 keeps forever). What failed is kept until handled. So the tables
// that grow with traffic stay flat at a steady load. docs/operations.md "Housekeeping".
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from './config.ts';
import { pruneAccountLinks } from './modules/agents/index.ts';
import { pruneSentMailRaw } from './modules/email/index.ts';
import { pruneProcessedInbound } from './modules/intake/index.ts';
import { pruneWebhookDeliveries } from './modules/integrations/index.ts';
import type { Db } from './platform/db/db.ts';
import { defineJob, enqueue, pruneFinishedJobs } from './platform/jobs/queue.ts';

const EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The job rows of delivered automation webhooks: their own retention, since they are the delivery log. */
const WEBHOOK_JOBS = ['automation-webhook'];

export type Retention = Pick<
  Config,
  | 'RETAIN_FINISHED_JOBS_DAYS'
  | 'RETAIN_WEBHOOK_DELIVERIES_DAYS'
  | 'RETAIN_INBOUND_DAYS'
  | 'RETAIN_SENT_MAIL_DAYS'
>;

export type Pruned = { finishedJobs: number; webhookDeliveries: number; inbound: number; sentMail: number };

/** One run now: how many rows of each kind were pruned. */
export async function runHousekeeping(db: Db, retention: Retention): Promise<Pruned> {
  const pruned: Pruned = { finishedJobs: 0, webhookDeliveries: 0, inbound: 0, sentMail: 0 };
  if (retention.RETAIN_FINISHED_JOBS_DAYS > 0)
    pruned.finishedJobs = await pruneFinishedJobs(db, retention.RETAIN_FINISHED_JOBS_DAYS * DAY_MS, {
      except: WEBHOOK_JOBS,
    });
  if (retention.RETAIN_WEBHOOK_DELIVERIES_DAYS > 0)
    pruned.webhookDeliveries = await pruneFinishedJobs(
      db,
      retention.RETAIN_WEBHOOK_DELIVERIES_DAYS * DAY_MS,
      {
        only: WEBHOOK_JOBS,
      },
    );
  // Outgoing webhook subscriptions' delivery log (modules/integrations): same retention, not counted above.
  if (retention.RETAIN_WEBHOOK_DELIVERIES_DAYS > 0)
    await pruneWebhookDeliveries(db, Math.max(1, Math.floor(retention.RETAIN_WEBHOOK_DELIVERIES_DAYS)));
  // Agents' used or expired invitation and reset links (kept a week for the audit trail's sake).
  await pruneAccountLinks(db);
  if (retention.RETAIN_INBOUND_DAYS > 0)
    pruned.inbound = await pruneProcessedInbound(db, retention.RETAIN_INBOUND_DAYS);
  if (retention.RETAIN_SENT_MAIL_DAYS > 0)
    pruned.sentMail = await pruneSentMailRaw(db, retention.RETAIN_SENT_MAIL_DAYS);
  return pruned;
}

/** One run per hour across all nodes: the unique key makes each slot's job exist once. */
export const scheduleHousekeeping = (db: Db, now = Date.now()) => {
  const slot = Math.floor(now / EVERY_MS) + 1;
  return enqueue(
    db,
    'housekeeping',
    {},
    { runAt: new Date(slot * EVERY_MS), uniqueKey: `housekeeping:${slot}` },
  );
};

export const housekeepingJob = (db: Db, retention: Retention, log: Logger) =>
  defineJob({
    name: 'housekeeping',
    schema: z.object({}),
    // Deleting a large backlog the first time may take a while; it is batched, and idempotent if re-run.
    leaseSeconds: 600,
    handler: async () => {
      const pruned = await runHousekeeping(db, retention);
      if (Object.values(pruned).some((n) => n > 0)) log.info({ pruned }, 'housekeeping: pruned old rows');
      await scheduleHousekeeping(db);
    },
  });
