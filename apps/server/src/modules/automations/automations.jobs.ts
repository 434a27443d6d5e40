import { z } from 'zod';
import type { Db } from '../../platform/db/db.ts';
import { defineJob, enqueue, pruneDoneJobs } from '../../platform/jobs/queue.ts';
import type { AutomationsService } from './automations.service.ts';

const HOUR = 3_600_000;

/** One scan per hour across all nodes: the unique key makes each hour's job exist once. */
export const scheduleAutomationScan = (db: Db, now = Date.now()) => {
  const slot = Math.floor(now / HOUR) + 1;
  return enqueue(
    db,
    'automations-scan',
    {},
    { runAt: new Date(slot * HOUR), uniqueKey: `automations-scan:${slot}` },
  );
};

export const automationScanJob = (svc: AutomationsService, db: Db) =>
  defineJob({
    name: 'automations-scan',
    schema: z.object({}),
    leaseSeconds: 1800,
    handler: async () => {
      const { complete } = await svc.scan();
      // The time budget ran out: carry on in a minute from where this run stopped, not in an hour.
      if (!complete) {
        const minute = Math.floor(Date.now() / 60_000) + 1;
        await enqueue(
          db,
          'automations-scan',
          {},
          { runAt: new Date(minute * 60_000), uniqueKey: `automations-scan:more:${minute}` },
        );
      }
      await scheduleAutomationScan(db);
      // One finished scan per hour would otherwise stay forever; a week of them is plenty to inspect.
      await pruneDoneJobs(db, 'automations-scan', 7 * 24 * HOUR);
    },
  });

export const automationWebhookJob = (svc: AutomationsService) =>
  defineJob({
    name: 'automation-webhook',
    schema: z.object({
      workspaceId: z.number().int(),
      url: z.string().url(),
      body: z.unknown(),
      // absent on jobs queued before Standard Webhooks signing
      messageId: z.string().optional(),
    }),
    handler: async (p) => svc.deliverWebhook(p),
  });
