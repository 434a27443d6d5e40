/**
 * Duration histogram edges (seconds) of the rollups: whole minutes below 1 h, 5 minutes below 4 h,
 * hours below 3 days, days below 60 days. A median or p90 read from the rollups is the lower edge of
 * the bucket holding the nearest-rank value, so it is exact to that resolution (docs/analytics.md).
 */
function edges(): number[] {
  const out: number[] = [];
  for (let s = 60; s <= 3600; s += 60) out.push(s);
  for (let s = 3600 + 300; s <= 4 * 3600; s += 300) out.push(s);
  for (let s = 5 * 3600; s <= 72 * 3600; s += 3600) out.push(s);
  for (let s = 4 * 86400; s <= 60 * 86400; s += 86400) out.push(s);
  return out;
}
export const BUCKET_EDGES = edges();

/** Bucket b (as PostgreSQL's width_bucket over BUCKET_EDGES) holds [lowerEdge(b), next edge). */
export const lowerEdge = (b: number) => (b <= 0 ? 0 : BUCKET_EDGES[b - 1]!);

/** Same as SQL `width_bucket(value, edges)`: how many edges are ≤ value. */
export function bucketOf(value: number): number {
  let lo = 0;
  let hi = BUCKET_EDGES.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (BUCKET_EDGES[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Nearest-rank percentile (p in 0..1) from bucket counts; null when empty. */
export function percentile(hist: Map<number, number>, p: number): number | null {
  let n = 0;
  for (const c of hist.values()) n += c;
  if (n <= 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let seen = 0;
  for (const b of [...hist.keys()].sort((a, c) => a - c)) {
    seen += hist.get(b)!;
    if (seen >= rank) return lowerEdge(b);
  }
  return null;
}
