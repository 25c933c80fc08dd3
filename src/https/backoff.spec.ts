import { backoffDelay } from './backoff.js';

const MINUTE = 60_000;

describe('renewal backoff', () => {
  it('starts at 5 minutes, doubles, and never waits more than 6 hours', () => {
    expect([1, 2, 3, 4].map(backoffDelay)).toEqual([5, 10, 20, 40].map((m) => m * MINUTE));
    expect(backoffDelay(7)).toBe(320 * MINUTE);
    expect(backoffDelay(8)).toBe(360 * MINUTE);
    expect(backoffDelay(50)).toBe(360 * MINUTE);
  });
});
