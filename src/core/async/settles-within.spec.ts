import { settlesWithin } from './settles-within.js';

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('settlesWithin', () => {
  it('is true when the promise fulfils in time, false when the time runs out first', async () => {
    await expect(settlesWithin(after(5, 'done'), 500)).resolves.toBe(true);
    await expect(settlesWithin(after(500, 'late'), 20)).resolves.toBe(false);
  });

  it('passes on a rejection that comes in time', async () => {
    await expect(settlesWithin(Promise.reject(new Error('refused')), 500)).rejects.toThrow('refused');
  });
});
