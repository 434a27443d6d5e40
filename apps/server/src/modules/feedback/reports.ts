import type { FeedbackOverview } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import { csatPercent, npsValue, verdictOf } from './survey-rules.ts';
import * as repo from './surveys.repository.ts';

/**
 * Survey metrics, as the dashboard shows them and as other modules (analytics) read them: through
 * these functions, never the feedback tables. CSAT is the share of good answers; NPS is promoters
 * minus detractors; both over answers in the last `days` days, from the snapshot taken at send time.
 */

type Answer = Awaited<ReturnType<typeof repo.answeredSince>>[number];

function summarise(rows: Answer[], sent: number) {
  let good = 0;
  let neutral = 0;
  let bad = 0;
  for (const r of rows) {
    const v = verdictOf(r.scale, r.score);
    if (v === 'good') good++;
    else if (v === 'neutral') neutral++;
    else bad++;
  }
  const answered = rows.length;
  return {
    csat: csatPercent(good, answered),
    answered,
    sent,
    responseRate: sent ? Math.round((Math.min(answered, sent) / sent) * 1000) / 10 : null,
    good,
    neutral,
    bad,
  };
}

function npsOf(rows: Answer[]) {
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  for (const r of rows) {
    if (r.score >= 9) promoters++;
    else if (r.score >= 7) passives++;
    else detractors++;
  }
  return {
    nps: npsValue(promoters, detractors, rows.length),
    answered: rows.length,
    promoters,
    passives,
    detractors,
  };
}

/** Monday of the ISO week of a date, as YYYY-MM-DD (UTC). */
export function weekOf(d: Date): string {
  const day = (d.getUTCDay() + 6) % 7;
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day));
  return m.toISOString().slice(0, 10);
}

/** CSAT over the last `days` days (for analytics and the dashboard). */
export async function csatSummary(db: Db, workspaceId: number, days = 30) {
  const rows = (await repo.answeredSince(db, workspaceId, days)).filter((r) => r.kind === 'csat');
  return summarise(rows, await repo.sentCountSince(db, workspaceId, days, 'csat'));
}

/** NPS over the last `days` days. */
export async function npsSummary(db: Db, workspaceId: number, days = 90) {
  return npsOf((await repo.answeredSince(db, workspaceId, days)).filter((r) => r.kind === 'nps'));
}

export async function feedbackOverview(db: Db, workspaceId: number, days = 30): Promise<FeedbackOverview> {
  const all = await repo.answeredSince(db, workspaceId, days);
  const csat = all.filter((r) => r.kind === 'csat');
  const nps = all.filter((r) => r.kind === 'nps');
  const sent = await repo.sentCountSince(db, workspaceId, days, 'csat');
  const human = csat.filter((r) => r.human !== false);
  const bot = csat.filter((r) => r.human === false);

  const weeks = new Map<string, { csat: Answer[]; nps: Answer[] }>();
  const now = new Date();
  for (let t = now.getTime() - days * 86_400_000; t <= now.getTime(); t += 7 * 86_400_000)
    weeks.set(weekOf(new Date(t)), { csat: [], nps: [] });
  weeks.set(weekOf(now), weeks.get(weekOf(now)) ?? { csat: [], nps: [] });
  for (const r of all) {
    const w = weeks.get(weekOf(r.answered_at));
    if (w) (r.kind === 'csat' ? w.csat : w.nps).push(r);
  }
  const group = (key: (r: Answer) => string) => {
    const m = new Map<string, Answer[]>();
    for (const r of csat) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
    return m;
  };
  const byChannel = [...group((r) => r.channel)].map(([k, rows]) => ({
    key: k,
    csat: summarise(rows, 0).csat,
    answered: rows.length,
  }));
  const byAgent = [...group((r) => (r.assignee_id ? String(r.assignee_id) : ''))].map(([k, rows]) => ({
    key: rows[0]?.assignee_name ?? (k ? `Agent ${k}` : 'Unassigned'),
    id: k ? Number(k) : null,
    csat: summarise(rows, 0).csat,
    answered: rows.length,
  }));
  const reasons = new Map<string, number>();
  for (const r of csat) if (r.reason) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
  const f = await repo.followUpCounts(db, workspaceId, days);
  return {
    days,
    csat: summarise(csat, sent),
    csatHuman: summarise(human, 0),
    csatBot: summarise(bot, 0),
    nps: npsOf(nps),
    trend: [...weeks]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([week, w]) => ({
        week,
        csat: summarise(w.csat, 0).csat,
        answered: w.csat.length,
        nps: npsOf(w.nps).nps,
      })),
    byChannel: byChannel.sort((a, b) => b.answered - a.answered),
    byAgent: byAgent.sort((a, b) => b.answered - a.answered).slice(0, 20),
    reasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    followUps: { sent: f.sent, fixed: f.fixed, notFixed: f.not_fixed, closed: f.closed },
  };
}
