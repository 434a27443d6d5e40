import { type Db, sql } from '../../platform/db/db.ts';

/*
 * Reads the quality module's risk-based sampling needs (exported through index.ts): tickets where
 * money moved or an approval was used, with the reasons, so a lead reviews those conversations first.
 */

/**
 * Per ticket acted on in the last `days`: the money kinds that succeeded (refund and discount code at
 * or above `thresholdMinor`, any reship) and 'approval' when a request waited for an approver.
 */
export async function riskyTickets(db: Db, workspaceId: number, days: number, thresholdMinor: number) {
  const rows = await db.query<{ ticket_id: number; kind: string; approved: boolean }>(sql`
    SELECT ticket_id, kind, (decided_by IS NOT NULL) AS approved FROM order_actions
    WHERE workspace_id = ${workspaceId} AND ticket_id IS NOT NULL AND status = 'succeeded'
      AND created_at >= now() - make_interval(days => ${days})
      AND (kind = 'resend' OR decided_by IS NOT NULL
           OR (kind IN ('refund', 'discount_code') AND amount_minor >= ${thresholdMinor}))`);
  const out = new Map<number, Set<string>>();
  for (const r of rows) {
    const reasons = out.get(r.ticket_id) ?? new Set<string>();
    reasons.add(r.kind);
    if (r.approved) reasons.add('approval');
    out.set(r.ticket_id, reasons);
  }
  return new Map([...out].map(([id, s]) => [id, [...s].sort()]));
}
