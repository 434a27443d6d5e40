import { createHash } from 'node:crypto';
import type { ScorecardCategory, ScorecardScale } from '@shopdesk/contracts';

/*
 * Pure rules of QA reviews: validating ratings against a scorecard version, the review score, and the
 * seeded sample order. No I/O, so the arithmetic is tested by hand-computed cases.
 */

export interface Rating {
  category: string;
  score: number | null;
  rootCause?: string | null;
  comment?: string | null;
}

const points = (scale: ScorecardScale) => (scale === 'binary' ? 2 : Number(scale));

/** 0..1: binary 0/1 as is; an N-point scale's 1..N spread evenly (3-point: 1 → 0, 2 → 0.5, 3 → 1). */
export function normalise(scale: ScorecardScale, score: number) {
  if (scale === 'binary') return score;
  return (score - 1) / (points(scale) - 1);
}

/** Below the middle of its scale: binary 0; 1 of 3; 1–2 of 4; 1–2 of 5. Root causes go with these. */
export const isNegative = (scale: ScorecardScale, score: number) => normalise(scale, score) < 0.5;

export function scoreInRange(scale: ScorecardScale, score: number) {
  if (scale === 'binary') return score === 0 || score === 1;
  return score >= 1 && score <= points(scale);
}

/**
 * What is wrong with these ratings for this version, or null: each category rated or marked N/A
 * exactly once, scores on the category's scale, a root cause only on a negative rating and from the
 * category's list.
 */
export function ratingProblem(categories: ScorecardCategory[], ratings: Rating[]): string | null {
  const byKey = new Map(categories.map((c) => [c.key, c]));
  const seen = new Set<string>();
  for (const r of ratings) {
    const c = byKey.get(r.category);
    if (!c) return `unknown category "${r.category}"`;
    if (seen.has(r.category)) return `category "${r.category}" rated twice`;
    seen.add(r.category);
    if (r.score === null) {
      if (r.rootCause) return `category "${r.category}" is N/A and cannot have a root cause`;
      continue;
    }
    if (!scoreInRange(c.scale, r.score))
      return `score ${r.score} is not on the ${c.scale} scale of "${c.key}"`;
    if (r.rootCause) {
      if (!isNegative(c.scale, r.score)) return `a root cause goes only with a negative rating ("${c.key}")`;
      if (!c.rootCauses.includes(r.rootCause)) return `"${r.rootCause}" is not a root cause of "${c.key}"`;
    }
  }
  const missing = categories.find((c) => !seen.has(c.key));
  if (missing) return `category "${missing.key}" is not rated (send score null for N/A)`;
  return null;
}

/**
 * The review's score, 0–100 with one decimal: the weighted mean of the rated categories' normalised
 * scores (N/A left out of both sums); a negative rating on a critical category makes it 0. null when
 * every category is N/A.
 */
export function reviewScore(categories: ScorecardCategory[], ratings: Rating[]) {
  const byKey = new Map(ratings.map((r) => [r.category, r]));
  let sum = 0;
  let weights = 0;
  let criticalFailed = false;
  for (const c of categories) {
    const r = byKey.get(c.key);
    if (!r || r.score === null) continue;
    if (c.critical && isNegative(c.scale, r.score)) criticalFailed = true;
    sum += c.weight * normalise(c.scale, r.score);
    weights += c.weight;
  }
  if (weights === 0) return { score: null, criticalFailed };
  return { score: criticalFailed ? 0 : Math.round((1000 * sum) / weights) / 10, criticalFailed };
}

/**
 * The sample's order: by a hash of the seed and the ticket id, so the same seed over the same
 * candidates picks the same tickets whatever order the database returned them in, and a new seed a
 * fresh, unbiased draw.
 */
export function seededOrder<T extends { ticketId: number }>(seed: string, items: T[]): T[] {
  const key = (id: number) => createHash('sha256').update(`${seed}:${id}`).digest('hex');
  return items
    .map((it) => ({ it, k: key(it.ticketId) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.it);
}

/** The agent who wrote most replies (ties: the earliest to write); null when no agent replied. */
export function mostActiveAgent(replies: { agentId: number; count: number; firstId: number }[]) {
  let best: { agentId: number; count: number; firstId: number } | null = null;
  for (const r of replies) {
    if (!best || r.count > best.count || (r.count === best.count && r.firstId < best.firstId)) best = r;
  }
  return best?.agentId ?? null;
}
