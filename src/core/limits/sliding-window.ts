/**
 * Counts events per key over a sliding window, in this process's memory: for
 * limits whose purpose is to slow a flood, where a restart forgetting the
 * count is harmless. Keys with no recent events are dropped as they age.
 */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until `key` may act again, or 0 if it is under the limit now. */
  retryAfter(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    if (recent.length < this.limit) return 0;
    return (recent[recent.length - this.limit] + this.windowMs - now) / 1000;
  }

  record(key: string, now = Date.now()): void {
    const recent = this.recent(key, now);
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.sweep(now);
  }

  private recent(key: string, now: number): number[] {
    return (this.hits.get(key) ?? []).filter((at) => at > now - this.windowMs);
  }

  private sweep(now: number): void {
    for (const [key, times] of this.hits) if (!times.some((at) => at > now - this.windowMs)) this.hits.delete(key);
  }
}
