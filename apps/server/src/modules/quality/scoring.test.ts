import type { ScorecardCategory } from '@shopdesk/contracts';
import { describe, expect, it } from 'vitest';
import {
  isNegative,
  mostActiveAgent,
  normalise,
  ratingProblem,
  reviewScore,
  seededOrder,
} from './scoring.ts';

const cat = (key: string, o: Partial<ScorecardCategory> = {}): ScorecardCategory => ({
  key,
  name: key,
  section: 'General',
  weight: 1,
  scale: 'binary',
  critical: false,
  rootCauses: [],
  policyCheck: false,
  ...o,
});

describe('review score (hand-computed)', () => {
  const cats = [
    cat('a', { weight: 2, scale: '5' }),
    cat('b', { weight: 1, scale: '4' }),
    cat('c', { weight: 3 }),
    cat('d', { weight: 4, scale: '3', critical: true }),
  ];

  it('normalises each scale evenly', () => {
    expect([1, 2, 3, 4, 5].map((s) => normalise('5', s))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect([1, 2, 3, 4].map((s) => Math.round(normalise('4', s) * 1000) / 1000)).toEqual([
      0, 0.333, 0.667, 1,
    ]);
    expect([1, 2, 3].map((s) => normalise('3', s))).toEqual([0, 0.5, 1]);
    expect([isNegative('3', 2), isNegative('4', 2), isNegative('5', 3), isNegative('binary', 0)]).toEqual([
      false,
      true,
      false,
      true,
    ]);
  });

  it('weights the rated categories and leaves N/A out', () => {
    // a: 4 of 5 → 0.75 × 2 = 1.5; b: N/A; c: pass → 1 × 3 = 3; d: 2 of 3 → 0.5 × 4 = 2. 6.5 / 9 = 72.2
    const r = reviewScore(cats, [
      { category: 'a', score: 4 },
      { category: 'b', score: null },
      { category: 'c', score: 1 },
      { category: 'd', score: 2 },
    ]);
    expect(r).toEqual({ score: 72.2, criticalFailed: false });
  });

  it('a critical category rated negatively zeroes the review; all N/A is no score', () => {
    expect(
      reviewScore(cats, [
        { category: 'a', score: 5 },
        { category: 'b', score: 4 },
        { category: 'c', score: 1 },
        { category: 'd', score: 1 },
      ]),
    ).toEqual({ score: 0, criticalFailed: true });
    expect(
      reviewScore(
        cats,
        cats.map((c) => ({ category: c.key, score: null })),
      ),
    ).toEqual({
      score: null,
      criticalFailed: false,
    });
  });

  it('names what is wrong with ratings', () => {
    const withCauses = [cat('x', { scale: '5', rootCauses: ['Knowledge gap'] })];
    expect(ratingProblem(withCauses, [{ category: 'x', score: 2, rootCause: 'Knowledge gap' }])).toBeNull();
    expect(ratingProblem(withCauses, [{ category: 'x', score: 4, rootCause: 'Knowledge gap' }])).toMatch(
      /negative/,
    );
    expect(ratingProblem(withCauses, [{ category: 'x', score: 0 }])).toMatch(/scale/);
    expect(ratingProblem(withCauses, [])).toMatch(/not rated/);
    expect(ratingProblem(withCauses, [{ category: 'x', score: null, rootCause: 'Knowledge gap' }])).toMatch(
      /N\/A/,
    );
  });
});

describe('sampling order', () => {
  it('depends on the seed and the ids, not on the input order', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8].map((ticketId) => ({ ticketId }));
    const a = seededOrder('s1', items).map((x) => x.ticketId);
    expect(seededOrder('s1', [...items].reverse()).map((x) => x.ticketId)).toEqual(a);
    expect(seededOrder('s2', items).map((x) => x.ticketId)).not.toEqual(a);
  });

  it('the most active agent wins; a tie goes to who replied first', () => {
    expect(
      mostActiveAgent([
        { agentId: 1, count: 1, firstId: 5 },
        { agentId: 2, count: 3, firstId: 9 },
      ]),
    ).toBe(2);
    expect(
      mostActiveAgent([
        { agentId: 1, count: 2, firstId: 9 },
        { agentId: 2, count: 2, firstId: 5 },
      ]),
    ).toBe(2);
    expect(mostActiveAgent([])).toBeNull();
  });
});
