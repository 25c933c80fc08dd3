import { Coalescer } from './coalescer.js';

describe('Coalescer (group commit)', () => {
  it('writes a lone call at once and groups the calls that arrive during a write', async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const firstWrite = new Promise<void>((resolve) => (release = resolve));
    const coalescer = new Coalescer<number, number>(async (items) => {
      groups.push(items);
      if (groups.length === 1) await firstWrite;
      return items.map((n) => n * 10);
    });

    const first = coalescer.push(1);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [coalescer.push(2), coalescer.push(3), coalescer.push(4)];
    release();

    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(groups).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects every call of a group whose write fails, and keeps working', async () => {
    let fail = true;
    const coalescer = new Coalescer<number, number>(async (items) => {
      if (fail) throw new Error('database said no');
      return items;
    });
    await expect(Promise.all([coalescer.push(1), coalescer.push(2)])).rejects.toThrow('database said no');
    fail = false;
    expect(await coalescer.push(3)).toBe(3);
  });
});
