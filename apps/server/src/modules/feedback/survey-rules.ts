import { createHash } from 'node:crypto';
import type { FeedbackSettings } from '@shopdesk/contracts';

/** Pure survey rules (no I/O): who is asked, on which scale, and what an answer means. */

export type Scale = 'five' | 'three' | 'thumbs' | 'nps';
export type Verdict = 'good' | 'neutral' | 'bad' | 'promoter' | 'passive' | 'detractor';

/** The points of a scale, lowest first. */
export function scalePoints(scale: Scale): number[] {
  if (scale === 'five') return [1, 2, 3, 4, 5];
  if (scale === 'three') return [1, 2, 3];
  if (scale === 'thumbs') return [1, 2];
  return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
}

export const validScore = (scale: Scale, score: number) =>
  Number.isInteger(score) && scalePoints(scale).includes(score);

export function verdictOf(scale: Scale, score: number): Verdict {
  if (scale === 'nps') return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
  if (scale === 'thumbs') return score === 2 ? 'good' : 'bad';
  if (scale === 'three') return score === 3 ? 'good' : score === 2 ? 'neutral' : 'bad';
  return score >= 4 ? 'good' : score === 3 ? 'neutral' : 'bad';
}

/**
 * Whether an answer calls for the low-score reaction. The threshold is on the 5-point scale; the
 * 3-point scale's lowest point is always low (its middle too from a threshold of 3), a thumbs down is low.
 */
export function isLowScore(scale: Scale, score: number, threshold: number): boolean {
  if (scale === 'five') return score <= threshold;
  if (scale === 'three') return score === 1 || (threshold >= 3 && score === 2);
  if (scale === 'thumbs') return score === 1;
  return score <= 6;
}

/**
 * Sampling that gives the same answer every time for the same cycle (a replayed event, a retried
 * job): the first two bytes of a hash of the key, as a percentile.
 */
export function inSample(percent: number, key: string): boolean {
  if (percent >= 100) return true;
  if (percent <= 0) return false;
  const h = createHash('sha256').update(key).digest();
  return (h[0]! * 256 + h[1]!) % 100 < percent;
}

export interface CycleFacts {
  channel: string;
  teamId: number | null;
  tags: string[];
  /** An agent replied in this cycle (false: the bot or automations resolved it alone). */
  human: boolean;
  hasContact: boolean;
  /** The contact opted out of surveys. */
  optedOut: boolean;
  /** When this contact was last sent a CSAT survey (any ticket), if ever. */
  lastSurveyedAt: Date | null;
  /** The cycle's identity (ticket id and solved time), for sampling. */
  sampleKey: string;
}

export type Decision = { send: true } | { send: false; reason: string };

/** Whether a resolution cycle gets a CSAT survey, with the reason when it does not. */
export function csatDecision(s: FeedbackSettings['csat'], f: CycleFacts, now: Date): Decision {
  if (!s.enabled) return { send: false, reason: 'surveys are off' };
  if (!f.hasContact) return { send: false, reason: 'no customer to ask' };
  if (f.optedOut) return { send: false, reason: 'the customer opted out of surveys' };
  if (s.channels.length && !s.channels.includes(f.channel))
    return { send: false, reason: `channel ${f.channel} is not surveyed` };
  if (s.teams.length && (f.teamId === null || !s.teams.includes(f.teamId)))
    return { send: false, reason: 'team is not surveyed' };
  const excluded = f.tags.find((t) => s.excludeTags.includes(t));
  if (excluded) return { send: false, reason: `tag ${excluded} is excluded` };
  if (s.includeTags.length && !f.tags.some((t) => s.includeTags.includes(t)))
    return { send: false, reason: 'none of the included tags' };
  if (!f.human && s.botResolutions === 'skip') return { send: false, reason: 'resolved by the bot' };
  if (
    f.lastSurveyedAt &&
    s.cooldownDays > 0 &&
    now.getTime() - f.lastSurveyedAt.getTime() < s.cooldownDays * 86_400_000
  )
    return { send: false, reason: `asked within the last ${s.cooldownDays} days` };
  if (!inSample(s.samplePercent, f.sampleKey)) return { send: false, reason: 'not in the sample' };
  return { send: true };
}

/** Whether a follow-up goes out for a solved ticket. */
export function followUpDecision(
  s: FeedbackSettings['followUp'],
  f: { teamId: number | null; hasContact: boolean },
): Decision {
  if (!s.enabled) return { send: false, reason: 'follow-ups are off' };
  if (!f.hasContact) return { send: false, reason: 'no customer to ask' };
  if (s.teams.length && (f.teamId === null || !s.teams.includes(f.teamId)))
    return { send: false, reason: 'team is not followed up' };
  return { send: true };
}

/** NPS: at most once per person in the throttle window. */
export function npsDecision(
  s: FeedbackSettings['nps'],
  f: { hasContact: boolean; optedOut: boolean; lastAskedAt: Date | null },
  now: Date,
): Decision {
  if (!s.enabled) return { send: false, reason: 'NPS is off' };
  if (!f.hasContact) return { send: false, reason: 'no customer to ask' };
  if (f.optedOut) return { send: false, reason: 'the customer opted out of surveys' };
  if (f.lastAskedAt && now.getTime() - f.lastAskedAt.getTime() < s.throttleDays * 86_400_000)
    return { send: false, reason: `asked within the last ${s.throttleDays} days` };
  return { send: true };
}

/** Raises a priority one step (a "not fixed" answer or a low score). */
export function raisedPriority(p: string): 'low' | 'normal' | 'high' | 'urgent' {
  if (p === 'low') return 'normal';
  if (p === 'normal') return 'high';
  return 'urgent';
}

/** CSAT as the share of good answers (0–100, one decimal); null without answers. */
export function csatPercent(good: number, answered: number): number | null {
  return answered ? Math.round((good / answered) * 1000) / 10 : null;
}

/** NPS: promoters minus detractors as a share of answers (−100…100); null without answers. */
export function npsValue(promoters: number, detractors: number, answered: number): number | null {
  return answered ? Math.round(((promoters - detractors) / answered) * 1000) / 10 : null;
}

/** Purposes of the shopper links this module makes (helpcenter shopper links, served at /l/<token>). */
export const LINK_PURPOSES = { survey: 'survey', followUp: 'follow-up', optOut: 'feedback-opt-out' } as const;
