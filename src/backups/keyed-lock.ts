/**
 * One holder per key at a time, within this process. restic's prune needs an
 * exclusive repository lock; serialising work on one member's repository here
 * keeps two of that member's sites from tripping over each other's locks.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async with<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.tails.set(key, current);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === current) this.tails.delete(key);
    }
  }
}
