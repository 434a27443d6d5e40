import { describe, expect, it } from 'vitest';
import { batcher } from './batch.ts';

describe('batcher', () => {
  it('answers calls made together from one run, each with its own output', async () => {
    const runs: number[][] = [];
    const double = batcher(async (xs: number[]) => {
      runs.push(xs);
      return xs.map((x) => x * 2);
    });
    expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6]);
    expect(runs).toEqual([[1, 2, 3]]);
    expect(await double(5)).toBe(10);
    expect(runs).toHaveLength(2);
  });

  it('splits at the size limit and fails every call of a failed run', async () => {
    const sizes: number[] = [];
    const echo = batcher(async (xs: number[]) => {
      sizes.push(xs.length);
      return xs;
    }, 2);
    expect(await Promise.all([1, 2, 3, 4, 5].map(echo))).toEqual([1, 2, 3, 4, 5]);
    expect(sizes).toEqual([2, 2, 1]);

    const broken = batcher(async (xs: number[]) => xs.slice(1));
    const r = await Promise.allSettled([broken(1), broken(2)]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
  });
});
