/**
 * Fixed-window counters for anonymous shopper endpoints (contact form, order lookup), keyed by IP and
 * by target. Per node: with N nodes a client gets at most N× the budget, still far from enumeration.
 */
export class WindowLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(
    private limit: number,
    private windowMs: number,
  ) {}

  /** Counts one hit; returns seconds to wait when over the limit, else null. */
  hit(key: string, now = Date.now()): number | null {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 100_000) this.windows.clear();
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count > this.limit ? Math.ceil((w.start + this.windowMs - now) / 1000) : null;
  }

  /** Whether a key is currently over its limit, without counting. */
  blocked(key: string, now = Date.now()): boolean {
    const w = this.windows.get(key);
    return !!w && now - w.start < this.windowMs && w.count >= this.limit;
  }
}
