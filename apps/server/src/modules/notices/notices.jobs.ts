import { z } from 'zod';
import { defineJob } from '../../platform/jobs/queue.ts';
import type { NoticesService } from './notices.service.ts';

/** A notice held for quiet hours goes out when they end (enqueued with run_at = the end). */
export const noticeReleaseJob = (svc: NoticesService) =>
  defineJob({
    name: 'notice-release',
    schema: z.object({ workspaceId: z.number().int(), noticeId: z.number().int() }),
    handler: (p) => svc.release(p.workspaceId, p.noticeId),
  });
