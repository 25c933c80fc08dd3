/**
 * Group commit: calls made while a write is in flight wait for the next one
 * and are written together, so a burst of N calls costs a handful of
 * statements instead of N, and a lone call still goes out at once.
 */
export class Coalescer<T, R> {
  private waiting: Array<{ item: T; resolve: (result: R) => void; reject: (error: unknown) => void }> = [];
  private busy = false;

  constructor(private readonly write: (items: T[]) => Promise<R[]>) {}

  push(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    await new Promise((resolve) => setImmediate(resolve));
    while (this.waiting.length > 0) {
      const group = this.waiting;
      this.waiting = [];
      try {
        const results = await this.write(group.map(({ item }) => item));
        group.forEach(({ resolve }, index) => resolve(results[index]));
      } catch (error) {
        group.forEach(({ reject }) => reject(error));
      }
    }
    this.busy = false;
  }
}
