import type { SurveyResponse } from '@shopdesk/contracts';
import { type Scale, verdictOf } from './survey-rules.ts';
import type * as repo from './surveys.repository.ts';

/* Pure mappings of the surveys' rows: row → API shape, and a verdict filter → the scores it covers. */

export const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toSurveyResponse(r: repo.SurveyRow): SurveyResponse {
  const snap = r.snapshot as Record<string, unknown>;
  return {
    id: r.id,
    kind: r.kind,
    ticketId: r.ticket_id,
    cycle: r.cycle,
    contact: r.contact_id
      ? {
          id: r.contact_id,
          name: (snap.contactName as string | undefined) ?? null,
          email: (snap.contactEmail as string | undefined) ?? null,
        }
      : null,
    channel: r.channel,
    status: r.status,
    skipReason: r.skip_reason,
    scale: r.scale,
    score: r.score,
    verdict: r.score === null ? null : verdictOf(r.scale, r.score),
    comment: r.comment,
    reason: r.reason,
    snapshot: snap,
    sendAt: r.send_at.toISOString(),
    sentAt: iso(r.sent_at),
    expiresAt: iso(r.expires_at),
    answeredAt: iso(r.answered_at),
  };
}

/**
 * Follow-ups and surveys: what happens when a ticket is solved or reopened, the jobs that send, and
 * the answers (from the shopper's page, the chat widget or the API) with their reactions.
 */

export function verdictFilter(verdict: string | undefined): { scores: number[] | null; scale: Scale | null } {
  if (!verdict) return { scores: null, scale: null };
  if (verdict === 'promoter') return { scores: [9, 10], scale: 'nps' };
  if (verdict === 'passive') return { scores: [7, 8], scale: 'nps' };
  if (verdict === 'detractor') return { scores: [0, 1, 2, 3, 4, 5, 6], scale: 'nps' };
  // CSAT verdicts across scales: the 5-point scale is the default and what the chat widget uses.
  if (verdict === 'good') return { scores: [4, 5], scale: 'five' };
  if (verdict === 'neutral') return { scores: [3], scale: 'five' };
  return { scores: [1, 2], scale: 'five' };
}
