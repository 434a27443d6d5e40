import { z } from 'zod';
import type { Db } from '../../platform/db/db.ts';
import { defineJob, enqueue, pruneDoneJobs } from '../../platform/jobs/queue.ts';
import { npsWorkspaces } from './surveys.repository.ts';
import {
  CLOSE_FOLLOW_UP_JOB,
  SEND_FOLLOW_UP_JOB,
  SEND_SURVEY_JOB,
  type SurveysService,
} from './surveys.service.ts';

const HOUR = 3_600_000;
const NPS_SCAN = 'feedback-nps-scan';
const DONE_KEEP_MS = 7 * 24 * HOUR;

/** Scheduled per survey at solve time + the delay; a survey no longer `scheduled` is left alone. */
export const sendSurveyJob = (svc: SurveysService) =>
  defineJob({
    name: SEND_SURVEY_JOB,
    schema: z.object({ workspaceId: z.number().int(), surveyId: z.number().int() }),
    keepDoneForMs: DONE_KEEP_MS,
    handler: (p) => svc.sendSurvey(p.workspaceId, p.surveyId),
  });

export const sendFollowUpJob = (svc: SurveysService) =>
  defineJob({
    name: SEND_FOLLOW_UP_JOB,
    schema: z.object({ workspaceId: z.number().int(), followUpId: z.number().int() }),
    keepDoneForMs: DONE_KEEP_MS,
    handler: (p) => svc.sendFollowUp(p.workspaceId, p.followUpId),
  });

export const closeFollowUpJob = (svc: SurveysService) =>
  defineJob({
    name: CLOSE_FOLLOW_UP_JOB,
    schema: z.object({ workspaceId: z.number().int(), followUpId: z.number().int() }),
    keepDoneForMs: DONE_KEEP_MS,
    handler: (p) => svc.closeFollowUp(p.workspaceId, p.followUpId),
  });

export const scheduleNpsScan = (db: Db, now = Date.now()) => {
  const slot = Math.floor(now / HOUR) + 1;
  return enqueue(db, NPS_SCAN, {}, { runAt: new Date(slot * HOUR), uniqueKey: `${NPS_SCAN}:${slot}` });
};

/** Hourly: orders delivered `delayDays` ago get their NPS survey (idempotent per order). */
export const npsScanJob = (svc: SurveysService, db: Db) =>
  defineJob({
    name: NPS_SCAN,
    schema: z.object({}),
    leaseSeconds: 900,
    handler: async () => {
      for (const ws of await npsWorkspaces(db)) await svc.scheduleNps(ws);
      await scheduleNpsScan(db);
      await pruneDoneJobs(db, NPS_SCAN, DONE_KEEP_MS);
    },
  });
