import { type Db, sql } from '../../platform/db/db.ts';

/**
 * SLA's metrics for the analytics registry (modules/analytics): achievement per target from the
 * achievement record (`sla_outcomes`, written once per ticket, target and cycle when met or breached).
 */

const TARGETS = [
  ['first_response', 'first response'],
  ['next_response', 'next response'],
  ['resolution', 'resolution'],
] as const;

export const slaMetricDefinitions = TARGETS.map(([k, words]) => ({
  key: `sla_${k}`,
  label: `SLA ${words} achieved`,
  kind: 'rate' as const,
  definition: `Share of ${words} targets met among those applied and decided (met ÷ (met + breached)), as recorded when the target was reached or its due time passed — a later policy change does not rewrite it. Running clocks are not counted yet; breaches are listed with their target.`,
  countedOn: 'the day the target was met or breached',
}));

/** The rollup function: one contribution per recorded outcome of these tickets. */
export async function slaAnalyticsContributions(db: Db, workspaceId: number, ticketIds: number[]) {
  const rows = await db.query<{
    ticket_id: number;
    metric: string;
    cycle: number;
    outcome: string;
    target_minutes: number;
    business: boolean;
    outcome_at: Date | string;
  }>(sql`
    SELECT ticket_id, metric, cycle, outcome, target_minutes, business, outcome_at FROM sla_outcomes
    WHERE workspace_id = ${workspaceId} AND ticket_id = ANY(${ticketIds}::bigint[])`);
  return rows.map((r) => ({
    subjectId: Number(r.ticket_id),
    metric: `sla_${r.metric}`,
    seq: r.cycle,
    at: r.outcome_at instanceof Date ? r.outcome_at : new Date(r.outcome_at),
    value: null,
    included: r.outcome === 'met',
    reason:
      r.outcome === 'met'
        ? null
        : `breached (target ${r.target_minutes} min${r.business ? ' in business hours' : ''})`,
  }));
}
