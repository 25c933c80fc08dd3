/** Counts requests per key in fixed one-hour windows, in this process's memory (nothing about the source is stored). */
export class HourlyLimiter {
  private readonly counts = new Map<string, { windowStart: number; count: number }>();

  constructor(private readonly limit: number) {}

  /** True if this request is still within the limit (and counts it). */
  take(key: string, now = Date.now()): boolean {
    const windowStart = now - (now % 3_600_000);
    const entry = this.counts.get(key);
    if (!entry || entry.windowStart !== windowStart) {
      if (this.counts.size > 100_000) this.counts.clear();
      this.counts.set(key, { windowStart, count: 1 });
      return true;
    }
    entry.count += 1;
    return entry.count <= this.limit;
  }
}
