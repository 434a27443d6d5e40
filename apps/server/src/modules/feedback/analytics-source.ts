import type { Db } from '../../platform/db/db.ts';
import { csatSummary, npsSummary } from './reports.ts';

/** Feedback's figures for the analytics registry, from its own survey reports (never read by analytics). */
export const feedbackAnalyticsSummaries = [
  {
    key: 'csat',
    label: 'CSAT',
    definition:
      'Share of good answers among CSAT survey answers (feedback module), over the days from the report’s first day to today; response rate = answers ÷ surveys sent. Not split by the report’s filters.',
    summary: async (db: Db, w: number, days: number) => {
      const c = await csatSummary(db, w, days);
      return {
        value: c.csat,
        n: c.answered,
        detail: `${c.answered} answers of ${c.sent} surveys sent${c.responseRate === null ? '' : ` (${c.responseRate} % response rate)`}`,
      };
    },
  },
  {
    key: 'nps',
    label: 'NPS',
    definition:
      'Net Promoter Score of the NPS survey answers: % promoters (9–10) minus % detractors (0–6), from −100 to 100, over the days from the report’s first day to today. Not split by the report’s filters.',
    summary: async (db: Db, w: number, days: number) => {
      const n = await npsSummary(db, w, days);
      return {
        value: n.nps,
        n: n.answered,
        detail: `${n.promoters} promoters, ${n.passives} passives, ${n.detractors} detractors`,
      };
    },
  },
];
