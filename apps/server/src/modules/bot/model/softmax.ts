import { BUCKETS } from './features.ts';

/**
 * Multinomial logistic regression over hashed sparse features, trained with AdaGrad. Written here
 * rather than taken from a library: the maintained JS option (ml-logistic-regression) is dense batch
 * gradient descent with no text features (minutes over 16k-wide inputs), and the naive-Bayes text
 * packages either pull a multi-megabyte English NLP model (wink) or are unmaintained and give
 * uncalibrated scores. This is ~80 lines, trains in about a second and scores in microseconds.
 */
export interface Weights {
  labels: string[];
  /** Row-major [bucket][label]. */
  w: Float32Array;
  temperature: number;
}

export function scores(m: Weights, x: Map<number, number>): number[] {
  const k = m.labels.length;
  const z = new Array<number>(k).fill(0);
  for (const [b, v] of x) for (let c = 0; c < k; c++) z[c]! += m.w[b * k + c]! * v;
  return z;
}

export function softmax(z: number[], temperature = 1): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp((v - max) / temperature));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Deterministic PRNG (mulberry32) so the same examples always give the same model. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function train(
  xs: Map<number, number>[],
  ys: number[],
  labels: string[],
  o: { epochs?: number; rate?: number; l2?: number; seed?: number } = {},
): Weights {
  const k = labels.length;
  const w = new Float32Array(BUCKETS * k);
  const g2 = new Float32Array(BUCKETS * k).fill(1e-6);
  const rate = o.rate ?? 0.5;
  const l2 = o.l2 ?? 1e-5;
  const random = rng(o.seed ?? 23);
  const order = xs.map((_, i) => i);
  const m: Weights = { labels, w, temperature: 1 };
  for (let epoch = 0; epoch < (o.epochs ?? 40); epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const x = xs[i]!;
      const p = softmax(scores(m, x));
      for (let c = 0; c < k; c++) {
        const err = p[c]! - (ys[i] === c ? 1 : 0);
        for (const [b, v] of x) {
          const idx = b * k + c;
          const g = err * v + l2 * w[idx]!;
          g2[idx]! += g * g;
          w[idx]! -= (rate * g) / Math.sqrt(g2[idx]!);
        }
      }
    }
  }
  return m;
}

/** Temperature that minimises the log-loss of out-of-fold scores: calibrated confidences. */
export function fitTemperature(z: number[][], ys: number[]): number {
  let best = 1;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (let t = 0.25; t <= 6; t += 0.05) {
    let loss = 0;
    z.forEach((s, i) => {
      loss -= Math.log(Math.max(1e-12, softmax(s, t)[ys[i]!]!));
    });
    if (loss < bestLoss) {
      bestLoss = loss;
      best = t;
    }
  }
  return Math.round(best * 100) / 100;
}
